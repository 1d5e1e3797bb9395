"""lightning: a flash that lights the scene from the sky side, with a bolt in the sky.

A few flash events (more with strength and longer clips) fall inside the clip, never at its
ends, so frame 0 is the photo and loops stay seamless. Each event is two or three quick pulses
that decay within a fraction of a second. The flash brightens the scene through a map that is
strongest in the sky and far away and weaker on near things, multiplicatively (light on what
is lit) plus a small lift of dark areas, in a cold white. With a sky, a jagged branching bolt
(midpoint displacement) is drawn in it during the brightest pulses. Strength sets how bright
and how many; speed how often.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender
from ..kit.image import has_area, low_scale, low_size
from ..kit.screen import ScreenMap
from ..kit.tracks import draw_segments

COLD = np.array([0.86, 0.92, 1.0], np.float32)


def jagged(rng, start, end, levels: int, roughness: float) -> np.ndarray:
    """A lightning-like path from start to end: midpoint displacement, sideways kicks halving each level."""
    points = np.array([start, end], np.float64)
    kick = roughness * np.linalg.norm(np.subtract(end, start))
    for _ in range(levels):
        middle = (points[:-1] + points[1:]) / 2
        direction = points[1:] - points[:-1]
        normal = np.stack([-direction[:, 1], direction[:, 0]], 1)
        normal /= np.linalg.norm(normal, axis=1, keepdims=True) + 1e-9
        middle += normal * rng.normal(0, kick, (len(middle), 1))
        merged = np.empty((len(points) + len(middle), 2))
        merged[0::2], merged[1::2] = points, middle
        points = merged
        kick /= 2
    return points


def flash_events(spec, duration: float, rng: np.random.Generator) -> list[tuple[float, list[tuple[float, float, float]]]]:
    """The flashes of a clip: [(start time, [(pulse offset, amplitude, decay), ...])], in seconds.

    The first draws of the effect's generator (scene.rng(index)), so the soundtrack can place
    thunder after the very flashes the picture shows without building the effect.
    """
    count = max(1, round(duration * (0.06 + 0.14 * spec.strength) * spec.speed))
    slots = np.linspace(0.18 * duration, 0.85 * duration, count + 1)
    events = []
    for k in range(count):
        start = rng.uniform(slots[k], slots[k + 1] - 0.05 * (slots[k + 1] - slots[k]))
        pulses = [(0.0, 1.0, rng.uniform(0.05, 0.09))]
        for _ in range(rng.integers(1, 3)):
            pulses.append((pulses[-1][0] + rng.uniform(0.07, 0.16), rng.uniform(0.5, 0.95), rng.uniform(0.05, 0.12)))
        events.append((start, pulses))
    return events


def flash_value(events, t: float) -> tuple[float, int]:
    """Brightness of the flash at t (0 = none, at most 1.2) and which event it belongs to (-1: none)."""
    best, which = 0.0, -1
    for k, (start, pulses) in enumerate(events):
        value = 0.0
        for offset, amplitude, decay in pulses:
            dt = t - start - offset
            if 0 <= dt < 8 * decay:
                value += amplitude * np.exp(-dt / decay)
        if value > best:
            best, which = value, k
    return min(best, 1.2), which


class Lightning(Effect):
    honours_freeze = False  # the flash lights the whole scene

    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        w, h = scene.size
        period = scene.duration
        self.scale = low_scale(scene)
        lw, lh = low_size(scene)
        self.events = flash_events(spec, period, rng)
        # Where the flash lands: the sky (or the top of the frame) and far things, little on near things.
        sky = scene.mask_at_canvas("sky")
        sky = cv2.resize(sky, (lw, lh), interpolation=cv2.INTER_AREA) if has_area(sky, 0.02) else None
        top = np.linspace(1.0, 0.35, lh, dtype=np.float32)[:, None] * np.ones((1, lw), np.float32)
        far = 1.0 - cv2.resize(scene.depth, (lw, lh), interpolation=cv2.INTER_AREA)
        side = top if sky is None else np.maximum(cv2.GaussianBlur(sky, (0, 0), lw / 25), 0.5 * top)
        self.light = (0.35 + 0.65 * np.clip(0.6 * side + 0.4 * far, 0, 1)).astype(np.float32)
        self.power = 0.5 + 1.1 * spec.strength
        self.storm = 0.15 + 0.25 * spec.strength
        self.gain = np.ones((lh, lw, 3), np.float32)
        self.add = np.zeros((lh, lw, 3), np.float32)
        self.bolts = [self._bolt(rng, sky, (w, h)) if sky is not None else None for _ in self.events]
        self.mask = np.zeros((h, w), np.uint8)
        self.px = h / 1080
        self.blender = Blender()

    def _bolt(self, rng, sky, size):
        """Segments (a, b) of a bolt from the top of the sky down to near the horizon, with three branches."""
        w, h = size
        lh, lw = sky.shape
        columns = np.nonzero((sky > 0.5).any(axis=0))[0]
        x = (rng.choice(columns) if len(columns) else rng.integers(0, lw)) * w / lw
        rows = np.nonzero(sky[:, min(lw - 1, int(x * lw / w))] > 0.5)[0]
        bottom = (rows.max() if len(rows) else lh * 0.4) * h / lh
        start = (x + rng.normal(0, 0.05 * w), 0.0)
        end = (x + rng.normal(0, 0.08 * w), max(0.2 * h, bottom))
        trunk = jagged(rng, start, end, 7, 0.17)
        paths = [(trunk, 1.0)]
        for _ in range(3):
            at = rng.integers(len(trunk) // 5, 3 * len(trunk) // 4)
            origin = trunk[at]
            reach = 0.25 * (end[1] - start[1])
            tip = origin + np.array([rng.choice([-1, 1]) * rng.uniform(0.3, 0.8) * reach, rng.uniform(0.4, 1.0) * reach])
            paths.append((jagged(rng, origin, tip, 5, 0.15), 0.55))
        return paths

    def flash(self, t: float) -> tuple[float, int]:
        """Brightness of the flash at t (0 = none) and which event it belongs to."""
        return flash_value(self.events, t)

    def draw(self, frame, t, amount, view):
        # A storm darkens the scene a little, so the flashes read as flashes even on a sunny photo.
        cv2.convertScaleAbs(frame, dst=frame, alpha=1.0 - self.storm * amount)
        strength, event = self.flash(t)
        strength *= amount
        if strength < 0.01:
            return
        screen = ScreenMap(view, self.scene)
        light = screen.field(self.light, self.scale) * (strength * self.power)
        np.multiply(light[..., None], COLD[None, None, :], out=self.gain[: light.shape[0], : light.shape[1]])
        gain = self.gain[: light.shape[0], : light.shape[1]]
        add = gain * 45.0
        gain += 1.0
        self.blender.gain(frame, gain, add)
        bolt = self.bolts[event]
        if bolt is not None and strength > 0.35:
            self.mask.fill(0)
            for glow in (True, False):
                for path, weight in bolt:
                    points = screen.points(path, 0.0)
                    value = (110 if glow else 255) * weight * min(1.0, strength)
                    thickness = max(1, round((14 if glow else 3) * self.px * (weight + 0.3)))
                    draw_segments(self.mask, points[:-1], points[1:], float(value), thickness)
            self.blender.lighten(frame, self.mask, (235, 240, 255))
