"""Faces as the face effects see them: FaceMesh landmarks in canvas pixels and the measures taken
from them, which faces an effect animates, and small helpers (a face's own randomness, ROIs)."""

from __future__ import annotations

import math

import numpy as np

from ...plan import Effect as EffectSpec
from ..base import Scene

# FaceMesh landmark indices (subject's right eye is on the image's left).
EYES = (
    # outer corner, inner corner, upper lid (outer -> inner), lower lid (outer -> inner)
    (33, 133, (246, 161, 160, 159, 158, 157, 173), (7, 163, 144, 145, 153, 154, 155)),
    (263, 362, (466, 388, 387, 386, 385, 384, 398), (249, 390, 373, 374, 380, 381, 382)),
)
BROWS_LOWER = ((46, 53, 52, 65, 55), (276, 283, 282, 295, 285))  # lower edge of each eye's brow
IRISES = ((468, 469, 470, 471, 472), (473, 474, 475, 476, 477))  # centre then rim, per eye (refined mesh)
MOUTH_CORNERS = (61, 291)
LIP_MIDDLE = (0, 13, 14, 17)  # upper outer, upper inner, lower inner, lower outer
CHEEKS = (205, 425)
CHEEKS_HIGH = (50, 280)
NOSE_TIP = 1
FOREHEAD, CHIN, FACE_RIGHT, FACE_LEFT = 10, 152, 234, 454
# Points a smile leaves where they are: eyes, nose, jaw and chin.
SMILE_ANCHORS = (1, 4, 33, 133, 263, 362, 152, 175, 172, 397, 136, 365, 234, 454, 168, 6)

# Below these sizes (canvas pixels) a face is left still: the warp would be a smear of a few pixels.
MIN_EYE_WIDTH = 12.0
MIN_EYE_OPENING = 1.5
MIN_MOUTH_WIDTH = 16.0
MIN_FACE_HEIGHT = 24.0
# A displacement below this (pixels) cannot change a pixel (remap works in 1/32 pixel steps).
STILL = 1.0 / 64


class FaceGeometry:
    """One face's landmarks in canvas pixels and the measures the effects need."""

    def __init__(self, landmarks: np.ndarray, size: tuple[int, int]):
        self.points = landmarks[:, :2].astype(np.float64) * np.array(size, np.float64)
        p = self.points
        self.width = float(np.linalg.norm(p[FACE_LEFT] - p[FACE_RIGHT]))
        self.height = float(np.linalg.norm(p[FOREHEAD] - p[CHIN]))
        self.up = (p[FOREHEAD] - p[CHIN]) / max(self.height, 1e-6)  # toward the forehead
        axis = p[EYES[1][0]] - p[EYES[0][0]]  # image left -> right along the eyes
        self.across = axis / max(float(np.linalg.norm(axis)), 1e-6)
        self.centre = (p[FOREHEAD] + p[CHIN] + p[FACE_RIGHT] + p[FACE_LEFT]) / 4


def selected_faces(spec: EffectSpec, scene: Scene) -> list[tuple[int, FaceGeometry]]:
    """(face index, geometry) of the faces this effect animates: region "face:N" or all with landmarks."""
    wanted = None
    if spec.region is not None and spec.region.name and spec.region.name.startswith("face:"):
        try:
            wanted = int(spec.region.name.split(":", 1)[1])
        except ValueError:
            wanted = -1
    out = []
    for i, face in enumerate(scene.faces):
        if wanted is not None and i != wanted:
            continue
        if face.landmarks is None or len(face.landmarks) < 468:
            continue
        out.append((i, FaceGeometry(np.asarray(face.landmarks), scene.size)))
    return out


def face_rng(scene: Scene, index: int, face_index: int) -> np.random.Generator:
    return np.random.default_rng([scene.plan.seed, index, face_index])


def clip_roi(x0: float, y0: float, x1: float, y1: float, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """Integer ROI (x0, y0, x1, y1) clipped to the canvas, or None when empty."""
    w, h = size
    ix0, iy0 = max(0, int(math.floor(x0))), max(0, int(math.floor(y0)))
    ix1, iy1 = min(w, int(math.ceil(x1))), min(h, int(math.ceil(y1)))
    if ix1 - ix0 < 2 or iy1 - iy0 < 2:
        return None
    return ix0, iy0, ix1, iy1
