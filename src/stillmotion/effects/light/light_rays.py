"""light_rays: shafts of light streaming from a bright source (sun behind clouds, a window).

The source is the brightest soft spot of the plan's region, else of the "light" region, else of
the sky, else of the photo. Rays are the photo's bright areas blurred radially away from the
source (a few zoom passes at low resolution, once per video), so they come through the gaps
between clouds, leaves or window bars. Per frame, an angular pattern (a sum of cosines with whole
cycles per clip) makes the shafts shimmer and slowly breathe. Screen-blended in the source's own
warm colour. Strength sets brightness and length; speed how fast the shafts change.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender
from ..kit.image import has_area, low_scale, low_size, luminance
from ..kit.screen import ScreenMap
from ..regions import Freeze, effect_mask


class LightRays(Effect):
    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        self.scale = low_scale(scene)
        lw, lh = low_size(scene)
        small = cv2.resize(scene.image, (lw, lh), interpolation=cv2.INTER_AREA)
        lum = luminance(small)
        where = self._where(spec, scene, (lw, lh))
        soft = cv2.GaussianBlur(lum, (0, 0), lw / 60) * (0.2 + 0.8 * where)
        sy, sx = np.unravel_index(int(np.argmax(soft)), soft.shape)
        self.source = (float(sx), float(sy))
        threshold = float(np.percentile(lum, 90))
        bright = np.clip((lum - threshold) / max(1e-3, 1.0 - threshold), 0, 1) * (0.3 + 0.7 * where)
        # Radial blur away from the source: each pass pulls light from nearer the source.
        rays = bright.copy()
        for zoom in (0.03, 0.06, 0.12, 0.24, 0.48, 0.96):
            f = 1.0 / (1.0 + zoom)
            m = np.float32([[f, 0, sx * (1 - f)], [0, f, sy * (1 - f)]])
            pulled = cv2.warpAffine(rays, m, (lw, lh), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT)
            rays = np.maximum(rays, 0.92 * pulled) * 0.5 + (rays + pulled) * 0.25
        ys, xs = np.mgrid[0:lh, 0:lw].astype(np.float32)
        radius = np.hypot(xs - sx, ys - sy)
        reach = (0.6 + 0.8 * spec.strength) * max(lw, lh)
        rays *= np.exp(-radius / reach)
        # The bright areas themselves stay as they are.
        rays = cv2.GaussianBlur(rays, (0, 0), 1.5) - cv2.GaussianBlur(bright, (0, 0), 1.0) * 0.6
        self.rays = np.clip(rays / max(1e-6, float(np.percentile(rays, 99.5))), 0, 1).astype(np.float32)
        keep = Freeze(spec, scene).low((lw, lh))
        if keep is not None:  # no shafts over a frozen area
            self.rays *= keep
        # The shafts' angular pattern is a function of angle alone: a 1-D table per frame, looked up.
        angle = np.arctan2(ys - sy, xs - sx)
        self.table_angles = np.linspace(-np.pi, np.pi, 1024, endpoint=False)
        self.angle_index = np.clip(((angle + np.pi) / (2 * np.pi) * 1024).astype(np.int32), 0, 1023)
        period = scene.duration
        terms = 6
        self.harmonics = rng.integers(4, 17, terms)
        self.omega = 2 * np.pi * rng.integers(1, max(2, round(0.25 * period * spec.speed)) + 1, terms) / period
        self.phase = rng.uniform(0, 2 * np.pi, terms)
        self.weights = rng.uniform(0.5, 1.0, terms)
        self.weights /= self.weights.sum()
        colour = small[max(0, int(sy) - 2):int(sy) + 3, max(0, int(sx) - 2):int(sx) + 3].reshape(-1, 3).mean(axis=0)
        warm = np.array([255.0, 236.0, 200.0])
        self.tint = tuple(float(c) for c in np.clip(0.5 * warm + 0.5 * 255 * colour / max(1.0, colour.max()), 0, 255))
        self.level = 0.35 + 0.5 * spec.strength
        self.blender = Blender()

    @staticmethod
    def _where(spec, scene, size):
        for name in ("light", "sky"):
            mask = effect_mask(spec, scene, name)
            if spec.region is not None or has_area(mask, 0.002):
                return cv2.resize(mask, size, interpolation=cv2.INTER_AREA)
        return np.ones(size[::-1], np.float32)

    def draw(self, frame, t, amount, view):
        table = np.sum(self.weights[:, None] * np.cos(self.harmonics[:, None] * self.table_angles[None, :]
                                                       + (self.omega * t + self.phase)[:, None]), axis=0)
        table = np.clip(0.5 + 1.2 * table, 0, 1).astype(np.float32)
        shafts = self.rays * table[self.angle_index] * np.float32(self.level * amount)
        screen = ScreenMap(view, self.scene)
        shafts = screen.field(shafts, self.scale, cv2.BORDER_CONSTANT)
        h, w = frame.shape[:2]
        self.blender.lighten(frame, self.blender.upsample(shafts, (w, h)), self.tint)
