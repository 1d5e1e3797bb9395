"""light_sweep: a sheen across a surface, a soft band of light sliding over it now and then.

A low-resolution band map in canvas space (about 480 pixels wide), seen through the camera so
the sheen stays on its surface, upsampled and screen-blended on the full frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender, alpha_bbox
from ..kit.image import has_area, low_scale, low_size
from ..kit.screen import ScreenMap
from ..regions import effect_mask
from ..timing import ease, whole_cycles

DIRECTIONS = {"right": (1.0, 0.0), "left": (-1.0, 0.0), "down": (0.0, 1.0), "up": (0.0, -1.0)}


class LightSweep(Effect):
    """A soft band of light (a sheen) sliding across a surface, then a pause, repeating.

    Region: the plan's, else the subject, else the whole frame. Direction: which way the band
    travels (default right, tilted a little like a reflection). Strength sets the brightness;
    speed how often it passes."""

    def __init__(self, spec, scene, index):
        super().__init__(spec, scene, index)
        self.scale = low_scale(scene)
        lw, lh = low_size(scene)
        region = effect_mask(spec, scene, "subject")
        if spec.region is None and not has_area(region, 0.02):
            region = effect_mask(spec, scene, None)
        self.region = cv2.resize(region, (lw, lh), interpolation=cv2.INTER_AREA)
        dx, dy = DIRECTIONS.get(spec.direction, (1.0, 0.0))
        # Tilt the band 25 degrees: a sheen on glass or metal runs diagonally.
        angle = np.deg2rad(25.0)
        ux, uy = dx * np.cos(angle) - dy * np.sin(angle), dx * np.sin(angle) + dy * np.cos(angle)
        ys, xs = np.mgrid[0:lh, 0:lw].astype(np.float32)
        along = xs * ux + ys * uy
        inside = self.region > 0.1
        lo, hi = (float(along[inside].min()), float(along[inside].max())) if inside.any() else (0.0, 1.0)
        self.along = (along - lo) / max(1.0, hi - lo)  # 0..1 across the region
        # A sheen on an object is a broad band; across a whole frame it is a narrower beam.
        self.width = 0.12 if float((self.region > 0.5).mean()) < 0.6 else 0.07
        self.passes = whole_cycles(spec.speed / 4.0, scene.duration)
        self.level = 0.3 + 0.5 * spec.strength
        self.blender = Blender()

    def draw(self, frame, t, amount, view):
        u = (self.passes * t / self.scene.duration) % 1.0
        if u >= 0.6:  # the pause between passes
            return
        centre = -2 * self.width + (1 + 4 * self.width) * ease(u / 0.6)
        band = np.exp(-(((self.along - centre) / self.width) ** 2))
        sheen = ScreenMap(view, self.scene).field(band * self.region * (self.level * amount), self.scale, cv2.BORDER_CONSTANT)
        h, w = frame.shape[:2]
        alpha = self.blender.upsample(sheen, (w, h))
        box = alpha_bbox(alpha)
        if box is None:
            return
        x0, y0, x1, y1 = box
        self.blender.lighten(frame[y0:y1, x0:x1], alpha[y0:y1, x0:x1], (255, 246, 230))
