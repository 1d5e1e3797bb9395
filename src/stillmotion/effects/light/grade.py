"""grade: a colour look (golden_hour, warm, cool, moody, vintage, black_and_white) that eases in.

Each look is a 3x3 colour matrix (cv2.transform: tints, desaturation, sepia, monochrome), a
tone curve per channel (cv2.LUT: contrast, lifted or crushed blacks, split toning) and a
vignette (a low-resolution gain, upsampled). Per frame only the ease changes: the matrix and
curves are interpolated from identity, so the cost is three cheap uint8 passes. The look eases
in over about a third of the clip (when looping: 15 %, and out again before the loop point); strength sets
how much of the look is applied (full from 0.5 up). Runs after the camera, on the whole frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender
from ..kit.image import low_size

LUMA = np.array([0.299, 0.587, 0.114])


def _desaturate(amount: float) -> np.ndarray:
    return (1 - amount) * np.eye(3) + amount * np.tile(LUMA, (3, 1))


def _curve(contrast=0.0, black=0.0, white=1.0, gamma=1.0) -> np.ndarray:
    """A tone curve on 0..1: gamma, an S-shaped contrast, then blacks lifted and whites lowered."""
    x = np.linspace(0, 1, 256) ** gamma
    s = x + contrast * (x - 0.5) * (1 - np.abs(2 * x - 1)) * 2  # S-curve around the middle
    return black + (white - black) * np.clip(s, 0, 1)


def _look(style: str):
    """(matrix 3x3 acting on RGB, curves 3 x 256 in 0..1, vignette strength) of a style."""
    identity = np.eye(3)
    if style == "golden_hour":
        matrix = np.diag([1.08, 0.98, 0.85]) @ _desaturate(-0.08)
        curves = [_curve(0.12, 0.03, 1.0, 0.95), _curve(0.10, 0.015, 0.97, 1.0), _curve(0.08, 0.0, 0.93, 1.05)]
        return matrix, curves, 0.2
    if style == "warm":
        matrix = np.diag([1.06, 1.0, 0.88])
        return matrix, [_curve(0.05, 0.01)] * 3, 0.08
    if style == "cool":
        matrix = np.diag([0.9, 0.99, 1.08])
        curves = [_curve(0.06, 0.0, 0.97), _curve(0.06, 0.01), _curve(0.04, 0.04, 1.0)]
        return matrix, curves, 0.1
    if style == "moody":
        matrix = _desaturate(0.35)
        # Teal shadows, darker mids, contrast.
        curves = [_curve(0.22, 0.0, 0.95, 1.2), _curve(0.2, 0.02, 0.96, 1.15), _curve(0.18, 0.05, 0.97, 1.1)]
        return matrix, curves, 0.35
    if style == "vintage":
        sepia = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])
        matrix = 0.55 * identity + 0.45 * sepia
        # Faded blacks, softened whites, low contrast.
        curves = [_curve(-0.06, 0.10, 0.96), _curve(-0.06, 0.08, 0.93), _curve(-0.08, 0.09, 0.85)]
        return matrix, curves, 0.3
    if style == "black_and_white":
        return np.tile(LUMA, (3, 1)), [_curve(0.18, 0.0, 1.0)] * 3, 0.15
    raise ValueError(f"unknown grade style {style!r}")


class Grade(Effect):
    honours_freeze = False  # a colour look covers the whole frame

    def __init__(self, spec, scene, index):
        super().__init__(spec, scene, index)
        matrix, curves, vignette = _look(spec.style or "warm")
        self.matrix = matrix.astype(np.float32)
        self.curves = np.stack(curves, 1) * 255.0  # 256 x 3
        self.identity = np.repeat(np.arange(256, dtype=np.float64)[:, None], 3, 1)
        self.vignette = vignette
        lw, lh = low_size(scene)
        ys, xs = np.mgrid[0:lh, 0:lw].astype(np.float32)
        r2 = ((xs / (lw - 1) - 0.5) ** 2 + (ys / (lh - 1) - 0.5) ** 2) * 2.0  # 0 centre .. 1 corners
        self.falloff = np.clip(r2 - 0.15, 0, None)[..., None] * np.ones((1, 1, 3), np.float32)
        self.lut = np.empty((256, 1, 3), np.uint8)
        self.blender = Blender()
        # A colour look reads as a look, not an effect: let it settle in slowly. A loop has to
        # fade it out again before the loop point, so there it comes and goes faster.
        self.ramp = min(1.5, 0.15 * scene.duration) if scene.plan.loop else min(3.0, 0.35 * scene.duration)

    def draw(self, frame, t, amount, view):
        # The full look from strength 0.5 (the default) up; weaker below.
        k = amount * min(1.0, 0.4 + 1.2 * self.spec.strength)
        matrix = np.eye(3, dtype=np.float32) + np.float32(k) * (self.matrix - np.eye(3, dtype=np.float32))
        cv2.transform(frame, matrix, dst=frame)
        lut = self.identity + k * (self.curves - self.identity)
        self.lut[:, 0, :] = np.clip(lut + 0.5, 0, 255).astype(np.uint8)
        cv2.LUT(frame, self.lut, dst=frame)
        if self.vignette > 0:
            self.blender.gain(frame, 1.0 - (k * self.vignette) * self.falloff)
