"""smile: the mouth corners rise and widen a little and the cheeks lift; a soft smile by default.

A smooth displacement (radial basis functions) moves the corners and cheeks and holds the eyes,
nose, jaw and chin still; it rises, holds and relaxes back to the photo within each cycle.
"""

from __future__ import annotations

import numpy as np

from ..timing import loop_period
from .base import FaceEffect
from .geometry import CHEEKS, CHEEKS_HIGH, LIP_MIDDLE, MIN_MOUTH_WIDTH, MOUTH_CORNERS, SMILE_ANCHORS, clip_roi
from .warps import LinearWarp, WarpPart, cycle_profile, rbf_field


class Smile(FaceEffect):
    """Mouth corners rise and widen a little, cheeks lift; a soft smile by default."""

    def prepare(self, scene, index, face_index, face):
        p = face.points
        right, left = p[MOUTH_CORNERS[0]], p[MOUTH_CORNERS[1]]
        mouth = float(np.linalg.norm(left - right))
        if mouth < MIN_MOUTH_WIDTH:
            return None
        up, across = face.up, face.across
        lift = 0.09 * mouth * self.intensity
        out = 0.035 * mouth * self.intensity
        cheek = 0.035 * mouth * self.intensity
        controls = np.array([right, left, p[CHEEKS[0]], p[CHEEKS[1]], p[CHEEKS_HIGH[0]], p[CHEEKS_HIGH[1]]])
        moves = np.array([
            up * lift - across * out, up * lift + across * out,
            up * cheek, up * cheek, up * cheek * 0.5, up * cheek * 0.5,
        ])
        anchors = p[list(LIP_MIDDLE + SMILE_ANCHORS)]
        everything = np.concatenate([controls, anchors])
        margin = 0.35 * mouth
        roi = clip_roi(*(everything.min(0) - margin), *(everything.max(0) + margin), scene.size)
        if roi is None:
            return None
        # Backward map: a pixel shows what sits where the motion came from (p - displacement).
        dx, dy = rbf_field(controls, -moves, anchors, roi, sigma=0.3 * mouth)
        period = loop_period(self.length / max(1, round(self.spec.speed)), self.length, True)
        return WarpPart(LinearWarp(roi, [(dx, dy)]), lambda t: [cycle_profile(t, period)], period)
