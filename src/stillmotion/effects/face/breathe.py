"""breathe: head and shoulders rise and fall very slightly, 12-20 breaths a minute, each person on
their own; the lift fades into the background and to nothing at the chest."""

from __future__ import annotations

import math

import cv2
import numpy as np

from ...plan import Effect as EffectSpec
from ..timing import loop_period, smoothstep
from .base import FaceEffect
from .geometry import CHIN, MIN_FACE_HEIGHT, FaceGeometry, clip_roi, face_rng, selected_faces
from .warps import VerticalWarp, WarpPart


def breath_field(face: FaceGeometry, size: tuple[int, int],
                 others: list[FaceGeometry] = ()) -> tuple[tuple[int, int, int, int], np.ndarray] | None:
    """Where a person's head and shoulders rise when breathing in: an ROI and a 0..1 weight map.

    Head (an ellipse around the face and hair), neck and shoulders (a wide band below the chin)
    move together; the weight fades smoothly into the background, which stretches a pixel or two
    instead of tearing, and to zero at the chest so the lower body and the ROI's border stay put.
    """
    fw, fh = max(face.width, 1.0), max(face.height, 1.0)
    cx, cy = face.centre
    chin_y = face.points[CHIN][1]
    feather = 0.15 * fh
    left, right = cx - 1.7 * fw - 2 * feather, cx + 1.7 * fw + 2 * feather
    top, bottom = cy - 1.2 * fh - 2 * feather, chin_y + 1.45 * fh
    # In a group, each person's lift stops halfway to a neighbour beside them, so one person's
    # breathing never moves another's face.
    for other in others:
        ox, oy = other.centre
        if top < oy < bottom and abs(ox - cx) > 0.5 * fw:
            if ox < cx:
                left = max(left, (ox + cx) / 2)
            else:
                right = min(right, (ox + cx) / 2)
    roi = clip_roi(left, top, right, bottom, size)
    if roi is None:
        return None
    x0, y0, x1, y1 = roi
    # Draw the silhouette at low resolution (fast), blur it, then scale it up.
    step = max(1.0, fh / 40)
    small = (max(2, round((x1 - x0) / step)), max(2, round((y1 - y0) / step)))
    mask = np.zeros((small[1], small[0]), np.float32)

    def at(x, y):
        return (int(round((x - x0) / step)), int(round((y - y0) / step)))

    cv2.ellipse(mask, at(cx, cy - 0.12 * fh), (int(0.75 * fw / step), int(0.78 * fh / step)), 0, 0, 360, 1.0, -1)
    cv2.rectangle(mask, at(cx - 0.45 * fw, cy), at(cx + 0.45 * fw, chin_y + 0.6 * fh), 1.0, -1)
    shoulders = np.array([at(cx - 0.6 * fw, chin_y + 0.3 * fh), at(cx + 0.6 * fw, chin_y + 0.3 * fh),
                          at(cx + 1.5 * fw, chin_y + 0.9 * fh), at(cx + 1.5 * fw, y1 + fh), at(cx - 1.5 * fw, y1 + fh),
                          at(cx - 1.5 * fw, chin_y + 0.9 * fh)], np.int32)
    cv2.fillPoly(mask, [shoulders], 1.0)
    # A compact soft edge (smoothstep of the signed distance to the silhouette), not a Gaussian:
    # the weight is exactly 1 inside, so most of the body is a cheap uniform shift.
    inside = (mask > 0).astype(np.uint8)
    signed = cv2.distanceTransform(inside, cv2.DIST_L2, 3) - cv2.distanceTransform(1 - inside, cv2.DIST_L2, 3)
    mask = smoothstep(-feather / step, feather / step, signed).astype(np.float32)
    weight = cv2.resize(mask, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    # The chest and below stay still (and the ROI stays small): fade out 0.8-1.4 face heights under
    # the chin, a band long enough that its squeeze (a few pixels over 0.6 face heights) is not seen.
    rows = np.arange(y0, y1, dtype=np.float64)
    weight *= (1.0 - smoothstep(chin_y + 0.8 * fh, chin_y + 1.4 * fh, rows))[:, None].astype(np.float32)
    # Exactly zero at the ROI's sides inside the canvas (never a visible edge); where the ROI meets
    # the canvas's left, right or top edge the lift can run on, since it samples from below.
    border = max(2.0, feather)
    cols, rows = np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1, dtype=np.float64)
    ramp_x = np.ones(x1 - x0)
    if x0 > 0:
        ramp_x *= smoothstep(x0, x0 + border, cols)
    if x1 < size[0]:
        ramp_x *= smoothstep(x1 - 1, x1 - 1 - border, cols)
    ramp_y = smoothstep(y1 - 1, y1 - 1 - border, rows) * (smoothstep(y0, y0 + border, rows) if y0 > 0 else 1.0)
    weight *= (ramp_y[:, None] * ramp_x[None, :]).astype(np.float32)
    return roi, weight


class Breathe(FaceEffect):
    """Head and shoulders rise and fall very slightly, 12-20 breaths a minute, each person on their own."""

    def prepare(self, scene, index, face_index, face):
        if face.height < MIN_FACE_HEIGHT:
            return None
        rise = 0.02 * face.height * self.intensity  # pixels at the top of the inhale
        if rise < 0.3:
            return None
        others = [g for i, g in selected_faces(EffectSpec(type="breathe"), scene) if i != face_index]
        found = breath_field(face, scene.size, others)
        if found is None:
            return None
        roi, weight = found
        rng = face_rng(scene, index, face_index)
        period = loop_period(rng.uniform(3.0, 5.0) / self.spec.speed, self.length, self.loop)
        # Backward map: to move content up by d, sample d pixels below.
        warp = VerticalWarp(roi, weight * rise, scene.size[1])
        return WarpPart(warp, lambda t: [0.5 - 0.5 * math.cos(2 * math.pi * t / period)], period)
