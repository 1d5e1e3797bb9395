"""Streaming video writers (PyAV): frames go in one at a time, a complete file comes out.

The file is written under a temporary name next to the target and renamed only when the
encoder has flushed, so an interrupted render never leaves a partial video behind.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from .errors import EncodeError, OutputError, OutputExists, OutputFormatError


@dataclass(frozen=True)
class VideoFormat:
    """One file format the writers make: what the CLI, the studio and batch offer and serve."""

    name: str  # "mp4": the option value and the file extension without its dot
    media_type: str  # for HTTP
    description: str  # for help texts

    @property
    def extension(self) -> str:
        return f".{self.name}"


# The one list of output formats; everything else (options, studio, batch) reads it.
FORMATS: dict[str, VideoFormat] = {
    f.name: f
    for f in (
        VideoFormat("mp4", "video/mp4", "H.264"),
        VideoFormat("webm", "video/webm", "VP9"),
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


class VideoWriter:
    """Write RGB uint8 frames to .mp4 (H.264, yuv420p, faststart), .webm (VP9) or .gif (palette, loops).

    Use as a context manager: on an exception the temporary file is removed and nothing is left.
    """

    def __init__(self, path: str | Path, size: tuple[int, int], fps: int, settings: EncoderSettings | None = None):
        import av

        self.path = Path(path)
        self.format = format_of(self.path)
        self.settings = settings or EncoderSettings()
        width, height = size
        if width % 2 or height % 2:
            raise EncodeError(f"frame size must be even for yuv420p, got {width}x{height}")
        self.size = size
        self.fps = fps
        self._index = 0
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=self.path.suffix + ".part", dir=self.path.parent)
        os.close(fd)
        self._tmp = Path(tmp)
        try:
            # bitexact: no random ids or version strings in the container, so the same frames give the same file.
            options = {"mp4": {"movflags": "+faststart"}, "gif": {"loop": "0"}, "webm": {"fflags": "+bitexact"}}.get(self.format, {})
            self._container = av.open(str(self._tmp), mode="w", format=self.format, options=options)
            self._stream = self._add_stream()
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
        stream.codec_context.thread_type = "FRAME"  # 1.5x faster than slice threads here
        stream.codec_context.thread_count = s.threads
        stream.codec_context.time_base = Fraction(1, self.fps)
        return stream

    def write(self, rgb: np.ndarray) -> None:
        """Encode one H x W x 3 uint8 RGB frame."""
        import av

        if self.format == "gif":
            if self._index % self._gif_step == 0:
                small = cv2.resize(rgb, self._gif_size, interpolation=cv2.INTER_AREA)
                frame = av.VideoFrame.from_ndarray(self._quantise(small), format="pal8")
                frame.pts = self._index // self._gif_step
                self._mux(frame)
            self._index += 1
            return
        width, height = self.size
        # OpenCV's RGB->I420 is much faster than swscale; PyAV takes the planar buffer as is.
        yuv = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        frame.pts = self._index
        frame.time_base = Fraction(1, self.fps)
        self._index += 1
        self._mux(frame)

    def _quantise(self, rgb: np.ndarray):
        """Indices into one adaptive palette (made from the first frame), dithered, as PyAV's pal8 input."""
        from PIL import Image

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

    def _mux(self, frame) -> None:
        try:
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
        except Exception as exc:
            raise EncodeError(f"encoding failed: {exc}") from None

    def close(self) -> Path:
        """Flush the encoder, close the file and move it into place. Returns the final path."""
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
            self._container.close()
        except Exception as exc:
            self.abort()
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
