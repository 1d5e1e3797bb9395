"""The soundtrack from the plan: an ambience that follows the effects, made from nothing but numbers.

    from stillmotion.audio import soundtrack, soundtrack_blocks, has_soundtrack
    audio = soundtrack(plan, analysis)            # float32 (samples, 2) at 48 kHz, as long as the video
    for block in soundtrack_blocks(plan, analysis, block_frames=30):
        ...                                       # the audio of 30 video frames at a time

Sound design after Andy Farnell's *Designing Sound*: filtered noise (noise.py), grain clouds
and modal impulses (grains.py), with no samples and no models. One bed per sound-making effect
(beds/, chosen in score.py from what reading.py learns from the plan and analysis), mixed to a
loudness target with a true-peak limiter (mix.py, loudness.py, limiter.py). The soundtrack is a
pure function of the plan (its seed included) and the analysis; a looped plan loops seamlessly.
A user's own file is decoded, fitted and limited instead when the settings say so (userfile.py).
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from .clock import SAMPLE_RATE, Clock
from .limiter import Limiter
from .loudness import loudness_of, true_peak_db
from .mix import TRUE_PEAK_CEILING_DB, procedural_blocks, rechunk
from .score import makes_sound
from .settings import AudioSettings
from .userfile import fitted_audio

__all__ = [
    "SAMPLE_RATE", "AudioSettings", "fitted_audio", "has_soundtrack", "loudness_of", "soundtrack",
    "soundtrack_blocks", "true_peak_db",
]


def has_soundtrack(plan, settings: AudioSettings | None = None) -> bool:
    """Whether the video gets an audio stream: "auto" only when the plan makes sound."""
    return makes_sound(plan, AudioSettings.of(plan, settings))


def soundtrack_blocks(plan, analysis=None, settings: AudioSettings | None = None, *,
                      block_frames: int = 30) -> Iterator[np.ndarray]:
    """The soundtrack as float32 (n, 2) blocks, each the audio of `block_frames` video frames
    (48000 / fps samples a frame; the last block shorter). Silence for mode "none" or a plan
    that makes no sound, and for mode "model" (the neural engine's own sound is not made here);
    has_soundtrack() tells whether to write an audio stream at all.

    settings: AudioSettings; None reads the plan's `audio` field when it has one, else the defaults.
    """
    settings = AudioSettings.of(plan, settings)
    clock = Clock.for_plan(plan)
    size = max(1, block_frames) * SAMPLE_RATE // plan.canvas.fps
    if settings.mode == "file":
        blocks = _file_blocks(settings, clock)
    elif settings.mode in ("none", "model"):
        blocks = (np.zeros((min(size, clock.samples - start), 2), np.float32) for start in range(0, clock.samples, size))
    else:
        blocks = procedural_blocks(plan, analysis, settings)
    return rechunk(blocks, size)


def soundtrack(plan, analysis=None, settings: AudioSettings | None = None) -> np.ndarray:
    """The whole soundtrack, float32 (samples, 2) at 48 kHz: exactly as long as the video."""
    blocks = list(soundtrack_blocks(plan, analysis, settings))
    return np.concatenate(blocks) if blocks else np.zeros((0, 2), np.float32)


def _file_blocks(settings: AudioSettings, clock: Clock) -> Iterator[np.ndarray]:
    """The user's file fitted to the clip, at the settings' volume, under the true-peak ceiling."""
    audio = fitted_audio(settings.file, clock.samples) * np.float32(settings.volume)
    limiter = Limiter(10 ** (TRUE_PEAK_CEILING_DB / 20))
    for start in range(0, clock.samples, clock.block):
        released = limiter.process(audio[start : start + clock.block])
        if released is not None:
            yield released
    yield limiter.flush()
