"""sparkle: twinkles on highlights (jewellery, glitter, water glints, stars).

Candidate spots are small bright peaks of the photo (white top-hat of the luminance), taken
inside the plan's region, else the analysis' "light" and "water" regions, else anywhere.
Each spot twinkles on its own periodic rhythm (a sharp pulse, whole cycles per clip): a
four-pointed star with shorter diagonals and a soft core, drawn into a mask in a few cv2
calls and screen-blended with a warm white. Strength sets the number and size of the stars;
speed the twinkle rate.
"""

from __future__ import annotations

import numpy as np

from ..base import Effect
from ..kit.blend import Blender
from ..kit.image import bright_spots, has_area
from ..kit.screen import ScreenMap
from ..kit.tracks import draw_dots, draw_segments
from ..regions import effect_mask

LEVELS = 5


class Sparkle(Effect):
    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        w, h = scene.size
        region = effect_mask(spec, scene, "light")
        if spec.region is None:
            # Highlights and water glints; anywhere (but faces and the freeze region) if neither is known.
            region = np.maximum(region, effect_mask(spec, scene, "water"))
            if not has_area(region, 0.0002):
                region = effect_mask(spec, scene, None)
        count = int(10 + 60 * spec.strength)
        self.xy, value = bright_spots(scene.image, count, rng, mask=region, min_distance=max(4, w // 120))
        n = len(self.xy)
        self.near = scene.depth[self.xy[:, 1].astype(int), self.xy[:, 0].astype(int)] if n else np.zeros(0)
        px = h / 1080
        self.arm = (10 + 34 * value * (0.5 + spec.strength)) * px * rng.uniform(0.7, 1.3, n)
        period = scene.duration
        low, high = max(1, round(0.25 * period * spec.speed)), max(2, round(0.7 * period * spec.speed))
        self.omega = 2 * np.pi * rng.integers(low, high + 1, n) / period
        self.phase = rng.uniform(0, 2 * np.pi, n)
        self.core = max(2, round(3 * px))
        self.glow = max(4, round(9 * px))
        self.mask = np.zeros((h, w), np.uint8)
        self.blender = Blender()

    def draw(self, frame, t, amount, view):
        if len(self.xy) == 0:
            return
        screen = ScreenMap(view, self.scene)
        xy = screen.points(self.xy.astype(np.float64), self.near)
        # A sharp twinkle: mostly dark, briefly bright.
        pulse = np.clip(np.sin(self.omega * t + self.phase), 0, 1) ** 3 * amount
        level = np.round(pulse * LEVELS).astype(int)
        self.mask.fill(0)
        diagonal = np.array([[0.7071, 0.7071], [0.7071, -0.7071]])
        for k in range(1, LEVELS + 1):
            s = level == k
            if not s.any():
                continue
            strength = k / LEVELS
            centre = xy[s]
            arm = (self.arm[s] * (0.35 + 0.65 * strength))[:, None]
            draw_dots(self.mask, centre, 70 * strength, self.glow)
            for axis, scale, value in (((1.0, 0.0), 1.0, 230), ((0.0, 1.0), 1.0, 230), (diagonal[0], 0.45, 170), (diagonal[1], 0.45, 170)):
                offset = np.asarray(axis)[None, :] * arm * scale
                draw_segments(self.mask, centre - offset, centre + offset, value * strength, 1)
            draw_dots(self.mask, centre, 255 * strength, self.core)
        self.blender.lighten(frame, self.mask, (255, 250, 235))
