"""Wind and air: moving air for foliage, snow, fog, petals and storms; quiet air for clouds and rooms.

Wind (Farnell): noise through a band-pass whose centre and level follow a slow gust signal,
with low buffeting when it blows hard. The effects that make wind share one bed (several winds
at once would only blur each other): the strongest sets its character and level, each keeps
its own timing. Foliage adds a rustle of leaves: high noise whose level jumps from frame to
frame (flutter), riding the same gusts.

Air: very quiet, dark noise that breathes slowly; for clouds, and for a room when asked.
"""

from __future__ import annotations

import numpy as np

from ..bed import Bed, Context
from ..clock import periodic_lfo
from ..noise import ShapedNoise, band, resonance, tilt
from ..space import Placement

# type: (presence dB, band centre Hz, gustiness 0..1)
WINDS = {
    "foliage": (-4.0, 450.0, 0.8),
    "petals": (-8.0, 400.0, 0.6),
    "snow": (-7.0, 260.0, 0.5),
    "fog": (-10.0, 220.0, 0.3),
    "lightning": (-9.0, 300.0, 0.9),  # the storm around the thunder
}


def wind(ctx: Context, effects: list[tuple[object, int]]) -> Bed:
    """One wind bed for all wind-making effects [(effect, index)]."""
    def loudness(item):
        effect, _ = item
        return WINDS[effect.type][0] + 6 * effect.strength

    driver, index = max(effects, key=loudness)
    presence, centre, gusty = WINDS[driver.type]
    levels = [ctx.level(effect) for effect, _ in effects]
    gust_lfo = periodic_lfo(ctx.rng(index, "wind-gusts"), ctx.clock, 0.08 * driver.speed, 0.4 * driver.speed)

    def level(t):
        return np.max([lv(t) for lv in levels], axis=0)

    def gusts(t):
        return np.clip(0.55 + 0.45 * gust_lfo(t) * gusty, 0.05, 1.0)

    def air_shape(t, f):
        g = gusts(t)[:, None]
        gain = level(t)[:, None] * (0.3 + 0.7 * g) ** 2
        moving = resonance(f, centre * (0.6 + 0.9 * g), 1.1)
        buffet = band(f, 25, 160, 2.0) * (0.6 * g * gusty)
        return gain * (moving + buffet) * band(f, 30, 7000, 1.0)

    parts = [ShapedNoise(ctx.clock, ctx.key(index, "wind"), air_shape, Placement(0.0, 0.85))]
    weights = [1.0]
    foliage = [(effect, i) for effect, i in effects if effect.type == "foliage"]
    if foliage:
        leaves, leaf_index = foliage[0]
        leaf_level = ctx.level(leaves)

        def rustle_shape(t, f):
            g = gusts(t)[:, None]
            return (leaf_level(t)[:, None] * g**1.5) * band(f, 1800, 11000, 1.5) * tilt(f, -1.5, 4000)

        place = ctx.reader.placement(leaves, width=0.9)
        parts.append(ShapedNoise(ctx.clock, ctx.key(leaf_index, "rustle"), rustle_shape, place, flutter=0.6))
        weights.append(0.45)
    return Bed("wind", driver.strength, presence, parts, weights)


def air(ctx: Context, effect, index: int, presence: float = -14.0, name: str = "air") -> Bed:
    """Quiet moving air (clouds); with effect None, a still room's tone."""
    level = ctx.level(effect) if effect is not None else (lambda t: np.ones_like(np.asarray(t, np.float64)))
    breath = periodic_lfo(ctx.rng(index, name), ctx.clock, 0.03, 0.12)
    low, high = (30, 2500) if effect is not None else (40, 1200)

    def shape(t, f):
        gain = level(t) * (1 + 0.25 * breath(t))
        return gain[:, None] * band(f, low, high, 1.5) * tilt(f, -3.0, 200)

    strength = effect.strength if effect is not None else 0.5
    return Bed(name, strength, presence, [ShapedNoise(ctx.clock, ctx.key(index, name), shape, Placement(0.0, 0.8))])


def room_tone(ctx: Context) -> Bed:
    return air(ctx, None, 0, presence=-22.0, name="room")  # its own stream name keeps it apart from effect 0
