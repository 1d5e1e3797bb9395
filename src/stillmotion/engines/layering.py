"""The CPU engine's atmosphere and light (rain, fog, flicker, grade...) drawn over a neural clip.

The effects are built exactly as the CPU renderer builds them (Scene.build, build_effects), so
they see the same canvas, depth, masks and seeds (plan seed, effect index) as in a CPU render;
the neural model makes the scene and camera motion.
"""

from __future__ import annotations

import numpy as np

from ..analysis.types import Analysis
from ..effects.base import Scene, build_effects
from ..effects.registry import descriptor
from ..photo import Photo
from ..plan import Plan

LAYERED_FAMILIES = ("atmosphere", "light")


class Layers:
    """Canvas image and size for the plan, and apply(frame, index) for its atmosphere and light."""

    def __init__(self, plan: Plan, photo: Photo, analysis: Analysis):
        scene = Scene.build(plan, photo, analysis)
        self.image: np.ndarray = scene.image
        self.size: tuple[int, int] = scene.size
        self.fps = plan.canvas.fps
        self.effects = build_effects(plan, scene, LAYERED_FAMILIES)
        self.left_to_model: list[str] = [spec.type for spec in plan.effects
                                         if descriptor(spec.type).family not in LAYERED_FAMILIES]

    @property
    def names(self) -> list[str]:
        return [effect.spec.type for effect in self.effects]

    def apply(self, frame: np.ndarray, index: int) -> np.ndarray:
        """Draw the layers that show at this frame onto frame (uint8 H x W x 3, canvas size) in place."""
        t = index / self.fps
        for effect in self.effects:
            effect.apply(frame, t, None)
        return frame
