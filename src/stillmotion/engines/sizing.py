"""From the plan's canvas to a model's rules: size, frame counts, segments and frame rate.

Pure arithmetic on plain numbers (no torch), so every rule is tested without the extra.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .models import ModelSpec


def model_size(spec: ModelSpec, canvas_size: tuple[int, int]) -> tuple[int, int]:
    """(width, height) for the model: its supported size nearest the canvas aspect, or its area
    at the canvas aspect, each side a multiple of the model's rule (never below one multiple)."""
    aspect = canvas_size[0] / canvas_size[1]
    if spec.sizes:
        return min(spec.sizes, key=lambda s: abs(math.log((s[0] / s[1]) / aspect)))
    height = math.sqrt(spec.area / aspect)
    width = height * aspect
    m = spec.multiple
    return max(m, round(width / m) * m), max(m, round(height / m) * m)


def fit_image(image: np.ndarray, size: tuple[int, int], fit: str = "crop") -> np.ndarray:
    """Resize to (width, height) keeping the aspect: "crop" covers and cuts the centre,
    "pad" fits inside and fills the borders by reflecting the picture's edges."""
    h, w = image.shape[:2]
    tw, th = size
    if (w, h) == (tw, th):
        return image
    scale = max(tw / w, th / h) if fit == "crop" else min(tw / w, th / h)
    rw, rh = max(1, round(w * scale)), max(1, round(h * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(image, (rw, rh), interpolation=interpolation)
    if fit == "crop":
        x, y = (rw - tw) // 2, (rh - th) // 2
        return np.ascontiguousarray(resized[y:y + th, x:x + tw])
    left, top = (tw - rw) // 2, (th - rh) // 2
    return cv2.copyMakeBorder(resized, top, th - rh - top, left, tw - rw - left, cv2.BORDER_REFLECT_101)


def frame_step(spec: ModelSpec) -> int:
    """Frames one unit of the model's rule adds: 4 for "4k+1", 8 for "8k+1", a whole call for "fixed"."""
    if spec.frame_rule == "fixed":
        return spec.max_frames - 1
    return 4 if spec.frame_rule == "4k+1" else 8


def frames_for(spec: ModelSpec, wanted: int) -> int:
    """The smallest frame count >= wanted that the model accepts (capped at its maximum)."""
    if spec.frame_rule == "fixed":
        return spec.max_frames
    step = frame_step(spec)
    count = 1 + step * max(1, math.ceil((wanted - 1) / step))
    return min(count, spec.max_frames)


def split_span(span: int, step: int, longest: int) -> tuple[int, ...]:
    """Chained segments whose frame intervals add up to span (a multiple of step), each a valid
    count of at most `longest` frames, as even as possible (the longer ones first)."""
    units = span // step
    per_segment = max(1, (longest - 1) // step)
    count = math.ceil(units / per_segment)
    base, extra = divmod(units, count)
    return tuple(1 + step * (base + (1 if i < extra else 0)) for i in range(count))


@dataclass(frozen=True)
class Schedule:
    """How a clip of the plan's length is made from chained model calls.

    Model frame j shows the clip at time j / rate. `rate` is the model's native frame rate, except
    for keyframe loops: there the plan is solved backwards from the loop point, so the keyframe
    (the photo again: the last model frame, or for LTX-2 the last one on its latent grid) lands
    exactly on the loop frame, output frame `output_frames` (the first frame of the next pass),
    and `rate` is off the native rate by the rounding to whole model steps (LTX is told this
    rate, so its motion keeps real time).
    """

    segments: tuple[int, ...]  # frames each model call makes (each a valid count for the model)
    model_fps: int
    rate: float  # model frames per second of the clip
    needed: int  # model frames the output reads (the rest are trimmed from the end)
    made: int  # model frames the segments make after joining (first frame of each later segment dropped)
    output_frames: int
    output_fps: int
    keyframe: int | None = None  # model frame conditioned on the photo: the loop frame

    @property
    def surplus(self) -> int:
        """Model frames made beyond the plan's duration (trimmed from the end)."""
        return self.made - self.needed

    @property
    def keyframe_time(self) -> float | None:
        """Seconds at which the keyframe shows (the loop point: output_frames / output_fps)."""
        return None if self.keyframe is None else self.keyframe / self.rate

    def describe(self) -> str:
        parts = "+".join(str(n) for n in self.segments)
        text = (f"{len(self.segments)} segment(s) of {parts} frames at {self.rate:.4g} fps "
                f"(the model's own: {self.model_fps}), resampled to {self.output_frames} frames at {self.output_fps} fps")
        if self.keyframe is not None:
            text += f"; the photo again at model frame {self.keyframe}, the loop point"
        if self.surplus:
            text += f"; {self.surplus} surplus frame(s) trimmed from the end"
        return text

    def source_times(self) -> np.ndarray:
        """For each output frame, its position in model frames (fractional: blended)."""
        t = np.arange(self.output_frames) / self.output_fps
        return np.minimum(t * self.rate, self.needed - 1)


def schedule(spec: ModelSpec, output_fps: int, output_frames: int, *, keyframe_loop: bool = False) -> Schedule:
    """Segments (each chained from the previous one's last frame) that cover the clip.

    keyframe_loop: the last segment ends on the photo, placed at the loop frame (see Schedule).
    """
    step = frame_step(spec)
    if keyframe_loop:
        loop_time = output_frames / output_fps
        offset = spec.keyframe_offset
        fewest = max(1, math.ceil((offset + 1) / step))  # the keyframe after the first frame
        units = max(fewest, round((loop_time * spec.fps + offset) / step))
        keyframe = units * step - offset
        segments = split_span(units * step, step, spec.max_frames)
        return Schedule(segments, spec.fps, keyframe / loop_time, keyframe + 1, units * step + 1, output_frames,
                        output_fps, keyframe=keyframe)
    # Model frames whose times span every output frame: the last output frame sits at (n-1)/fps.
    reach = (output_frames - 1) / output_fps * spec.fps
    needed = max(2, math.ceil(reach - 1e-9) + 1)
    span = step * max(1, math.ceil((needed - 1) / step))
    segments = split_span(span, step, spec.max_frames)
    return Schedule(segments, spec.fps, float(spec.fps), needed, span + 1, output_frames, output_fps)


def resample(frames: list[np.ndarray], times: np.ndarray) -> list[np.ndarray]:
    """Frames at fractional source positions: linear blends of the two neighbours (exact when integral)."""
    out = []
    last = len(frames) - 1
    for position in times:
        i = min(int(math.floor(position)), last)
        a = float(position - i)
        if a < 1e-3 or i == last:
            out.append(frames[i].copy())
        else:
            out.append(cv2.addWeighted(frames[i], 1.0 - a, frames[i + 1], a, 0.0))
    return out
