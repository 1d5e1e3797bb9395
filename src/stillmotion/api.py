"""The library's front door: prepare, make_plan, render, animate, iter_frames, and a video's own
plan (read_plan, load_plan_photo).

Every shell (CLI, studio, batch, Ray) calls these; no logic lives only in a shell. Each starts
with prepare(), so the same photo and options give the same plan and the same pixels whichever
shell they come through, and `render plan.json` starts from those pixels too. Every video
carries its plan (provenance.py), so a video and its photo can be rendered again, or edited.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .analysis import Analysis, analyse
from .audio.userfile import probe
from .canvas import output_size
from .director import direct
from .encode import check_output, default_output
from .engines import preflight, render_with_engine
from .errors import PhotoError, PlanError
from .frames.renderer import Renderer
from .frames.video import write_video
from .photo import DEFAULT_MAX_SIDE, Photo, load_photo
from .plan import Canvas, Plan
from .progress import CancelCheck, ProgressCallback, Reporter
from .provenance import read_plan  # noqa: F401 (a video's own plan: shells read it here)

PhotoLike = str | Path | Photo


def prepare(
    photo: PhotoLike,
    prompt: str = "",
    *,
    depth: str = "auto",
    segmentation: str = "auto",
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    **options: Any,
) -> tuple[Plan, Photo, Analysis]:
    """The one way every shell starts: (plan, photo, analysis) for a photo, a sentence and options.

    1. load the photo at the working size the requested resolution needs (large photos decode small);
    2. analyse it (depth, regions, faces; cached per photo);
    3. let the director write the plan;
    4. if the director chose a resolution that needs another working size, load the photo again
       at that size, exactly as `render(plan)` without a photo would.
    Hand the photo and analysis to render() to skip loading them twice.
    """
    return _prepare(photo, prompt, (depth, segmentation), Reporter(progress, cancel), options)


def make_plan(
    photo: PhotoLike,
    prompt: str = "",
    *,
    depth: str = "auto",
    segmentation: str = "auto",
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    **options: Any,
) -> Plan:
    """The plan for a photo, a sentence and options (prepare()'s plan; nothing is rendered)."""
    plan, _, _ = _prepare(photo, prompt, (depth, segmentation), Reporter(progress, cancel), options)
    return plan


def render(
    plan: Plan,
    output: str | Path,
    *,
    photo: Photo | None = None,
    analysis: Analysis | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    encoder: dict[str, Any] | None = None,
    engine: str = "cpu",
    model: str | None = None,
    low_vram: bool | None = None,
) -> Path:
    """Render a plan to a video file (format from the extension). Returns the output path.

    The file appears only when complete: it is written under a temporary name and renamed.
    The soundtrack is the plan's (plan.audio); its mode "model" keeps a neural model's own sound
    (LTX-2) and needs the neural engine. Neural engine: low_vram None chooses offloading from the
    free GPU memory (True: offload, False: none).
    """
    output = check_output(output, force=force)
    _check_audio(plan)
    reporter = Reporter(progress, cancel)
    photo, analysis = _inputs_for(plan, photo, analysis, reporter)
    model_sound = "model" if plan.audio.mode == "model" else "none"
    if engine != "cpu" or model_sound != "none":  # the neural engine (it imports torch only when chosen)
        done = render_with_engine(plan, photo, analysis, output, reporter, encoder or {}, engine=engine, model=model,
                                  low_vram=low_vram, audio=model_sound)
        if done is not None:
            return done
    return write_video(plan, photo, analysis, output, reporter, encoder or {})


def animate(
    photo: PhotoLike,
    output: str | Path | None = None,
    prompt: str = "",
    *,
    force: bool = False,
    depth: str = "auto",
    segmentation: str = "auto",
    progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    encoder: dict[str, Any] | None = None,
    engine: str = "cpu",
    model: str | None = None,
    low_vram: bool | None = None,
    **options: Any,
) -> Path:
    """Photo (and sentence) in, video out: make_plan then render, in one call."""
    reporter = Reporter(progress, cancel)
    if output is None:
        output = default_output(photo.path if isinstance(photo, Photo) else Path(photo))
    output = check_output(output, force=force)  # fail before the work, not after it
    model_sound = "model" if options.get("audio") == "model" else "none"
    if engine != "cpu" or model_sound != "none":
        preflight(engine, model, model_sound)
    plan, photo, analysis = _prepare(photo, prompt, (depth, segmentation), reporter, options)
    return render(plan, output, photo=photo, analysis=analysis, force=force, progress=progress, cancel=cancel, encoder=encoder,
                  engine=engine, model=model, low_vram=low_vram)


def load_plan_photo(plan: Plan, photo: str | Path | None = None, *, search: tuple[str | Path, ...] = ()) -> Photo:
    """The photo a plan was made from, loaded as render() would load it and checked by its content hash.

    photo: the photo's path; None looks for the plan's photo: its path as the plan gives it, then
    a file of that name in each folder of `search` (a video's plan holds only the file name).
    A photo with other content is refused, with a message that says so.
    """
    if photo is not None:
        return _checked(plan, _load_for(photo, plan.canvas))
    name = Path(plan.photo).name
    candidates = [Path(plan.photo)] + [Path(folder) / name for folder in search]
    mismatched = None
    for candidate in dict.fromkeys(candidates):
        if candidate.is_file():
            found = _load_for(candidate, plan.canvas)
            if not plan.photo_sha256 or found.sha256 == plan.photo_sha256:
                return found
            mismatched = candidate
    if mismatched is not None:
        raise _wrong_photo(plan, mismatched)
    raise PhotoError(f"{name}: the plan's photo was not found; give the original photo", fix=(("photo", None),))


def iter_frames(plan: Plan, photo: Photo | None = None, analysis: Analysis | None = None) -> Iterator[np.ndarray]:
    """The plan's frames as RGB uint8 arrays, one at a time (each a fresh array)."""
    photo, analysis = _inputs_for(plan, photo, analysis, Reporter())
    renderer = Renderer(plan, photo, analysis)
    for index in range(renderer.frame_count):
        yield renderer.frame(index).copy()


def working_side(canvas: Canvas, photo_size: tuple[int, int]) -> int:
    """The long side to load a photo of `photo_size` (its own upright width, height) at for a canvas.

    Enough for the part of the photo the canvas shows to reach the video at full resolution,
    however long the photo: a 65535 x 1525 panorama cropped to 4:1 at 480p loads 480 px tall
    (20628 wide), not 48. Never less than the floor every photo gets (2048 px on the long side,
    2560 for 1080p; enough for a 9:16 crop of a 4:3 photo), and never more than the photo has
    (the header's pixel limit bounds that). Only the crop's size matters, not where it sits, so
    the load made before the director places the crop is the one `render plan.json` makes.
    """
    floor = min(DEFAULT_MAX_SIDE, max(2048, math.ceil(canvas.resolution * 16 / 9 * 4 / 3)))
    width, height = photo_size
    blur = canvas.fit == "blur" and canvas.aspect != "original"
    crop = canvas.crop if canvas.crop is not None and not blur else None
    shown = (crop.w * width, crop.h * height) if crop is not None else (width, height)
    out_w, out_h = output_size(canvas, shown)
    # Cropped: the crop fills the frame (its longer need decides). Blur: the photo fits inside it.
    pick = min if blur else max
    scale = pick(out_w / shown[0], out_h / shown[1])
    needed = math.ceil(max(width, height) * scale - 1e-6)
    return max(floor, min(needed, max(width, height)))


def _load_for(path: str | Path, canvas: Canvas) -> Photo:
    """The photo loaded at the working size a canvas needs (api's one rule: prepare, render, load_plan_photo)."""
    return load_photo(path, max_side=lambda size: working_side(canvas, size))


def _canvas_for(options: dict) -> Canvas:
    """The canvas the options ask for, before the director fills in the rest (resolution: up to
    1080, as its default). Bad values are the director's to refuse: here they fall back."""
    fields = {k: options[k] for k in ("aspect", "resolution", "fit") if options.get(k) is not None}
    try:
        return Canvas(**{"resolution": 1080, **fields})
    except ValueError:
        return Canvas()


def _prepare(photo: PhotoLike, prompt: str, providers: tuple[str, str], reporter: Reporter,
             options: dict) -> tuple[Plan, Photo, Analysis]:
    reporter("load", 0, 1)
    path = None
    if not isinstance(photo, Photo):
        path = photo
        first = _canvas_for(options)
        photo = _load_for(path, first)
    reporter("analyse", 0, 1)
    analysis = analyse(photo, depth=providers[0], segmentation=providers[1])
    reporter("plan", 0, 1)
    plan = direct(photo, analysis, prompt, **options)
    if path is not None and working_side(plan.canvas, photo.original_size) != working_side(first, photo.original_size):
        # The director chose a canvas that needs another working size: load as `render PLAN.json` will, so frames match.
        photo = _load_for(path, plan.canvas)
    return plan, photo, analysis


def _inputs_for(plan: Plan, photo: Photo | None, analysis: Analysis | None, reporter: Reporter) -> tuple[Photo, Analysis]:
    """The photo and analysis a plan was made from, loaded (and checked) if not given."""
    if photo is None:
        reporter("load", 0, 1)
        photo = _load_for(plan.photo, plan.canvas)
    _checked(plan, photo)
    if analysis is None:
        reporter("analyse", 0, 1)
        analysis = analyse(photo, depth=plan.depth, segmentation=plan.segmentation)
    return photo, analysis


def _checked(plan: Plan, photo: Photo) -> Photo:
    if plan.photo_sha256 and photo.sha256 != plan.photo_sha256:
        raise _wrong_photo(plan, photo.path or plan.photo)
    return photo


def _wrong_photo(plan: Plan, given) -> PlanError:
    return PlanError(f"{given}: not the photo this plan was made from (the photo has changed, or it is another one: its "
                     f"content hash differs from {Path(plan.photo).name}'s); give the original photo", fix=(("photo", None),))


def _check_audio(plan: Plan) -> None:
    """A user's audio file that cannot be used fails now, before any frame is rendered."""
    if plan.audio.mode == "file":

        probe(plan.audio.file)
