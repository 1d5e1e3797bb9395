"""Thunder after each lightning flash the picture shows.

The flashes are the picture's own (`flash_events`, from the same generator the lightning effect
draws first), so each rumble follows a flash that is on screen. Each flash gets a distance: the
sound arrives 0.5 to 3 s later (170 m to 1 km at 343 m/s). Near thunder is louder and starts
with a tearing crack (broadband noise that dies in a fraction of a second); far thunder is a
duller rumble that swells in more slowly. The rumble is noise mostly below 150 Hz that decays
over a few seconds with a few rolls (echoes off the clouds), each roll quieter than the onset,
so the low end peaks right after the delay. Its loudness follows the flash's brightness (the
pulses' amplitudes) and the lightning's level at that moment.
"""

from __future__ import annotations

import math

import numpy as np

from ...effects.light.lightning import flash_events as picture_flashes
from ..bed import Bed, Context
from ..clock import SAMPLE_RATE
from ..grains import EventTrack
from ..noise import band, tilt
from ..space import Placement

DELAY = (0.5, 3.0)  # seconds between a flash and its thunder


def flash_events(effect, index: int, plan):
    """The flashes of the lightning effect at `index`, exactly as the picture draws them."""
    return picture_flashes(effect, plan.canvas.duration, np.random.default_rng([plan.seed, index]))


def thunder_events(ctx: Context, effect, index: int) -> list[tuple[float, float, float, float]]:
    """[(flash time, thunder onset, loudness 0..1, nearness 0..1)], one per flash."""
    rng = ctx.rng(index, "thunder")
    level = ctx.level(effect)
    found = []
    duration = ctx.plan.canvas.duration
    for start, pulses in flash_events(effect, index, ctx.plan):
        # A clip that does not loop ends: a late flash gets nearer thunder, so at least a second of
        # it is heard (a loop wraps the rumble round to the start instead).
        latest = DELAY[1] if ctx.plan.loop else min(DELAY[1], max(DELAY[0], duration - start - 1.0))
        delay = rng.uniform(DELAY[0], latest)
        near = 1.0 - (delay - DELAY[0]) / (DELAY[1] - DELAY[0])
        brightness = min(1.0, sum(amplitude for _, amplitude, _ in pulses) / 2.5)
        loudness = brightness * float(level(np.array([start]))[0]) * (0.45 + 0.55 * near)
        found.append((start, start + delay, loudness, near))
    return found


def _rumble(ctx: Context, index: int, number: int, loudness: float, near: float):
    """A function making one thunder's (length, 2) samples, and its length.

    Made in float32, in a whole number of 100 ms steps (a fast FFT size); the crack's noise only
    for its first two seconds: a few megabytes while it plays.
    """
    step = SAMPLE_RATE // 10
    length = math.ceil((3.5 + 2.5 * (1 - near) + 1.5 * loudness) * 10) * step
    crack_length = 20 * step

    def make() -> np.ndarray:
        rng = ctx.rng(index, f"thunder-{number}")

        def noise(size, shape):
            """One channel of unit-variance noise of the given colour."""
            freqs = np.fft.rfftfreq(size, 1.0 / SAMPLE_RATE).astype(np.float32)
            spectrum = np.empty(len(freqs), np.complex64)
            spectrum.real = rng.standard_normal(len(freqs), dtype=np.float32)
            spectrum.imag = rng.standard_normal(len(freqs), dtype=np.float32)
            spectrum *= shape(freqs)
            signal = np.fft.irfft(spectrum, n=size)
            signal /= np.std(signal) + 1e-12
            return signal

        x = np.arange(length, dtype=np.float32) / SAMPLE_RATE
        attack = 0.04 + 0.25 * (1 - near)
        decay = 1.2 + 1.3 * (1 - near)
        rolls = np.ones(length, np.float32)
        for _ in range(rng.integers(2, 6)):
            at = rng.uniform(0.4, 2.8)
            # Each roll lifts the decayed rumble at most 45% of the way back to the onset level.
            rise = rng.uniform(0.15, 0.45) * (np.exp(at / decay) - 1)
            rolls += rise * np.exp(-(((x - at) / rng.uniform(0.15, 0.5)) ** 2))
        body = np.exp(-x / decay)
        body *= rolls
        del rolls
        rise_end = int(attack * SAMPLE_RATE)
        body[:rise_end] *= (x[:rise_end] / attack) ** 2
        fade = int(0.3 * SAMPLE_RATE)
        body[-fade:] *= np.linspace(1, 0, fade, dtype=np.float32)  # no edge at its end
        body *= loudness
        out = np.empty((length, 2), np.float32)
        for channel in range(2):
            out[:, channel] = noise(length, lambda f: band(f, 22, 90 + 110 * near, 2.5))
            out[:, channel] *= body
        # The crack tears: its level jumps every 5 ms as it dies away.
        onset = np.minimum(1.0, x[:crack_length] / attack) ** 2
        jumps = np.clip(1 + 0.6 * rng.standard_normal(crack_length // 240), 0, 3).astype(np.float32).repeat(240)
        tearing = onset * np.exp(-x[:crack_length] / (0.12 + 0.25 * near)) * jumps * ((0.1 + 0.6 * near**2) * loudness)
        def crack_colour(f):
            return band(f, 150, 1500 + 4000 * near, 1.5) * tilt(f, -2.0, 300)

        for channel in range(2):
            out[:crack_length, channel] += tearing * noise(crack_length, crack_colour)
        del x, body, onset, tearing
        return Placement(pan=rng.uniform(-0.4, 0.4), width=0.6).spread_pair(out)

    return make, length


def thunder(ctx: Context, effect, index: int) -> Bed | None:
    clock = ctx.clock
    events = []
    for number, (_, onset, loudness, near) in enumerate(thunder_events(ctx, effect, index)):
        at = round(onset * SAMPLE_RATE)
        if clock.loop:
            at %= clock.samples  # heard again from the start of the loop
        elif at >= clock.samples:
            continue  # after the clip ends
        if loudness > 1e-3:
            make, length = _rumble(ctx, index, number, loudness, near)
            events.append((at, length, make))
    if not events:
        return None
    return Bed("thunder", effect.strength, 0.0, [EventTrack(clock, events)])
