"""Distinct compact features inside a flowing region: what must never be doubled.

A flowing region (the sky, the water) is advected with two cross-faded copies (kit/warp.py):
soft textures survive that, but a compact, distinct thing inside it (the sun, the moon, a
lightning bolt, a bird, a boat, a buoy, a lamp's reflection) would show twice. distinct_features
finds them: things much brighter or darker than their surroundings and smaller than a few
percent of the frame (a white or black top-hat: what an opening or closing with a larger disc
removes), thin ones included (a bolt, a mast). The effects keep them out of the blend and
show them whole, in place.
"""

from __future__ import annotations

import cv2
import numpy as np

from .image import luminance

BRIGHT_STANDOUT = 0.2  # luminance above its surroundings (0..1) for a bright feature
DARK_STANDOUT = 0.22  # ... below them for a dark one
MAX_SHARE = 0.02  # a feature covers at most this share of the frame


def distinct_features(image: np.ndarray, region: np.ndarray, size: float = 0.05, bright: float = BRIGHT_STANDOUT,
                      dark: float = DARK_STANDOUT) -> np.ndarray:
    """Feathered 0..1 mask of the compact distinct features inside region (float32, image size).

    size: the largest feature's diameter as a share of the frame's short side; bright, dark: how
    far (luminance 0..1) a feature stands out above or below its surroundings.
    """
    h, w = region.shape
    out = np.zeros((h, w), np.float32)
    if not (region > 0.5).any():
        return out
    s, candidate = _standouts(image, region, size, bright, dark)
    sh, sw = candidate.shape
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidate.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    areas = stats[:, cv2.CC_STAT_AREA]
    keep[1:] = (areas[1:] >= 2) & (areas[1:] <= MAX_SHARE * sh * sw)
    if not keep.any():
        return out
    found = keep[labels].astype(np.float32)
    # Grown a little past its edge (its glow, its anti-aliased rim), then feathered.
    grow = max(1, int(round(0.006 * min(sh, sw))))
    found = cv2.dilate(found, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    found = cv2.GaussianBlur(found, (0, 0), max(0.8, grow))
    if s < 1:
        found = cv2.resize(found, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.clip(found * 1.5, 0, 1).astype(np.float32) * (region > 0.5)


def _standouts(image, region, size, bright, dark) -> tuple[float, np.ndarray]:
    """(scale, map at that scale) of the pixels inside region that stand out of their surroundings:
    above an opening with a disc `size` of the short side by `bright`, or below a closing by `dark`."""
    h, w = region.shape
    # At most about 480 pixels across: features are found as well, ten times faster.
    s = min(1.0, 480.0 / max(h, w))
    small = cv2.resize(image, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA) if s < 1 else image
    lum = luminance(small)
    sh, sw = lum.shape
    k = max(5, int(size * min(sh, sw)) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    above = lum - cv2.morphologyEx(lum, cv2.MORPH_OPEN, disc)
    below = cv2.morphologyEx(lum, cv2.MORPH_CLOSE, disc) - lum
    inside = cv2.resize((region > 0.5).astype(np.uint8), (sw, sh), interpolation=cv2.INTER_NEAREST) > 0
    return s, ((above > bright) | (below > dark)) & inside
