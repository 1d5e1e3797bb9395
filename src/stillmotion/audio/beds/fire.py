"""Fire and steam.

Fire (Farnell): a low roar (noise under a few hundred hertz whose level laps at a few hertz),
a faint hiss, crackles (sharp clicks of high noise, in bursts: their density rides a fast
random signal) and now and then a pop (a lower ring, as wood splits). Strength: a bigger fire,
louder roar and more crackles. Steam: a soft high hiss that swells slowly.
"""

from __future__ import annotations

import numpy as np

from ..bed import Bed, Context
from ..clock import periodic_lfo
from ..grains import GrainCloud, damped_sines, log_uniform, noise_bursts
from ..noise import ShapedNoise, band, resonance, tilt
from ..space import scatter_pans


def fire(ctx: Context, effect, index: int) -> Bed:
    strength, speed = effect.strength, effect.speed
    level = ctx.level(effect)
    place = ctx.reader.placement(effect, width=0.6)
    lapping = periodic_lfo(ctx.rng(index, "fire-lap"), ctx.clock, 0.5 * speed, 3.0 * speed)
    bursts = periodic_lfo(ctx.rng(index, "fire-bursts"), ctx.clock, 0.3 * speed, 2.0 * speed)

    def roar_shape(t, f):
        gain = level(t) * np.clip(0.7 + 0.3 * lapping(t), 0.2, 1.2)
        return gain[:, None] * (resonance(f, 70 + 60 * strength, 0.8) * band(f, 25, 400, 2.0) + 0.05 * band(f, 1500, 7000, 2.0))

    def crackle_density(times):
        return level(times) * np.clip(0.35 + 0.75 * bursts(times), 0, 1) ** 2

    def crackles(rng, times):
        count = len(times)
        amp = log_uniform(rng, 0.1, 0.42, count)
        waves = noise_bursts(rng, count, 480, rng.uniform(1200, 3000, count), rng.uniform(6000, 14000, count),
                             0.00005, rng.uniform(0.0002, 0.0012, count), amp)
        return waves, scatter_pans(rng, count, place.pan, 0.1 + 0.5 * place.width)

    def pops(rng, times):
        count = len(times)
        amp = log_uniform(rng, 0.4, 1.0, count) * level(times)
        ring = damped_sines(1440, log_uniform(rng, 250, 900, count), rng.uniform(0.004, 0.012, count), amp, attack=0.0002)
        snap = noise_bursts(rng, count, 1440, 800, 9000, 0.00005, 0.001, amp)
        return ring + snap, scatter_pans(rng, count, place.pan, 0.1 + 0.4 * place.width)

    roar = ShapedNoise(ctx.clock, ctx.key(index, "fire-roar"), roar_shape, place, flutter=0.15)
    crackle = GrainCloud(ctx.clock, ctx.key(index, "fire-crackle"), 60 + 300 * strength, 480, crackles, density=crackle_density)
    pop = GrainCloud(ctx.clock, ctx.key(index, "fire-pop"), 0.4 + 2.5 * strength, 1440, pops)
    return Bed("fire", strength, -2.0, [roar, crackle, pop], [0.3 + 0.4 * strength, 0.3, 0.08])


def steam(ctx: Context, effect, index: int) -> Bed:
    level = ctx.level(effect)
    swell = periodic_lfo(ctx.rng(index, "steam-swell"), ctx.clock, 0.1 * effect.speed, 0.5 * effect.speed)

    def shape(t, f):
        gain = level(t) * np.clip(1 + 0.3 * swell(t), 0.3, 1.5)
        return gain[:, None] * band(f, 2500, 11000, 2.0) * tilt(f, 1.5, 5000)

    place = ctx.reader.placement(effect, width=0.5)
    return Bed("steam", effect.strength, -10.0, [ShapedNoise(ctx.clock, ctx.key(index, "steam"), shape, place, flutter=0.08)])
