"""Plumes: where steam and smoke can rise from, and the density of a rising, curling plume.

plume_sources(mask, sky) finds the sources in a source mask (a cup's liquid, a chimney top, a
vent) and says why there is none when none is plausible: a plume needs a compact source with
room above it, below the sky. The director can ask it about the analysis' "steam_source" map
before planning steam or smoke; the effects ask it again about the region they are given.

Plume is the density field of one plume, a pure function of time, on a low-resolution grid:
an envelope (a column above the source that widens, thins and fades with height, its centre
line meandering in a wave that travels up) times wisps (a noise texture advected upward and
distorted by a curl-noise field whose strength grows with height: laminar near the source,
turbulent higher up). No sprite is drawn: the wisps are noise carried by the flow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..noise import tileable_noise
from ..timing import loop_frequency, looped_scroll, smoothstep

MAX_PLUMES = 4
MAX_SOURCE_SHARE = 0.15  # a "source" larger than this share of the frame is a surface, not a source
MIN_SOURCE_SHARE = 0.00005


@dataclass(frozen=True)
class Source:
    """A plume's source in the coordinates of the mask it was found in (pixels)."""

    x: float  # centre
    y: float  # where the plume starts: the middle of the source (a liquid's surface, a vent)
    width: float
    height: float
    top: float


def plume_sources(mask: np.ndarray | None, sky: np.ndarray | None = None, threshold: float = 0.4) -> tuple[list[Source], str]:
    """The plausible sources of a source mask (largest first, at most MAX_PLUMES), and when there
    are none, a plain-words reason ("" when some were found)."""
    if mask is None or float(mask.max(initial=0.0)) <= threshold:
        return [], "no source of steam or smoke (a cup, a chimney, a vent) was found"
    h, w = mask.shape
    # Parts a little apart are one source (the two edges of a chimney's top, a cup's rim and its liquid).
    inside = (mask > threshold).astype(np.uint8)
    k = max(3, int(0.05 * max(h, w)) | 1)
    grouped = cv2.morphologyEx(inside, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(grouped)
    sky_map = None if sky is None else cv2.resize(sky.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
    found, reasons = [], set()
    for label in np.argsort(-stats[1:, cv2.CC_STAT_AREA]) + 1:
        x, y, bw, bh, area = (int(v) for v in stats[label])
        share = area / float(h * w)
        if share < MIN_SOURCE_SHARE:
            continue
        if share > MAX_SOURCE_SHARE:
            reasons.add("the source region is a whole surface, not a cup, chimney or vent")
            continue
        if y + 0.5 * bh < 0.04 * h:
            reasons.add("the source touches the top of the frame: no room for a plume to rise")
            continue
        if sky_map is not None and float(sky_map[labels == label].mean()) > 0.5:
            reasons.add("the source region is in the sky")
            continue
        found.append(Source(x=float(centroids[label][0]), y=float(y + 0.5 * bh), width=float(bw), height=float(bh), top=float(y)))
    # A source under another one (the gallery below a chimney's top) would rise through it: keep the upper.
    found = [s for s in found if not any(o.top < s.top and abs(o.x - s.x) <= 0.5 * (o.width + s.width) for o in found)]
    if found:
        return found[:MAX_PLUMES], ""
    return [], "; ".join(sorted(reasons)) or "the source region is too small to rise from"


@dataclass(frozen=True)
class PlumeLook:
    """How a kind of plume behaves, in multiples of its source's width (or of the frame)."""

    reach: float  # visible height, in source widths
    min_reach: float  # ... at least this share of the frame's height
    max_reach: float  # ... at most this share
    base_width: float  # half-width at the source, in source widths
    spread: float  # how much wider it is at the top than at the source (x)
    rise: float  # rise speed, in plume heights per second (at speed 1)
    turbulence: float  # sideways distortion at the top, in plume half-widths
    meander: float  # sway of the centre line at the top, in plume half-widths
    fade_from: float  # the plume fades out from this share of its reach


class Plume:
    """The density (0..~1) of one plume above its source, on a low-resolution grid, at time t."""

    def __init__(self, source: Source, look: PlumeLook, grid: tuple[int, int], rng: np.random.Generator,
                 duration: float, loop: bool, speed: float, draught: float):
        lw, lh = grid
        self.loop, self.duration = loop, duration
        self.reach = float(np.clip(look.reach * source.width, look.min_reach * lh, look.max_reach * lh))
        self.half = max(1.5, 0.012 * lw, look.base_width * source.width)
        top_half = self.half * look.spread
        lean = draught * self.reach
        x0 = int(max(0, math.floor(min(source.x, source.x + lean) - 1.6 * top_half - look.meander * top_half)))
        x1 = int(min(lw, math.ceil(max(source.x, source.x + lean) + 1.6 * top_half + look.meander * top_half)))
        y0 = int(max(0, math.floor(source.y - self.reach)))
        y1 = int(min(lh, math.ceil(source.y + 0.5 * source.height + 1)))
        self.empty = x1 - x0 < 2 or y1 - y0 < 2
        if self.empty:
            return
        self.box = (x0, y0, x1, y1)
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        self.xs, self.ys = xs, ys
        height = source.y - ys[:, :1]  # height above the source, per row
        rel = np.clip(height / self.reach, 0.0, 1.0)
        self.rel = rel
        self.width = self.half * (1.0 + (look.spread - 1.0) * rel)  # per row
        # Starts thin just above the source's middle, fills in, then fades with height; widening
        # spreads the same vapour thinner, so density also falls as the plume widens.
        grow = smoothstep(-0.4 * source.height, 0.06 * self.reach + 0.1 * source.height, height, np.float32)
        fade = smoothstep(self.reach, look.fade_from * self.reach, height, np.float32)
        self.vertical = (grow * fade * (self.half / self.width) ** 0.6).astype(np.float32)
        self.centre = source.x + lean * rel
        # Meander: a sideways wave travelling up with the plume, growing with height.
        self.rise = look.rise * self.reach * speed  # grid px per second
        self.waves = []
        for share, hz in ((0.65, 0.25), (0.35, 0.55)):
            omega = loop_frequency(hz * speed * rng.uniform(0.8, 1.25), duration, loop)
            self.waves.append((share * look.meander * self.width * rel, omega / max(self.rise, 1e-3), omega, rng.uniform(0, 2 * math.pi)))
        # Wisps: a vertically stretched texture (filaments near the source) and a rounder one
        # (billows higher up), both tiling the box; curl noise distorts them, more with height.
        bh, bw = y1 - y0, x1 - x0
        feature = max(1.5, 0.2 * self.half)
        self.filaments = tileable_noise(rng, (bh, bw), scale=feature, stretch=2.5)
        self.billows = tileable_noise(rng, (bh, bw), scale=1.6 * feature, stretch=1.2)
        self.curl = _curl_field(rng, (bh, bw), scale=3.0 * feature)
        self.twist = (look.turbulence * self.width * (0.1 + 0.9 * rel)).astype(np.float32)
        self.local_x = xs - x0
        self.local_y = ys - y0
        self.turn_rise = 0.55 * self.rise  # the curl field drifts slower than the wisps: they curl as they pass

    def density(self, t: float) -> np.ndarray:
        """Box-size float32 density at time t (0 outside the plume)."""
        centre = self.centre + sum(a * np.sin(k * self._height() - w * t + p) for a, k, w, p in self.waves)
        across = (self.xs - centre) / self.width
        envelope = np.exp(-2.0 * across * across) * self.vertical
        a, b, mix = looped_scroll(t, self.duration, self.rise, self.loop)
        wisps = None
        weights = ((a, 1.0 - mix), (b, mix)) if mix > 0 else ((a, 1.0),)
        for offset, weight in weights:
            layer = self._wisps(offset) * weight
            wisps = layer if wisps is None else wisps + layer
        if len(weights) == 2:
            # Two unrelated noise textures mixed lose contrast mid-way: restore it.
            wisps = 0.5 + (wisps - 0.5) / math.sqrt((1.0 - mix) ** 2 + mix ** 2)
        shape = smoothstep(0.34, 0.72, wisps, np.float32)
        return (envelope * (0.15 + 0.85 * shape)).astype(np.float32)

    def _height(self) -> np.ndarray:
        return self.rel * self.reach

    def _wisps(self, offset: float) -> np.ndarray:
        """The wisp texture with the flow carried `offset` grid pixels up."""
        turn = np.float32(self.turn_rise / max(self.rise, 1e-3) * offset)
        curl = cv2.remap(self.curl, self.local_x, self.local_y + turn, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
        map_x = self.local_x + curl[..., 0] * self.twist
        map_y = self.local_y + np.float32(offset) + curl[..., 1] * self.twist
        filaments = cv2.remap(self.filaments, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
        billows = cv2.remap(self.billows, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
        return filaments + (billows - filaments) * self.rel


def _curl_field(rng: np.random.Generator, shape: tuple[int, int], scale: float) -> np.ndarray:
    """A tiling, divergence-free 2D vector field (the curl of a noise potential), |v| up to about 1."""
    potential = tileable_noise(rng, shape, scale=scale)
    padded = cv2.copyMakeBorder(potential, 1, 1, 1, 1, cv2.BORDER_WRAP)
    dy = (padded[2:, 1:-1] - padded[:-2, 1:-1]) * 0.5
    dx = (padded[1:-1, 2:] - padded[1:-1, :-2]) * 0.5
    field = np.dstack([dy, -dx]).astype(np.float32)
    norm = float(np.percentile(np.hypot(field[..., 0], field[..., 1]), 95)) or 1.0
    return np.ascontiguousarray(field / norm)
