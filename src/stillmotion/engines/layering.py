"""The CPU engine's atmosphere and light (rain, fog, flicker, grade...) drawn over a neural clip.

The scene is built by the CPU renderer itself with the camera held still, so the effects see
the same canvas, depth, masks and seeds (plan seed, effect index) as in a CPU render.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..analysis.types import Analysis
from ..motion import renderer_class
from ..photo import Photo
from ..plan import Camera, Plan, family_of

LAYERED_FAMILIES = ("atmosphere", "light")


class Layers:
    """Canvas image and size for the plan, and apply(frame, index) for its atmosphere and light."""

    def __init__(self, plan: Plan, photo: Photo, analysis: Analysis):
        from ..frames.renderer import Renderer

        # The neural model makes the scene and camera motion: the renderer only builds the canvas
        # (crop, depth, faces), with no effects and a still camera, so nothing else is precomputed.
        still = plan.with_changes(camera=Camera(type="static", strength=0.0), effects=[])
        renderer = Renderer(still, photo, analysis)
        scene = replace(renderer.scene, plan=plan)  # the real plan: seeds, fps and duration as in a CPU render
        self.image: np.ndarray = scene.image
        self.size: tuple[int, int] = renderer.size
        self.fps = plan.canvas.fps
        self.effects = []
        self.left_to_model: list[str] = []
        self.warnings: list[str] = []
        for index, spec in enumerate(plan.effects):  # the plan's index: same randomness as the CPU engine
            if family_of(spec.type) not in LAYERED_FAMILIES:
                self.left_to_model.append(spec.type)
                continue
            cls = renderer_class(spec.type)
            if cls is None:
                self.warnings.append(f"effect {spec.type!r} is not implemented in this version yet; skipped")
                continue
            self.effects.append((spec, cls(spec, scene, index)))

    @property
    def names(self) -> list[str]:
        return [spec.type for spec, _ in self.effects]

    def apply(self, frame: np.ndarray, index: int) -> np.ndarray:
        """Draw the active layers onto frame (uint8 H x W x 3, canvas size) in place."""
        t = index / self.fps
        for spec, effect in self.effects:
            if t >= spec.start and (spec.end is None or t <= spec.end):
                effect.apply(frame, t, None)
        return frame
