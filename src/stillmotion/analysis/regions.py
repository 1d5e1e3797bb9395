"""Named regions from classical cues (no model): water, foliage, light, fire, steam sources.

find_regions(rgb, analysis) works on the small analysis-resolution copy of the photo and
returns soft float32 masks (0..1, feathered edges) of the same size. Each cue is a plain,
explainable score (colour, texture, orientation, position); a region is kept only when it
forms large enough connected parts, so a blue shirt is not a lake and one green pixel is not
a tree. The caller stores them: `analysis.regions.update(find_regions(small_rgb, analysis))`.
"""

from __future__ import annotations

import cv2
import numpy as np

from .imaging import Measures, hue_near, ramp
from .sky import loose_sky

REGION_NAMES = ("water", "foliage", "light", "fire", "steam_source")


def find_regions(rgb: np.ndarray, analysis=None) -> dict[str, np.ndarray]:
    """Soft masks "water", "foliage", "light", "fire", "steam_source" for an RGB uint8 image.

    analysis (optional) supplies the sky mask and faces found earlier; without a sky there,
    the looser sky.loose_sky is kept out of water and foliage; without faces, none is excluded.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"find_regions needs an H x W x 3 uint8 RGB image, got {rgb.dtype} {rgb.shape}")
    h, w = rgb.shape[:2]
    cues = Measures(rgb)
    sky = None
    if analysis is not None and analysis.sky is not None and analysis.sky.shape == (h, w) and analysis.sky.max() > 0.2:
        sky = analysis.sky.astype(np.float32)
    if sky is None:
        sky = loose_sky(rgb, cues)
    people = _people_mask(analysis, (h, w))

    foliage = _foliage(cues, sky)
    water = _water(cues, sky, foliage)
    fire = _fire(cues)
    light = _light(cues, sky, fire)
    steam = _steam_sources(cues, sky)
    keep = 1.0 - people
    out = {
        "water": water * keep,
        "foliage": foliage * keep,
        "light": light,
        "fire": fire,
        "steam_source": steam,
    }
    return {k: np.clip(v, 0, 1).astype(np.float32) for k, v in out.items()}


def _keep_large(score: np.ndarray, threshold: float, min_frac: float, cues: Measures, feather: float,
                min_width: float = 0.0, close_px: float = 5, fill_holes: float = 0.0,
                low_or_wide: bool = False) -> np.ndarray:
    """Threshold a score, keep connected parts of at least min_frac of the image, feather the edge.

    close_px closes gaps of about that size; fill_holes fills enclosed holes smaller than that
    fraction of the image (calm water between rapids).
    """
    binary = (score > threshold).astype(np.uint8)
    k = max(3, int(round(5 * cues.scale)) | 1)
    kc = max(3, int(round(close_px * cues.scale)) | 1)
    binary = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kc, kc)))
    binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    if fill_holes > 0:
        n, labels, stats, _ = cv2.connectedComponentsWithStats(1 - binary, connectivity=4)
        h, w = binary.shape
        for i in range(1, n):
            x, y, bw, bh, area = stats[i]
            if area < fill_holes * h * w and x > 0 and y > 0 and x + bw < w and y + bh < h:
                binary[labels == i] = 1
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    min_area = min_frac * cues.h * cues.w
    keep = np.zeros(n, np.uint8)
    keep[1:] = (stats[1:, cv2.CC_STAT_AREA] >= min_area) & (stats[1:, cv2.CC_STAT_WIDTH] >= min_width * cues.w)
    if low_or_wide:  # reaches the bottom of the photo, spans most of its width, or leaves the frame sideways
        bottom = stats[1:, cv2.CC_STAT_TOP] + stats[1:, cv2.CC_STAT_HEIGHT]
        left, width = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_WIDTH]
        sideways = (left <= 1) | (left + width >= cues.w - 1)
        keep[1:] &= (bottom >= 0.85 * cues.h) | (width >= 0.6 * cues.w) | sideways
    mask = keep[labels].astype(np.float32)
    return np.clip(cues.blur(mask, feather), 0.0, 1.0)


def _people_mask(analysis, shape) -> np.ndarray:
    h, w = shape
    out = np.zeros(shape, np.float32)
    if analysis is None:
        return out
    for face in getattr(analysis, "faces", []) or []:
        x, y, fw, fh = face.box
        centre = (int((x + fw / 2) * w), int((y + fh / 2) * h))
        axes = (max(1, int(fw * w * 0.75)), max(1, int(fh * h * 0.8)))
        cv2.ellipse(out, centre, axes, 0, 0, 360, 1.0, -1)
    # The subject mask is a person only when there are faces; otherwise it may be the very
    # waterfall, tree or campfire the effect is for.
    subject = getattr(analysis, "subject", None)
    if subject is not None and subject.shape == shape and getattr(analysis, "faces", None):
        out = np.maximum(out, np.clip(subject.astype(np.float32), 0, 1))
    return out


def _foliage(cues: Measures, sky: np.ndarray) -> np.ndarray:
    # Green-to-yellow-green hues with some saturation, and leafy texture (or dark green shade).
    green = np.clip(1.6 * hue_near(cues.hue, 100, 65), 0, 1) * ramp(cues.sat, 0.25, 0.45) * ramp(cues.val, 0.06, 0.18)
    leafy = ramp(cues.texture, 0.02, 0.08)
    score = cues.blur(green * (0.35 + 0.65 * leafy), 3) * (1.0 - sky)
    leaves = _keep_large(score, 0.3, 0.004, cues, 3)
    if leaves.max() < 0.5:
        return leaves
    # Flowers and berries on the plant sway with it: saturated, non-green blobs that touch
    # the leaves and are small next to them.
    colourful = ((cues.sat > 0.4) & (cues.val > 0.35) & (hue_near(cues.hue, 100, 65) == 0)).astype(np.uint8)
    k = max(3, int(round(15 * cues.scale)) | 1)
    near = cv2.dilate((leaves > 0.5).astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(colourful, connectivity=8)
    touching = np.zeros(n, bool)
    touching[np.unique(labels[(near > 0) & (colourful > 0)])] = True
    touching[0] = False
    touching &= stats[:, cv2.CC_STAT_AREA] < 0.03 * cues.h * cues.w
    flowers = cues.blur(touching[labels].astype(np.float32), 2)
    return np.maximum(leaves, flowers)


def _water(cues: Measures, sky: np.ndarray, foliage: np.ndarray) -> np.ndarray:
    h = cues.h
    sky_rows = np.where(sky.mean(axis=1) > 0.1)[0]
    horizon = (sky_rows.max() + 1) / h if sky_rows.size else 0.25
    below = ramp(cues.ys, horizon + 0.01, horizon + 0.04) * (1.0 - sky)
    # Colour of the water itself or of the sky it reflects.
    bluish = hue_near(cues.hue, 200, 45) * ramp(cues.sat, 0.08, 0.25)
    sky_like = np.zeros_like(bluish)
    if sky.sum() > 0.01 * sky.size:
        sel = sky > 0.5
        mean = np.array([cues.r[sel].mean(), cues.g[sel].mean(), cues.b[sel].mean()], np.float32)
        dist = np.sqrt((cues.r - mean[0]) ** 2 + (cues.g - mean[1]) ** 2 + (cues.b - mean[2]) ** 2)
        sky_like = 1.0 - ramp(dist, 0.1, 0.3)
    # White water: bright, unsaturated, churning texture (rapids, surf).
    white = ramp(cues.val, 0.6, 0.85) * (1.0 - ramp(cues.sat, 0.15, 0.35)) * ramp(cues.texture, 0.05, 0.15)
    # Reflections and ripples: streaks along x (grass and trunks are streaks along y).
    streaks = cues.blur(ramp(cues.horizontal, 0.55, 0.8), 6)
    colour = np.maximum(np.maximum(bluish, sky_like), white)
    score = cues.blur(below * (0.5 * colour + 0.5 * streaks + 0.3 * colour * streaks), 3)
    score *= 1.0 - 0.8 * foliage
    # Busy texture with no horizontal grain (trees on a far shore, rocks) is not water.
    busy = cues.blur(ramp(cues.texture, 0.1, 0.25) * (1.0 - ramp(cues.horizontal, 0.5, 0.7)), 4)
    score *= 1.0 - 0.8 * busy
    # Water lies wide and low: drop parts narrower than a fifth of the photo, and parts that
    # neither reach the bottom, nor span the photo, nor leave it sideways (window blinds).
    return _keep_large(score, 0.33, 0.02, cues, 4, min_width=0.2, close_px=15, fill_holes=0.01, low_or_wide=True)


def _fire(cues: Measures) -> np.ndarray:
    # Flames: bright, saturated, red-orange-yellow, red channel dominant, blue lowest, and
    # brighter than their surroundings.
    warm = hue_near(cues.hue, 30, 28) * ramp(cues.sat, 0.45, 0.7) * ramp(cues.r, 0.85, 0.97) * ramp(cues.val, 0.85, 0.95)
    order = ((cues.r >= cues.g) & (cues.g >= cues.b) & (cues.g > 0.3 * cues.r)).astype(np.float32)
    lifted = ramp(cues.lum - cues.blur(cues.lum, 20), 0.02, 0.1)
    score = cues.blur(warm * order * (0.4 + 0.6 * lifted), 2)
    fire = _keep_large(score, 0.35, 0.0008, cues, 1) > 0.5
    if not fire.any():
        return np.zeros((cues.h, cues.w), np.float32)
    # A flame's core is near white: take in bright warm-white pixels connected to the flame,
    # unless that would swallow a large bright area (a sunset sky).
    core = (cues.val > 0.85) & (cues.r >= cues.b)
    n, labels, stats, _ = cv2.connectedComponentsWithStats((fire | core).astype(np.uint8), connectivity=8)
    out = np.zeros((cues.h, cues.w), np.float32)
    for i in np.unique(labels[fire]):
        part = labels == i
        own = np.count_nonzero(part & fire)
        out[part if stats[i, cv2.CC_STAT_AREA] <= 4 * own else (part & fire)] = 1.0
    return np.clip(cues.blur(out, 3), 0, 1)


def _light(cues: Measures, sky: np.ndarray, fire: np.ndarray) -> np.ndarray:
    # Light sources and highlights: very bright pixels much brighter than their neighbourhood;
    # a bright overcast sky is not a light source, so large bright areas are dropped.
    background = cues.blur(cues.lum, 25)
    lifted = ramp(cues.lum - background, 0.25, 0.45)
    bright = ramp(cues.lum, 0.85, 0.98)
    score = np.maximum(bright * lifted, 0.7 * fire) * (1.0 - 0.9 * sky)
    binary = (score > 0.3).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    keep = np.zeros(n, np.uint8)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] <= 0.01 * cues.h * cues.w
    mask = keep[labels].astype(np.float32)
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    return np.clip(cues.blur(mask, 1.5), 0, 1)


def _steam_sources(cues: Measures, sky: np.ndarray) -> np.ndarray:
    """Where steam or smoke would rise from: hot drinks (warm-brown liquid in a bright rim) and
    chimneys (narrow upright things sticking into the sky)."""
    h, w = cues.h, cues.w
    out = np.zeros((h, w), np.float32)
    # Drinks: a warm-brown blob (coffee, tea, crema) surrounded by brighter pixels (the rim).
    brown = hue_near(cues.hue, 30, 25) * ramp(cues.sat, 0.3, 0.5) * (1.0 - ramp(cues.val, 0.9, 0.98))
    brown = cues.blur(brown, 3)
    binary = (brown > 0.45).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    ring_lum = cues.blur(cues.lum, 12)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if not (0.006 * h * w <= area <= 0.15 * h * w):
            continue
        fill = area / float(bw * bh)
        if fill < 0.5 or not 0.3 < bh / max(bw, 1) < 1.5:  # roundish (an ellipse seen from above)
            continue
        part = labels == i
        ring = cv2.dilate(part.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool) & ~part
        # The rim: the brighter part of the ring around the liquid is clearly lighter than it.
        if ring.any() and np.percentile(cues.lum[ring], 75) > cues.lum[part].mean() + 0.12 and ring_lum[part].mean() < 0.9:
            out[part] = 1.0
    # Chimneys: columns where the sky line rises up for a short, narrow run.
    if sky.sum() > 0.02 * sky.size:
        sky_bin = sky > 0.5
        first_ground = np.where(sky_bin.any(axis=0), h - np.argmax(sky_bin[::-1], axis=0), 0)  # last sky row + 1
        line = first_ground.astype(np.float32)
        wide = cv2.blur(line[None, :], (max(9, w // 15) | 1, 1))[0]
        narrow_up = (wide - line) > 0.03 * h  # the skyline locally much higher than around it
        cols = np.where(narrow_up)[0]
        if cols.size and cols.size < 0.08 * w:
            for c in cols:
                top = int(line[c])
                out[top:min(h, top + max(2, h // 60)), c] = 1.0
    return np.clip(cues.blur(out, 2), 0, 1)
