"""fog: drifting, layered mist that sits in depth: dense far away, thin around near objects.

Two layers of smooth tileable noise (a large slow one and a smaller faster one) drift sideways
in canvas space and are seen through the camera (so the mist stays attached to the scene).
How much mist lies between the lens and a surface grows with that surface's distance, as light
is scattered along the way: opacity 1 - exp(-k d^2) of the on-screen distance d (1 - nearness),
so near objects stand clear in it and the far scene fades into it; the drifting banks show most
where the mist is thin. Its colour is the scene's own light (its bright tones: white by day,
grey-blue at dusk, dim at night). Everything is computed on a low-resolution grid (about 480
pixels wide), upsampled once, and composited over the frame with one uint8 blend. Looping uses
two time-shifted scroll phases cross-faded, so any drift speed loops without a seam.
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
DEPTH_FALLOFF = 3.0  # opacity 1 - exp(-k d^2) at distance d: 0.03 at d = 0.1, 0.53 at 0.5, 0.95 at 1


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
        self.density = 0.3 + 0.7 * spec.strength
        # The colour of the mist: the light it scatters, from the photo's own bright tones (a
        # little lifted: mist glows by day, at night it stays dim).
        image = scene.image.reshape(-1, 3)[:: max(1, scene.image.shape[0] * scene.image.shape[1] // 60000)].astype(np.float32)
        lum = image.mean(axis=1)
        bright = image[lum >= np.percentile(lum, 80)].mean(axis=0)
        self.colour = tuple(float(c) for c in np.clip(0.85 * bright + 0.15 * float(bright.max()) + 12.0, 0, 255))
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
        noise = screen.field(noise, self.scale)
        lh, lw = noise.shape
        nearness = screen.depth_low((lw, lh))
        distance = np.clip(1.0 - nearness, 0.0, 1.0)
        # Mist between the lens and each surface: thin in front of near things, dense far away.
        depth = 1.0 - np.exp(-DEPTH_FALLOFF * distance * distance)
        # The banks: the noise modulates the mist, less where it is already thick (far away).
        banks = 1.0 + (np.clip(0.2 + 1.8 * (noise - 0.3), 0.0, 1.0) - 0.6) * (1.2 - 0.7 * depth)
        alpha = np.clip(self.density * amount * depth * banks, 0.0, 0.92)
        if self.keep is not None:  # no mist over the frozen region
            alpha = alpha * screen.field(self.keep, self.scale)
        h, w = frame.shape[:2]
        self.blender.composite(frame, self.colour, self.blender.upsample(alpha, (w, h)))
