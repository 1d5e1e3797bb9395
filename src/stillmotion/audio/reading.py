"""What the plan (and, when given, the analysis) says about the sound: when, how loud, where, what water.

- Timing: an effect's level over time follows its start and end with the picture's ramp length
  (min(1 s, 15% of the clip)). A clip that does not loop fades each sound in from its start,
  as the picture eases its effects in from the still photo. A looped clip keeps a sound that
  lasts the whole clip running through the seam (a loop is heard as endless); a sound with its
  own start or end fades in and out inside the loop, so its level meets itself at the seam.
- Place: the effect's region (its own, or the analysis region it grounds on by default) gives
  a gentle pan from its centre across the frame and a width from its spread; no region, or no
  analysis, puts it in the middle, wide.
- Water: its kind (stream, surf, lapping) comes from the audio settings when they say (the
  director fills plan.audio.water from the prompt's words), else the shape of the water region,
  else the water effect's own speed.
- Flames: a flicker the prompt calls a candle or a fire does not hum (is_flame: the one place
  that still reads the prompt, as the plan has no field for it).
"""

from __future__ import annotations

import re
from typing import Callable

import cv2
import numpy as np

from ..canvas import CanvasMap
from ..effects.registry import descriptor
from .clock import Clock, smoothstep
from .space import Placement

WATER_KINDS = ("stream", "surf", "lapping")

_FLAME_WORDS = r"candles?|candlelight|candlelit|flames?|fire|firelight|lantern|torch|fireplace|campfire"


def level_function(effect, clock: Clock) -> Callable[[np.ndarray], np.ndarray]:
    """The effect's level (0..1) as a function of time in seconds."""
    duration = clock.duration
    ramp = max(1e-3, min(1.0, 0.15 * duration))
    start = effect.start
    end = min(effect.end, duration) if effect.end is not None else None
    whole = start <= 0 and (end is None or end >= duration)

    def level(t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, np.float64)
        if clock.loop and whole:
            return np.ones_like(t)
        amount = smoothstep((t - start) / ramp) * (t >= start)
        stop = end if end is not None else (duration if clock.loop else None)
        if stop is not None:
            amount = amount * smoothstep((stop - t) / ramp)
        return amount

    return level


def mentions(plan, pattern: str) -> int:
    """Where the prompt first uses a word of `pattern` (its index), or -1."""
    found = re.search(rf"\b(?:{pattern})\b", plan.prompt.lower())
    return found.start() if found else -1


def is_flame(plan) -> bool:
    """A flicker the words call a flame (a candle, a fire): no electrical hum."""
    return mentions(plan, _FLAME_WORDS) >= 0


class Reader:
    """The plan and analysis, asked about one effect at a time."""

    def __init__(self, plan, analysis=None):
        self.plan, self.analysis = plan, analysis
        self._crop = None
        if analysis is not None:
            self._crop = CanvasMap.for_plan(plan.canvas, analysis.size).crop

    def region(self, effect) -> np.ndarray | None:
        """The effect's region as a soft mask over the part of the photo the video shows, or None."""
        if self.analysis is None:
            return None
        width, height = self.analysis.size
        mask = None
        if effect.region is not None and effect.region.polygon is not None:
            mask = np.zeros((height, width), np.float32)
            points = np.round(np.asarray(effect.region.polygon) * [width, height]).astype(np.int32)
            cv2.fillPoly(mask, [points], 1.0)
        elif effect.region is not None and effect.region.name is not None:
            mask = self.analysis.mask(effect.region.name)
        elif effect.region is None:
            for name in descriptor(effect.type).places:
                if name is not None and self.analysis.mask(name) is not None:
                    mask = self.analysis.mask(name)
                    break
        # A mask image (region.mask) is left to the picture: the sound stays in the middle.
        if mask is None:
            return None
        x, y, w, h = self._crop
        mask = np.asarray(mask, np.float32)[y : y + h, x : x + w]
        return mask if float(mask.sum()) > 1e-3 * mask.size else None

    def placement(self, effect, width: float = 0.7) -> Placement:
        """A pan (gentle: at most 60% to a side) and width from where the region lies across the frame."""
        mask = self.region(effect)
        if mask is None:
            return Placement(0.0, width)
        columns = mask.sum(axis=0)
        x = (np.arange(len(columns)) + 0.5) / len(columns)
        centre = float(np.sum(columns * x) / columns.sum())
        spread = float(np.sqrt(np.sum(columns * (x - centre) ** 2) / columns.sum()))
        # A region as wide as the frame has a spread of about 0.29: full width then.
        return Placement(pan=float(np.clip(2 * centre - 1, -1, 1)) * 0.6, width=float(np.clip(spread / 0.29, 0.15, 1.0)) * width)

    def has_water(self) -> bool:
        """The picture shows water: a water effect, or a water region of some size in the frame."""
        if any(effect.type == "water" for effect in self.plan.effects):
            return True
        if self.analysis is None or self.analysis.mask("water") is None:
            return False
        x, y, w, h = self._crop
        return float(np.mean(self.analysis.mask("water")[y : y + h, x : x + w] > 0.5)) > 0.03

    def water_kind(self, effect, chosen: str | None = None) -> str:
        """"stream", "surf" or "lapping" for a water effect (see the module docstring for the order)."""
        if chosen is not None:
            return chosen
        mask = self.region(effect)
        if mask is not None:
            kind = water_shape_kind(mask, self.analysis.sky[self._crop_slices()])
            if kind is not None:
                return kind
        return "stream" if effect.speed * (0.4 + effect.strength) > 1.2 else "lapping"

    def _crop_slices(self):
        x, y, w, h = self._crop
        return slice(y, y + h), slice(x, x + w)


def water_shape_kind(water: np.ndarray, sky: np.ndarray | None) -> str | None:
    """The kind of water a region's shape suggests, or None when the shape says nothing clear.

    Open sea: water across the frame whose far edge is one straight level line (the horizon;
    an island may break it) with sky close above. A stream: a band narrower than the frame that
    runs a good way up it. Anything else (a shore of rocks, a far bank of trees) is left to the
    words or the effect's speed: a rocky coast and a mountain stream look alike as masks.
    """
    inside = water > 0.5
    height, width = inside.shape
    if inside.mean() < 0.01:
        return None
    columns = inside.any(axis=0)
    tops = np.argmax(inside, axis=0)[columns]  # first water row of each column
    line = np.percentile(tops, 10)  # the farthest water: the horizon, where there is one
    on_line = np.abs(tops - line) < 0.02 * height
    where = np.nonzero(columns)[0][on_line]
    level_line = on_line.mean() > 0.3 and (where[-1] - where[0]) > 0.6 * width
    if columns.mean() > 0.9 and level_line and line < 0.7 * height and sky is not None:
        near = sky[max(0, int(line - 0.25 * height)) : max(1, int(line)), where]
        if near.size and np.mean(near.max(axis=0) > 0.5) > 0.5:
            return "surf"
    rows = np.nonzero(inside.any(axis=1))[0]
    tall = (rows[-1] - rows[0] + 1) / height
    if np.median(inside[rows].mean(axis=1)) < 0.45 and tall > 0.3:
        return "stream"
    return None
