"""fog: drifting, layered mist, denser far away.

Two layers of smooth tileable noise (a large slow one and a smaller faster one) drift sideways
in canvas space and are seen through the camera (so the mist stays attached to the scene).
Density grows with distance (1 - nearness on screen) and a little toward the horizon band;
near objects stay clear. Everything is computed on a low-resolution grid (about 480 pixels
wide), upsampled once, and composited over the frame with one uint8 blend. Looping uses two
time-shifted scroll phases cross-faded, so any drift speed loops without a seam.
Strength sets the density; speed the drift; direction left/right which way it drifts.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender
from ..kit.image import low_scale, low_size
from ..kit.screen import ScreenMap
from ..noise import tileable_noise
from ..regions import Freeze
from ..timing import looped_scroll

SIGN = {"left": -1.0, "right": 1.0}


class Fog(Effect):
    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        self.scale = low_scale(scene)
        lw, lh = low_size(scene)
        self.low = (lw, lh)
        # Tiles wider than the frame, so the drift shows no repeat.
        self.tiles = [tileable_noise(rng, (lh, 2 * lw), scale=lw / 3, stretch=0.45),
                      tileable_noise(rng, (lh, 2 * lw), scale=lw / 8, stretch=0.6)]
        sign = SIGN.get(spec.direction, float(rng.choice([-1.0, 1.0])))
        # Drift in low-res pixels per second: far layer slow, near layer a little faster.
        self.velocity = [sign * lw * 0.025 * spec.speed, sign * lw * 0.045 * spec.speed]
        self.grid_x, self.grid_y = np.meshgrid(np.arange(lw, dtype=np.float32), np.arange(lh, dtype=np.float32))
        self.density = 0.25 + 0.75 * spec.strength
        # The colour of the mist: a light grey tinted by the photo's own bright tones.
        image = scene.image.reshape(-1, 3).astype(np.float32)
        lum = image.mean(axis=1)
        bright = image[lum >= np.percentile(lum, 80)].mean(axis=0)
        self.colour = tuple(float(c) for c in np.clip(0.45 * bright + 0.55 * 225.0, 0, 255))
        self.blender = Blender()
        self.keep = Freeze(spec, scene).low((lw, lh))

    def _noise(self, t: float) -> np.ndarray:
        """Canvas-space mist texture at time t (low resolution, about 0..1)."""
        total = None
        for tile, velocity, weight in zip(self.tiles, self.velocity, (0.65, 0.35)):
            a, b, mix = looped_scroll(t, self.scene.duration, velocity, self.scene.plan.loop)
            layer = cv2.remap(tile, self.grid_x - np.float32(a), self.grid_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
            if mix > 0:
                other = cv2.remap(tile, self.grid_x - np.float32(b), self.grid_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
                layer = cv2.addWeighted(layer, 1 - mix, other, mix, 0)
            total = layer * weight if total is None else total + layer * weight
        return total

    def draw(self, frame, t, amount, view):
        screen = ScreenMap(view, self.scene)
        noise = self._noise(t)
        if self.keep is not None:  # no mist over the frozen region
            noise = noise * self.keep
        noise = screen.field(noise, self.scale)
        lh, lw = noise.shape
        nearness = screen.depth_low((lw, lh))
        distance = np.clip(1.0 - nearness, 0.0, 1.0)
        # Mist thickens with distance; the noise breaks it into drifting banks.
        alpha = self.density * amount * (0.4 + 0.6 * distance) * np.clip(0.2 + 1.8 * (noise - 0.3), 0.0, 1.0)
        alpha = np.clip(alpha, 0.0, 0.92)
        h, w = frame.shape[:2]
        self.blender.composite(frame, self.colour, self.blender.upsample(alpha, (w, h)))
