"""The soundtrack's clock: sample count, the fixed block grid, seeded randomness, periodicity.

Everything is generated in fixed internal blocks of `block` samples (a whole number of noise
frames), whatever block size a caller asks for, so the samples never depend on how they are
read. Randomness for a piece of a block comes from a generator keyed by (plan seed, effect
index, stream, block), so any block can be made alone, in any order, identically.

The audio of a clip is exactly as long as its video: frame_count x (48000 / fps) samples, an
integer for every allowed fps. When the plan loops, everything periodic is made periodic over
that length (noise frames wrap, grains wrap, slow modulations have whole cycles), so the last
sample flows into the first.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 48_000
FRAMES_PER_BLOCK = 16  # noise frames (hops) per internal block: about a third of a second


def stream_key(name: str) -> int:
    """A stable integer for a named random stream (the same on every machine and run)."""
    return zlib.crc32(name.encode("ascii"))


@dataclass(frozen=True)
class Clock:
    samples: int  # the clip's length in samples
    hop: int  # noise frame hop; divides the samples of one video frame, hence `samples`
    loop: bool
    seed: int

    @classmethod
    def for_plan(cls, plan) -> Clock:
        fps = plan.canvas.fps
        per_video_frame = SAMPLE_RATE // fps  # 2000, 1920, 1600 or 800: exact for 24, 25, 30, 60
        hop = per_video_frame // 2 if per_video_frame >= 1600 else per_video_frame
        return cls(samples=plan.canvas.frame_count * per_video_frame, hop=hop, loop=plan.loop, seed=plan.seed)

    @property
    def duration(self) -> float:
        return self.samples / SAMPLE_RATE

    @property
    def block(self) -> int:
        return FRAMES_PER_BLOCK * self.hop

    @property
    def blocks(self) -> int:
        return math.ceil(self.samples / self.block)

    @property
    def frames(self) -> int:
        """Noise frames in the clip (a loop's frame `frames` is its frame 0)."""
        return self.samples // self.hop

    def block_start(self, index: int) -> int:
        return index * self.block

    def block_times(self, index: int) -> np.ndarray:
        """Times (seconds) of the samples of block `index` (a full block, also past the end)."""
        return (self.block_start(index) + np.arange(self.block)) / SAMPLE_RATE

    def rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, *key])

    def cycles(self, rate_hz: float, minimum: int = 1) -> int:
        """Whole cycles over the clip closest to rate_hz (so a looped modulation meets itself)."""
        return max(minimum, round(rate_hz * self.duration))

    def tune(self, freq_hz: float) -> float:
        """freq_hz nudged to a whole number of cycles over a looped clip (a hum's phase meets itself)."""
        if not self.loop:
            return freq_hz
        return self.cycles(freq_hz) / self.duration


def smoothstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def periodic_lfo(rng: np.random.Generator, clock: Clock, low_hz: float, high_hz: float, terms: int = 5):
    """A slow random modulation m(t) in about -1..1, with whole cycles over the clip (periodic).

    Returns a function of an array of times in seconds.
    """
    cycles = rng.integers(clock.cycles(low_hz), clock.cycles(high_hz, 2) + 1, size=terms)
    phases = rng.uniform(0, 2 * np.pi, size=terms)
    weights = 1.0 / np.sqrt(cycles.astype(np.float64))
    weights = 1.6 * weights / weights.sum()
    omega = 2 * np.pi * cycles / clock.duration

    def lfo(t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, np.float64)
        return np.tensordot(np.sin(np.multiply.outer(t, omega) + phases), weights, axes=([-1], [0]))

    return lfo
