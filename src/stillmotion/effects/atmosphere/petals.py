"""petals: falling, tumbling petals (or blossoms) with sway and depth.

Each petal is a small ellipse that turns (its angle rotates) and tumbles (its width pulses
as it flips, and it darkens when seen edge-on), drifts sideways, and falls slowly. Nearer
petals are bigger and faster. All petals of one colour are one cv2.fillPoly call into a colour
buffer plus one anti-aliased coverage mask, then one composite. Petals hide behind scene
objects nearer than them. Strength sets the number; speed the fall; direction left/right the wind.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender
from ..kit.screen import ScreenMap
from ..kit.tracks import SUBPIXEL, FallTracks, fixed_point
from ..regions import Freeze

WIND = {"left": -0.45, "right": 0.45}
# Blossom colours (RGB): pale pink, pink, white, deeper rose.
PALETTE = ((250, 205, 215), (240, 170, 190), (252, 246, 240), (225, 140, 165))


class Petals(Effect):
    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        w, h = scene.size
        self.size = (w, h)
        area = w * h / (1920 * 1080)
        count = max(12, int((40 + 200 * spec.strength) * area))
        self.z = 1.4 * rng.random(count)
        near = np.minimum(self.z / 1.4, 1.0)
        px = h / 1080
        self.radius = (6.0 + 15.0 * near ** 1.5) * px * rng.uniform(0.8, 1.2, count)
        speed = (0.06 + 0.12 * near) * h * spec.speed * rng.uniform(0.8, 1.2, count)
        sway = (15 + 50 * near) * px * rng.uniform(0.5, 1.5, count)
        wind = WIND.get(spec.direction, rng.choice([-1, 1]) * rng.uniform(0.1, 0.3))
        period = scene.duration
        self.tracks = FallTracks(rng, count, (w, h), speed, wind, period, loop=scene.plan.loop,
                                 margin=float(self.radius.max()) * 2 + 60 * px, sway=sway, sway_hz=0.3 * spec.speed)
        # Turning and tumbling: whole cycles per clip, so loops stay seamless.
        self.turn = 2 * np.pi * rng.integers(-round(0.4 * period) - 1, round(0.4 * period) + 2, count) / period
        self.tumble = 2 * np.pi * rng.integers(max(1, round(0.3 * period)), round(0.9 * period) + 2, count) / period
        self.angle0 = rng.uniform(0, 2 * np.pi, count)
        self.tumble0 = rng.uniform(0, 2 * np.pi, count)
        self.colour = rng.integers(0, len(PALETTE), count)
        k = np.linspace(0, 2 * np.pi, 12, endpoint=False)
        # A petal: an ellipse slightly pointed at one end.
        self.outline = np.stack([np.cos(k) * (1 + 0.25 * np.cos(k)), np.sin(k)], 1)
        self.colour_buf = np.zeros((h, w, 3), np.uint8)
        self.alpha = np.zeros((h, w), np.uint8)
        self.blender = Blender()
        self.freeze = Freeze(spec, scene)

    def draw(self, frame, t, amount, view):
        screen = ScreenMap(view, self.scene)
        r = self.radius
        _, centre, visible = screen.place(self.tracks, t, self.z, self.freeze, margin=2 * r)
        w, h = self.size
        if not visible.any():
            return
        flip = np.cos(self.tumble * t + self.tumble0)
        angle = self.angle0 + self.turn * t
        c, s = np.cos(angle), np.sin(angle)
        a = r
        b = r * (0.18 + 0.45 * np.abs(flip))  # edge-on when flipping
        ox = self.outline[None, :, 0] * a[:, None]
        oy = self.outline[None, :, 1] * b[:, None]
        px = centre[:, 0:1] + ox * c[:, None] - oy * s[:, None]
        py = centre[:, 1:2] + ox * s[:, None] + oy * c[:, None]
        polygons = fixed_point(np.stack([px, py], -1))
        # A lighter inner part toward the petal's tip: two tones read as a curved petal, not a sticker.
        tip = 0.3 * a
        inner = fixed_point(np.stack([centre[:, 0:1] + (0.55 * ox + tip[:, None]) * c[:, None] - 0.55 * oy * s[:, None],
                                      centre[:, 1:2] + (0.55 * ox + tip[:, None]) * s[:, None] + 0.55 * oy * c[:, None]], -1))
        # Both buffers start empty every frame: the anti-aliased rims of the alpha must not show
        # colours left by earlier frames (a frame is a function of t alone).
        self.alpha.fill(0)
        self.colour_buf.fill(0)
        shade = 0.78 + 0.22 * np.abs(flip)  # seen flat it catches the light
        for colour in range(len(PALETTE)):
            for lit in (False, True):
                select = visible & (self.colour == colour) & ((shade > 0.9) == lit)
                if not select.any():
                    continue
                tone = np.array(PALETTE[colour], np.float64) * (1.0 if lit else 0.86)
                cv2.fillPoly(self.colour_buf, list(polygons[select]), (tone * 0.92).tolist(), cv2.LINE_8, SUBPIXEL)
                cv2.fillPoly(self.colour_buf, list(inner[select]), np.minimum(tone * 1.04 + 6, 255).tolist(), cv2.LINE_AA, SUBPIXEL)
        cv2.fillPoly(self.alpha, list(polygons[visible]), float(215 * amount), cv2.LINE_AA, SUBPIXEL)
        self.blender.composite(frame, self.colour_buf, self.alpha)
