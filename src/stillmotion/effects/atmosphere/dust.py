"""dust: slow motes floating in the light.

Motes wander on smooth periodic paths (sums of sinusoids with whole cycles per clip, so loops
are seamless) and glint as they turn. They live mostly where the photo is bright (the "light"
region when the analysis has one, else the brighter areas) and are lit by it: a mote over a
dark wall is barely visible, as in a sunbeam. A few near motes are large, soft and dim
(out of focus). Strength sets the number and brightness; speed the drift.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender
from ..kit.image import has_area, luminance
from ..kit.screen import ScreenMap
from ..kit.tracks import draw_dots
from ..regions import Freeze, effect_mask


class Dust(Effect):
    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        w, h = scene.size
        self.size = (w, h)
        period = scene.duration
        light = effect_mask(spec, scene, "light")
        lum = cv2.GaussianBlur(luminance(scene.image), (0, 0), max(w, h) / 60)
        brightness = np.clip((lum - np.percentile(lum, 30)) / max(1e-3, np.percentile(lum, 99) - np.percentile(lum, 30)), 0, 1) ** 1.5
        if has_area(light, 0.002):
            where = np.maximum(cv2.GaussianBlur(light, (0, 0), max(w, h) / 80), 0.2 + 0.3 * brightness)
        else:
            where = 0.3 + 0.7 * brightness
        if spec.region is not None and light is not None:
            where = light
        area = w * h / (1920 * 1080)
        count = max(20, int((150 + 700 * spec.strength) * area))
        # Home positions drawn where the light is.
        weights = cv2.resize(where, (64, 64), interpolation=cv2.INTER_AREA).ravel() ** 2 + 1e-6  # gather in the light
        cells = rng.choice(64 * 64, size=count, p=weights / weights.sum())
        home = np.stack([(cells % 64 + rng.random(count)) * w / 64, (cells // 64 + rng.random(count)) * h / 64], 1)
        self.home = home
        self.z = rng.random(count)
        px = h / 1080
        # Wandering: two sinusoids per axis, whole cycles per clip.
        self.amp = (rng.uniform(8, 40, (count, 2, 2)) * px * (0.5 + self.z[:, None, None])) * min(2.0, spec.speed)
        self.omega = 2 * np.pi * rng.integers(1, max(2, round(0.12 * period * spec.speed)) + 1, (count, 2, 2)) / period
        self.phase = rng.uniform(0, 2 * np.pi, (count, 2, 2))
        self.glint_omega = 2 * np.pi * rng.integers(max(1, round(0.3 * period)), round(1.0 * period) + 2, count) / period
        self.glint_phase = rng.uniform(0, 2 * np.pi, count)
        self.where = cv2.resize(where, (w // 4 or 1, h // 4 or 1), interpolation=cv2.INTER_AREA)
        soft = self.z > 0.8  # out-of-focus near motes: big, faint discs
        self.classes = [(~soft, max(2, round(3.5 * px)), 1.0), (soft, max(5, round(16 * px)), 0.35)]
        self.halo = max(4, round(9 * px))
        self.level = 170 + 170 * spec.strength
        self.mask = np.zeros((h, w), np.uint8)
        self.blender = Blender()
        self.tint = tuple(float(c) for c in np.clip(np.array([255, 236, 200]), 0, 255))
        self.freeze = Freeze(spec, scene)

    def draw(self, frame, t, amount, view):
        screen = ScreenMap(view, self.scene)
        offset = np.sum(self.amp * np.sin(self.omega * t + self.phase), axis=2)
        xy = self.home + offset
        lit_h, lit_w = self.where.shape
        xs = np.clip((xy[:, 0] / 4).astype(int), 0, lit_w - 1)
        ys = np.clip((xy[:, 1] / 4).astype(int), 0, lit_h - 1)
        lit = self.where[ys, xs] * (0.55 + 0.45 * np.sin(self.glint_omega * t + self.glint_phase))
        lit = np.where(self.freeze.visible(xy), lit, 0.0)
        xy = screen.points(xy, 0.3 + 0.7 * self.z)
        self.mask.fill(0)
        levels = np.clip(np.ceil(lit * 3).astype(int), 0, 3)
        for select, diameter, gain in self.classes:
            for level in range(1, 4):
                chosen = select & (levels == level)
                value = self.level * gain * amount * level / 3
                if gain == 1.0:  # a faint glow around sharp motes makes them read at small sizes
                    draw_dots(self.mask, xy[chosen], 0.3 * value, self.halo)
                draw_dots(self.mask, xy[chosen], value, diameter)
        self.blender.lighten(frame, self.mask, self.tint)
