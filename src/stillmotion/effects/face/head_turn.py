"""head_turn: a few degrees of yaw, pitch and roll of the head, and back to the photo."""

from __future__ import annotations

import math

import numpy as np

from ..timing import loop_period, smoothstep
from .base import FaceEffect
from .geometry import CHIN, NOSE_TIP, clip_roi, face_rng
from .warps import LinearWarp, WarpPart


class HeadTurn(FaceEffect):
    """A few degrees of yaw, pitch and roll of the head on a rounded depth model of the face.

    The head is modelled as a paraboloid (nearest at the nose, which protrudes a little more)
    rotating about a pivot in the neck; first-order displacements for each axis are mixed per
    frame. Hair and the background right around the head follow, fading to still.
    """

    def prepare(self, scene, index, face_index, face):
        if face.width < 40:
            return None
        p = face.points
        fw, fh = face.width, face.height
        cx, cy = face.centre
        rx, ry = 0.68 * fw, 0.72 * fh
        hx, hy = cx, cy - 0.08 * fh  # the head's centre sits a little above the face's
        margin = 0.45 * fw
        roi = clip_roi(hx - rx - margin, hy - ry - margin, hx + rx + margin, p[CHIN][1] + 0.9 * fh, scene.size)
        if roi is None:
            return None
        x0, y0, x1, y1 = roi
        gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1, dtype=np.float64))
        r2 = ((gx - hx) / rx) ** 2 + ((gy - hy) / ry) ** 2
        relief = 0.75 * rx  # how far the face's front stands out from the head's outline
        z = -relief * np.clip(1.0 - r2, 0.0, None)  # negative = toward the camera
        nose = p[NOSE_TIP]
        z -= 0.18 * fw * np.exp(-((gx - nose[0]) ** 2 + (gy - nose[1]) ** 2) / (2 * (0.12 * fw) ** 2))
        z_pivot = 0.35 * rx  # behind the face, inside the head
        pivot_y = p[CHIN][1] + 0.1 * fh
        # Weight: the head moves fully, the neck partly, the background around it fades to zero.
        weight = 1.0 - smoothstep(1.0, (1.0 + margin / rx) ** 2, r2)
        neck = (1.0 - smoothstep(0.25 * fw, 0.6 * fw, np.abs(gx - cx))) * (1.0 - smoothstep(pivot_y - 0.2 * fh, pivot_y + 0.7 * fh, gy))
        weight = np.maximum(weight, 0.5 * neck)
        border = np.minimum.reduce([gx - x0, x1 - 1 - gx, gy - y0, y1 - 1 - gy]) / max(0.1 * fw, 2.0)
        weight *= smoothstep(0.0, 1.0, border)
        # First-order displacement per radian (forward); the backward map uses its negative.
        yaw = ((z - z_pivot) * weight, np.zeros_like(z))
        pitch = (np.zeros_like(z), -(z - z_pivot) * weight)
        roll = (-(gy - pivot_y) * weight, (gx - cx) * weight)
        fields = [(-fx, -fy) for fx, fy in (yaw, pitch, roll)]
        rng = face_rng(scene, index, face_index)
        period = loop_period(max(3.0, 6.0 / self.spec.speed), self.length, True)
        sign = rng.choice([-1.0, 1.0], size=3)
        yaw_max, pitch_max, roll_max = (math.radians(d) * self.intensity for d in (4.0, 1.8, 1.5))

        def angles(t):
            phase = 2 * math.pi * (t % period) / period
            swing = math.sin(phase)  # one way, then the other, back to the photo at the period's ends
            nod = 0.5 - 0.5 * math.cos(phase)
            return [sign[0] * yaw_max * swing, sign[1] * pitch_max * nod, sign[2] * roll_max * swing]

        return WarpPart(LinearWarp(roi, fields), angles, period)
