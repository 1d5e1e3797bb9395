"""Rain: a hiss of countless far drops and a cloud of near ones on varied surfaces.

The hiss is broadband noise, bright for a light shower; heavy rain fills in the low mids (the
roar of a downpour) and gets louder next to the drops. Near drops are grains: ticks on hard
surfaces (short bursts of high noise), dull pats on leaves and cloth (low damped sines) and, when
the picture has water, plinks on it (a small bubble's rising ring, Minnaert's resonance). More
strength: more and heavier drops; more speed: a little denser.
"""

from __future__ import annotations

import math

import numpy as np

from ..bed import Bed, Context
from ..clock import periodic_lfo
from ..grains import GrainCloud, damped_sines, log_uniform, noise_bursts
from ..noise import ShapedNoise, band, tilt
from ..space import Placement, scatter_pans

PLINK_LENGTH = 1920  # 40 ms: four times the longest plink's decay
TICK_LENGTH = 960


def rain(ctx: Context, effect, index: int) -> Bed:
    strength, speed = effect.strength, effect.speed
    level = ctx.level(effect)
    sway = periodic_lfo(ctx.rng(index, "rain-sway"), ctx.clock, 0.05, 0.25)
    low = 700 - 500 * strength  # heavier rain reaches lower

    def hiss_shape(t, f):
        gain = level(t) * (1 + 0.15 * sway(t))
        body = band(f, low, 9000 + 5000 * strength, 1.5) * tilt(f, -1.0, 3000)
        roar = band(f, 90, 700, 1.0) * (0.7 * strength**2)
        return gain[:, None] * (body + roar)

    water = ctx.reader.has_water()
    share_plink = 0.4 if water else 0.0
    length = PLINK_LENGTH if water else TICK_LENGTH

    def drops(rng, times):
        count = len(times)
        kind = rng.random(count)
        plink = kind < share_plink
        tick = ~plink & (kind < share_plink + (1 - share_plink) * 0.6)
        amp = log_uniform(rng, 0.05, 0.6, count) * level(times)
        waves = np.zeros((count, length), np.float32)
        if tick.any():
            n = int(tick.sum())
            waves[tick, :480] = noise_bursts(rng, n, 480, rng.uniform(1500, 3500, n), rng.uniform(7000, 14000, n),
                                             0.0001, rng.uniform(0.0006, 0.002, n), amp[tick])
        soft = ~plink & ~tick
        if soft.any():
            n = int(soft.sum())
            waves[soft, :960] = damped_sines(960, log_uniform(rng, 500, 2200, n), rng.uniform(0.0015, 0.004, n),
                                             amp[soft] * 0.8, attack=0.0002)
        if plink.any():
            n = int(plink.sum())
            decay = rng.uniform(0.003, 0.010, n)
            waves[plink] = damped_sines(length, log_uniform(rng, 1200, 4500, n), decay, amp[plink] * 0.7,
                                        chirp=rng.uniform(0.4, 1.5, n) / decay, attack=0.0003)
        return waves, scatter_pans(rng, count, 0.0, 0.9)

    rate = (40 + 900 * strength**2) * math.sqrt(speed)
    hiss = ShapedNoise(ctx.clock, ctx.key(index, "rain-hiss"), hiss_shape, Placement(0.0, 0.9))
    cloud = GrainCloud(ctx.clock, ctx.key(index, "rain-drops"), rate, length, drops)
    # A drizzle is mostly separate drops; a downpour mostly hiss.
    return Bed("rain", strength, 0.0, [hiss, cloud], [0.06 + 0.3 * strength**2, 0.35])

