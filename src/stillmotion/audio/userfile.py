"""The user's own audio (music, a recorded ambience) fitted to the clip.

Any format PyAV (FFmpeg) decodes; resampled to 48 kHz stereo. A longer file is trimmed, a
shorter one looped with an equal-power cross-fade at each repeat; the clip's audio starts with
a short de-click fade-in and ends with a fade-out. Decoding stops once the clip is filled, so a
long file costs only the part heard; a shorter one is held decoded (at most the clip: 23 MB for
60 s). A file that cannot be used gives an AudioError with one line saying why.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Iterator

import av
import numpy as np

from ..errors import AudioError
from .clock import SAMPLE_RATE

FADE_IN = 0.01  # seconds
FADE_OUT = 1.0  # seconds, at most 10% of the clip
CROSSFADE = 0.25  # seconds, at most a quarter of the file
MIN_LOOPED = 0.5  # seconds: shorter files cannot be looped into a clip


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or exc.__class__.__name__


def decoded_chunks(path: str | Path) -> Iterator[np.ndarray]:
    """The file's first audio stream as (n, 2) float32 chunks at 48 kHz."""
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"{path}: audio file not found" if not path.exists() else f"{path}: is not a file")
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError) as exc:
        raise AudioError(f"{path}: not an audio file FFmpeg can read ({_reason(exc)})") from None
    with container:
        if not container.streams.audio:
            raise AudioError(f"{path}: has no audio stream")
        resampler = av.AudioResampler(format="flt", layout="stereo", rate=SAMPLE_RATE)
        try:
            for frame in container.decode(container.streams.audio[0]):
                frame.pts = None  # the resampler keeps its own count; odd timestamps must not stop it
                for out in resampler.resample(frame):
                    yield out.to_ndarray().reshape(-1, 2)
            for out in resampler.resample(None):
                yield out.to_ndarray().reshape(-1, 2)
        except (av.FFmpegError, ValueError) as exc:
            raise AudioError(f"{path}: the audio cannot be decoded ({_reason(exc)})") from None


def probe(path: str | Path) -> None:
    """Check, before any work, that the file decodes to sound (AudioError with one line if not)."""
    chunks = decoded_chunks(path)
    try:
        first = next(chunks, None)
    finally:
        chunks.close()
    if first is None:
        raise AudioError(f"{path}: contains no audio samples")


def fitted_audio(path: str | Path, samples: int) -> np.ndarray:
    """The file trimmed or looped to exactly `samples` samples (n, 2) float32, with fades."""
    chunks, got = [], 0
    for chunk in decoded_chunks(path):
        chunks.append(chunk)
        got += len(chunk)
        if got >= samples:
            break
    if got == 0:
        raise AudioError(f"{path}: contains no audio samples")
    audio = np.concatenate(chunks)
    if len(audio) >= samples:
        out = audio[:samples].copy()
    else:
        out = _looped(audio, samples, path)
    fade_in = min(int(FADE_IN * SAMPLE_RATE), samples)
    out[:fade_in] *= np.linspace(0, 1, fade_in, endpoint=False, dtype=np.float32)[:, None]
    fade_out = max(1, min(int(FADE_OUT * SAMPLE_RATE), samples // 10))
    out[samples - fade_out :] *= np.linspace(1, 0, fade_out, dtype=np.float32)[:, None]
    return out


def _looped(audio: np.ndarray, samples: int, path) -> np.ndarray:
    if len(audio) < MIN_LOOPED * SAMPLE_RATE:
        raise AudioError(f"{path}: {len(audio) / SAMPLE_RATE:.2f} s of audio is too short to loop; give at least {MIN_LOOPED} s")
    overlap = min(int(CROSSFADE * SAMPLE_RATE), len(audio) // 4)
    ramp = np.linspace(0, math.pi / 2, overlap, dtype=np.float32)[:, None]
    fade_in, fade_out = np.sin(ramp), np.cos(ramp)
    period = len(audio) - overlap
    out = np.zeros((samples, 2), np.float32)
    for start in range(0, samples, period):
        piece = audio.copy()
        if start > 0:
            piece[:overlap] *= fade_in
        if start + period < samples:  # another repeat follows: hand over to it
            piece[-overlap:] *= fade_out
        end = min(samples, start + len(piece))
        out[start:end] += piece[: end - start]
    return out
