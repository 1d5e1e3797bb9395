"""Filtered noise whose colour can change over time, made in the frequency domain.

Andy Farnell builds rain hiss, wind, surf and fire roar from noise through moving filters.
Here the filter is a magnitude spectrum per noise frame: each frame is a random-phase spectrum
with that magnitude, turned into samples, windowed by a square-root Hann window and
overlap-added at 50%. The windows' squares sum to one, so the result is stationary noise of
exactly the requested colour, and a spectrum that changes from frame to frame is a moving
filter, with no filter state to carry between blocks. numpy's FFT is all it needs.

A frame's randomness depends only on its index (one generator per group of frames), and a
looped clip's frame `clock.frames` is its frame 0, so the noise is periodic over the loop.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .clock import FRAMES_PER_BLOCK, SAMPLE_RATE, Clock
from .space import Placement

# shape(times (F,), freqs (B,)) -> magnitudes (F, B): the filter (and level) of each frame.
Shape = Callable[[np.ndarray, np.ndarray], np.ndarray]


class ShapedNoise:
    def __init__(self, clock: Clock, key: tuple[int, ...], shape: Shape, place: Placement = Placement(),
                 flutter: float = 0.0):
        self.clock, self.key, self.shape, self.place = clock, key, shape, place
        self.flutter = flutter  # fast random level changes per frame (rustle, crackle hiss), in nepers
        self.size = 2 * clock.hop
        self.freqs = np.fft.rfftfreq(self.size, 1.0 / SAMPLE_RATE)
        self.window = np.sqrt(0.5 - 0.5 * np.cos(2 * np.pi * np.arange(self.size) / self.size)).astype(np.float32)
        self._groups: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def _group(self, group: int) -> tuple[np.ndarray, np.ndarray]:
        """Random unit-power spectra (G, 2 channels, bins) and flutter gains (G,) of one frame group."""
        if group not in self._groups:
            rng = self.clock.rng(*self.key, group)
            shape = (FRAMES_PER_BLOCK, 2, len(self.freqs))
            spectra = np.empty(shape, np.complex64)
            spectra.real = rng.standard_normal(shape, dtype=np.float32)
            spectra.imag = rng.standard_normal(shape, dtype=np.float32)
            spectra *= np.float32(np.sqrt(self.size / 2))  # unit variance samples for a flat magnitude of 1
            # exp(s z - s^2): mean power 1 whatever the flutter depth.
            flutter = np.exp(self.flutter * rng.standard_normal(FRAMES_PER_BLOCK) - self.flutter**2).astype(np.float32)
            if len(self._groups) > 3:
                self._groups.pop(next(iter(self._groups)))
            self._groups[group] = (spectra, flutter)
        return self._groups[group]

    def render(self, block: int) -> np.ndarray:
        """Block `block` of the noise: (block samples, 2) float32."""
        clock, hop = self.clock, self.clock.hop
        frames = block * FRAMES_PER_BLOCK + np.arange(FRAMES_PER_BLOCK + 1)
        if clock.loop:
            frames %= clock.frames
        spectra = np.empty((len(frames), 2, len(self.freqs)), np.complex64)
        flutter = np.empty(len(frames), np.float32)
        for i, frame in enumerate(frames):
            group_spectra, group_flutter = self._group(int(frame) // FRAMES_PER_BLOCK)
            spectra[i] = group_spectra[frame % FRAMES_PER_BLOCK]
            flutter[i] = group_flutter[frame % FRAMES_PER_BLOCK]
        magnitudes = self.shape(frames * hop / SAMPLE_RATE, self.freqs).astype(np.float32)
        spectra *= (magnitudes * flutter[:, None])[:, None, :]
        samples = np.fft.irfft(spectra, n=self.size, axis=-1).astype(np.float32) * self.window
        # Chunk c of the block: the second half of frame c plus the first half of frame c + 1.
        chunks = samples[:-1, :, hop:] + samples[1:, :, :hop]  # (G, 2, hop)
        mid = chunks[:, 0].reshape(-1)
        side = chunks[:, 1].reshape(-1)
        return self.place.spread(mid, side)


# --- spectral shapes (magnitudes, not dB), broadcast over (frames, 1) parameters and (bins,) freqs ---

def band(freqs, low, high, order: float = 2.0):
    """A band-pass of `order` (per side), flat between low and high."""
    f = np.maximum(freqs, 1.0)
    rise = 1.0 / np.sqrt(1.0 + (low / f) ** (2 * order))
    fall = 1.0 / np.sqrt(1.0 + (f / high) ** (2 * order))
    return rise * fall


def resonance(freqs, centre, q: float):
    """A resonant peak (a two-pole band-pass's magnitude) of quality q around centre."""
    f = np.maximum(freqs, 1.0)
    return 1.0 / np.sqrt(1.0 + q * q * (f / centre - centre / f) ** 2)


def tilt(freqs, db_per_octave: float, pivot: float = 1000.0):
    """A spectral slope: -3 dB/octave is pink noise."""
    return (np.maximum(freqs, 1.0) / pivot) ** (db_per_octave / 6.0206)
