"""Clouds: the sky drifts slowly sideways and changes a little as it goes.

The sky drifts along a horizontal flow (faster high up, slower toward the horizon, as clouds
overhead are nearer), with a slow billowing on top. A clip that need not loop just drifts; a
looping clip advects two copies cross-faded once per loop (kit/warp.py), which reads as the
clouds slowly changing shape. The warp samples a "sky plate" in which everything that is not
sky is filled with sky colours, so mountains and roofs are never dragged into the sky.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.features import distinct_features
from ..kit.warp import FlowLoop, Oscillation, RoiWarp, fill_outside
from ..noise import smooth_noise
from ..regions import effect_mask
from ..timing import loop_frequency, loop_period


class Clouds(Effect):
    at_rest = True

    def __init__(self, spec, scene, index: int):
        super().__init__(spec, scene, index)
        rng = scene.rng(index)
        w, h = scene.size
        # The analysis's sky (or the plan's region): no sky found, no clouds moved.
        mask = effect_mask(spec, scene, "sky")
        self.speed = (0.004 + 0.02 * spec.strength) * w * spec.speed  # px/s at the top of the sky
        # A clip that need not loop simply drifts (no cross-fade, no ghost), up to 15 s; a loop
        # cross-fades two drifting copies once per clip, where a double image cannot be avoided.
        self.drift_only = not scene.plan.loop and scene.duration <= 15.0
        period = loop_period(max(8.0, scene.duration) if scene.plan.loop else 15.0, scene.duration, scene.plan.loop)
        self.warp = RoiWarp(mask)
        if self.warp.empty:
            return
        lw, lh = self.warp.low_size
        direction = spec.direction
        if direction not in ("left", "right"):
            direction = "left" if rng.random() < 0.5 else "right"
        sign = -1.0 if direction == "left" else 1.0
        _, ys = self.warp.low_coords()
        low_mask = self.warp.low(mask)
        rows = np.nonzero(low_mask.max(axis=1) > 0.3)[0]
        bottom = ys[rows.max(), 0] if rows.size else ys[-1, 0]
        # Perspective: clouds near the horizon are far away and drift less on screen.
        height = np.clip(1.0 - ys / max(bottom, 1.0), 0.0, 1.0)
        magnitude = self.speed * (0.35 + 0.65 * height) * (1.0 + 0.15 * smooth_noise(rng, (lh, lw), max(4.0, lw / 5)))
        flow = np.dstack([sign * magnitude, 0.04 * self.speed * smooth_noise(rng, (lh, lw), max(4.0, lw / 4))]).astype(np.float32)
        # Slight evolution: a slow, large-scale billowing on top of the drift.
        billow = Oscillation((lh, lw))
        amp = (0.002 + 0.006 * spec.strength) * w
        for _ in range(2):
            omega = loop_frequency(rng.uniform(0.08, 0.15) * spec.speed, scene.duration, scene.plan.loop)
            phase = 3.0 * smooth_noise(rng, (lh, lw), max(4.0, lw / 4))
            billow.add(omega, np.full((lh, lw), amp, np.float32), np.full((lh, lw), 0.5 * amp, np.float32), phase)
        # The sun, the moon, bolts and birds stand far out of the sky; a small cloud does not.
        still = distinct_features(scene.image, mask, size=0.1, bright=0.4, dark=0.25)
        self.warp.hold(still)
        self.plate = fill_sky_plate(scene.image, mask * (1.0 - (still > 0.05)))
        # Plain cross-fade: the contrast-keeping blend overshoots where two copies of a big
        # cloud disagree by tens of pixels (bright halos).
        self.loop = FlowLoop(self.warp, flow, period, extra=billow.at)
        self.flow, self.billow = flow, billow
        self.disp = np.empty_like(flow)

    def draw(self, frame: np.ndarray, t: float, amount: float, view=None) -> None:
        if self.warp.empty:
            return
        if self.drift_only:
            # The sky at x shows what was at x - flow * t.
            cv2.scaleAdd(self.flow, -t, self.billow.at(t), dst=self.disp)
            warped = self.warp.warp(self.plate, self.disp, self.warp.bufs[0])
        else:
            warped = self.loop.render(self.plate, t)
        self.warp.composite(frame, warped, amount)


def fill_sky_plate(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return fill_outside(image, mask, threshold=0.6)

