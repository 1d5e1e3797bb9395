"""steam and smoke: wisps that rise from a source, curl, spread and fade.

The source is the plan's region, else the analysis' "steam_source" region, else the top of
the subject (a cup, a chimney). Above each source a plume shape widens and fades with height;
inside it a vertically stretched tileable noise texture scrolls upward while a sideways wave
that grows with height bends it, so the wisps rise and curl. Computed on a low-resolution grid
(about 480 pixels wide) inside the plume's box only, seen through the camera, upsampled and
composited once. Steam is white, thin and short-lived; smoke is grey, denser, wider and taller.
Strength sets the density; speed the rise; direction left/right a sideways draught.
Loops use two time-shifted phases cross-faded (any rise speed loops without a seam).
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender, alpha_bbox
from ..kit.image import has_area, low_scale, low_size
from ..kit.screen import ScreenMap
from ..noise import tileable_noise
from ..regions import effect_mask
from ..timing import looped_scroll

DRAUGHT = {"left": -0.35, "right": 0.35}


class Steam(Effect):
    smoke = False

    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        self.scale = low_scale(scene)
        lw, lh = low_size(scene)
        source = self._source(spec, scene)
        source = cv2.resize(source, (lw, lh), interpolation=cv2.INTER_AREA)
        draught = DRAUGHT.get(spec.direction, rng.uniform(-0.08, 0.08))
        self.plume = np.zeros((lh, lw), np.float32)
        self.height = np.zeros((lh, lw), np.float32)  # height above the source, in plume heights
        count, labels, stats, _ = cv2.connectedComponentsWithStats((source > 0.4).astype(np.uint8))
        order = np.argsort(-stats[1:, cv2.CC_STAT_AREA])[:3] + 1 if count > 1 else []
        ys, xs = np.mgrid[0:lh, 0:lw].astype(np.float32)
        for label in order:
            x, y, w, h, area = stats[label]
            if area < 4:
                continue
            columns = np.nonzero((labels == label).any(axis=0))[0]
            centre = float(columns.mean())
            half = max(2.0, 0.35 * (columns.max() - columns.min() + 1))
            top = float(y) + 0.5 * h  # wisps start inside the source (from the liquid, not above the rim)
            reach = (2.6 if self.smoke else 1.6) * half * 2 + (0.35 if self.smoke else 0.2) * lh
            reach = min(reach, top + 0.05 * lh)
            rise = np.clip((top - ys) / reach, -1, None)
            width = half * (1.0 + (3.0 if self.smoke else 1.6) * np.clip(rise, 0, None))
            across = (xs - centre - draught * np.clip(rise, 0, None) * reach) / width
            fade = np.clip(rise / 0.06 + 1.0, 0, 1) * np.exp(-np.clip(rise, 0, None) ** 2 * (1.2 if self.smoke else 2.2))
            shape = np.exp(-across * across * 1.5) * fade * (rise > -0.06)
            self.height = np.where(shape > self.plume, np.clip(rise, 0, None) * reach, self.height)
            self.plume = np.maximum(self.plume, shape.astype(np.float32))
        self.height = self.height.astype(np.float32)
        self.box = alpha_bbox((self.plume > 0.02).astype(np.uint8), pad=2)
        self.texture = tileable_noise(rng, (lh, lw), scale=lw / 30, stretch=3.0)
        self.texture2 = tileable_noise(rng, (lh, lw), scale=lw / 14, stretch=2.0)
        self.rise = lh * (0.05 if self.smoke else 0.08) * spec.speed  # texture rise, low-res px per second
        period = scene.duration
        self.curl_omega = 2 * np.pi * max(1, round(0.35 * period * spec.speed)) / period
        self.curl_omega2 = 2 * np.pi * max(1, round(0.6 * period * spec.speed)) / period
        self.curl_wave = 2 * np.pi / max(4.0, 0.12 * lh)
        self.curl_amp = 0.04 * lw
        self.density = (0.8 + 1.0 * spec.strength) * (1.3 if self.smoke else 1.0)
        self.colour = (95.0, 95.0, 100.0) if self.smoke else (238.0, 238.0, 242.0)
        self.low = (lw, lh)
        self.canvas_low = np.zeros((lh, lw), np.float32)
        self.blender = Blender()

    @staticmethod
    def _source(spec, scene) -> np.ndarray:
        w, h = scene.size
        source = effect_mask(spec, scene, "steam_source")
        if spec.region is not None and source is not None:
            return source
        if has_area(source, 0.0005):
            return source
        # No source known: the top band of the subject (a cup, a chimney), else the centre.
        subject = scene.mask_at_canvas("subject")
        fallback = np.zeros((h, w), np.float32)
        if has_area(subject, 0.01):
            rows = np.nonzero((subject > 0.5).any(axis=1))[0]
            top = rows.min()
            band = slice(top, top + max(2, (rows.max() - top) // 3))
            fallback[band] = subject[band]
            return fallback
        fallback[int(h * 0.55):int(h * 0.62), int(w * 0.42):int(w * 0.58)] = 1.0
        return fallback

    def _wisps(self, t: float) -> np.ndarray:
        x0, y0, x1, y1 = self.box
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        height = self.height[y0:y1, x0:x1]
        bend = self.curl_amp * np.clip(height / max(1.0, self.low[1] * 0.3), 0, 1.5)
        a, b, mix = looped_scroll(t, self.scene.duration, self.rise, self.scene.plan.loop)
        out = None
        for offset, weight in ((a, 1.0 - mix), (b, mix)):
            if weight <= 0:
                continue
            # Two waves of different length and pace: curls that do not repeat like a sine.
            mx = xs + bend * (0.65 * np.sin(self.curl_wave * height - self.curl_omega * t)
                              + 0.45 * np.sin(2.3 * self.curl_wave * height - self.curl_omega2 * t + 1.7))
            my = ys + np.float32(offset)
            first = cv2.remap(self.texture, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
            second = cv2.remap(self.texture2, mx * 0.9, my * 0.8, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
            layer = 0.6 * first + 0.4 * second
            out = layer * weight if out is None else out + layer * weight
        return out

    def draw(self, frame, t, amount, view):
        if self.box is None:
            return
        x0, y0, x1, y1 = self.box
        wisps = np.clip((self._wisps(t) - 0.38) * 3.0, 0, 1)
        self.canvas_low[y0:y1, x0:x1] = np.clip(self.plume[y0:y1, x0:x1] * wisps * self.density * amount, 0, 0.9)
        screen = ScreenMap(view, self.scene)
        alpha_low = screen.field(self.canvas_low, self.scale, border=cv2.BORDER_CONSTANT)
        h, w = frame.shape[:2]
        alpha = self.blender.upsample(alpha_low, (w, h))
        box = alpha_bbox(alpha)
        if box is None:
            return
        bx0, by0, bx1, by1 = box
        self.blender.composite(frame[by0:by1, bx0:bx1], self.colour, alpha[by0:by1, bx0:bx1])

