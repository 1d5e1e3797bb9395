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

REGION_NAMES = ("water", "foliage", "light", "fire", "steam_source")


def find_regions(rgb: np.ndarray, analysis=None) -> dict[str, np.ndarray]:
    """Soft masks "water", "foliage", "light", "fire", "steam_source" for an RGB uint8 image.

    analysis (optional) supplies the sky mask and faces found earlier; without them a rough
    sky estimate of this module is used and no face is excluded.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"find_regions needs an H x W x 3 uint8 RGB image, got {rgb.dtype} {rgb.shape}")
    h, w = rgb.shape[:2]
    cues = _Cues(rgb)
    sky = None
    if analysis is not None and analysis.sky is not None and analysis.sky.shape == (h, w) and analysis.sky.max() > 0.2:
        sky = analysis.sky.astype(np.float32)
    if sky is None:
        sky = rough_sky(rgb, cues)
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


class _Cues:
    """Per-pixel measurements shared by the region scores (all H x W float32)."""

    def __init__(self, rgb: np.ndarray):
        self.h, self.w = rgb.shape[:2]
        self.scale = max(self.h, self.w) / 768.0  # kernel sizes are tuned at a 768 long side
        f = rgb.astype(np.float32) / 255.0
        self.r, self.g, self.b = f[..., 0], f[..., 1], f[..., 2]
        hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV_FULL).astype(np.float32)
        self.hue = hsv[..., 0] * (360.0 / 256.0)  # degrees
        self.sat = hsv[..., 1] / 255.0
        self.val = hsv[..., 2] / 255.0
        self.lum = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
        gx = cv2.Sobel(self.lum, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(self.lum, cv2.CV_32F, 0, 1, ksize=3)
        s = self.sigma(4)
        jxx = cv2.GaussianBlur(gx * gx, (0, 0), s)
        jyy = cv2.GaussianBlur(gy * gy, (0, 0), s)
        # Texture: local gradient energy; anisotropy: how much edges run horizontally
        # (ripples and reflections are streaks along x, so their gradient points along y).
        self.texture = np.sqrt(jxx + jyy)
        self.horizontal = jyy / (jxx + jyy + 1e-4)
        self.ys = np.linspace(0.0, 1.0, self.h, dtype=np.float32)[:, None] * np.ones((1, self.w), np.float32)

    def sigma(self, px: float) -> float:
        return max(0.5, px * self.scale)

    def blur(self, a: np.ndarray, px: float) -> np.ndarray:
        return cv2.GaussianBlur(a.astype(np.float32), (0, 0), self.sigma(px))


def _ramp(x, lo, hi):
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def _hue_near(hue, centre, width):
    d = np.abs(((hue - centre) + 180.0) % 360.0 - 180.0)
    return np.clip(1.0 - d / width, 0.0, 1.0)


def _keep_large(score: np.ndarray, threshold: float, min_frac: float, cues: _Cues, feather: float,
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


def rough_sky(rgb: np.ndarray, cues: _Cues | None = None) -> np.ndarray:
    """A rough sky mask: smooth, bright or blue areas connected to the top edge."""
    cues = cues or _Cues(rgb)
    smooth = 1.0 - _ramp(cues.texture, 0.06, 0.2)
    bluish = _hue_near(cues.hue, 210, 60) * _ramp(cues.sat, 0.03, 0.15) * _ramp(cues.val, 0.25, 0.45)
    bright = _ramp(cues.val, 0.5, 0.8) * (1.0 - _ramp(cues.sat, 0.3, 0.5))
    score = smooth * np.maximum(bluish, bright) * (1.0 - _ramp(cues.ys, 0.5, 0.85))
    binary = (score > 0.35).astype(np.uint8)
    n, labels = cv2.connectedComponents(binary, connectivity=8)
    top = np.unique(labels[: max(1, cues.h // 50)])
    top = top[top > 0]
    mask = np.isin(labels, top).astype(np.float32)
    if mask.mean() < 0.01:
        return np.zeros((cues.h, cues.w), np.float32)
    # Grow the seed into connected pixels of the sky's own colours (hazy sky near the horizon,
    # cloud edges), as long as they stay fairly smooth.
    seed = mask > 0.5
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    mean = lab[seed].mean(axis=0)
    spread = lab[seed].std(axis=0) + np.array([8.0, 3.0, 3.0], np.float32)
    dist = np.sqrt((((lab - mean) / spread) ** 2).sum(axis=2))
    similar = (dist < 2.5) & (cues.texture < 0.15) & (cues.ys < 0.85)
    grown = (similar | seed).astype(np.uint8)
    n, labels = cv2.connectedComponents(grown, connectivity=8)
    ids = np.unique(labels[seed])
    mask = np.isin(labels, ids[ids > 0]).astype(np.uint8)
    # Clouds: bright, pale areas touching the sky above its lowest row; then holes inside the
    # sky (a cloud's textured core) that do not reach the bottom of the photo.
    rows = np.nonzero(mask.mean(axis=1) > 0.05)[0]
    if rows.size:
        pale = (cues.val > 0.6) & (cues.sat < 0.3) & (cues.ys <= rows.max() / cues.h)
        grown = (pale | mask.astype(bool)).astype(np.uint8)
        n, labels = cv2.connectedComponents(grown, connectivity=8)
        ids = np.unique(labels[mask.astype(bool)])
        mask = np.isin(labels, ids[ids > 0]).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(1 - mask, connectivity=4)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if y + bh < cues.h * 0.98 and area < 0.05 * cues.h * cues.w:
            mask[labels == i] = 1
    mask = mask.astype(np.float32)
    # Clouds are textured: fill holes inside the sky by closing generously.
    k = max(3, int(round(15 * cues.scale)) | 1)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    return np.clip(cues.blur(mask, 2), 0, 1)


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


def _foliage(cues: _Cues, sky: np.ndarray) -> np.ndarray:
    # Green-to-yellow-green hues with some saturation, and leafy texture (or dark green shade).
    green = np.clip(1.6 * _hue_near(cues.hue, 100, 65), 0, 1) * _ramp(cues.sat, 0.25, 0.45) * _ramp(cues.val, 0.06, 0.18)
    leafy = _ramp(cues.texture, 0.02, 0.08)
    score = cues.blur(green * (0.35 + 0.65 * leafy), 3) * (1.0 - sky)
    leaves = _keep_large(score, 0.3, 0.004, cues, 3)
    if leaves.max() < 0.5:
        return leaves
    # Flowers and berries on the plant sway with it: saturated, non-green blobs that touch
    # the leaves and are small next to them.
    colourful = ((cues.sat > 0.4) & (cues.val > 0.35) & (_hue_near(cues.hue, 100, 65) == 0)).astype(np.uint8)
    k = max(3, int(round(15 * cues.scale)) | 1)
    near = cv2.dilate((leaves > 0.5).astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(colourful, connectivity=8)
    touching = np.zeros(n, bool)
    touching[np.unique(labels[(near > 0) & (colourful > 0)])] = True
    touching[0] = False
    touching &= stats[:, cv2.CC_STAT_AREA] < 0.03 * cues.h * cues.w
    flowers = cues.blur(touching[labels].astype(np.float32), 2)
    return np.maximum(leaves, flowers)


def _water(cues: _Cues, sky: np.ndarray, foliage: np.ndarray) -> np.ndarray:
    h = cues.h
    sky_rows = np.where(sky.mean(axis=1) > 0.1)[0]
    horizon = (sky_rows.max() + 1) / h if sky_rows.size else 0.25
    below = _ramp(cues.ys, horizon + 0.01, horizon + 0.04) * (1.0 - sky)
    # Colour of the water itself or of the sky it reflects.
    bluish = _hue_near(cues.hue, 200, 45) * _ramp(cues.sat, 0.08, 0.25)
    sky_like = np.zeros_like(bluish)
    if sky.sum() > 0.01 * sky.size:
        sel = sky > 0.5
        mean = np.array([cues.r[sel].mean(), cues.g[sel].mean(), cues.b[sel].mean()], np.float32)
        dist = np.sqrt((cues.r - mean[0]) ** 2 + (cues.g - mean[1]) ** 2 + (cues.b - mean[2]) ** 2)
        sky_like = 1.0 - _ramp(dist, 0.1, 0.3)
    # White water: bright, unsaturated, churning texture (rapids, surf).
    white = _ramp(cues.val, 0.6, 0.85) * (1.0 - _ramp(cues.sat, 0.15, 0.35)) * _ramp(cues.texture, 0.05, 0.15)
    # Reflections and ripples: streaks along x (grass and trunks are streaks along y).
    streaks = cues.blur(_ramp(cues.horizontal, 0.55, 0.8), 6)
    colour = np.maximum(np.maximum(bluish, sky_like), white)
    score = cues.blur(below * (0.5 * colour + 0.5 * streaks + 0.3 * colour * streaks), 3)
    score *= 1.0 - 0.8 * foliage
    # Busy texture with no horizontal grain (trees on a far shore, rocks) is not water.
    busy = cues.blur(_ramp(cues.texture, 0.1, 0.25) * (1.0 - _ramp(cues.horizontal, 0.5, 0.7)), 4)
    score *= 1.0 - 0.8 * busy
    # Water lies wide and low: drop parts narrower than a fifth of the photo, and parts that
    # neither reach the bottom, nor span the photo, nor leave it sideways (window blinds).
    return _keep_large(score, 0.33, 0.02, cues, 4, min_width=0.2, close_px=15, fill_holes=0.01, low_or_wide=True)


def _fire(cues: _Cues) -> np.ndarray:
    # Flames: bright, saturated, red-orange-yellow, red channel dominant, blue lowest, and
    # brighter than their surroundings.
    warm = _hue_near(cues.hue, 30, 28) * _ramp(cues.sat, 0.45, 0.7) * _ramp(cues.r, 0.85, 0.97) * _ramp(cues.val, 0.85, 0.95)
    order = ((cues.r >= cues.g) & (cues.g >= cues.b) & (cues.g > 0.3 * cues.r)).astype(np.float32)
    lifted = _ramp(cues.lum - cues.blur(cues.lum, 20), 0.02, 0.1)
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


def _light(cues: _Cues, sky: np.ndarray, fire: np.ndarray) -> np.ndarray:
    # Light sources and highlights: very bright pixels much brighter than their neighbourhood;
    # a bright overcast sky is not a light source, so large bright areas are dropped.
    background = cues.blur(cues.lum, 25)
    lifted = _ramp(cues.lum - background, 0.25, 0.45)
    bright = _ramp(cues.lum, 0.85, 0.98)
    score = np.maximum(bright * lifted, 0.7 * fire) * (1.0 - 0.9 * sky)
    binary = (score > 0.3).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    keep = np.zeros(n, np.uint8)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] <= 0.01 * cues.h * cues.w
    mask = keep[labels].astype(np.float32)
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    return np.clip(cues.blur(mask, 1.5), 0, 1)


def _steam_sources(cues: _Cues, sky: np.ndarray) -> np.ndarray:
    """Where steam or smoke would rise from: hot drinks (warm-brown liquid in a bright rim) and
    chimneys (narrow upright things sticking into the sky)."""
    h, w = cues.h, cues.w
    out = np.zeros((h, w), np.float32)
    # Drinks: a warm-brown blob (coffee, tea, crema) surrounded by brighter pixels (the rim).
    brown = _hue_near(cues.hue, 30, 25) * _ramp(cues.sat, 0.3, 0.5) * (1.0 - _ramp(cues.val, 0.9, 0.98))
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
