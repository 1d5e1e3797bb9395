"""Faces with relief, for the classical depth: a rounded dome over each face.

The classical cues give a whole person one nearness (plus a gentle bulge over the body), so a
face filling the frame is a flat card: however the camera moves round it, its nose, eyes and
cheeks barely slide against each other, and an orbit reads as a zoom. A real face is not flat:
the nose and cheeks are nearer than the ears and the hairline. Each face therefore gets a smooth
dome, highest at the nose tip (FaceMesh's landmark 1, so a turned head turns its dome too) and
falling to nothing at the face's outline (the mesh's extent, else the detector's box), so the
outline stays continuous with the head and hair round it.

How high: a face's depth (nose tip to ears) is about 0.6 of its width; seen from a distance at
which the face spans a share f of a ~50 degree view, that depth is about 0.6 f of the distance,
and nearness (inverse depth) grows by about that share. So the dome's peak is RELIEF_PER_WIDTH x f
of the face's own nearness, at most MAX_RELIEF: a close portrait turns a little like a head, a
small face in a group barely changes (skimage_astronaut: 0.10; a 1908 family group: 0.03).

The faces are the trusted ones (cues.people, those that shape the subject); the depth is then
scaled back to a nearest of 1 (depth.with_face_relief), so everything else keeps its order and
proportions. Only the classical provider uses this: a neural model's depth already has a
face's relief.
"""

from __future__ import annotations

import numpy as np

from .types import Face

RELIEF_PER_WIDTH = 0.6  # the dome's peak, as a share of the face's nearness, per unit of face width / long side
# The highest peak in nearness. A face three quarters of the frame wide (kodak15) would physically
# show more; a quarter turns it (its orbit sweeps 3 %, 2.6 % at 0.15) and leaves the rest of the
# depth, scaled back under it, most of its range.
MAX_RELIEF = 0.25
NOSE_TIP = 1  # FaceMesh's landmark at the tip of the nose


def face_relief(faces: list[Face], shape: tuple[int, int], depth: np.ndarray) -> np.ndarray:
    """The nearness to add for the faces' relief (H x W float32, 0 away from faces).

    faces: normalised like Face.box; depth: the nearness the faces sit at (their level scales
    each dome)."""
    height, width = shape
    relief = np.zeros((height, width), np.float32)
    for face in faces:
        x0, y0, x1, y1, peak_x, peak_y = _outline(face)
        size = (x1 - x0) * width / max(height, width)  # the face's width against the photo's long side
        if size <= 0 or y1 <= y0:
            continue
        level = _level(depth, peak_x, peak_y)
        height_at_peak = min(MAX_RELIEF, RELIEF_PER_WIDTH * size * level)
        np.maximum(relief, height_at_peak * dome((height, width), (x0, y0, x1, y1), (peak_x, peak_y)), out=relief)
    return relief


def dome(shape: tuple[int, int], bounds: tuple[float, float, float, float], peak: tuple[float, float]) -> np.ndarray:
    """A smooth bump (H x W float32, 1 at peak, 0 on and beyond the outline): a smoothstep of
    1 - r^2, r the elliptic distance from the peak, each side of it scaled to its own reach of
    the bounds, so the outline is the bounds' ellipse bent toward an off-centre peak. Its top is
    broad (the eyes and mouth sit nearly as near as the nose: a head, not a bulge), and its value
    and slope are both zero at the outline: no step and no crease where the face meets the hair."""
    height, width = shape
    x0, y0, x1, y1 = bounds
    px, py = peak
    xs = (np.arange(width, dtype=np.float32) + 0.5) / width
    ys = (np.arange(height, dtype=np.float32) + 0.5) / height
    dx = np.where(xs < px, (xs - px) / max(px - x0, 1e-6), (xs - px) / max(x1 - px, 1e-6))
    dy = np.where(ys < py, (ys - py) / max(py - y0, 1e-6), (ys - py) / max(y1 - py, 1e-6))
    inside = np.clip(1.0 - (dy[:, None] ** 2 + dx[None, :] ** 2), 0.0, 1.0)
    return (inside * inside * (3.0 - 2.0 * inside)).astype(np.float32)


def _outline(face: Face) -> tuple[float, float, float, float, float, float]:
    """The face's extent (x0, y0, x1, y1, normalised) and its nearest point: from the mesh when
    there is one (forehead to chin, ear to ear, nose tip), else the box and its middle."""
    x, y, w, h = face.box
    if face.landmarks is not None and len(face.landmarks) > NOSE_TIP:
        points = np.asarray(face.landmarks, np.float64)
        x0, y0 = points[:, :2].min(axis=0)
        x1, y1 = points[:, :2].max(axis=0)
        px, py = points[NOSE_TIP, :2]
        # The tip stays well inside (a badly fitted mesh must not put the peak on the outline).
        px = float(np.clip(px, x0 + 0.2 * (x1 - x0), x1 - 0.2 * (x1 - x0)))
        py = float(np.clip(py, y0 + 0.2 * (y1 - y0), y1 - 0.2 * (y1 - y0)))
        return float(x0), float(y0), float(x1), float(y1), px, py
    return x, y, x + w, y + h, x + w / 2, y + h / 2


def _level(depth: np.ndarray, px: float, py: float) -> float:
    """The face's nearness: the median round its nearest point (a small window, within the map)."""
    height, width = depth.shape
    cx = min(width - 1, max(0, int(px * width)))
    cy = min(height - 1, max(0, int(py * height)))
    r = max(1, min(height, width) // 50)
    return float(np.median(depth[max(0, cy - r):cy + r + 1, max(0, cx - r):cx + r + 1]))
