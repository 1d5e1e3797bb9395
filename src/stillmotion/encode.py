"""Streaming video writers (PyAV): frames (and sound) go in one at a time, a complete file comes out.

The file is written under a temporary name next to the target and renamed only when the
encoder has flushed, so an interrupted render never leaves a partial video behind.

Colour. Frames are sRGB. MP4 (H.264) and WebM (VP9) store them as limited-range YUV 4:2:0 by
one rule at every size, tagged in the stream and the container so that players decode what was
encoded: matrix BT.601 (SMPTE 170M), primaries BT.709 (the sRGB primaries: nothing is
gamut-mapped), transfer BT.709, range limited. Why BT.601 also for HD, where BT.709 is the
custom: Chromium's software video path (libyuv, used headless and wherever video is not drawn on
a GPU) clamps BT.709's blue coefficient (2.112 -> 2.0), so saturated blues, yellows and greens
come out up to 12 levels off (37 dB on a saturated test card), while tagged BT.601 is decoded
exactly there (50 dB) and by every player that reads the tags; untagged small videos are BT.601
by convention too (tests/browser/test_colour_browser.py measures it). The conversion is OpenCV's
cvtColor(COLOR_RGB2YUV_I420), which is exactly this BT.601 limited-range matrix and the fastest
way there (benchmarks/bench_colour.py times the alternatives).
GIF: the palette holds the frames' sRGB values as they are (GIF has no colour tags; browsers and
viewers show it as sRGB).

Sound. With audio on, MP4 gets AAC-LC and WebM Opus, 48 kHz stereo, fed as float32 (n, 2)
blocks through write_audio() next to the frames; the track is cut or padded to the video's
length (frames x 48000 / fps samples). GIF has no sound. Any engine can hand its sound in here.

Metadata. A Provenance (provenance.py) gives the tags to write: MP4 metadata keys (udta/meta),
WebM tags, a GIF comment extension; and may seal the finished file (a C2PA manifest).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from PIL import Image

from .errors import EncodeError, OutputError, OutputExists, OutputFormatError

AUDIO_RATE = 48_000


@dataclass(frozen=True)
class VideoFormat:
    """One file format the writers make: what the CLI, the studio and batch offer and serve."""

    name: str  # "mp4": the option value and the file extension without its dot
    media_type: str  # for HTTP
    description: str  # for help texts
    audio_codec: str | None = None  # the sound's codec; None: the format carries no sound

    @property
    def extension(self) -> str:
        return f".{self.name}"


# The one list of output formats; everything else (options, studio, batch) reads it.
FORMATS: dict[str, VideoFormat] = {
    f.name: f
    for f in (
        VideoFormat("mp4", "video/mp4", "H.264", "aac"),
        VideoFormat("webm", "video/webm", "VP9", "libopus"),
        VideoFormat("gif", "image/gif", "looping GIF"),
    )
}
DEFAULT_FORMAT = "mp4"


@dataclass(frozen=True)
class EncoderSettings:
    """Honest defaults: H.264 crf 20 at preset veryfast keeps a 1080p camera move under 10 Mbit/s."""

    crf: int = 20
    preset: str = "veryfast"
    gif_fps: int = 15  # GIFs at full rate are huge; 15 fps looks smooth enough
    gif_max_side: int = 640
    # A fixed encoder thread count: x264 writes it into the stream and encodes differently with it,
    # so "auto" (1.5 x the machine's cores) would give different bytes on different machines.
    threads: int = 4
    aac_bit_rate: int = 160_000
    opus_bit_rate: int = 128_000


# --- colour ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Colour:
    """A YUV encoding of sRGB frames, and the tags (FFmpeg's enum values) that say so."""

    name: str
    kr: float  # luma weight of red
    kb: float  # luma weight of blue
    matrix: int  # AVColorSpace: 1 BT.709, 6 SMPTE 170M (BT.601)
    primaries: int = 1  # BT.709, the primaries of sRGB
    transfer: int = 1  # BT.709
    range: int = 1  # limited ("tv", "MPEG")


# The one rule (see the module docstring): BT.601 coefficients with complete tags, at every size.
# cv2.COLOR_RGB2YUV_I420 converts with exactly these.
VIDEO_COLOUR = Colour("bt601", kr=0.299, kb=0.114, matrix=6)


# --- formats and paths ----------------------------------------------------------------------
def format_of(path: Path) -> str:
    """The format a file name asks for, from its extension."""
    name = path.suffix.lower().removeprefix(".")
    if name not in FORMATS:
        known = ", ".join(f.extension for f in FORMATS.values())
        raise OutputFormatError(f"{path}: unknown video format {path.suffix or '(none)'}; use {known}")
    return name


def gif_frame_step(fps: int, settings: EncoderSettings | None = None) -> int:
    """A GIF keeps every n-th frame of the clip (GIFs at full rate are huge): this n."""
    return max(1, round(fps / (settings or EncoderSettings()).gif_fps))


def frames_in_file(frame_count: int, fps: int, fmt: str, settings: EncoderSettings | None = None) -> int:
    """How many frames the file of a clip holds: all of them, or every n-th for a GIF."""
    if fmt != "gif":
        return frame_count
    step = gif_frame_step(fps, settings)
    return (frame_count + step - 1) // step


def audio_samples(frame_count: int, fps: int) -> int:
    """The sound's length for a clip of frame_count frames: exactly the video's (48000 / fps per frame)."""
    return frame_count * AUDIO_RATE // fps


def default_output(photo_path: Path | None) -> Path:
    """photo.jpg -> photo.mp4 next to it (never overwritten unless asked: see check_output)."""
    if photo_path is None:
        return Path("stillmotion.mp4")
    return photo_path.with_suffix(".mp4")


def check_output(output: str | Path, *, force: bool = False) -> Path:
    """Validate an output path before any work: known format, folder exists, no silent overwrite."""
    output = Path(output)
    format_of(output)
    if output.is_dir():
        raise OutputError(f"{output}: is a folder; give a file name such as {output / 'video.mp4'}")
    if not output.parent.exists():
        raise OutputError(f"{output.parent}: folder does not exist")
    if output.exists() and not force:
        raise OutputExists(f"{output}: already exists; overwrite it or choose another name", fix=(("force", True), ("output", None)))
    return output


def _umask() -> int:
    """The process's umask, read without changing it where Linux allows (other threads may be
    creating files); elsewhere set and restored at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


# --- the writer -----------------------------------------------------------------------------
class VideoWriter:
    """Write RGB uint8 frames to .mp4 (H.264, yuv420p, faststart), .webm (VP9) or .gif (palette, loops).

    audio: add a sound track (MP4, WebM; ignored for GIF): feed it with write_audio().
    frames: the clip's frame count when known; the sound is then never longer than the video.
    provenance: a provenance.Provenance, the tags to write and the seal to apply; None writes none.
    Use as a context manager: on an exception the temporary file is removed and nothing is left.
    """

    def __init__(self, path: str | Path, size: tuple[int, int], fps: int, settings: EncoderSettings | None = None, *,
                 audio: bool = False, frames: int | None = None, provenance=None):
        self.path = Path(path)
        self.format = format_of(self.path)
        self.settings = settings or EncoderSettings()
        width, height = size
        if width % 2 or height % 2:
            raise EncodeError(f"frame size must be even for yuv420p, got {width}x{height}")
        self.size = size
        self.fps = fps
        self.colour = VIDEO_COLOUR
        self.provenance = provenance
        self._index = 0
        self._audio_written = 0
        self._audio_limit = audio_samples(frames, fps) if frames is not None else None
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=self.path.suffix + ".part", dir=self.path.parent)
        os.close(fd)
        self._tmp = Path(tmp)
        try:
            # bitexact: no random ids or version strings in the container, so the same frames give the same file.
            # use_metadata_tags: MP4 keeps every tag (the plan included) as a metadata key.
            options = {"mp4": {"movflags": "+faststart+use_metadata_tags"}, "gif": {"loop": "0"},
                       "webm": {"fflags": "+bitexact"}}.get(self.format, {})
            self._container = av.open(str(self._tmp), mode="w", format=self.format, options=options)
            if provenance is not None and self.format != "gif":
                self._container.metadata.update(provenance.tags)
            self._stream = self._add_stream()
            self._audio = self._add_audio_stream() if audio and FORMATS[self.format].audio_codec else None
        except Exception as exc:
            self._tmp.unlink(missing_ok=True)
            raise EncodeError(f"cannot start the {self.format} encoder: {exc}") from None

    def _add_stream(self):
        s = self.settings
        width, height = self.size
        if self.format == "gif":
            scale = min(1.0, s.gif_max_side / max(width, height))
            self._gif_size = (max(2, round(width * scale)), max(2, round(height * scale)))
            self._gif_step = gif_frame_step(self.fps, s)
            stream = self._container.add_stream("gif", rate=Fraction(self.fps, self._gif_step))
            stream.width, stream.height = self._gif_size
            stream.pix_fmt = "pal8"
            self._palette = None  # one palette for the whole clip, from the first frame (the photo)
            return stream
        if self.format == "mp4":
            stream = self._container.add_stream("libx264", rate=self.fps)
            stream.options = {"crf": str(s.crf), "preset": s.preset}
        else:
            stream = self._container.add_stream("libvpx-vp9", rate=self.fps)
            # Constant quality with realtime-ish speed: VP9's default "good" deadline is very slow.
            stream.options = {"crf": str(s.crf + 12), "b": "0", "deadline": "realtime", "cpu-used": "8", "row-mt": "1"}
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        context = stream.codec_context
        context.thread_type = "FRAME"  # 1.5x faster than slice threads here
        context.thread_count = s.threads
        context.time_base = Fraction(1, self.fps)
        # The tags players read (H.264 VUI, VP9 header, the container's colour fields).
        context.colorspace, context.color_primaries = self.colour.matrix, self.colour.primaries
        context.color_trc, context.color_range = self.colour.transfer, self.colour.range
        return stream

    def _add_audio_stream(self):
        codec = FORMATS[self.format].audio_codec
        stream = self._container.add_stream(codec, rate=AUDIO_RATE, layout="stereo")
        stream.codec_context.format = "fltp" if codec == "aac" else "flt"  # each encoder's own sample format
        stream.bit_rate = self.settings.aac_bit_rate if codec == "aac" else self.settings.opus_bit_rate
        return stream

    def write(self, rgb: np.ndarray) -> None:
        """Encode one H x W x 3 uint8 RGB frame."""
        if self.format == "gif":
            if self._index % self._gif_step == 0:
                small = cv2.resize(rgb, self._gif_size, interpolation=cv2.INTER_AREA)
                frame = av.VideoFrame.from_ndarray(self._quantise(small), format="pal8")
                frame.pts = self._index // self._gif_step
                self._mux(self._stream, frame)
            self._index += 1
            return
        # OpenCV's RGB->I420 is BT.601 limited range (the tags say so) and much faster than swscale.
        frame = av.VideoFrame.from_ndarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420), format="yuv420p")
        frame.colorspace, frame.color_range = self.colour.matrix, self.colour.range
        frame.pts = self._index
        frame.time_base = Fraction(1, self.fps)
        self._index += 1
        self._mux(self._stream, frame)

    def write_audio(self, samples: np.ndarray) -> None:
        """Encode the next float32 (n, 2) stereo samples at 48 kHz (nothing for a GIF or without audio)."""
        if self._audio is None:
            return
        samples = np.asarray(samples, np.float32)
        if samples.ndim != 2 or samples.shape[1] != 2:
            raise EncodeError(f"audio must be (samples, 2) stereo, got shape {samples.shape}")
        if self._audio_limit is not None:
            samples = samples[: max(0, self._audio_limit - self._audio_written)]
        if not len(samples):
            return
        if self._audio.codec_context.format.name == "fltp":
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples.T), format="fltp", layout="stereo")
        else:
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples.reshape(1, -1)), format="flt", layout="stereo")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._audio_written
        frame.time_base = Fraction(1, AUDIO_RATE)
        self._audio_written += len(samples)
        self._mux(self._audio, frame)

    def _quantise(self, rgb: np.ndarray):
        """Indices into one adaptive palette (made from the first frame), dithered, as PyAV's pal8 input.

        The palette's entries are the frame's sRGB values: no colour conversion (see the module docstring)."""
        image = Image.fromarray(rgb)
        if self._palette is None:
            self._palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
            colours = np.zeros((256, 3), np.uint32)
            used = np.asarray(self._palette.getpalette()[: 256 * 3], np.uint32).reshape(-1, 3)
            colours[: len(used)] = used
            # PyAV takes each entry as a big-endian 32-bit ARGB value.
            argb = (255 << 24) | (colours[:, 0] << 16) | (colours[:, 1] << 8) | colours[:, 2]
            self._pal8 = argb.astype(">u4").view(np.uint8).reshape(256, 4)
        indices = image.quantize(palette=self._palette, dither=Image.Dither.FLOYDSTEINBERG)
        return np.asarray(indices, np.uint8), self._pal8

    def _mux(self, stream, frame) -> None:
        try:
            for packet in stream.encode(frame):
                self._container.mux(packet)
        except Exception as exc:
            raise EncodeError(f"encoding failed: {exc}") from None

    def _finish_audio(self) -> None:
        """Pad the sound with silence to the video's length, then flush its encoder."""
        wanted = audio_samples(self._index, self.fps)
        while self._audio_written < wanted:
            self.write_audio(np.zeros((min(AUDIO_RATE, wanted - self._audio_written), 2), np.float32))
        self._mux(self._audio, None)

    def close(self) -> Path:
        """Flush the encoders, close the file, write its metadata and move it into place. Returns the final path."""
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            if self._audio is not None:
                self._finish_audio()
            self._container.close()
            if self.provenance is not None:
                if self.format == "gif":
                    add_gif_comment(self._tmp, self.provenance.comment())
                self.provenance.seal(self._tmp, self.format)
        except Exception as exc:
            self.abort()
            if isinstance(exc, EncodeError):
                raise
            raise EncodeError(f"finishing the video failed: {exc}") from None
        os.chmod(self._tmp, 0o666 & ~_umask())  # mkstemp makes files 0600; a video is an ordinary file
        os.replace(self._tmp, self.path)
        return self.path

    def abort(self) -> None:
        """Stop and remove the temporary file; the target path is untouched."""
        try:
            self._container.close()
        except Exception:
            pass  # the container may be half-initialised; removing the file is what matters
        self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


# --- GIF comments -----------------------------------------------------------------------------
def add_gif_comment(path: Path, text: str) -> None:
    """Insert a Comment Extension (GIF89a) with `text` right after the global colour table."""
    data = path.read_bytes()
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise EncodeError(f"{path.name}: not a GIF file")
    flags = data[10]
    table = 3 * (2 ** ((flags & 0x07) + 1)) if flags & 0x80 else 0
    at = 13 + table
    payload = text.encode("utf-8")
    blocks = b"".join(bytes([len(chunk)]) + chunk for chunk in (payload[i : i + 255] for i in range(0, len(payload), 255)))
    path.write_bytes(b"GIF89a" + data[6:at] + b"\x21\xfe" + blocks + b"\x00" + data[at:])


def read_gif_comments(path: Path) -> list[str]:
    """The text of every Comment Extension of a GIF, in order (a walk over its blocks)."""
    data = Path(path).read_bytes()
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        return []
    flags = data[10]
    at = 13 + (3 * (2 ** ((flags & 0x07) + 1)) if flags & 0x80 else 0)
    comments = []
    while at < len(data):
        kind = data[at]
        if kind == 0x3B:  # trailer
            break
        if kind == 0x21:  # extension: label, then sub-blocks
            label, at = data[at + 1], at + 2
            body, at = _sub_blocks(data, at)
            if label == 0xFE:
                comments.append(body.decode("utf-8", "replace"))
        elif kind == 0x2C:  # image: descriptor, optional local table, LZW size, sub-blocks
            packed = data[at + 9]
            at += 10 + (3 * (2 ** ((packed & 0x07) + 1)) if packed & 0x80 else 0) + 1
            _, at = _sub_blocks(data, at)
        else:
            break  # not a block we know: stop rather than misread
    return comments


def _sub_blocks(data: bytes, at: int) -> tuple[bytes, int]:
    parts = []
    while at < len(data) and data[at]:
        size = data[at]
        parts.append(data[at + 1 : at + 1 + size])
        at += 1 + size
    return b"".join(parts), at + 1
