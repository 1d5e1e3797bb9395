"""Fire: flames lick upward and the warm glow around them flickers.

Flames: the fire region (grown upward, where flame tongues reach) is advected upward with
turbulent, fast two-phase flow (kit/warp.py) plus a sideways wobble whose phase climbs the flame.
Glow: a soft warm light around the fire, added and taken away with an irregular but periodic
flicker (sum of sines with whole cycles per clip), zero at t = 0.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..base import Effect
from ..kit.warp import FlowLoop, Oscillation, RoiWarp, inside_distance
from ..noise import smooth_noise
from ..regions import effect_mask, off_faces
from ..timing import loop_frequency, loop_period

WARM = np.array([255, 150, 60], np.float32)


class Fire(Effect):
    at_rest = True

    def __init__(self, spec, scene, index: int):
        super().__init__(spec, scene, index)
        rng = scene.rng(index)
        w, h = scene.size
        mask = effect_mask(spec, scene, "fire")
        self.empty = mask.max() < 0.05
        if self.empty:
            return
        ys, xs = np.nonzero(mask > 0.3)
        extent = max(8.0, float(np.sqrt(max(1, ys.size))))  # typical flame size, pixels
        # Flames reach above the bright core: grow the region upward.
        reach = int(0.25 * extent) + 2
        kernel = np.zeros((2 * reach + 1, 3), np.uint8)
        kernel[reach:, 1] = 1  # each pixel takes the fire below it: the region grows upward
        up = cv2.dilate(mask, kernel, anchor=(1, reach))
        region = off_faces(cv2.GaussianBlur(np.maximum(mask, up), (0, 0), max(1.0, reach / 4)), scene)
        self.warp = RoiWarp(region, margin=reach)
        lw, lh = self.warp.low_size
        low = self.warp.low(region)
        self.speed = (0.3 + 0.9 * spec.strength) * extent * spec.speed  # px/s upward
        period = loop_period(1.0 / spec.speed, scene.duration, scene.plan.loop)
        taper = np.clip(inside_distance(low, 0.2) / 2.0, 0, 1)
        taper = cv2.GaussianBlur(taper, (0, 0), 1.0)
        wander = smooth_noise(rng, (lh, lw), max(2.0, lw / 4))
        flow = np.dstack([0.35 * self.speed * wander * taper, -self.speed * (0.6 + 0.4 * np.abs(wander)) * taper]).astype(np.float32)
        lick = Oscillation((lh, lw))
        _, yy = self.warp.low_coords()
        amp = (0.03 + 0.06 * spec.strength) * extent * taper
        for hz in (2.3, 3.7):
            omega = loop_frequency(hz * spec.speed, scene.duration, scene.plan.loop)
            phase = 2 * math.pi * yy / (0.5 * extent) + 2.0 * smooth_noise(rng, (lh, lw), max(2.0, lw / 5))
            lick.add(omega, amp.astype(np.float32), (0.3 * amp).astype(np.float32), phase.astype(np.float32))
        self.loop = FlowLoop(self.warp, flow, period, extra=lick.at, image=scene.image)

        # Glow layer (uint8, warm colour times a wide soft falloff around the fire).
        glow = cv2.GaussianBlur(mask, (0, 0), max(2.0, 0.8 * extent))
        glow = np.clip((glow / max(glow.max(), 1e-6) - 0.02) / 0.98, 0, 1) * (0.4 + 0.6 * spec.strength)
        gy, gx = np.nonzero(glow > 0)
        self.gbox = (gx.min(), gy.min(), gx.max() + 1, gy.max() + 1)
        x0, y0, x1, y1 = self.gbox
        self.glow = np.clip(glow[y0:y1, x0:x1, None] * WARM * 0.3, 0, 255).astype(np.uint8)
        # Flicker: irregular sum of periodic terms (whole cycles per looping clip), zero at t = 0.
        self.flicker = []
        for hz, weight in ((1.3, 0.5), (3.1, 0.3), (7.3, 0.2)):
            omega = loop_frequency(hz * spec.speed * rng.uniform(0.8, 1.2), scene.duration, scene.plan.loop)
            self.flicker.append((omega, weight, rng.uniform(0, 2 * math.pi)))

    def flicker_at(self, t: float) -> float:
        # Each term is 0 at t = 0 and never negative: the glow only ever adds light (taking
        # light away would draw a dark halo around the flames).
        return sum(wt * (1.0 - math.cos(om * t)) * (0.75 + 0.25 * math.sin(0.5 * om * t + ph) ** 2) for om, wt, ph in self.flicker)

    def draw(self, frame: np.ndarray, t: float, amount: float, view=None) -> None:
        if self.empty:
            return
        self.warp.composite(frame, self.loop.render(frame, t), amount)
        x0, y0, x1, y1 = self.gbox
        roi = frame[y0:y1, x0:x1]
        level = amount * self.flicker_at(t)
        # Brighter than the photo by the flicker level (uint8, saturating).
        cv2.addWeighted(roi, 1.0, self.glow, level, 0.0, dst=roi)
