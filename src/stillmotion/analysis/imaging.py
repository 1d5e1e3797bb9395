"""The analysis's image toolbox: resizing, a grayscale test, edge-aware refinement of maps
(a guided filter on an edge guide), gradients, and per-pixel colour and texture measures.

Functions take RGB uint8 images or float32 maps and return float32 maps in 0..1 at the
image's size, unless they say otherwise. Nothing here knows what a sky or a subject is.
"""

from __future__ import annotations

import cv2
import numpy as np

# ----------------------------------------------------------------------------- sizes


def resize_long(image: np.ndarray, long_side: int) -> np.ndarray:
    h, w = image.shape[:2]
    scale = long_side / max(h, w)
    if scale >= 1:
        return image
    return cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)


def resize_to(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    if image.shape[:2] == (h, w):
        return image
    return cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR)


def without_frame(rgb: np.ndarray, max_share: float = 0.02) -> np.ndarray:
    """The image with a thin frame (scanner or print borders: a few nearly uniform rows or columns
    along an edge, up to max_share of the size) replaced by the nearest picture line; the image
    itself when it has none. A frame line would cut the sky off from the top edge."""
    out = None
    h, w = rgb.shape[:2]
    for axis, size in ((0, h), (1, w)):
        limit = max(1, int(max_share * size))
        for from_end in (False, True):
            count = _frame_lines(rgb, axis, from_end, limit)
            if count:
                # The lines where frame and picture meet (resampled, demosaiced) blend both: they go too.
                count += 2
                out = rgb.copy() if out is None else out
                inner = size - 1 - count if from_end else count
                span = slice(size - count, size) if from_end else slice(0, count)
                if axis == 0:
                    out[span] = out[inner]
                else:
                    out[:, span] = out[:, inner:inner + 1]
    return rgb if out is None else out


def _frame_lines(rgb: np.ndarray, axis: int, from_end: bool, limit: int) -> int:
    """How many lines along one edge are nearly uniform (90 % of a line within 8 levels of its
    median) before the picture starts; 0 when none is, or when the uniform run goes on past
    `limit` (a flat area of the picture, not a frame)."""
    size = rgb.shape[axis]
    for count in range(limit + 1):
        i = size - 1 - count if from_end else count
        line = (rgb[i] if axis == 0 else rgb[:, i]).astype(np.float32)
        if float(np.percentile(np.abs(line - np.median(line, axis=0)), 90, axis=0).max()) > 8:
            return count
    return 0


def is_grayscale(rgb: np.ndarray) -> bool:
    """True for black-and-white and sepia photos (tiny chroma everywhere)."""
    small = resize_long(rgb, 128).astype(np.int16)
    chroma = np.max(small, axis=2) - np.min(small, axis=2)
    return float(np.percentile(chroma, 95)) < 28


# ----------------------------------------------------------------------------- edge-aware refinement


def edge_guide(rgb: np.ndarray) -> np.ndarray:
    """The image with fine texture smoothed away but object edges kept: the guide for refinement.

    A plain image as guide copies grass and fabric texture into the depth (wobbly surfaces
    when the camera moves); a bilateral pass removes that texture first.
    """
    smooth = cv2.bilateralFilter(rgb, d=7, sigmaColor=40, sigmaSpace=5)
    return smooth.astype(np.float32) / 255.0


def _box(x: np.ndarray, r: int) -> np.ndarray:
    return cv2.boxFilter(x, -1, (2 * r + 1, 2 * r + 1), normalize=True, borderType=cv2.BORDER_REFLECT)


class GuidedFilter:
    """Colour guided filter (He, Sun, Tang), the fast variant: coefficients on a subsampled grid.

    The output follows src where the guide is flat and takes its edges from the guide, so a
    blurry or blocky map gets sharp boundaries exactly on the object silhouettes. Everything
    that depends only on the guide (its local means and inverse covariances) is computed once
    here, so filtering several maps with one guide costs little more than one.
    guide: H x W x 3 float32 in 0..1.
    """

    def __init__(self, guide: np.ndarray, radius: int, eps: float, subsample: int = 2):
        self.guide = guide
        self.shape = h, w = guide.shape[:2]
        self.s = s = max(1, min(subsample, h // 2, w // 2))
        self.small = (max(1, w // s), max(1, h // s))
        self.I = I = cv2.resize(guide, self.small, interpolation=cv2.INTER_AREA) if s > 1 else guide
        self.r = r = max(1, radius // s)
        self.mean_I = mean_I = _box(I, r)
        Ir, Ig, Ib = I[..., 0], I[..., 1], I[..., 2]
        mr, mg, mb = mean_I[..., 0], mean_I[..., 1], mean_I[..., 2]
        # The 6 distinct entries of each pixel's 3x3 colour covariance, plus eps on the diagonal.
        rr = _box(Ir * Ir, r) - mr * mr + eps
        rg = _box(Ir * Ig, r) - mr * mg
        rb = _box(Ir * Ib, r) - mr * mb
        gg = _box(Ig * Ig, r) - mg * mg + eps
        gb = _box(Ig * Ib, r) - mg * mb
        bb = _box(Ib * Ib, r) - mb * mb + eps
        # Closed-form inverse of each symmetric 3x3 matrix (adjugate / determinant), vectorised;
        # stored as its 6 distinct entries rr, rg, rb, gg, gb, bb.
        inv = np.stack([gg * bb - gb * gb, gb * rb - rg * bb, rg * gb - gg * rb,
                        rr * bb - rb * rb, rb * rg - rr * gb, rr * gg - rg * rg], axis=-1)
        det = rr * inv[..., 0] + rg * inv[..., 1] + rb * inv[..., 2]
        self.inv = (inv / np.where(np.abs(det) < 1e-12, 1e-12, det)[..., None]).astype(np.float32)

    def __call__(self, src: np.ndarray) -> np.ndarray:
        h, w = self.shape
        s, r, I, mean_I, inv = self.s, self.r, self.I, self.mean_I, self.inv
        p = cv2.resize(src, self.small, interpolation=cv2.INTER_AREA) if s > 1 else src
        mean_p = _box(p, r)
        cov = _box(I * p[..., None], r) - mean_I * mean_p[..., None]
        cr, cg, cb = cov[..., 0], cov[..., 1], cov[..., 2]
        a = np.empty_like(cov)
        a[..., 0] = inv[..., 0] * cr + inv[..., 1] * cg + inv[..., 2] * cb
        a[..., 1] = inv[..., 1] * cr + inv[..., 3] * cg + inv[..., 4] * cb
        a[..., 2] = inv[..., 2] * cr + inv[..., 4] * cg + inv[..., 5] * cb
        b = mean_p - np.sum(a * mean_I, axis=2)
        mean_a, mean_b = _box(a, r), _box(b, r)
        if s > 1:
            mean_a = cv2.resize(mean_a, (w, h), interpolation=cv2.INTER_LINEAR)
            mean_b = cv2.resize(mean_b, (w, h), interpolation=cv2.INTER_LINEAR)
        return (np.sum(mean_a * self.guide, axis=2) + mean_b).astype(np.float32)


def guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float, subsample: int = 2) -> np.ndarray:
    """One-off guided filter of src (H x W float32) with guide (H x W x 3 float32 in 0..1)."""
    return GuidedFilter(guide, radius, eps, subsample)(src.astype(np.float32))


def refiner(guide: np.ndarray, eps: float = 2e-3) -> GuidedFilter:
    """The guided filter that snaps maps to the photo's edges (window about 2 % of the size)."""
    return GuidedFilter(guide, max(2, round(max(guide.shape[:2]) / 96)), eps)


def refine(guide: np.ndarray | GuidedFilter, src: np.ndarray) -> np.ndarray:
    """Snap a map's edges to the image edges (guide: an edge guide or a prepared GuidedFilter)
    and clip it back to 0..1."""
    if not src.any():
        return np.zeros(src.shape, np.float32)  # nothing to snap (no sky, no subject)
    snap = guide if isinstance(guide, GuidedFilter) else refiner(guide)
    return np.clip(snap(src.astype(np.float32)), 0.0, 1.0)


def crisp(mask: np.ndarray, lo: float = 0.25, hi: float = 0.75) -> np.ndarray:
    """Steepen a refined soft mask around 0.5 (smoothstep): the guided filter puts the edge in
    the right place but leaves a little halo; a depth step must be a step, not a ramp."""
    t = np.clip((mask - lo) / (hi - lo), 0.0, 1.0)
    return (t * t * (3 - 2 * t)).astype(np.float32)


def pieces_holding(mask: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """The connected pieces (8-connected) of a bool mask that hold a seed (bool, mask's shape)."""
    count, pieces = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    keep[np.unique(pieces[seeds & mask])] = True
    keep[0] = False
    return keep[pieces]


# ----------------------------------------------------------------------------- gradients


def gradient_energy(gray: np.ndarray, blur: float) -> np.ndarray:
    """Local gradient magnitude (0..~1), averaged over a Gaussian window: texture and sharpness."""
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    mag = cv2.magnitude(gx, gy) / 4.0
    return cv2.GaussianBlur(mag, (0, 0), blur)


def colour_edges(rgb: np.ndarray) -> np.ndarray:
    """Edge strength as the strongest of the three channels' gradients (a red object on green
    leaves can have the same brightness, and a grey gradient would miss its outline)."""
    img = rgb.astype(np.float32) / 255.0
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3)
    return cv2.GaussianBlur(np.sqrt(gx * gx + gy * gy).max(axis=2), (0, 0), 0.7)


# ----------------------------------------------------------------------------- colour and texture measures


class Measures:
    """Per-pixel colour and texture measures of one RGB uint8 image, shared by the region
    finders and the loose sky (all H x W float32): RGB, hue in degrees, saturation, value, luma,
    gradient texture and how horizontal the edges run."""

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
        self._structure = (gx, gy, jxx, jyy)
        # Texture: local gradient energy; anisotropy: how much edges run horizontally
        # (ripples and reflections are streaks along x, so their gradient points along y).
        self.texture = np.sqrt(jxx + jyy)
        self.horizontal = jyy / (jxx + jyy + 1e-4)
        self.ys = np.linspace(0.0, 1.0, self.h, dtype=np.float32)[:, None] * np.ones((1, self.w), np.float32)
        self.rgb, self._lab, self._coherence, self._fine, self._oblique = rgb, None, None, None, None

    def sigma(self, px: float) -> float:
        return max(0.5, px * self.scale)

    @property
    def lab(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CIE Lab as (L 0..100, a, b) with a and b centred on 0 (grey), computed once when asked."""
        if self._lab is None:
            lab = cv2.cvtColor(self.rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
            self._lab = (lab[..., 0] * (100.0 / 255.0), lab[..., 1] - 128.0, lab[..., 2] - 128.0)
        return self._lab

    @property
    def coherence(self) -> np.ndarray:
        """How much the local edges share one direction (0: every way, as in leaves; 1: one way,
        as along a wall's edge or a ripple), computed once when asked."""
        if self._coherence is None:
            gx, gy, jxx, jyy = self._structure
            jxy = cv2.GaussianBlur(gx * gy, (0, 0), self.sigma(4))
            self._coherence = np.sqrt((jxx - jyy) ** 2 + 4 * jxy * jxy) / (jxx + jyy + 1e-4)
        return self._coherence

    @property
    def oblique(self) -> np.ndarray:
        """How much of the local edges' energy runs oblique, away from level and plumb: about 0.32
        (1/pi) where edges run every way, as in leaves; near 0 where everything is built along
        level and plumb lines (windows, bricks, shingles). Computed once when asked."""
        if self._oblique is None:
            gx, gy, jxx, jyy = self._structure
            self._oblique = cv2.GaussianBlur(np.abs(gx * gy), (0, 0), self.sigma(4)) / (jxx + jyy + 1e-4)
        return self._oblique

    @property
    def fine_texture(self) -> np.ndarray:
        """Local contrast of the finest detail (a few pixels across), relative to the brightness:
        high in leaves and foam, low on smooth paint and blurred backgrounds. Computed once."""
        if self._fine is None:
            detail = self.lum - cv2.GaussianBlur(self.lum, (0, 0), self.sigma(2))
            energy = np.sqrt(cv2.GaussianBlur(detail * detail, (0, 0), self.sigma(3)))
            self._fine = energy / (cv2.GaussianBlur(self.lum, (0, 0), self.sigma(3)) + 0.05)
        return self._fine

    def blur(self, a: np.ndarray, px: float) -> np.ndarray:
        return cv2.GaussianBlur(a.astype(np.float32), (0, 0), self.sigma(px))


def ramp(x, lo, hi):
    """0 below lo, 1 above hi, linear between."""
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def hue_near(hue, centre, width):
    """1 at the centre hue (degrees), falling linearly to 0 at width degrees away, around the circle."""
    d = np.abs(((hue - centre) + 180.0) % 360.0 - 180.0)
    return np.clip(1.0 - d / width, 0.0, 1.0)
