"""The soundtrack: beds measured, balanced, mixed and limited, block after block.

1. Measure: every bed is generated once and metered alone (BS.1770 K-weighted energy per
   100 ms). Only those energies, and a few milliseconds of the mix's start and end for a loop's
   seam, are kept, never the audio.
2. Balance: each bed gets the gain that brings it to its own target (-16 LUFS for a full
   ambience at strength 0.5, less for quiet sounds such as steam or a room). The mix's
   loudness is computed from the beds' energies (independent sounds add in power); a mix above
   -14.5 LUFS is turned down to it. What the limiter will take from the loudest moments is
   foreseen from each 100 ms step's peak and made up (at most +3 dB). Then the user's volume.
3. Render: the beds are generated again (they are pure functions of the block index), mixed,
   and passed through a true-peak limiter with a -1.5 dBTP ceiling.

Generating twice costs twice the synthesis, but memory stays flat for any clip length. Blocks
come out as `block_frames` video frames' worth of samples (48000 / fps each), so an encoder can
interleave them with the video frames; the samples never depend on the block size asked for.
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np

from .bed import Bed
from .clock import SAMPLE_RATE, Clock
from .limiter import HISTORY, LOOKAHEAD, Limiter
from .loudness import LoudnessMeter, integrated_loudness
from .score import beds_for
from .settings import AudioSettings

MIX_CEILING_LUFS = -14.5
TRUE_PEAK_CEILING_DB = -1.5  # below -1 dBTP with room for the limiter's smoothing and lossy codecs
MAX_MAKEUP_DB = 3.0  # how far the level may rise to make up for what the limiter takes
END_FADE = 0.02  # seconds: a clip that does not loop ends without a click


def procedural_blocks(plan, analysis=None, settings: AudioSettings | None = None) -> Iterator[np.ndarray]:
    """The scored soundtrack in internal blocks (the last one shorter), (n, 2) float32."""
    settings = settings or AudioSettings()
    clock = Clock.for_plan(plan)
    beds = beds_for(plan, analysis, settings)
    if not beds:
        yield from _silence(clock)
        return
    gains, head, tail = _measure(clock, beds, settings.volume)
    if not any(gain > 0 for gain in gains):  # every bed silent (say, all its events fall after the end)
        yield from _silence(clock)
        return
    limiter = Limiter(10 ** (TRUE_PEAK_CEILING_DB / 20), history=tail if clock.loop else None)
    for block in range(clock.blocks):
        mixed = sum(bed.render(block) * gain for bed, gain in zip(beds, gains) if gain > 0)
        mixed = _trim(mixed, clock, block)
        if not clock.loop:
            _fade_end(mixed, clock, block)
        released = limiter.process(np.asarray(mixed, np.float32))
        if released is not None:
            yield released
    yield limiter.flush(head if clock.loop else None)


def _measure(clock: Clock, beds: list[Bed], volume: float) -> tuple[list[float], np.ndarray, np.ndarray]:
    """Each bed's gain, and the start and end of the mix (for a loop's limiter), from one pass."""
    meters = [LoudnessMeter() for _ in beds]
    heads = [np.zeros((0, 2), np.float32) for _ in beds]
    tails = [np.zeros((0, 2), np.float32) for _ in beds]
    for block in range(clock.blocks):
        for k, bed in enumerate(beds):
            sound = _trim(bed.render(block), clock, block)
            meters[k].add(sound)
            if len(heads[k]) < LOOKAHEAD:
                heads[k] = np.concatenate([heads[k], sound])[:LOOKAHEAD]
            tails[k] = np.concatenate([tails[k], sound])[-HISTORY:]
    gains = []
    for bed, meter in zip(beds, meters):
        loudness = meter.integrated()
        gains.append(0.0 if not math.isfinite(loudness) else 10 ** ((bed.target - loudness) / 20))
    energy = np.asarray(sum(gain**2 * meter.steps for gain, meter in zip(gains, meters)))
    # Independent sounds seldom peak together: their peaks add about in power, like their energies.
    peaks = np.sqrt(np.asarray(sum((gain * meter.peaks) ** 2 for gain, meter in zip(gains, meters))))
    mix_loudness = integrated_loudness(energy)
    if not math.isfinite(mix_loudness):
        return [0.0] * len(beds), np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    level = 10 ** (min(0.0, MIX_CEILING_LUFS - mix_loudness) / 20)
    level *= _limiter_makeup(energy * level**2, peaks * level)
    gains = [gain * level * volume for gain in gains]
    head = sum(h * g for h, g in zip(heads, gains))
    tail = sum(t * g for t, g in zip(tails, gains))
    return gains, np.asarray(head, np.float32), np.asarray(tail, np.float32)


def _limiter_makeup(energy: np.ndarray, peaks: np.ndarray) -> float:
    """The gain (at most +3 dB) that brings the mix back to its loudness after the limiter.

    The limiter turns down the 100 ms steps whose peaks pass the ceiling (its hold and ramps span
    about a step): estimated from each step's energy and peak, then made up for by bisection.
    """
    ceiling = 10 ** (TRUE_PEAK_CEILING_DB / 20)
    wanted = integrated_loudness(energy)

    def after_limiter(gain: float) -> float:
        squeeze = np.minimum(1.0, ceiling / np.maximum(gain * peaks, 1e-12))
        return integrated_loudness(energy * (gain * squeeze) ** 2)

    low, high = 1.0, 10 ** (MAX_MAKEUP_DB / 20)
    if after_limiter(high) <= wanted:
        return high
    for _ in range(20):
        middle = math.sqrt(low * high)
        low, high = (middle, high) if after_limiter(middle) < wanted else (low, middle)
    return low


def _trim(block_audio: np.ndarray, clock: Clock, block: int) -> np.ndarray:
    """A block cut at the clip's end."""
    return block_audio[: clock.samples - clock.block_start(block)]


def _fade_end(block_audio: np.ndarray, clock: Clock, block: int) -> None:
    fade = int(END_FADE * SAMPLE_RATE)
    start = clock.block_start(block)
    first = clock.samples - fade  # first sample of the fade
    if start + len(block_audio) <= first:
        return
    index = np.arange(start, start + len(block_audio))
    block_audio *= np.clip((clock.samples - index) / fade, 0, 1)[:, None].astype(np.float32)


def _silence(clock: Clock) -> Iterator[np.ndarray]:
    for block in range(clock.blocks):
        yield np.zeros((min(clock.block, clock.samples - clock.block_start(block)), 2), np.float32)


def rechunk(blocks: Iterator[np.ndarray], size: int) -> Iterator[np.ndarray]:
    """The same samples in blocks of `size` (the last one shorter)."""
    pending: list[np.ndarray] = []
    held = 0
    for block in blocks:
        pending.append(block)
        held += len(block)
        if held < size:
            continue
        joined = np.concatenate(pending)
        whole = len(joined) // size * size
        yield from (joined[i : i + size] for i in range(0, whole, size))
        pending, held = [joined[whole:]], len(joined) - whole
    if held:
        yield np.concatenate(pending)
