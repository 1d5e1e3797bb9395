"""What every effect is, and what the renderer hands it.

Scene: the per-video context, in canvas coordinates (made once through the CanvasMap).
View: the per-frame camera information screen-space effects need.
Effect: the base class. An effect is constructed once per video (precompute masks, flow fields,
particle tracks there) and drawn per frame, in place, on a uint8 RGB frame. `apply()` is the one
gate of timing: it asks the envelope (timing.py) how much of the effect shows at t and calls
`draw(frame, t, amount, view)` only when something shows. Frames are a pure function of time:
draw must not depend on which frames came before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..analysis.types import Analysis, Face
from ..canvas import CanvasMap
from ..photo import Photo
from ..plan import Effect as EffectSpec
from ..plan import Plan
from .registry import descriptor, effect_class
from .timing import envelope


@dataclass
class Scene:
    """Per-video context, in canvas coordinates (the photo cropped and resized to the output size)."""

    plan: Plan
    image: np.ndarray  # H x W x 3 uint8: the photo as frame 0 shows it
    depth: np.ndarray  # H x W float32 nearness 0 (far) .. 1 (near)
    analysis: Analysis  # at analysis resolution; use mask_at_canvas() for canvas-size masks
    faces: list[Face]  # boxes and landmarks in normalised canvas coordinates
    canvas_map: CanvasMap  # how anything aligned with the photo lands in the canvas

    @classmethod
    def build(cls, plan: Plan, photo: Photo, analysis: Analysis) -> Scene:
        """The scene of a plan: the photo, depth and faces as the canvas sees them."""
        canvas_map = CanvasMap.for_plan(plan.canvas, photo.size)
        return cls(plan=plan, image=canvas_map.image(photo.pixels), depth=canvas_map.depth(analysis.depth),
                   analysis=analysis, faces=canvas_map.faces(analysis.faces), canvas_map=canvas_map)

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
        mask = self.analysis.mask(name)
        if mask is None:
            return None
        return self.canvas_map.mask(mask.astype(np.float32))

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


class Effect:
    """One effect of a plan, built once per video and drawn per frame.

    Subclasses implement draw(). Scene and face effects run before the camera, in canvas space
    (view is None); atmosphere and light effects run after it, in screen space, with the frame's
    view (None when the camera is still and no view was made).
    """

    # The effect's own motion is zero at t = 0 and periodic over a loop (a warp such as water or
    # a blink): it needs no ease-in at t = 0 and no ease-out at the loop point (timing.envelope).
    at_rest: bool = False
    # Seconds of ease in and out; None: timing.default_ramp (15% of the clip, at most 1 s).
    ramp: float | None = None
    # A plan's freeze region keeps what this effect moves or draws out of it. False only for a
    # change of the whole scene's light (a flash, a colour look): freezing stops motion, not light.
    honours_freeze: bool = True

    def __init__(self, spec: EffectSpec, scene: Scene, index: int):
        self.spec = spec
        self.scene = scene
        self.index = index

    def amount(self, t: float) -> float:
        """How much of the effect shows at t (0..1): the one timing rule; nothing at strength 0."""
        if self.spec.strength <= 0:
            return 0.0
        plan = self.scene.plan
        return envelope(self.spec, plan.canvas.duration, plan.loop, t, ramp=self.ramp, at_rest=self.at_rest)

    def apply(self, frame: np.ndarray, t: float, view: View | None = None) -> None:
        """Draw the effect at time t onto frame (uint8 H x W x 3, in place), if it shows at t."""
        amount = self.amount(t)
        if amount > 0:
            self.draw(frame, t, amount, view)

    def draw(self, frame: np.ndarray, t: float, amount: float, view: View | None) -> None:
        """Draw at time t with the envelope's amount (0 < amount <= 1)."""
        raise NotImplementedError


def build_effects(plan: Plan, scene: Scene, families: tuple[str, ...] | None = None) -> list[Effect]:
    """The plan's effects (those of the given families, or all), built for the scene, in plan order.

    Each is seeded by its index in plan.effects, so a subset renders exactly as in the full plan.
    """
    return [effect_class(spec.type)(spec, scene, index) for index, spec in enumerate(plan.effects)
            if families is None or descriptor(spec.type).family in families]
