"""The face effects' shell: each face effect is built once per video from the faces' FaceMesh
landmarks (normalised canvas coordinates, 478 points) and drawn per frame in canvas space, before
the camera. Every face moves on its own timing (seeded by plan seed, effect index and face index);
faces too small to animate well are left still.
"""

from __future__ import annotations

import numpy as np

from ...plan import Effect as EffectSpec
from ..base import Effect, Scene
from .geometry import FaceGeometry, selected_faces


class FaceEffect(Effect):
    """Shared shell of the face effects: selects the faces, builds one part per animatable face
    (prepare), and draws each part at the effect's local time, scaled by the envelope's amount."""

    at_rest = True

    def __init__(self, spec: EffectSpec, scene: Scene, index: int):
        super().__init__(spec, scene, index)
        self.start = spec.start
        end = scene.duration if spec.end is None else min(spec.end, scene.duration)
        self.length = max(0.0, end - spec.start)  # seconds of the effect's own time
        self.loop = scene.plan.loop
        self.intensity = spec.strength / 0.5  # 1.0 at the default strength
        self.parts = []
        self.skipped: list[int] = []
        if self.length <= 0 or spec.strength <= 0:
            return
        for face_index, geometry in selected_faces(spec, scene):
            part = self.prepare(scene, index, face_index, geometry)
            if part is None:
                self.skipped.append(face_index)
            else:
                self.parts.append(part)

    def prepare(self, scene: Scene, index: int, face_index: int, face: FaceGeometry):
        """One face's part: an object with apply(frame, local_t, amount), or None when too small."""
        raise NotImplementedError

    def draw(self, frame: np.ndarray, t: float, amount: float, view=None) -> None:
        local = t - self.start
        for part in self.parts:
            part.apply(frame, local, amount)
