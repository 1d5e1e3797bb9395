"""Water by kind: a babbling stream, slow surf swells, lapping at a shore.

- stream (Farnell's babbling brook): a dense cloud of small bubbles, each a sine that rises in
  pitch as it rings down (Minnaert's resonance as the bubble surfaces), over a bed of
  turbulent noise. Strength: more bubbles; speed: more and brighter.
- surf: waves with a whole number of periods over the clip (so a loop holds whole waves). Each
  wave swells as a low rumble, breaks as a bright broadband crash and washes back as a hissing
  fizz of tiny bubbles; a constant distant surf lies under it. Speed shortens the period.
- lapping (a lake, a pond): a few soft slaps a second, each a hollow low ring and a short burst
  of filtered noise, with a trickle of small bubbles over quiet low noise.
"""

from __future__ import annotations

import math

import numpy as np

from ..bed import Bed, Context
from ..clock import SAMPLE_RATE, periodic_lfo
from ..grains import GrainCloud, damped_sines, log_uniform, noise_bursts
from ..noise import ShapedNoise, band, tilt
from ..space import scatter_pans


def water(ctx: Context, effect, index: int) -> Bed:
    kind = ctx.reader.water_kind(effect, ctx.settings.water)
    return {"stream": stream, "surf": surf, "lapping": lapping}[kind](ctx, effect, index)


def _bubbles(ctx: Context, effect, level, low_hz: float, high_hz: float, length: int, gain: float = 1.0):
    """A synth of surfacing bubbles around the effect's place."""
    place = ctx.reader.placement(effect)

    def synth(rng, times):
        count = len(times)
        f0 = log_uniform(rng, low_hz, high_hz, count)
        damping = 0.043 * f0 + 0.0014 * f0**1.5  # Minnaert bubble damping, 1/s
        decay = np.minimum(1.0 / damping, length / SAMPLE_RATE / 4)
        amp = log_uniform(rng, 0.1, 1.0, count) * np.sqrt(1000.0 / f0) * level(times) * gain
        waves = damped_sines(length, f0, decay, amp, chirp=rng.uniform(0.3, 1.2, count) / decay, attack=0.0005)
        return waves, scatter_pans(rng, count, place.pan, 0.15 + 0.6 * place.width)

    return synth


def stream(ctx: Context, effect, index: int) -> Bed:
    strength, speed = effect.strength, effect.speed
    level = ctx.level(effect)
    place = ctx.reader.placement(effect)
    churn = periodic_lfo(ctx.rng(index, "stream-churn"), ctx.clock, 0.1, 0.6)

    def turbulence(t, f):
        gain = level(t) * (1 + 0.2 * churn(t))
        return gain[:, None] * band(f, 120, 2500 + 2500 * min(speed, 2.0), 1.5) * tilt(f, -2.0, 500)

    rate = (120 + 500 * strength) * math.sqrt(speed)
    bubbles = GrainCloud(ctx.clock, ctx.key(index, "stream-bubbles"), rate, 2880,
                         _bubbles(ctx, effect, level, 400 + 150 * speed, 2600 + 600 * speed, 2880))
    noise = ShapedNoise(ctx.clock, ctx.key(index, "stream-noise"), turbulence, place, flutter=0.25)
    return Bed("stream", strength, -1.0, [noise, bubbles], [0.25, 0.5])


def surf(ctx: Context, effect, index: int) -> Bed:
    strength, speed = effect.strength, effect.speed
    level = ctx.level(effect)
    clock = ctx.clock
    rng = ctx.rng(index, "surf-waves")
    duration = clock.duration
    waves = max(1, min(clock.cycles(speed / 5.5), int(duration // 3.5)))  # about 5.5 s a wave, at least 3.5 s
    period = duration / waves
    breaks = (np.arange(waves) + rng.uniform(0.45, 0.65, waves)) * period  # when each wave breaks
    heights = rng.uniform(0.7, 1.0, waves)

    def envelope(t, shape):
        """Sum over the waves (and their copies a clip earlier and later: the waves are periodic)."""
        t = np.asarray(t, np.float64)
        total = np.zeros_like(t)
        for at, height in zip(breaks, heights):
            for shift in (-duration, 0.0, duration):
                total += height * shape(t - at - shift)
        return total

    def swell(x):  # the rumble builds before the break and ebbs after it
        return np.exp(-((x + 0.4) / 1.6) ** 2)

    def crash(x):  # the break: up in a third of a second, then it dies into the wash
        after = np.maximum(x, 0)
        return (x >= 0) * (0.5 - 0.5 * np.cos(np.pi * np.minimum(after / 0.3, 1.0))) * np.exp(-after / 0.9)

    def wash(x):  # the foam hissing back
        return (x >= 0) * (1 - np.exp(-np.maximum(x, 0) / 0.35)) * np.exp(-np.maximum(x, 0) / 2.2)

    def surf_shape(t, f):
        gain = level(t)[:, None]
        s, c, w = (envelope(t, shape)[:, None] for shape in (swell, crash, wash))
        bright = 1500 + 6000 * c  # the break opens the spectrum
        return gain * (0.25 * band(f, 40, 1200, 1.5) + s * band(f, 30, 500, 2.0)
                       + 1.2 * c * band(f, 150, bright, 1.5) * tilt(f, -1.5, 1000)
                       + 0.5 * w * band(f, 1500, 12000, 1.5))

    place = ctx.reader.placement(effect, width=0.9)

    def fizz_density(times):
        return np.clip(envelope(times, wash), 0, 1)

    fizz = GrainCloud(clock, ctx.key(index, "surf-fizz"), 900 * (0.5 + strength), 480,
                      _bubbles(ctx, effect, level, 2500, 9000, 480, gain=0.5), density=fizz_density)
    noise = ShapedNoise(clock, ctx.key(index, "surf"), surf_shape, place)
    return Bed("surf", strength, 0.0, [noise, fizz], [1.0, 0.35])


def lapping(ctx: Context, effect, index: int) -> Bed:
    strength, speed = effect.strength, effect.speed
    level = ctx.level(effect)
    place = ctx.reader.placement(effect)
    calm = periodic_lfo(ctx.rng(index, "lake-calm"), ctx.clock, 0.05, 0.2)
    length = 12000  # 250 ms

    def slaps(rng, times):
        count = len(times)
        amp = log_uniform(rng, 0.3, 1.0, count) * level(times)
        ring = damped_sines(length, log_uniform(rng, 110, 380, count), rng.uniform(0.02, 0.045, count), amp, attack=0.004)
        splash = noise_bursts(rng, count, length, rng.uniform(150, 350, count), rng.uniform(1000, 2600, count),
                              rng.uniform(0.004, 0.015, count), rng.uniform(0.025, 0.07, count), 0.5 * amp)
        return ring + splash, scatter_pans(rng, count, place.pan, 0.1 + 0.6 * place.width)

    def bed_shape(t, f):
        return (level(t) * (1 + 0.3 * calm(t)))[:, None] * band(f, 50, 700, 1.5)

    slap_cloud = GrainCloud(ctx.clock, ctx.key(index, "lake-slaps"), (0.8 + 2.5 * strength) * speed, length, slaps)
    trickle = GrainCloud(ctx.clock, ctx.key(index, "lake-bubbles"), (6 + 20 * strength) * speed, 1440,
                         _bubbles(ctx, effect, level, 700, 2400, 1440, gain=0.4))
    noise = ShapedNoise(ctx.clock, ctx.key(index, "lake-noise"), bed_shape, place)
    return Bed("lapping", strength, -5.0, [noise, slap_cloud, trickle], [0.3, 0.25, 0.3])
