"""Water: the surface's texture flows along a direction field; reflections ripple, never ghost.

The water is split in two layers (kit/warp.LayeredFlow): its fine texture (wave crests, foam,
glitter) is advected along a constant flow field with two cross-faded phases, so it keeps its
detail; its broad layer (reflections, colour, the light's column) and whatever must stay whole
(distinct compact features such as a boat, a post or a lamp's reflection, kit/features.py, and
the upright edges of reflected things) only ripple, so nothing shows twice. Flow speed follows
perspective (near water moves faster on screen) and wanders a little in direction and speed, so
it reads as a current rather than a conveyor belt. Ripples are small oscillating displacements
that travel across the surface; they make reflections shimmer.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..base import Effect
from ..kit.features import distinct_features
from ..kit.image import luminance
from ..kit.warp import LayeredFlow, Oscillation, RoiWarp, inside_distance
from ..noise import smooth_noise
from ..regions import effect_mask
from ..timing import loop_frequency, loop_period, smoothstep

# Direction words as unit screen vectors: "in" is away from the viewer (up the frame).
DIRECTIONS = {"left": (-1.0, 0.0), "right": (1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0), "in": (0.0, -1.0), "out": (0.0, 1.0)}


class Water(Effect):
    at_rest = True

    def __init__(self, spec, scene, index: int):
        super().__init__(spec, scene, index)
        rng = scene.rng(index)
        w, h = scene.size
        short = min(w, h)
        mask = effect_mask(spec, scene, "water")
        strength = spec.strength
        # Speed in canvas pixels per second at the nearest water; far water moves less.
        self.speed = (0.015 + 0.07 * strength) * short * spec.speed
        period = loop_period(3.5 / math.sqrt(spec.speed), scene.duration, scene.plan.loop)
        margin = int(self.speed * period * 0.375) + 4
        self.warp = RoiWarp(mask, margin=margin)
        if self.warp.empty:
            return
        lw, lh = self.warp.low_size
        low_mask = self.warp.low(mask)
        depth = self.warp.low(scene.depth.astype(np.float32))
        # Default: downhill / toward the viewer, i.e. down the frame, and along the banks where
        # the water is a river (a long, narrow band).
        dx, dy = DIRECTIONS.get(spec.direction or "down")
        base_angle = np.full((lh, lw), math.atan2(dy, dx), np.float32)
        if spec.direction is None:
            base_angle = river_angle(low_mask, base_angle)
        wander = smooth_noise(rng, (lh, lw), max(4.0, lw / 6))
        angle = base_angle + 0.35 * wander
        # On screen, water moving at a steady speed crosses the frame faster the nearer it is:
        # about nearness squared (nearness ~ 1 / distance), so the far shore barely moves.
        near = np.clip(depth, 0, 1)
        magnitude = self.speed * (0.06 + 0.94 * near * near) * (1.0 + 0.3 * smooth_noise(rng, (lh, lw), max(4.0, lw / 8)))
        # Taper the flow to zero at the region's edge, over about the largest displacement, so
        # samples never come from the bank.
        taper_px = max(2.0, self.speed * period * 0.375 * self.warp.low_size[0] / self.warp.roi_size[0])
        taper = np.clip(inside_distance(low_mask, 0.6) / (taper_px + 2.0), 0, 1)
        taper = cv2.GaussianBlur(taper, (0, 0), 1.0)
        flow = np.dstack([np.cos(angle) * magnitude * taper, np.sin(angle) * magnitude * taper]).astype(np.float32)

        # Ripples: waves travelling across the surface, mostly displacing along y (where
        # reflections shimmer), a bit along x; larger near the viewer.
        ripples = Oscillation((lh, lw))
        xs, ys = self.warp.low_coords()
        # Ripples fade out toward the edge too, so shorelines and banks stay put.
        edge = np.clip(inside_distance(low_mask, 0.6) / 4.0, 0, 1)
        amp = (0.0008 + 0.004 * strength) * short * (0.3 + 0.7 * np.clip(depth, 0, 1)) * cv2.GaussianBlur(edge, (0, 0), 1.0)
        for i in range(3):
            wavelength = short * rng.uniform(0.03, 0.08) * (1 + i)
            theta = rng.uniform(-0.6, 0.6) + math.pi / 2  # wavefronts mostly horizontal
            k = 2 * math.pi / wavelength
            phase = k * (xs * math.cos(theta) + ys * math.sin(theta)) + 2.0 * smooth_noise(rng, (lh, lw), max(4.0, lw / 5))
            omega = loop_frequency(rng.uniform(0.5, 0.9) * spec.speed, scene.duration, scene.plan.loop)
            ripples.add(omega, (0.4 * amp / (1 + i)).astype(np.float32), (amp / (1 + i)).astype(np.float32), phase.astype(np.float32))
        still = np.maximum(distinct_features(scene.image, mask), reflected_edges(scene.image, mask))
        self.loop = LayeredFlow(self.warp, flow, period, ripples.at, scene.image, sigma=max(1.5, 0.01 * short), still=still)

    def draw(self, frame: np.ndarray, t: float, amount: float, view=None) -> None:
        # The water's layers come from the photo (as the sky plate of clouds does): water runs first.
        if self.warp.empty:
            return
        self.warp.composite(frame, self.loop.render(t), amount)


def reflected_edges(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """0..1 where the water shows the upright edges of reflected things (trees, walls, posts: edges
    that run up and down), as opposed to wave crests (which run across): those stay whole."""
    lum = luminance(image)
    sigma = max(1.0, 0.004 * max(lum.shape))
    gx = cv2.Sobel(lum, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(lum, cv2.CV_32F, 0, 1, ksize=3)
    across = cv2.GaussianBlur(gx * gx, (0, 0), sigma)
    along = cv2.GaussianBlur(gy * gy, (0, 0), sigma)
    upright = across / (across + along + 1e-6)
    inside = mask > 0.5
    if not inside.any():
        return np.zeros(mask.shape, np.float32)
    energy = across + along
    strong = energy / (float(np.percentile(energy[inside], 90)) + 1e-6)
    edges = smoothstep(0.6, 0.85, upright, np.float32) * smoothstep(0.15, 0.5, strong, np.float32)
    return (cv2.GaussianBlur(edges, (0, 0), sigma) * np.clip(mask, 0, 1)).astype(np.float32)


def river_angle(mask: np.ndarray, default: np.ndarray) -> np.ndarray:
    """Flow angle per pixel: along the banks where the water is a river, else the default.

    The distance to the nearest bank rises toward the middle of a river, so the direction
    across its gradient runs along the river. All directions are made to agree with the
    river's main course, taken heading down the frame (downhill, toward the viewer). How much
    this replaces the default depends on how narrow the water is for its area: a river gets
    its course, a lake or the sea (one shoreline, no facing bank) keeps the default.
    """
    inside = mask > 0.4
    area = float(inside.sum())
    if area < 16:
        return default
    dist = cv2.distanceTransform(inside.astype(np.uint8), cv2.DIST_L2, 3)
    narrowness = float(dist.max()) / math.sqrt(area)
    riverness = float(np.clip((0.4 - narrowness) / 0.2, 0.0, 1.0))
    if riverness <= 0:
        return default
    smooth = cv2.GaussianBlur(dist, (0, 0), 2.0)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)
    ax, ay = -gy, gx  # across the gradient: along the banks
    # Main course from the doubled-angle mean (orientation without sign), heading down.
    wgt = np.hypot(ax, ay) * inside
    c2 = float((wgt * (ax * ax - ay * ay)).sum())
    s2 = float((wgt * 2 * ax * ay).sum())
    theta = 0.5 * math.atan2(s2, c2)
    main = (math.cos(theta), math.sin(theta))
    if main[1] < 0 or (abs(main[1]) < 1e-3 and main[0] < 0):
        main = (-main[0], -main[1])
    flip = (ax * main[0] + ay * main[1]) < 0
    ax, ay = np.where(flip, -ax, ax), np.where(flip, -ay, ay)
    norm = np.hypot(ax, ay) + 1e-6
    confident = np.clip(norm / (np.percentile(norm[inside], 75) + 1e-6), 0, 1) * riverness
    vx = (1 - confident) * np.cos(default) + confident * (ax / norm)
    vy = (1 - confident) * np.sin(default) + confident * (ay / norm)
    vx, vy = cv2.GaussianBlur(vx.astype(np.float32), (0, 0), 2.0), cv2.GaussianBlur(vy.astype(np.float32), (0, 0), 2.0)
    return np.arctan2(vy, vx).astype(np.float32)
