"""flicker: each light source flickers on its own, and its glow spills on what is near.

Works on low-resolution maps in canvas space (about 480 pixels wide), seen through the camera so
the light stays on its lamp, then upsampled and applied with one or two uint8 cv2 operations on
the full frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender, alpha_bbox
from ..kit.image import has_area, low_scale, low_size, luminance
from ..kit.screen import ScreenMap
from ..regions import effect_mask
from ..timing import periodic_signal, whole_cycles

MAX_SOURCES = 12
DARK_SCENE = 0.35  # mean brightness (0..1) under which a scene is lit by its lamps


def light_sources(spec, scene) -> np.ndarray:
    """Canvas-size 0..1 map of the light sources: the plan's region, the "light" region, else the brightest spots."""
    light = effect_mask(spec, scene, "light")
    if spec.region is not None or has_area(light, 0.0003):
        return light
    lum = luminance(scene.image)
    threshold = max(0.8, float(np.percentile(lum, 99.3)))
    bright = (lum >= threshold).astype(np.uint8)
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    keep = effect_mask(spec, scene, None)  # no faces, no frozen areas
    return cv2.GaussianBlur(bright.astype(np.float32), (0, 0), 1.5) * keep


def emits_light(image: np.ndarray, lum: np.ndarray, part: np.ndarray, dark_scene: bool) -> bool:
    """Whether a bright part of the photo can be a light that flickers: clearly brighter than what
    is around it, and either in a dark scene (lamps, windows at night) or coloured light (neon);
    in daylight a white panel, a window reflecting the sky or a pale sign is not a light."""
    ring = cv2.dilate(part.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool) & ~part
    if not ring.any():
        return False
    standout = float(lum[part].mean() - lum[ring].mean())
    colour = image[part].mean(axis=0)
    saturation = 1.0 - float(colour.min()) / max(1e-3, float(colour.max()))
    return standout >= 0.12 and (dark_scene or (saturation > 0.45 and float(colour.max()) > 0.85))


class Flicker(Effect):
    """Each light source flickers on its own: a neon tube buzzes and drops out in short bursts,
    a candle or bulb wavers smoothly. Brightening spills a tinted glow on nearby surfaces.
    Strength sets how deep the flicker goes; speed how fast it changes."""

    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        self.scale = low_scale(scene)
        lw, lh = low_size(scene)
        sources = cv2.resize(light_sources(spec, scene), (lw, lh), interpolation=cv2.INTER_AREA)
        image = cv2.resize(scene.image, (lw, lh), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
        count, labels, stats, _ = cv2.connectedComponentsWithStats((sources > 0.3).astype(np.uint8))
        # The largest, brightest components: lamps and signs before merely light-coloured things;
        # and only things that can give light (emitters), never a white wall in the sun.
        lum = image.mean(axis=2)
        dark_scene = float(lum.mean()) < DARK_SCENE
        score = [stats[k, cv2.CC_STAT_AREA] * max(0.0, float(lum[labels == k].mean()) - 0.5)
                 * emits_light(image, lum, labels == k, dark_scene) for k in range(1, count)]
        order = [k + 1 for k in np.argsort(score)[::-1][:MAX_SOURCES] if score[k] > 0]
        period = scene.duration
        self.glow, self.spill, self.tint, self.signals = [], [], [], []
        for label in order:
            area = stats[label, cv2.CC_STAT_AREA]
            if area < 2:
                continue
            own = (labels == label).astype(np.float32)
            # The source itself, plus a softer rim: its flare dims with it when it flickers down.
            glow = np.maximum(cv2.GaussianBlur(sources * own, (0, 0), 0.7), 0.6 * cv2.GaussianBlur(own, (0, 0), 2.0))
            colour = image[own > 0].mean(axis=0)
            tint = colour / max(1e-3, colour.max())
            spill = cv2.GaussianBlur(own, (0, 0), min(3.0 + 0.6 * np.sqrt(area), 0.05 * lw))
            spill = spill / max(1e-6, spill.max())
            saturation = 1.0 - colour.min() / max(1e-3, colour.max())
            neon = saturation > 0.4 or rng.random() < 0.35
            self.glow.append(glow)
            self.spill.append(spill)
            self.tint.append(tint)
            self.signals.append(self._neon(rng, period) if neon else self._candle(rng, period))
        # Each source touches only its own box: per frame, work on those patches alone.
        self.patches = []
        for glow, spill, tint in zip(self.glow, self.spill, self.tint):
            box = alpha_bbox(((glow + spill) > 0.02).astype(np.uint8), pad=1)
            if box is None:
                continue
            x0, y0, x1, y1 = box
            self.patches.append((slice(y0, y1), slice(x0, x1), glow[y0:y1, x0:x1, None].astype(np.float32),
                                 (spill[y0:y1, x0:x1, None] * tint[None, None, :]).astype(np.float32)))
        self.box = alpha_bbox(np.any([g + s > 0.02 for g, s in zip(self.glow, self.spill)], axis=0).astype(np.uint8)) if self.glow else None
        self.depth_amp = 0.2 + 0.45 * spec.strength  # how far a source dims
        self.spill_amp = 0.12 + 0.35 * spec.strength  # how much it brightens its surroundings
        self.gain = np.ones((lh, lw, 3), np.float32)
        self.add = np.zeros((lh, lw, 3), np.float32)
        self.blender = Blender()

    def _candle(self, rng, period):
        wobble = periodic_signal(rng, period, 1.5 * self.spec.speed, 7.0 * self.spec.speed, terms=7)
        return lambda t: 0.4 * wobble(t)

    def _neon(self, rng, period):
        """Mostly steady with a faint hum; now and then a burst of quick drop-outs."""
        bursts = max(1, round(period / 3.5 * self.spec.speed))
        starts = np.sort(rng.uniform(0.1 * period, 0.85 * period, bursts))
        lengths = rng.uniform(0.2, 0.6, bursts)
        rate = rng.uniform(9, 16, bursts)
        duty = rng.uniform(0.3, 0.6, bursts)
        hum_omega = 2 * np.pi * whole_cycles(2.0 * self.spec.speed, period) / period

        def signal(t):
            value = 0.06 * np.sin(hum_omega * t)
            inside = (t >= starts) & (t < starts + lengths)
            if inside.any():
                k = int(np.argmax(inside))
                if ((t - starts[k]) * rate[k]) % 1.0 < duty[k]:
                    value = -1.0
            return float(value)

        return signal

    def draw(self, frame, t, amount, view):
        if self.box is None:
            return
        s = np.array([signal(t) for signal in self.signals], np.float32) * amount
        self.gain.fill(1.0)
        self.add.fill(0.0)
        for k, (rows, cols, glow, spill) in enumerate(self.patches):
            # Dimming takes back only half the spill, untinted: a tinted dark halo looks like a hole.
            spill_term = spill * (s[k] * self.spill_amp) if s[k] > 0 else spill.mean(axis=2, keepdims=True) * (0.5 * s[k] * self.spill_amp)
            self.gain[rows, cols] += glow * (s[k] * self.depth_amp) + spill_term
            if s[k] > 0:  # brightening also lifts dark surroundings (a gain alone cannot)
                self.add[rows, cols] += spill * (s[k] * self.spill_amp * 60.0)
        screen = ScreenMap(view, self.scene)
        gain = screen.field(self.gain, self.scale, cv2.BORDER_CONSTANT, (1.0, 1.0, 1.0))
        add = screen.field(self.add, self.scale, cv2.BORDER_CONSTANT) if (s > 0).any() else None
        self.blender.gain(frame, gain, add)
