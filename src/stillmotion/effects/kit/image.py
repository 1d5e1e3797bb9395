"""Small image measures the effects share: luminance, bright spots, whether a mask has any area,
and the low-resolution grid that screen-space fields are computed on."""

from __future__ import annotations

import cv2
import numpy as np

# The low-resolution grids effects compute on, one per job: a region's displacement field is
# smooth, so a quarter of the canvas is plenty (kit.warp); screen-space fields (light, fog,
# steam) are made at about 480 pixels whatever the output size (low_scale, low_size).
FIELD_SCALE = 0.25


def low_scale(scene) -> float:
    """Scale of the low-resolution working grids: about 480 pixels on the long side, at most half size."""
    w, h = scene.size
    return min(0.5, 480.0 / max(w, h))


def low_size(scene) -> tuple[int, int]:
    s = low_scale(scene)
    w, h = scene.size
    return max(2, round(w * s)), max(2, round(h * s))


def luminance(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0


def has_area(mask: np.ndarray | None, fraction: float = 0.0005) -> bool:
    return mask is not None and float((mask > 0.3).mean()) > fraction


def bright_spots(image: np.ndarray, count: int, rng: np.random.Generator, mask: np.ndarray | None = None,
                 min_distance: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Small bright spots of an image (highlights, glints, lamps): (N x 2 xy, N strength 0..1).

    A spot is a local maximum of the white top-hat of the luminance: bright compared with its
    surroundings and small, so a white wall does not count but a glint on it does.
    """
    lum = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15))
    tophat = cv2.morphologyEx(lum, cv2.MORPH_TOPHAT, kernel).astype(np.float32)
    score = tophat * (lum.astype(np.float32) / 255.0) ** 2
    if mask is not None:
        score *= np.clip(mask, 0, 1)
    peaks = score == cv2.dilate(score, np.ones((2 * min_distance + 1,) * 2, np.uint8))
    ys, xs = np.nonzero(peaks & (score > max(4.0, np.percentile(score, 99.0) * 0.5)))
    if len(xs) == 0:
        return np.zeros((0, 2), np.float32), np.zeros(0, np.float32)
    values = score[ys, xs]
    order = np.argsort(-values)[: count * 3]
    xs, ys, values = xs[order], ys[order], values[order]
    if len(xs) > count:  # keep the brightest, with a little seeded variety
        keep = np.sort(rng.choice(len(xs), size=count, replace=False, p=values / values.sum()))
        xs, ys, values = xs[keep], ys[keep], values[keep]
    return np.stack([xs, ys], 1).astype(np.float32), (values / values.max()).astype(np.float32)
