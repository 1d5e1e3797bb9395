"""Small image measures the effects share: luminance, highlights, whether a mask has any area,
and the low-resolution grid that screen-space fields are computed on."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass
class Highlights:
    """Specular highlights and point lights of an image: where a glint can twinkle."""

    xy: np.ndarray  # N x 2 float32: the brightest pixel of each
    radius: np.ndarray  # N float32 pixels: the highlight's own size (half its short side)
    strength: np.ndarray  # N float32 0..1: how far it stands out of its surroundings
    point: np.ndarray  # N bool: a strong point light (clipped, tiny, far brighter than around it)
    colour: np.ndarray  # N x 3 float32 0..255: its colour

    def __len__(self) -> int:
        return len(self.xy)

    def take(self, keep: np.ndarray) -> Highlights:
        return Highlights(self.xy[keep], self.radius[keep], self.strength[keep], self.point[keep], self.colour[keep])


def find_highlights(image: np.ndarray, mask: np.ndarray | None = None, *, max_share: float = 0.002,
                    percentile: float = 99.0, min_lift: float = 0.08, any_colour: bool = False) -> Highlights:
    """The highlights of an image inside mask: small, near-white (or clipped) spots much brighter than
    their surroundings. A white wall, a pale cap or a window is not one: too large, too dim against
    what is around it, or too saturated (a specular highlight has the light's colour, not the paint's;
    any_colour keeps coloured ones: the sun's glints on water at sunset are orange)."""
    h, w = image.shape[:2]
    lum = luminance(image)
    surround = cv2.GaussianBlur(lum, (0, 0), max(2.0, 0.01 * max(h, w)))
    lift = lum - surround
    inside = np.ones((h, w), bool) if mask is None else mask > 0.3
    if not inside.any():
        return _no_highlights()
    floor = max(0.7 if not any_colour else 0.45, float(np.percentile(lum[inside], percentile)))
    candidate = (lum >= floor) & (lift >= min_lift) & inside
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidate.astype(np.uint8), connectivity=8)
    if count <= 1:
        return _no_highlights()
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    xy, radius, strength, point, colour = [], [], [], [], []
    flat_lum, flat_lift = lum.ravel(), lift.ravel()
    order = np.argsort(labels.ravel(), kind="stable")
    bounds = np.searchsorted(labels.ravel()[order], np.arange(count + 1))
    for label in range(1, count):
        x, y, bw, bh, area = (int(v) for v in stats[label])
        if area > max_share * h * w:
            continue
        pixels = order[bounds[label]:bounds[label + 1]]
        best = int(pixels[np.argmax(flat_lum[pixels])])
        by, bx = divmod(best, w)
        clipped = flat_lum[best] >= 0.97
        if hsv[by, bx, 1] > 90 and not (clipped or any_colour):  # saturated: the paint's colour, not a highlight
            continue
        xy.append((bx, by))
        radius.append(max(0.5, min(np.sqrt(area / np.pi), 0.5 * min(bw, bh) + 0.5)))
        standout = float(flat_lift[pixels].max())
        strength.append(min(1.0, standout / 0.35))
        point.append(bool(clipped and standout >= 0.3 and area <= 0.0004 * h * w and _glows(lum, bx, by, np.sqrt(area / np.pi))))
        colour.append(image[by, bx])
    if not xy:
        return _no_highlights()
    return Highlights(np.asarray(xy, np.float32), np.asarray(radius, np.float32), np.asarray(strength, np.float32),
                      np.asarray(point, bool), np.asarray(colour, np.float32))


def _glows(lum: np.ndarray, x: int, y: int, radius: float) -> bool:
    """Whether a clipped spot is a light source: a lamp or the sun blooms (a soft halo falls off
    around its core), a glint on metal or glass is a sharp speck on what surrounds it."""
    h, w = lum.shape
    r = max(1.5, radius)

    def ring(inner: float, outer: float) -> float:
        x0, x1 = max(0, int(x - outer)), min(w, int(x + outer) + 1)
        y0, y1 = max(0, int(y - outer)), min(h, int(y + outer) + 1)
        yy, xx = np.mgrid[y0:y1, x0:x1]
        d = np.hypot(xx - x, yy - y)
        part = lum[y0:y1, x0:x1][(d >= inner) & (d < outer)]
        return float(part.mean()) if part.size else 0.0

    return ring(1.5 * r + 1, 3 * r + 2) - ring(6 * r + 4, 9 * r + 6) >= 0.08


def _no_highlights() -> Highlights:
    return Highlights(np.zeros((0, 2), np.float32), np.zeros(0, np.float32), np.zeros(0, np.float32), np.zeros(0, bool),
                      np.zeros((0, 3), np.float32))
