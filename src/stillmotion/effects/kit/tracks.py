"""Particles that travel and wrap, periodic over the clip (rain, snow, petals), and how to draw them.

A particle's coordinate along its path is a pure function of t: any frame renders alone. Drawing
is one anti-aliased cv2 call per kind of mark, with SUBPIXEL fractional bits so slow particles
move smoothly.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

SUBPIXEL = 4  # fractional bits for cv2 drawing: smooth motion of slow particles
ONE = 1 << SUBPIXEL


class FallTracks:
    """Particles travelling along one direction (down, with wind) that wrap, periodic over the clip.

    A particle's coordinate along its path is s(t) = (phase * L + v * t) mod L, L being its travel
    length (at least the screen plus margins). When looping, L is chosen so that v * period is a
    whole number of L (and particles too slow for one trip per clip are sped up to one).
    Positions are canvas pixels; sway adds periodic sideways motion.
    """

    def __init__(self, rng: np.random.Generator, count: int, size: tuple[int, int], speed: np.ndarray,
                 wind: float, period: float, margin: float, sway: np.ndarray | None = None,
                 sway_hz: float = 0.3, upward: bool = False, loop: bool = True):
        w, h = size
        self.count = count
        self.wind = wind
        self.upward = upward
        self.margin = margin
        self.speed = speed.astype(np.float64)
        span = h + 2 * margin
        if loop:
            # A whole number of trips per clip; a particle too slow for one trip is sped up to one.
            trips = np.maximum(1, np.floor(self.speed * period / span))
            self.speed = np.maximum(self.speed, span / period)
            self.length = self.speed * period / trips  # >= span: some particles wait off-screen
        else:
            self.length = np.full(count, span)
        self.phase = rng.random(count)
        reach = abs(wind) * span
        self.x0 = rng.uniform(-margin - (reach if wind > 0 else 0), w + margin + (reach if wind < 0 else 0), count)
        self.sway = np.zeros(count) if sway is None else sway
        cycles = rng.integers(max(1, round(sway_hz * period * 0.6)), max(2, round(sway_hz * period * 1.4)) + 1, count)
        self.sway_omega = 2 * np.pi * cycles / period
        self.sway_phase = rng.uniform(0, 2 * np.pi, count)
        self.height = h

    def positions(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        s = np.mod(self.phase * self.length + self.speed * t, self.length) - self.margin
        y = (self.height - s) if self.upward else s
        x = self.x0 + self.wind * s + self.sway * np.sin(self.sway_omega * t + self.sway_phase)
        return x, y

    def direction(self) -> tuple[float, float]:
        """Unit vector of travel on screen (for streak tails)."""
        dy = -1.0 if self.upward else 1.0
        n = math.hypot(self.wind, 1.0)
        return self.wind / n, dy / n


def fixed_point(xy: np.ndarray) -> np.ndarray:
    """Float pixel coordinates as int32 with SUBPIXEL fractional bits, for cv2 drawing with shift."""
    return np.round(xy * ONE).astype(np.int32)


def draw_dots(mask: np.ndarray, xy: np.ndarray, value: float, diameter: int) -> None:
    """Round anti-aliased dots, all in one cv2 call (zero-length lines with round caps).

    At least 2 pixels wide: a 1-pixel anti-aliased zero-length line draws almost nothing."""
    if len(xy) == 0 or value <= 0:
        return
    p = fixed_point(xy)
    segments = np.stack([p, p], 1)
    cv2.polylines(mask, segments, False, float(value), max(2, int(diameter)), cv2.LINE_AA, SUBPIXEL)


def draw_segments(mask: np.ndarray, a: np.ndarray, b: np.ndarray, value, thickness: int) -> None:
    """Anti-aliased line segments a[i] -> b[i], in one cv2 call."""
    if len(a) == 0:
        return
    segments = np.stack([fixed_point(a), fixed_point(b)], 1)
    cv2.polylines(mask, segments, False, value, max(1, int(thickness)), cv2.LINE_AA, SUBPIXEL)
