"""Foliage: leaves and branches sway in a breeze, tips more than the rest, roots still.

An oscillating displacement (kit.warp.Oscillation): a slow sway whose phase travels across the
frame like a gust, plus a faster, smaller flutter with a patchy phase. Its amplitude grows with
height above the bottom of each foliage patch (roots fixed) and toward the patch's edges (tips),
and fades out past the patch so the silhouette moves against the sky behind it.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..base import Effect
from ..kit.warp import Oscillation, RoiWarp, inside_distance
from ..noise import smooth_noise
from ..regions import effect_mask, off_faces
from ..timing import loop_frequency

WIND = {"left": -1.0, "right": 1.0}


class Foliage(Effect):
    at_rest = True

    def __init__(self, spec, scene, index: int):
        super().__init__(spec, scene, index)
        rng = scene.rng(index)
        w, h = scene.size
        short = min(w, h)
        mask = effect_mask(spec, scene, "foliage")
        amp = (0.002 + 0.012 * spec.strength) * short  # sway at the tips, canvas pixels
        margin = int(2 * amp) + 2
        # Show the warp a little past the foliage so moving edges are not cut off.
        grown = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1)))
        grown = cv2.GaussianBlur(grown, (0, 0), max(1.0, margin / 2))
        grown = off_faces(np.maximum(mask, grown), scene)
        self.warp = RoiWarp(grown, margin=margin)
        if self.warp.empty:
            return
        lw, lh = self.warp.low_size
        low = self.warp.low(mask)
        # Far trees sway less on screen than near ones.
        near = np.clip(self.warp.low(scene.depth.astype(np.float32)), 0, 1)
        near = 0.1 + 0.9 * near  # a branch swaying the same in the world moves ~ 1 / distance on screen
        weight = _tip_weight(low) * np.clip(self.warp.low(grown) * 1.2, 0, 1) * near

        xs, ys = self.warp.low_coords()
        wind = WIND.get(spec.direction or "", rng.choice([-1.0, 1.0]))
        osc = Oscillation((lh, lw))
        # Sway: a gust wave travelling with the wind; slightly different per patch.
        wavelength = short * 0.8
        omega = loop_frequency(0.35 * spec.speed, scene.duration, scene.plan.loop)
        phase = -wind * 2 * math.pi * xs / wavelength + 1.2 * smooth_noise(rng, (lh, lw), max(4.0, lw / 4))
        osc.add(omega, (amp * weight).astype(np.float32), (0.25 * amp * weight).astype(np.float32), phase.astype(np.float32))
        # Second, slower component so the sway is not a pure sine.
        omega2 = loop_frequency(0.2 * spec.speed, scene.duration, scene.plan.loop)
        phase2 = 2.0 * smooth_noise(rng, (lh, lw), max(4.0, lw / 3))
        osc.add(omega2, (0.5 * amp * weight).astype(np.float32), (0.1 * amp * weight).astype(np.float32), phase2.astype(np.float32))
        # Flutter: small, quick, patchy (leaf clusters moving on their own).
        flutter = 0.3 * amp * np.clip(low * 1.5, 0, 1)
        for hz in (1.1, 1.7):
            omega_f = loop_frequency(hz * spec.speed, scene.duration, scene.plan.loop)
            phase_f = 6.0 * smooth_noise(rng, (lh, lw), max(2.0, 0.02 * short * 0.25))
            osc.add(omega_f, flutter.astype(np.float32), (0.7 * flutter).astype(np.float32), phase_f.astype(np.float32))
        self.osc = osc

    def draw(self, frame: np.ndarray, t: float, amount: float, view=None) -> None:
        if self.warp.empty:
            return
        warped = self.warp.warp(frame, self.osc.at(t), self.warp.bufs[0])
        self.warp.composite(frame, warped, amount)


def _tip_weight(mask: np.ndarray) -> np.ndarray:
    """0 at the roots (bottom of each column's foliage), 1 at the tips (top and outer edges)."""
    h, w = mask.shape
    inside = mask > 0.3
    any_col = inside.any(axis=0)
    rows = np.arange(h, dtype=np.float32)[:, None]
    top = np.where(any_col, np.argmax(inside, axis=0), 0).astype(np.float32)
    bottom = np.where(any_col, h - 1 - np.argmax(inside[::-1], axis=0), h - 1).astype(np.float32)
    # Smooth the column extents so neighbouring columns move together.
    k = max(3, (w // 20) | 1)
    top = cv2.blur(top[None, :], (k, 1))[0]
    bottom = cv2.blur(bottom[None, :], (k, 1))[0]
    height = np.clip((bottom[None, :] - rows) / np.maximum(bottom - top, 1.0)[None, :], 0, 1)
    # Foliage that reaches the bottom of the frame is rooted below it: keep some sway there.
    reaches_bottom = bottom >= h - 2
    height = np.where(reaches_bottom[None, :], 0.35 + 0.65 * height, height)
    edge = 1.0 - np.clip(inside_distance(mask, 0.3) / max(2.0, 0.08 * min(h, w)), 0, 1)
    weight = np.sqrt(height) * (0.6 + 0.4 * edge)
    return cv2.GaussianBlur(weight.astype(np.float32), (0, 0), 1.5)
