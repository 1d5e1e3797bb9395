"""sparkle: tiny specular twinkles on the photo's real highlights, and glints on water.

Where: the plan's region, else the analysis' "light" and "water" regions, else anywhere (but faces
and the freeze region). On land a glint sits only on a highlight (kit/image.find_highlights: a small
near-white spot much brighter than its surroundings: jewellery, glitter, chrome, a wet surface, a
lamp), sized to that highlight; no highlight, no glint. On water, glints sit on the water's own
bright parts (the light's column, the lit crests), tiny and quick, as wave facets catch the light.
A glint brightens and fades on its own rhythm (a sharp periodic pulse, whole cycles per clip):
a soft round core the highlight's size and a faint halo. A soft diffraction star (thin, tapered
arms) shows only on strong point lights, or on every glint with style "stars" (the user asked for
stars or a starry sparkle). Strength sets how many glints and how bright; speed the twinkle rate.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender
from ..kit.image import Highlights, find_highlights, has_area, luminance
from ..kit.screen import ScreenMap
from ..kit.tracks import draw_dots, draw_segments
from ..regions import effect_mask

# pulse = max(0, sin)^sharpness: mostly dark, briefly bright (a water glint a little less briefly).
SHARPNESS, WATER_SHARPNESS = 6, 3


class Sparkle(Effect):
    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        w, h = scene.size
        region = effect_mask(spec, scene, "light")
        water = effect_mask(spec.model_copy(update={"region": None}), scene, "water")
        if spec.region is None:
            region = np.maximum(region, water)
            if not has_area(region, 0.0002):
                region = effect_mask(spec, scene, None)
        on_water = np.minimum(region, water)
        land = region * (1.0 - np.clip(water, 0, 1))
        px = min(w, h) / 1080.0
        found = find_highlights(scene.image, land)
        found = found.take(_strongest(found, int(10 + 50 * spec.strength)))
        glints = _water_glints(scene.image, on_water, rng, int((300 + 900 * spec.strength) * w * h / (1920 * 1080)), px)
        period = scene.duration
        self.glints = _concat(found, glints)
        self.water = np.concatenate([np.zeros(len(found), bool), np.ones(len(glints), bool)])
        n = len(self.glints)
        xy = self.glints.xy
        self.near = scene.depth[xy[:, 1].astype(int), xy[:, 0].astype(int)].astype(np.float64) if n else np.zeros(0)
        # Highlights twinkle slowly; water glints flash quickly as facets tilt.
        rate = np.where(self.water, rng.uniform(0.9, 2.2, n), rng.uniform(0.25, 0.7, n)) * spec.speed
        cycles = np.maximum(1, np.round(rate * period))
        self.omega = 2 * np.pi * cycles / period
        self.phase = rng.uniform(0, 2 * np.pi, n)
        self.sharpness = np.where(self.water, WATER_SHARPNESS, SHARPNESS)
        self.brightness = np.clip((0.55 + 0.45 * self.glints.strength) * (0.6 + 0.8 * spec.strength), 0, 1)
        stars = spec.style == "stars"
        self.star = (self.glints.point | stars) & ~self.water
        # A star's arms: about ten times the light's core, within 8 to 36 pixels at 1080p: soft and
        # short, never clip-art big.
        self.arm = np.clip(self.glints.radius * 10.0, 8.0 * px, 36.0 * px) * (0.6 + 0.6 * spec.strength) * (1.0 + 0.3 * stars)
        self.core_scale = 1.0 + 0.3 * spec.strength
        self.mask = np.zeros((h, w), np.uint8)
        self.tint = _tint(self.glints.colour)
        self.blender = Blender()
        self._splats: dict[int, np.ndarray] = {}

    def draw(self, frame, t, amount, view):
        if len(self.glints) == 0:
            return
        pulse = np.clip(np.sin(self.omega * t + self.phase), 0, 1) ** self.sharpness * amount
        live = pulse > 0.02
        if not live.any():
            return
        screen = ScreenMap(view, self.scene)
        xy = screen.points(self.glints.xy[live].astype(np.float64), self.near[live])
        value = pulse[live] * self.brightness[live]
        radius = self.glints.radius[live] * self.core_scale
        self.mask.fill(0)
        star = self.star[live]
        if star.any():
            self._stars(xy[star], self.arm[live][star] * np.sqrt(pulse[live][star]), value[star])
        water = self.water[live]
        for (x, y), r, v in zip(xy[~water], radius[~water], value[~water]):
            self._splat(x, y, r, v)
        self._facets(xy[water], radius[water], value[water])
        self.blender.lighten(frame, self.mask, self.tint)

    def _facets(self, xy: np.ndarray, radius: np.ndarray, value: np.ndarray) -> None:
        """Water glints, many and tiny: anti-aliased dots, a faint halo first, one cv2 call per
        brightness level and size (a Gaussian splat each would cost a Python call per glint)."""
        if len(xy) == 0:
            return
        level = np.clip(np.round(value * 6), 0, 6).astype(int)
        size = np.clip(np.round(2 * radius), 2, 5).astype(int)
        for k in range(1, 7):
            for d in np.unique(size[level == k]):
                s = (level == k) & (size == d)
                draw_dots(self.mask, xy[s], 0.2 * 255 * k / 6, 2 * d + 1)
        for k in range(1, 7):
            for d in np.unique(size[level == k]):
                s = (level == k) & (size == d)
                draw_dots(self.mask, xy[s], 255 * k / 6, d)

    def _splat(self, x: float, y: float, radius: float, value: float) -> None:
        """Add a soft round glint (core the highlight's size, a faint halo) at (x, y), by maximum."""
        key = max(1, int(round(radius * 4)))  # quarter-pixel steps of radius
        splat = self._splats.get(key)
        if splat is None:
            splat = self._splats[key] = _glint_splat(key / 4.0)
        half = splat.shape[0] // 2
        h, w = self.mask.shape
        cx, cy = int(round(x)), int(round(y))
        x0, y0, x1, y1 = cx - half, cy - half, cx + half + 1, cy + half + 1
        if x1 <= 0 or y1 <= 0 or x0 >= w or y0 >= h:
            return
        sx0, sy0 = max(0, -x0), max(0, -y0)
        sx1, sy1 = splat.shape[1] - max(0, x1 - w), splat.shape[0] - max(0, y1 - h)
        roi = self.mask[max(0, y0):min(h, y1), max(0, x0):min(w, x1)]
        np.maximum(roi, (splat[sy0:sy1, sx0:sx1] * (255.0 * value)).astype(np.uint8), out=roi)

    def _stars(self, xy: np.ndarray, arm: np.ndarray, value: np.ndarray) -> None:
        """Soft diffraction stars: thin arms along the axes (short diagonals), tapered by drawing
        nested segments from the faint full length in to the brighter short ones."""
        diagonal = math.sqrt(0.5)
        axes = ((1.0, 0.0, 1.0), (0.0, 1.0, 1.0), (diagonal, diagonal, 0.4), (diagonal, -diagonal, 0.4))
        for reach, level in ((1.0, 0.35), (0.55, 0.55), (0.25, 0.8)):
            for level_k in np.unique(np.round(value * 8)):
                s = np.round(value * 8) == level_k
                if level_k <= 0 or not s.any():
                    continue
                for ax, ay, length in axes:
                    offset = np.stack([np.full(s.sum(), ax), np.full(s.sum(), ay)], 1) * (arm[s] * reach * length)[:, None]
                    draw_segments(self.mask, xy[s] - offset, xy[s] + offset, float(255 * level * level_k / 8), 1)


def _strongest(found: Highlights, count: int) -> np.ndarray:
    """Indices of the count highlights that stand out most."""
    return np.sort(np.argsort(-found.strength)[:count])


def _water_glints(image: np.ndarray, water: np.ndarray, rng: np.random.Generator, count: int, px: float) -> Highlights:
    """Glints on water: points among the water's brightest pixels (the light's column, lit crests),
    each as small as the bright patch it sits on, a wave facet at most a few pixels across."""
    inside = water > 0.5
    if count <= 0 or inside.sum() < 16:
        return find_highlights(image, np.zeros(water.shape, np.float32))
    lum = luminance(image)
    lift = lum - cv2.GaussianBlur(lum, (0, 0), max(1.5, 4.0 * px))
    # The lit part of the water (the light's column, the bright sky's reflection) at a wider scale.
    lit = cv2.GaussianBlur(lum, (0, 0), max(4.0, 30.0 * px))
    floor = max(0.3, float(np.percentile(lum[inside], 85.0)))
    bright = inside & (lum >= floor) & (lift > 0.03)
    ys, xs = np.nonzero(bright)
    if len(xs) == 0:
        return find_highlights(image, np.zeros(water.shape, np.float32))
    # Crests that stand out, more of them where the water is lit (never one big patch: the surf).
    weight = np.clip(lift[ys, xs], 0.03, 0.2) * lit[ys, xs] ** 2
    pick = rng.choice(len(xs), size=min(count, len(xs)), replace=False, p=weight / weight.sum())
    xs, ys = xs[pick], ys[pick]
    patch = cv2.distanceTransform(bright.astype(np.uint8), cv2.DIST_L2, 3)[ys, xs]
    radius = np.clip(patch, 0.6 * px, 2.0 * px).astype(np.float32)
    strength = np.clip((lum[ys, xs] - floor) / max(1e-3, 1.0 - floor), 0.2, 1.0).astype(np.float32)
    return Highlights(np.stack([xs, ys], 1).astype(np.float32), radius, strength, np.zeros(len(xs), bool),
                      image[ys, xs].astype(np.float32))


def _concat(a: Highlights, b: Highlights) -> Highlights:
    return Highlights(*(np.concatenate([getattr(a, f), getattr(b, f)]) for f in ("xy", "radius", "strength", "point", "colour")))


def _glint_splat(radius: float) -> np.ndarray:
    """A glint's light: a Gaussian core of the highlight's radius plus a faint wider halo (peak 1)."""
    halo_sigma = 1.6 * radius + 0.5
    half = int(math.ceil(3.0 * halo_sigma))
    yy, xx = np.mgrid[-half:half + 1, -half:half + 1].astype(np.float32)
    d2 = xx * xx + yy * yy
    core = np.exp(-d2 / (2 * (0.8 * radius + 0.3) ** 2))  # half its peak at about the highlight's radius
    halo = 0.15 * np.exp(-d2 / (2 * halo_sigma ** 2))
    return np.clip(core + halo, 0, 1).astype(np.float32)


def _tint(colours: np.ndarray) -> tuple[float, float, float]:
    """The glints' light: their mean colour brought to full brightness and mixed half with white."""
    if len(colours) == 0:
        return (255.0, 250.0, 240.0)
    mean = colours.mean(axis=0)
    full = mean * (255.0 / max(1.0, float(mean.max())))
    return tuple(float(c) for c in 0.5 * full + 0.5 * 255.0)
