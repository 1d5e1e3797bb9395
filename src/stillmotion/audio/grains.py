"""Short sounds scattered in time: grain clouds (drops, bubbles, crackles) and longer events (thunder).

A grain cloud draws, for each internal block, a Poisson number of grains at uniform times,
keeps each with the probability `density(t)` (so a cloud thins and thickens with the effect's
level), and asks its `synth` for their waveforms and stereo gains. A block's output gathers
the grains that start in it and those of the blocks before whose tails reach into it; in a
looped clip the blocks before block 0 are the last blocks, one clip earlier, so grains wrap.

Grain waveforms are Farnell's modal impulses: damped sinusoids (a drop's ping, a pop), a
bubble's rising sine (Minnaert's resonance as the bubble surfaces: the babble of a stream,
the plink of rain on water) and short bursts of band-passed noise (ticks, crackles, slaps).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .clock import SAMPLE_RATE, Clock

# synth(rng, times (m,)) -> (waves (m, length), gains (m, 2))
Synth = Callable[[np.random.Generator, np.ndarray], tuple[np.ndarray, np.ndarray]]


class GrainCloud:
    def __init__(self, clock: Clock, key: tuple[int, ...], rate: float, length: int, synth: Synth,
                 density: Callable[[np.ndarray], np.ndarray] | None = None):
        self.clock, self.key, self.rate, self.length, self.synth = clock, key, rate, length, synth
        self.density = density
        self._reach = 1 + (length - 1) // clock.block  # earlier blocks whose grains can reach a block
        self._cache: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _grains(self, block: int):
        """(sample positions, waves, gains) of the grains starting in block `block` (0 .. blocks-1)."""
        if block not in self._cache:
            clock = self.clock
            start = clock.block_start(block)
            end = min(start + clock.block, clock.samples)
            rng = clock.rng(*self.key, block)
            count = rng.poisson(self.rate * (end - start) / SAMPLE_RATE)
            positions = np.sort(rng.integers(start, end, count))
            keep = rng.random(count)
            if self.density is not None:
                keep = keep < self.density(positions / SAMPLE_RATE)
            else:
                keep = np.ones(count, bool)
            positions = positions[keep]
            waves, gains = self.synth(rng, positions / SAMPLE_RATE)
            if len(self._cache) > self._reach:  # a block needs its own grains and `reach` blocks before
                self._cache.pop(next(iter(self._cache)))
            self._cache[block] = (positions, waves.astype(np.float32), gains.astype(np.float32))
        return self._cache[block]

    def render(self, block: int) -> np.ndarray:
        clock = self.clock
        out = np.zeros((clock.block, 2), np.float32)
        start = clock.block_start(block)
        for source in range(block - self._reach, block + 1):
            if source < 0 and not clock.loop:
                continue
            wrapped = source % clock.blocks
            shift = 0 if source >= 0 else -clock.samples  # the last blocks, one loop earlier
            positions, waves, gains = self._grains(wrapped)
            if len(positions):
                add_grains(out, positions + shift - start, waves, gains)
        return out


def add_grains(out: np.ndarray, offsets: np.ndarray, waves: np.ndarray, gains: np.ndarray) -> None:
    """Add grains (m, length) starting at sample offsets (m,) into out (n, 2), with gains (m, 2)."""
    n, length = len(out), waves.shape[1]
    # One slice-add per grain: far cheaper than scattering every sample (bincount) for long grains.
    for offset, wave, (left, right) in zip(offsets.tolist(), waves, gains.tolist()):
        lo, hi = max(0, -offset), min(length, n - offset)
        if lo < hi:
            piece = wave[lo:hi]
            out[offset + lo : offset + hi, 0] += piece * left
            out[offset + lo : offset + hi, 1] += piece * right


class EventTrack:
    """A few long sounds at known times (thunder), each made once when first heard.

    events: (start sample, length, make) where make() -> (length, 2) float32. In a looped clip an
    event running past the end is heard again from the start.
    """

    def __init__(self, clock: Clock, events: list[tuple[int, int, Callable[[], np.ndarray]]]):
        self.clock, self.events = clock, events
        self._made: dict[int, np.ndarray] = {}

    def render(self, block: int) -> np.ndarray:
        clock = self.clock
        out = np.zeros((clock.block, 2), np.float32)
        start = clock.block_start(block)
        heard = set()
        for k, (at, length, make) in enumerate(self.events):
            # A looped clip hears a sound running past its end again from the start (more than once
            # if the sound is longer than the clip).
            wraps = (at + length - 1) // clock.samples if clock.loop else 0
            for shift in range(0, -(wraps + 1) * clock.samples, -clock.samples):
                lo, hi = max(at + shift, start), min(at + shift + length, start + clock.block)
                if lo >= hi:
                    continue
                if k not in self._made:
                    self._made[k] = make()
                heard.add(k)
                out[lo - start : hi - start] += self._made[k][lo - at - shift : hi - at - shift]
        for k in list(self._made):  # keep only the sounds still playing: memory stays flat
            if k not in heard:
                del self._made[k]
        return out


# --- grain waveforms ------------------------------------------------------------------------------

def grain_axis(length: int) -> np.ndarray:
    return np.arange(length, dtype=np.float32) / SAMPLE_RATE


def damped_sines(length: int, freq, decay, amp, chirp=0.0, attack: float = 0.0) -> np.ndarray:
    """Modal impulses: amp * exp(-t/decay) * sin(2 pi f0 (t + chirp t^2 / 2)), one row per grain.

    chirp > 0 makes the pitch rise (f = f0 (1 + chirp t)): a surfacing bubble.
    """
    t = grain_axis(length)[None, :]
    freq, decay, amp = (np.asarray(v, np.float32)[:, None] for v in (freq, decay, amp))
    chirp = np.asarray(chirp, np.float32).reshape(-1, 1) if np.ndim(chirp) else np.float32(chirp)
    # In place, two grain-sized arrays at most: clouds make hundreds of grains a block.
    wave = (0.5 * chirp) * (t * t) + t
    wave = wave * (np.float32(2 * np.pi) * freq)  # (grains, length)
    np.sin(wave, out=wave)
    envelope = np.divide(-t, decay)
    np.exp(envelope, out=envelope)
    envelope *= amp
    if attack > 0:
        envelope *= np.minimum(np.float32(1.0), t / np.float32(attack))
    wave *= envelope
    return wave


def noise_bursts(rng: np.random.Generator, count: int, length: int, low, high, attack, decay, amp) -> np.ndarray:
    """Short bursts of band-passed noise (count, length): a tick, a crackle, a slap of water.

    low/high (Hz), attack/decay (s) and amp are scalars or one value per burst.
    """
    if count == 0:
        return np.zeros((0, length), np.float32)
    freqs = np.fft.rfftfreq(length, 1.0 / SAMPLE_RATE)[None, :]
    low, high, attack, decay, amp = (np.asarray(v, np.float32).reshape(-1, 1) for v in (low, high, attack, decay, amp))
    f = np.maximum(freqs, 1.0)
    shape = 1.0 / np.sqrt((1.0 + (low / f) ** 4) * (1.0 + (f / high) ** 4))
    spectra = (rng.standard_normal((count, freqs.shape[1])) + 1j * rng.standard_normal((count, freqs.shape[1]))) * shape
    bursts = np.fft.irfft(spectra, n=length, axis=1)
    bursts /= np.sqrt(np.mean(bursts**2, axis=1, keepdims=True)) + 1e-12
    t = grain_axis(length)[None, :]
    envelope = np.minimum(1.0, t / np.maximum(attack, 1e-5)) * np.exp(-np.maximum(t - attack, 0) / decay)
    return (amp * envelope * bursts).astype(np.float32)


def log_uniform(rng: np.random.Generator, low: float, high: float, size) -> np.ndarray:
    return np.exp(rng.uniform(math.log(low), math.log(high), size))
