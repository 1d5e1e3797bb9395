"""The interface every effect implements, and what the renderer hands it.

An effect is constructed once per video (precompute masks, flow fields, particle tracks
there) and then applied per frame, in place, on a uint8 RGB frame. Frames are a pure
function of time: apply(frame, t, view) must not depend on which frames came before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..analysis.types import Analysis, Face
from ..plan import Effect, Plan


@dataclass
class Scene:
    """Per-video context, in canvas coordinates (the photo cropped and resized to the output size)."""

    plan: Plan
    image: np.ndarray  # H x W x 3 uint8: the photo as frame 0 shows it
    depth: np.ndarray  # H x W float32 nearness 0 (far) .. 1 (near)
    analysis: Analysis  # at analysis resolution; use mask_at_canvas() for canvas-size masks
    faces: list[Face]  # boxes and landmarks in normalised canvas coordinates
    crop: tuple[int, int, int, int]  # x, y, w, h of the canvas in analysis pixels (for your own resampling)
    # Where the (cropped) photo shows in the canvas, x, y, w, h in canvas pixels: the whole canvas,
    # except with fit "blur", where the photo sits inside a blurred fill.
    photo_rect: tuple[int, int, int, int] | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.image.shape[1], self.image.shape[0]

    @property
    def fps(self) -> int:
        return self.plan.canvas.fps

    @property
    def duration(self) -> float:
        return self.plan.canvas.duration

    def mask_at_canvas(self, name: str) -> np.ndarray | None:
        """A named analysis mask ("sky", "subject", "water", ...) cropped, resized and placed where the
        photo shows in the canvas (0 on a blurred fill)."""
        from .regions import to_canvas

        mask = self.analysis.mask(name)
        if mask is None:
            return None
        return to_canvas(mask.astype(np.float32), self)

    def rng(self, effect_index: int) -> np.random.Generator:
        """Randomness seeded by (plan seed, effect index): any frame renders alone, identically."""
        return np.random.default_rng([self.plan.seed, effect_index])


@dataclass
class View:
    """Per-frame camera information for screen-space effects (atmosphere, light)."""

    t: float  # seconds
    index: int  # frame number
    depth: np.ndarray  # H x W float32 nearness as seen on screen this frame (camera applied)
    # Backward map from screen to canvas coordinates at low resolution (h x w x 2, canvas pixels);
    # lets an effect keep atmosphere attached to the scene when the camera moves.
    screen_to_canvas: np.ndarray
    # Scale of the low-resolution map relative to the canvas (e.g. 0.25).
    map_scale: float


class EffectRenderer(Protocol):
    """One effect type's renderer. Construct once per video, apply per frame."""

    def __init__(self, spec: Effect, scene: Scene, index: int) -> None: ...

    def apply(self, frame: np.ndarray, t: float, view: View | None) -> None:
        """Draw the effect at time t onto frame (uint8 H x W x 3, modified in place).

        Scene and face effects run before the camera (in canvas space, view is None);
        atmosphere and light effects run after it, in screen space, with the frame's view.
        At t = 0 the effect must leave the frame unchanged (frame 0 is the photo).
        """
