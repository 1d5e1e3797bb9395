"""Keeping a generated clip's colour on the photo's: drift removed, nothing added that flickers.

Video models drift in exposure and tint over a segment, and a chained segment starts from that
drift. Each segment, the first one included, is matched back to the photo's Lab statistics
(per-channel mean and spread). The statistics are smoothed over time before they are used, so
the correction follows the slow drift but not each frame's own noise: a flash or a passing
shadow stays, and no frame is pulled differently from its neighbours (which would flicker).
"""

from __future__ import annotations

import cv2
import numpy as np

Stats = tuple[np.ndarray, np.ndarray]  # (mean, std) of L, a, b
SMOOTHING_SECONDS = 0.5  # standard deviation of the Gaussian over time
MAX_GAIN = 2.0  # a spread is never stretched or squeezed by more than this


def lab(image: np.ndarray) -> np.ndarray:
    """Float Lab (L 0..100) of an RGB uint8 image."""
    return cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def lab_stats(image: np.ndarray) -> Stats:
    """Mean and standard deviation of L, a, b."""
    pixels = lab(image).reshape(-1, 3)
    return pixels.mean(0), pixels.std(0)


def transfer(frame: np.ndarray, source: Stats, target: Stats) -> np.ndarray:
    """Move the frame's Lab statistics from `source` to `target` (per channel, clipped gain)."""
    mean, std = source
    target_mean, target_std = target
    gain = np.clip(target_std / np.maximum(std, 0.5), 1.0 / MAX_GAIN, MAX_GAIN)
    moved = (lab(frame) - mean) * gain + target_mean
    rgb = cv2.cvtColor(moved.astype(np.float32), cv2.COLOR_LAB2RGB)
    return (np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def match_colour(frame: np.ndarray, reference: Stats) -> np.ndarray:
    """One frame's own statistics moved to the reference's (for a single still; clips use match_clip)."""
    return transfer(frame, lab_stats(frame), reference)


def smooth(series: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing along axis 0. The ends are extended by odd reflection (a straight line
    continues), so a steady drift is followed to the segment's last frame instead of lagging there."""
    radius = min(round(3 * sigma), len(series) - 1)
    if sigma <= 0 or radius < 1:
        return series.copy()
    offsets = np.arange(-radius, radius + 1)
    weights = np.exp(-0.5 * (offsets / sigma) ** 2)
    weights /= weights.sum()
    head = 2 * series[:1] - series[radius:0:-1]
    tail = 2 * series[-1:] - series[-2:-radius - 2:-1]
    padded = np.concatenate([head, series, tail])
    return sum(w * padded[i: i + len(series)] for i, w in enumerate(weights))


def match_clip(frames: list[np.ndarray], reference: Stats, fps: float) -> list[np.ndarray]:
    """Each frame moved from its time-smoothed statistics to the reference's."""
    if not frames:
        return []
    stats = [lab_stats(f) for f in frames]
    sigma = SMOOTHING_SECONDS * fps
    means = smooth(np.array([m for m, _ in stats]), sigma)
    stds = smooth(np.array([s for _, s in stats]), sigma)
    return [transfer(f, (m, s), reference) for f, m, s in zip(frames, means, stds)]
