"""Electric light: the hum of a neon sign or lamp and the buzz when it flickers.

The hum is mains hum: the mains frequency (50 or 60 Hz) and its harmonics, strongest at twice
the mains (magnetostriction in the transformer), from a one-cycle wavetable. When the tube
flickers it drops out in short bursts: the hum sags with the light, a harsh harmonic buzz (the
arc struggling) rises, and each switch gives a small tick.

The on/off pattern here is drawn from the plan's seed and the effect's strength and speed
(more strength: more and deeper drop-outs). The picture's flicker follows the light sources
found in the pixels; when the renderer exposes its schedule, `Neon.dropouts` is the one thing
to replace.
"""

from __future__ import annotations

import numpy as np

from ..bed import Bed, Context
from ..clock import SAMPLE_RATE
from ..grains import EventTrack, noise_bursts

TABLE = 4096


def _wavetable(amplitudes: dict[int, float], rng: np.random.Generator) -> np.ndarray:
    """One cycle (TABLE samples, plus a wrap sample) of a sum of harmonics, RMS 1, random phases."""
    x = np.arange(TABLE + 1) / TABLE
    wave = sum(a * np.sin(2 * np.pi * h * x + rng.uniform(0, 2 * np.pi)) for h, a in amplitudes.items())
    return (wave / np.sqrt(np.mean(wave[:-1] ** 2))).astype(np.float32)


def _smooth_box(t: np.ndarray, start: float, end: float, ramp: float) -> np.ndarray:
    return np.clip((t - start) / ramp + 0.5, 0, 1) * np.clip((end - t) / ramp + 0.5, 0, 1)


class Neon:
    def __init__(self, ctx: Context, effect, index: int):
        clock = self.clock = ctx.clock
        self.level = ctx.level(effect)
        self.mains = clock.tune(float(ctx.settings.mains_hz))
        rng = ctx.rng(index, "neon")
        hum = {1: 0.3, 2: 1.0, 3: 0.25, 4: 0.45}
        hum.update({h: (0.5 if h % 2 == 0 else 0.22) / (h / 2) ** 1.3 for h in range(5, 21)})
        self.hum = _wavetable(hum, rng)
        top = int(7000 // self.mains)
        self.buzz = _wavetable({h: (1.4 if h % 2 == 0 else 0.8) / h**0.8 for h in range(2, top)}, rng)
        self.depth = 0.5 + 0.45 * effect.strength
        self.dropouts = self._dropouts(ctx.rng(index, "neon-flicker"), effect, clock.duration)
        self.place = ctx.reader.placement(effect, width=0.3)
        ticks = []
        for _, offs in self.dropouts:
            for edge in (t for off in offs for t in off):
                at = int(edge * SAMPLE_RATE)
                loudness = 0.6 * float(self.level(np.array([edge]))[0])
                ticks.append((at, 240, self._tick(ctx, index, at, loudness)))
        self.ticks = EventTrack(clock, ticks)

    @staticmethod
    def _dropouts(rng, effect, duration):
        """[(window (start, end), [(off start, off end), ...])]: bursts of drop-outs inside the clip."""
        count = max(1, rng.poisson(duration * (0.15 + 0.8 * effect.strength) * effect.speed))
        found = []
        for start in np.sort(rng.uniform(0.05 * duration, 0.9 * duration, count)):
            t, offs = start, []
            for _ in range(rng.integers(1, 6)):
                t += rng.uniform(0.02, 0.12) / effect.speed
                off = rng.uniform(0.02, 0.15) / effect.speed
                offs.append((t, min(t + off, 0.97 * duration)))
                t += off
            found.append(((start - 0.03, min(t + 0.05, 0.98 * duration)), offs))
        return found

    @staticmethod
    def _tick(ctx, index, at, loudness):
        def make():  # a fresh generator each time: a tick heard twice (a loop) is the same tick
            rng = ctx.rng(index, f"neon-tick-{at}")
            burst = noise_bursts(rng, 1, 240, 2000, 12000, 0.00005, 0.0007, loudness)[0]
            return np.stack([burst, burst], axis=1)
        return make

    def render(self, block: int) -> np.ndarray:
        clock = self.clock
        n = clock.block_start(block) + np.arange(clock.block)
        t = n / SAMPLE_RATE
        phase = (n * self.mains / SAMPLE_RATE) % 1.0 * TABLE
        lower = phase.astype(np.int64)
        frac = (phase - lower).astype(np.float32)
        gate = np.ones(len(t))
        arc = np.zeros(len(t))
        t_lo, t_hi = t[0] - 0.05, t[-1] + 0.05
        for (w_start, w_end), offs in self.dropouts:
            if w_end < t_lo or w_start > t_hi:
                continue
            arc = np.maximum(arc, _smooth_box(t, w_start, w_end, 0.02))
            for off_start, off_end in offs:
                gate -= self.depth * _smooth_box(t, off_start, off_end, 0.0015)
        gate = np.clip(gate, 0, 1)

        def look(table):
            return table[lower] * (1 - frac) + table[lower + 1] * frac

        mono = self.level(t) * (look(self.hum) * (0.35 + 0.65 * gate) + look(self.buzz) * (0.06 + 0.5 * arc * gate))
        left, right = self.place.gains()
        out = np.stack([mono * left, mono * right], axis=1).astype(np.float32)
        return out + self.ticks.render(block) * 0.5


def neon(ctx: Context, effect, index: int) -> Bed:
    return Bed("neon", effect.strength, -9.0, [Neon(ctx, effect, index)])
