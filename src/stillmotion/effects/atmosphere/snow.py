"""snow: flakes drifting down with sideways sway and parallax.

Each flake has a nearness z: near flakes are bigger, faster, sway wider and are softer (the
nearest are drawn at half size and blurred: out of focus), far ones are small specks. Flakes hide behind scene objects nearer than
them, and follow the camera by their own depth (parallax). Strength sets the number of flakes;
speed the fall rate; direction left/right the wind.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender
from ..kit.screen import ScreenMap
from ..kit.tracks import FallTracks, draw_dots
from ..regions import Freeze

WIND = {"left": -0.35, "right": 0.35}


class Snow(Effect):
    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        w, h = scene.size
        self.size = (w, h)
        area = w * h / (1920 * 1080)
        count = max(60, int((500 + 3000 * spec.strength) * area))
        self.z = 1.5 * rng.random(count) ** 1.2
        near = np.minimum(self.z / 1.5, 1.0)
        px = h / 1080
        self.diameter = (2.5 + 12.0 * near ** 2) * px * rng.uniform(0.7, 1.3, count)
        speed = (0.05 + 0.16 * near) * h * spec.speed * rng.uniform(0.8, 1.2, count)
        sway = (4 + 30 * near) * px * rng.uniform(0.5, 1.5, count)
        wind = WIND.get(spec.direction, rng.uniform(-0.08, 0.08))
        self.tracks = FallTracks(rng, count, (w, h), speed, wind, scene.duration, loop=scene.plan.loop, margin=40 * px,
                                 sway=sway, sway_hz=0.25 * spec.speed)
        # Size classes: (selection, drawn diameter, brightness); big near flakes are dimmer (out of focus).
        edges = np.quantile(self.diameter, [0.0, 0.45, 0.75, 0.92, 1.0])
        self.classes = []
        for k in range(4):
            select = (self.diameter >= edges[k]) & (self.diameter <= edges[k + 1])
            d = float(np.median(self.diameter[select])) if select.any() else 2.0
            self.classes.append((select, max(1, round(d)), 235 - 30 * k))
        self.mask = np.zeros((h, w), np.uint8)
        self.soft = np.zeros(((h + 1) // 2, (w + 1) // 2), np.uint8)
        self.soft_full = np.zeros((h, w), np.uint8)
        self.blender = Blender()
        self.freeze = Freeze(spec, scene)

    def draw(self, frame, t, amount, view):
        screen = ScreenMap(view, self.scene)
        _, xy, visible = screen.place(self.tracks, t, self.z, self.freeze, margin=20)
        w, h = self.size
        self.mask.fill(0)
        for select, diameter, value in self.classes[:-1]:
            draw_dots(self.mask, xy[visible & select], value * amount, diameter)
        # The nearest, biggest flakes are out of focus: drawn at half size, blurred, merged.
        select, diameter, value = self.classes[-1]
        soft = self.soft
        soft.fill(0)
        draw_dots(soft, xy[visible & select] * 0.5, value * amount, max(2, diameter // 2))
        cv2.GaussianBlur(soft, (0, 0), max(0.8, diameter / 6), dst=soft)
        cv2.resize(soft, (w, h), dst=self.soft_full, interpolation=cv2.INTER_LINEAR)
        cv2.max(self.mask, self.soft_full, dst=self.mask)
        self.blender.lighten(frame, self.mask, (245, 248, 255))
