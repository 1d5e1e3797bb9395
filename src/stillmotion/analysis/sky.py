"""Finding the sky: the analysis's sky mask, the smooth backdrop beside it, and the horizon.

find_sky is the one sky finder of the analysis: strict, because a false sky tears the depth
(it is pushed to infinity) and sends clouds drifting over a wall. loose_sky is a looser variant
for the region finders only: when find_sky found no sky, they still keep sky-like areas out of
their water and foliage masks (keeping a piece of wall out of "water" costs little). It reuses
the region finders' measures, so it is nearly free there.
"""

from __future__ import annotations

import cv2
import numpy as np

from .imaging import Measures, gradient_energy, hue_near, ramp


def _top_connected(candidate: np.ndarray, top_rows: int) -> np.ndarray:
    """The parts of a binary mask whose connected component touches the top rows."""
    count, labels = cv2.connectedComponents(candidate.astype(np.uint8), connectivity=4)
    if count <= 1:
        return np.zeros(candidate.shape, bool)
    touching = np.unique(labels[:top_rows][candidate[:top_rows]])
    touching = touching[touching > 0]
    return np.isin(labels, touching)


def sky_candidates(rgb: np.ndarray, gray_photo: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel (sky-like, backdrop-like) booleans at the image's size (use a small copy).

    Sky: smooth, bright for the photo, blue or grey/white (any tone in black-and-white photos,
    deep blue at dusk). Backdrop: any very smooth area (studio walls, a black night sky).
    """
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.float32)
    hue, sat, val = hsv[..., 0] * 2.0, hsv[..., 1] / 255.0, hsv[..., 2] / 255.0
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    texture = gradient_energy(gray, blur=1.5)
    very_smooth = texture < 0.015
    bright_rank = val >= min(0.55, float(np.percentile(val, 60)))
    if gray_photo:
        # Black-and-white skies are any grey (red filters make them dark): smoothness decides.
        return (val > 0.2) & (texture < 0.04), very_smooth
    # Clouds have soft internal shading, so pale pixels may be more textured than blue ones.
    blue = (hue >= 180) & (hue <= 255) & (sat > 0.12) & (val > 0.15) & (texture < 0.05)
    pale = (sat < 0.3) & (val > 0.55) & bright_rank & (texture < 0.07)  # white and grey clouds, haze
    warm_glow = (sat < 0.6) & (val > 0.7) & bright_rank & (texture < 0.04)  # sunset sky near the sun
    return blue | pale | warm_glow, very_smooth


def _mostly_blue(rgb: np.ndarray, mask: np.ndarray, gray_photo: bool) -> bool:
    """Whether most of a region is sky blue (a grey or white wall behind a portrait is not)."""
    if gray_photo or not mask.any():
        return False
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[mask]
    hue, sat = hsv[:, 0].astype(np.float32) * 2.0, hsv[:, 1] / 255.0
    return float(((hue >= 180) & (hue <= 255) & (sat > 0.12)).mean()) > 0.5


def find_sky(rgb: np.ndarray, gray_photo: bool, portrait: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Sky and backdrop as binary masks at rgb's size (call on the small working copy).

    portrait: a large face is in the photo; then a grey smooth area behind it is a backdrop.
    """
    h, w = rgb.shape[:2]
    top_rows = max(2, h // 30)
    sky_like, backdrop_like = sky_candidates(rgb, gray_photo)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    sky_like = cv2.morphologyEx(sky_like.astype(np.uint8), cv2.MORPH_OPEN, kernel).astype(bool)
    sky = _top_connected(sky_like, top_rows)
    backdrop = _top_connected(backdrop_like, top_rows) & ~sky
    if sky[int(h * 0.94):].mean() > 0.15 and not portrait:
        # Sky and a calm sea of the same pale colour run into each other: cut at the sea horizon.
        sky = _cut_at_horizon(rgb, sky)

    # A sky ends at a horizon; a smooth area that runs down both sides to the bottom of the
    # frame is a wall or studio backdrop behind a subject, not sky.
    bottom = sky[int(h * 0.94):]
    if sky.mean() > 0 and (bottom.mean() > 0.15 or (portrait and not _mostly_blue(rgb, sky, gray_photo))):
        backdrop |= sky
        sky = np.zeros_like(sky)
    # Ignore specks: a real sky is a sizeable part of the top of the photo.
    if sky.mean() < 0.01 or sky[:top_rows].mean() < 0.1:
        sky = np.zeros_like(sky)
    # A black, featureless top (night, space) is sky too, unless it is a portrait's backdrop.
    if not sky.any() and not portrait and backdrop.any():
        val = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)[..., 2][backdrop]
        if float(val.mean()) < 30 and backdrop[int(h * 0.8):].mean() < 0.15:
            sky, backdrop = backdrop, np.zeros_like(backdrop)
    if backdrop.mean() < 0.03:
        backdrop = np.zeros_like(backdrop)
    # Fill small holes (birds, wires, specks of cloud texture) inside the sky.
    if sky.any():
        filled = cv2.morphologyEx(sky.astype(np.uint8), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)))
        sky = _with_clouds(rgb, filled.astype(bool), gray_photo)
    return sky, backdrop


def _cut_at_horizon(rgb: np.ndarray, sky: np.ndarray) -> np.ndarray:
    """The sky candidate above the row where its colour changes most (a sea horizon), when
    that change is clear; else the candidate as it was."""
    h, w = sky.shape
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    counts = sky.sum(axis=1).astype(np.float32)
    sums = (lab * sky[..., None]).sum(axis=1)
    k = max(2, h // 25)
    best, row = 0.0, -1
    for r in range(int(0.15 * h), int(0.8 * h)):
        if counts[r - k:r].min() < 0.3 * w or counts[r:r + k].min() < 0.3 * w:
            continue  # the line must cross a band that runs across the photo
        above = sums[r - k:r].sum(axis=0) / counts[r - k:r].sum()
        below = sums[r:r + k].sum(axis=0) / counts[r:r + k].sum()
        change = float(np.linalg.norm(above - below))
        if change > best:
            best, row = change, r
    if best < 6.0:
        return sky
    cut = sky.copy()
    cut[row:] = False
    return cut


def _with_clouds(rgb: np.ndarray, sky: np.ndarray, gray_photo: bool) -> np.ndarray:
    """The sky with its clouds: pale parts touching it that the sky surrounds for the most part
    (a snowy peak meets the sky only along its top, so it stays out)."""
    h, w = sky.shape
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.float32)
    sat, val = hsv[..., 1] / 255.0, hsv[..., 2] / 255.0
    rows = np.nonzero(sky.mean(axis=1) > 0.05)[0]
    if not rows.size:
        return sky
    pale = (val > (0.45 if gray_photo else 0.5)) & (sat < 0.3) & ~sky
    pale[rows.max() + 1:] = False  # clouds are not below the lowest sky
    count, labels, stats, _ = cv2.connectedComponentsWithStats(pale.astype(np.uint8), connectivity=8)
    if count <= 1:
        return sky
    # The ring a few pixels out: right at a cloud's edge the texture keeps pixels out of both.
    near, far = np.ones((3, 3), np.uint8), np.ones((9, 9), np.uint8)
    out = sky.copy()
    for i in range(1, count):
        if stats[i, cv2.CC_STAT_AREA] < 4:
            continue
        x, y, bw, bh, _ = stats[i]
        x0, y0, x1, y1 = max(0, x - 5), max(0, y - 5), min(w, x + bw + 5), min(h, y + bh + 5)
        part = (labels[y0:y1, x0:x1] == i).astype(np.uint8)
        border = cv2.dilate(part, far).astype(bool) & ~cv2.dilate(part, near).astype(bool)
        if border.any() and sky[y0:y1, x0:x1][border].mean() > 0.55:
            # The cloud and its soft edge join the sky.
            out[y0:y1, x0:x1] |= cv2.dilate(part, near).astype(bool)
    return out


def estimate_horizon(sky: np.ndarray, default: float = 0.45) -> float:
    """Horizon row (fraction of height): just below most of the sky, or a default at eye level."""
    h, w = sky.shape
    cols = sky.any(axis=0)
    if cols.mean() < 0.3:
        return default
    lowest = h - 1 - np.argmax(sky[::-1, cols], axis=0)  # lowest sky row per column with sky
    return float(np.clip(np.percentile(lowest, 70) / h + 0.02, 0.15, 0.8))


def loose_sky(rgb: np.ndarray, measures: Measures | None = None) -> np.ndarray:
    """A loose sky mask for the region finders: smooth, bright or blue areas connected to the
    top edge, grown into similar colours and pale clouds (soft, 0..1, at rgb's size)."""
    m = measures or Measures(rgb)
    smooth = 1.0 - ramp(m.texture, 0.06, 0.2)
    bluish = hue_near(m.hue, 210, 60) * ramp(m.sat, 0.03, 0.15) * ramp(m.val, 0.25, 0.45)
    bright = ramp(m.val, 0.5, 0.8) * (1.0 - ramp(m.sat, 0.3, 0.5))
    score = smooth * np.maximum(bluish, bright) * (1.0 - ramp(m.ys, 0.5, 0.85))
    binary = (score > 0.35).astype(np.uint8)
    n, labels = cv2.connectedComponents(binary, connectivity=8)
    top = np.unique(labels[: max(1, m.h // 50)])
    top = top[top > 0]
    mask = np.isin(labels, top).astype(np.float32)
    if mask.mean() < 0.01:
        return np.zeros((m.h, m.w), np.float32)
    # Grow the seed into connected pixels of the sky's own colours (hazy sky near the horizon,
    # cloud edges), as long as they stay fairly smooth.
    seed = mask > 0.5
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    mean = lab[seed].mean(axis=0)
    spread = lab[seed].std(axis=0) + np.array([8.0, 3.0, 3.0], np.float32)
    dist = np.sqrt((((lab - mean) / spread) ** 2).sum(axis=2))
    similar = (dist < 2.5) & (m.texture < 0.15) & (m.ys < 0.85)
    grown = (similar | seed).astype(np.uint8)
    n, labels = cv2.connectedComponents(grown, connectivity=8)
    ids = np.unique(labels[seed])
    mask = np.isin(labels, ids[ids > 0]).astype(np.uint8)
    # Clouds: bright, pale areas touching the sky above its lowest row; then holes inside the
    # sky (a cloud's textured core) that do not reach the bottom of the photo.
    rows = np.nonzero(mask.mean(axis=1) > 0.05)[0]
    if rows.size:
        pale = (m.val > 0.6) & (m.sat < 0.3) & (m.ys <= rows.max() / m.h)
        grown = (pale | mask.astype(bool)).astype(np.uint8)
        n, labels = cv2.connectedComponents(grown, connectivity=8)
        ids = np.unique(labels[mask.astype(bool)])
        mask = np.isin(labels, ids[ids > 0]).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(1 - mask, connectivity=4)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if y + bh < m.h * 0.98 and area < 0.05 * m.h * m.w:
            mask[labels == i] = 1
    mask = mask.astype(np.float32)
    # Clouds are textured: fill holes inside the sky by closing generously.
    k = max(3, int(round(15 * m.scale)) | 1)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return np.clip(m.blur(mask, 2), 0, 1)
