"""The director: a photo's analysis, a sentence and options become a Plan.

(Foundation version: canvas, crop and camera from the options and the analysis; the
language understanding of the prompt is issue 3.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..analysis.types import Analysis
from ..errors import PlanError
from ..plan import RESOLUTIONS, Camera, Canvas, Plan, _validated
from ..render.canvas import aspect_ratio, crop_around

# Options a caller (CLI, studio, batch) may pass to direct(); None means "director's choice".
OPTION_NAMES = ("duration", "aspect", "resolution", "fps", "seed", "loop", "camera", "strength", "fit")


def direct(photo, analysis: Analysis, prompt: str = "", **options: Any) -> Plan:
    """Make the plan for a photo: canvas, crop around the subject, camera move (and effects)."""
    unknown = set(options) - set(OPTION_NAMES)
    if unknown:
        raise PlanError(f"unknown option(s) {', '.join(sorted(unknown))}; allowed: {', '.join(OPTION_NAMES)}")
    given = {k: v for k, v in options.items() if v is not None}
    explanation: list[str] = []

    canvas_fields = {k: given[k] for k in ("duration", "aspect", "fps", "fit") if k in given}
    resolution = given.get("resolution") or default_resolution(photo.size)
    canvas = _validated(Canvas, {**canvas_fields, "resolution": resolution})
    if canvas.resolution > min(photo.size):
        explanation.append(
            f"resolution {canvas.resolution} is above the photo's own short side ({min(photo.size)} px): the photo is upscaled"
        )
    focus = subject_focus(analysis)
    if canvas.aspect != "original" and canvas.fit == "crop":
        canvas.crop = crop_around(photo.size, aspect_ratio(canvas, photo.size), focus)
        explanation.append(f"cropped to {canvas.aspect} around the subject")

    camera = Camera(
        type=given.get("camera", "ken_burns"),
        strength=given.get("strength", 0.5),
        target=_in_canvas(focus, canvas),
    )
    plan = Plan(
        photo=str(photo.path) if photo.path else "array",
        photo_sha256=photo.sha256,
        prompt=prompt,
        depth=analysis.depth_source,
        seed=given.get("seed", 0),
        loop=bool(given.get("loop", False)),
        canvas=canvas,
        camera=camera,
        explanation=explanation,
    )
    return plan


def default_resolution(photo_size: tuple[int, int]) -> int:
    """The largest standard resolution the photo supports, up to 1080; 480 for small photos."""
    short = min(photo_size)
    fitting = [r for r in RESOLUTIONS if r <= min(short, 1080)]
    return max(fitting) if fitting else RESOLUTIONS[0]


def subject_focus(analysis: Analysis) -> tuple[float, float]:
    """Where the subject is (normalised photo coordinates): faces first, then the subject mask."""
    if analysis.faces:
        x, y, w, h = max(analysis.faces, key=lambda f: f.box[2] * f.box[3]).box
        return x + w / 2, y + h / 2
    weights = analysis.subject
    total = float(weights.sum())
    if total < 1e-3 * weights.size:
        return 0.5, 0.5
    h, w = weights.shape
    ys, xs = np.mgrid[0:h, 0:w]
    return float((weights * xs).sum() / total / w), float((weights * ys).sum() / total / h)


def _in_canvas(point: tuple[float, float], canvas: Canvas) -> tuple[float, float]:
    """A point in photo coordinates, expressed in the canvas (after the crop), clamped inside."""
    crop = canvas.crop
    if crop is None:
        return point
    x = (point[0] - crop.x) / crop.w
    y = (point[1] - crop.y) / crop.h
    return min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)
