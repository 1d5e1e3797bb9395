"""The model's own sound (LTX-2) as the clip's soundtrack: joined, fitted to the clip, muxed.

The soundtrack is float32 stereo at 48 kHz, shape (samples, 2), with its rate beside it: the
form the project's encoder takes audio in. Chained segments share a video frame: each segment's
sound starts at its first frame's time and is cross-faded with the sound before it where they
overlap. A loop's sound wraps without a click: the clip's first moments are cross-faded with the
sound the model made just past the loop point.

The encoder (encode.VideoWriter.write_audio) takes the soundtrack next to the frames. `mux_audio`,
which copied an encoded video's packets and added the sound afterwards, is no longer used by
write_neural_video.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from ..errors import EncodeError

RATE = 48000
WRAP_SECONDS = 0.05  # longest cross-fade at a loop's wrap
EDGE_SECONDS = 0.005  # fade at a non-looping clip's start and end (no click)
AUDIO_CODECS = {".mp4": ("mp4", "aac", 192_000), ".webm": ("webm", "libopus", 160_000)}  # container, codec, bit rate


@dataclass(frozen=True)
class Soundtrack:
    samples: np.ndarray  # float32, (n, 2), -1..1
    rate: int = RATE

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


def stereo_48k(audio, rate: int) -> np.ndarray:
    """A model's audio output (channels x samples, or batch x channels x samples; tensor or array)
    as float32 (n, 2) at 48 kHz."""
    if hasattr(audio, "detach"):
        audio = audio.detach().float().cpu().numpy()
    array = np.asarray(audio, dtype=np.float32)
    while array.ndim > 2:
        array = array[0]
    if array.ndim == 1:
        array = array[None]
    if array.shape[0] > 2 and array.shape[1] <= 2:  # samples x channels
        array = array.T
    if array.shape[0] == 1:
        array = np.repeat(array, 2, axis=0)
    array = np.ascontiguousarray(array[:2])
    if rate != RATE:
        array = _resample(array, rate)
    return np.ascontiguousarray(array.T)


def _resample(planar: np.ndarray, rate: int) -> np.ndarray:
    frame = av.AudioFrame.from_ndarray(planar, format="fltp", layout="stereo")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=RATE)
    out = resampler.resample(frame) + resampler.resample(None)
    return np.concatenate([f.to_ndarray() for f in out], axis=1).astype(np.float32)


def _ramp(n: int) -> np.ndarray:
    """Equal-power fade-in weights (0 -> 1) and their complement, as (n, 1) columns."""
    t = (np.arange(n, dtype=np.float32) + 0.5) / max(n, 1)
    return np.sin(0.5 * np.pi * t)[:, None], np.cos(0.5 * np.pi * t)[:, None]


def join(parts: list[np.ndarray], starts: list[int]) -> np.ndarray:
    """Segments' sound placed at their start samples; where one overlaps the sound before it
    (chained segments share a video frame) the two are cross-faded."""
    out = parts[0]
    for part, start in zip(parts[1:], starts[1:]):
        start = min(start, len(out))  # never a gap of silence
        n = min(len(out) - start, len(part))
        fade_in, fade_out = _ramp(n)
        seam = out[start: start + n] * fade_out + part[:n] * fade_in
        out = np.concatenate([out[:start], seam, part[n:]])
    return out


def fit(samples: np.ndarray, seconds: float, loop: bool) -> np.ndarray:
    """Exactly the clip's length; a loop wraps seamlessly, other clips fade in and out briefly."""
    length = round(seconds * RATE)
    if len(samples) < length:
        samples = np.concatenate([samples, np.zeros((length - len(samples), 2), np.float32)])
    out = samples[:length].copy()
    beyond = samples[length:]
    if loop and len(beyond):
        # The clip's start becomes the sound just past its end, fading back to its own start:
        # the last sample flows into the first as it did when the model made them.
        n = min(len(beyond), int(WRAP_SECONDS * RATE), length)
        fade_in, fade_out = _ramp(n)
        out[:n] = out[:n] * fade_in + beyond[:n] * fade_out
    else:
        n = min(int(EDGE_SECONDS * RATE), length // 2)
        if n:
            fade_in, fade_out = _ramp(n)
            out[:n] *= fade_in
            out[length - n:] *= fade_out
    return np.clip(out, -1.0, 1.0).astype(np.float32)


def mux_audio(video: Path, soundtrack: Soundtrack, output: Path) -> Path:
    """Copy `video`'s packets into `output` with the soundtrack added (AAC in MP4, Opus in WebM),
    written under a temporary name and renamed, so `output` appears only complete."""
    container, codec, bitrate = AUDIO_CODECS.get(output.suffix.lower(), (None, None, 0))
    if container is None:
        raise EncodeError(f"{output.suffix} files carry no sound; use .mp4 or .webm")
    fd, tmp = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=output.suffix + ".part", dir=output.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        options = {"movflags": "+faststart"} if output.suffix.lower() == ".mp4" else {"fflags": "+bitexact"}
        with av.open(str(video)) as source, av.open(str(tmp), mode="w", format=container, options=options) as target:
            in_video = source.streams.video[0]
            out_video = target.add_stream_from_template(in_video)
            out_audio = target.add_stream(codec, rate=soundtrack.rate, layout="stereo")
            out_audio.bit_rate = bitrate
            audio_packets = list(_encode(out_audio, soundtrack))
            for packet in source.demux(in_video):
                if packet.dts is None:
                    continue
                packet.stream = out_video
                target.mux(packet)
            target.mux(audio_packets)
        shutil.copymode(video, tmp)  # the video writer gave it the user's umask mode
        os.replace(tmp, output)
    except (av.FFmpegError, OSError) as exc:
        raise EncodeError(f"cannot add the model's sound to {output.name}: {exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return output


def _encode(stream, soundtrack: Soundtrack):
    planar = np.ascontiguousarray(soundtrack.samples.T)
    size = stream.codec_context.frame_size or 1024
    for start in range(0, planar.shape[1], size):
        chunk = planar[:, start: start + size]
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(chunk), format="fltp", layout="stereo")
        frame.sample_rate = soundtrack.rate
        frame.pts = start
        frame.time_base = Fraction(1, soundtrack.rate)
        yield from stream.encode(frame)
    yield from stream.encode(None)
