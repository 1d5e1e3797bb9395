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


def frames_for(spec: ModelSpec, wanted: int) -> int:
    """The smallest frame count >= wanted that the model accepts (capped at its maximum)."""
    if spec.frame_rule == "fixed":
        return spec.max_frames
    step = 4 if spec.frame_rule == "4k+1" else 8
    count = 1 + step * max(1, math.ceil((wanted - 1) / step))
    return min(count, spec.max_frames)


@dataclass(frozen=True)
class Schedule:
    """How a clip of the plan's length is made from model calls at the model's native rate."""

    segments: tuple[int, ...]  # frames each model call makes (each a valid count for the model)
    model_fps: int
    needed: int  # model-rate frames the plan's duration covers (frame 0 .. duration inclusive of 0)
    made: int  # model-rate frames the segments make after joining (first frame of each later segment dropped)
    output_frames: int
    output_fps: int

    @property
    def surplus(self) -> int:
        """Model-rate frames made beyond the plan's duration (trimmed from the end)."""
        return self.made - self.needed

    def describe(self) -> str:
        parts = "+".join(str(n) for n in self.segments)
        text = (f"{len(self.segments)} segment(s) of {parts} frames at the model's {self.model_fps} fps, "
                f"resampled to {self.output_frames} frames at {self.output_fps} fps")
        if self.surplus:
            text += f"; {self.surplus} surplus frame(s) trimmed from the end"
        return text

    def source_times(self) -> np.ndarray:
        """For each output frame, its position in model-rate frames (fractional: blended)."""
        t = np.arange(self.output_frames) / self.output_fps
        return np.minimum(t * self.model_fps, self.needed - 1)


def schedule(spec: ModelSpec, duration: float, output_fps: int, output_frames: int) -> Schedule:
    """Segments (each chained from the previous one's last frame) that cover the duration."""
    # Model frames whose times span every output frame: the last output frame sits at (n-1)/fps.
    needed = max(2, math.ceil((output_frames - 1) / output_fps * spec.fps) + 1)
    longest = frames_for(spec, spec.max_frames)
    segments: list[int] = []
    made = 0
    while made < needed:
        # A later segment repeats the previous last frame as its first: it adds n - 1 new frames.
        remaining = needed - made + (1 if segments else 0)
        count = frames_for(spec, remaining) if remaining < longest else longest
        segments.append(count)
        made += count - (1 if len(segments) > 1 else 0)
    return Schedule(tuple(segments), spec.fps, needed, made, output_frames, output_fps)


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
