"""Where a sound sits in the stereo field: a gentle pan and a width."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Placement:
    pan: float = 0.0  # -1 left .. 1 right
    width: float = 0.7  # 0 mono .. 1 two independent channels

    def gains(self) -> tuple[float, float]:
        """Equal-power pan gains (both 1 in the centre)."""
        angle = (np.clip(self.pan, -1, 1) + 1) * math.pi / 4
        return math.sqrt(2) * math.cos(angle), math.sqrt(2) * math.sin(angle)

    def spread(self, mid: np.ndarray, side: np.ndarray) -> np.ndarray:
        """Two uncorrelated signals of the same colour (n,) -> stereo (n, 2) of the same power."""
        left, right = self.gains()
        norm = 1.0 / math.sqrt(1.0 + self.width**2)
        out = np.empty((mid.shape[-1], 2), np.float32)
        out[:, 0] = (mid + self.width * side) * (left * norm)
        out[:, 1] = (mid - self.width * side) * (right * norm)
        return out


    def spread_pair(self, pair: np.ndarray) -> np.ndarray:
        """spread() for two uncorrelated channels held as one (n, 2) array, in place (long sounds)."""
        left, right = self.gains()
        norm = 1.0 / math.sqrt(1.0 + self.width**2)
        side = pair[:, 1] * self.width
        pair[:, 1] = pair[:, 0]
        pair[:, 0] += side
        pair[:, 1] -= side
        pair[:, 0] *= left * norm
        pair[:, 1] *= right * norm
        return pair


def scatter_pans(rng: np.random.Generator, count: int, centre: float, spread: float) -> np.ndarray:
    """Per-grain (left, right) gains for grains spread around a pan position: (count, 2)."""
    pans = np.clip(centre + rng.uniform(-spread, spread, count), -1, 1)
    angle = (pans + 1) * math.pi / 4
    return np.stack([np.cos(angle), np.sin(angle)], axis=1) * math.sqrt(2)
