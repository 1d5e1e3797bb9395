"""Time, for every effect: when it shows (the envelope), easing curves, and periodic motion.

The one timing rule (Effect.apply applies it to every effect): an effect shows with
`envelope(...)`, 0 before its `start`, easing in over `ramp` seconds, easing out over the last
`ramp` seconds before its `end`, and 0 after. Frame 0 is always the photo (0 at t = 0).
Effects whose own motion starts from rest (a warp whose displacement is zero at t = 0: water,
clouds, a blink) need no ease-in at t = 0 and, being periodic over a loop, no ease-out at the
loop point; effects that add something to the picture (rain, fog, a glow) ease in at t = 0 and,
in a loop, ease out before the loop point, so the last frame flows into the first.

Loops close because every periodic motion runs a whole number of cycles over the clip:
`whole_cycles`, `loop_frequency` and `loop_period` choose them.
"""

from __future__ import annotations

import math

import numpy as np


def default_ramp(duration: float) -> float:
    """Seconds of an effect's ease in and out: 15% of the clip, at most one second."""
    return min(1.0, 0.15 * duration)


def envelope(spec, duration: float, loop: bool, t: float, *, ramp: float | None = None, at_rest: bool = False) -> float:
    """How much of an effect shows at time t, 0..1 (spec: its plan.Effect, for start and end).

    at_rest: the effect's own motion is zero at t = 0 and periodic over a loop, so it needs no
    ease-in when it starts at 0 and no ease-out at the loop point.
    """
    start = spec.start
    if t <= 0 or t < start or (t == start and not (at_rest and start == 0)):
        return 0.0
    ramp = max(default_ramp(duration) if ramp is None else ramp, 1e-3)
    amount = 1.0 if (at_rest and start == 0) else ease((t - start) / ramp)
    end = spec.end if spec.end is not None else (duration if loop and not at_rest else None)
    if end is not None:
        amount *= ease((min(end, duration) - t) / ramp)
    return amount


def ease(x: float) -> float:
    """Quintic ease 0..1 with zero slope and curvature at both ends (fades leave no visible kink)."""
    x = min(max(x, 0.0), 1.0)
    return x * x * x * (x * (6.0 * x - 15.0) + 10.0)


def smoothstep(edge0: float, edge1: float, x, dtype=np.float64):
    """Cubic Hermite step: 0 below edge0, 1 above edge1 (edge1 < edge0 gives a falling step).
    Works on numbers and arrays, computed in dtype."""
    span = edge1 - edge0 if edge1 != edge0 else 1e-9
    t = np.clip((np.asarray(x, dtype) - edge0) / span, 0.0, 1.0)
    return t * t * (3 - 2 * t)


def whole_cycles(rate: float, period: float, minimum: int = 1) -> int:
    """The whole number of cycles closest to rate (per second) over period seconds: periodic motion."""
    return max(minimum, int(round(rate * period)))


def loop_frequency(desired_hz: float, duration: float, loop: bool) -> float:
    """Angular frequency (rad/s) for an oscillation; whole cycles per clip when looping."""
    if loop:
        return 2 * math.pi * whole_cycles(desired_hz, duration) / duration
    return 2 * math.pi * desired_hz


def loop_period(desired: float, duration: float, loop: bool) -> float:
    """A period near `desired` seconds; when looping, one that fits a whole number of times in the clip."""
    desired = max(0.05, desired)
    if not loop:
        return desired
    n = max(1, round(duration / desired))
    return duration / n


def periodic_signal(rng: np.random.Generator, period: float, low_hz: float, high_hz: float, terms: int = 6):
    """A random smooth signal s(t) in about -1..1, exactly periodic over `period` (integer frequencies)."""
    cycles = rng.integers(max(1, round(low_hz * period)), max(2, round(high_hz * period)) + 1, size=terms)
    phases = rng.uniform(0, 2 * np.pi, size=terms)
    weights = 1.0 / np.sqrt(cycles.astype(np.float64))
    weights = weights / weights.sum()
    omega = 2 * np.pi * cycles / period

    def signal(t: float) -> float:
        return float(np.sum(weights * np.sin(omega * t + phases)) * 1.6)

    return signal


def looped_scroll(t: float, period: float, velocity: float, loop: bool) -> tuple[float, float, float]:
    """Offsets and weight for a texture scrolled at `velocity`, seamless over `period` when looping.

    Returns (offset_a, offset_b, weight_b): sample the texture at both offsets and mix them.
    Looping uses two phases cross-faded (at t = 0 phase a, at t = period phase b, which equals
    phase a at 0): the Eulerian-motion trick, so any scroll speed loops.
    """
    if not loop:
        return velocity * t, 0.0, 0.0
    u = (t % period) / period
    return velocity * t, velocity * (t - period), u
