"""Depth-parallax reprojection: the photo seen from a moved camera, with revealed areas filled.

Per video (once): a background layer (the photo with near objects' edges inpainted, and a
depth map with near objects removed) and the grids the per-frame work reuses.
Per frame: for every screen pixel, march along its ray through the depth map (at a low
resolution) to find the nearest surface it meets; where the ray slips behind a near object's
edge (a disocclusion), take the background layer instead. The maps are upsampled and one
cv2.remap per layer makes the frame. The visible frame never leaves the photo: a tiny extra
zoom, computed per frame from where the background's borders land, keeps the borders covered.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .camera import IDENTITY, Pose, backward, forward

MAX_RAY_STEPS = 12  # nearness samples per ray at most; refined by interpolation between the bracketing two
STEP_PIXELS = 3.0  # a ray advances at most this many grid pixels per step (thinner things may be skipped)
WALL_JUMP = 0.12  # a depth jump larger than this inside one ray step is an object's edge, not a slope


class ParallaxWarp:
    def __init__(self, image: np.ndarray, depth: np.ndarray, target: tuple[float, float], reach: float,
                 map_scale: float = 0.25):
        """image: canvas RGB uint8; depth: canvas-size nearness; target: normalised canvas point (0..1);
        reach: the largest parallax shift of the whole path, in normalised units (sizes the background band)."""
        self.image = image
        self.height, self.width = image.shape[:2]
        self.scale = max(self.width, self.height) / 2.0  # S: pixels per normalised unit
        self.cx, self.cy = (self.width - 1) / 2.0, (self.height - 1) / 2.0
        self.target = ((target[0] * (self.width - 1) - self.cx) / self.scale, (target[1] * (self.height - 1) - self.cy) / self.scale)
        self.map_scale = map_scale
        self.grid_size = (max(8, math.ceil(self.width * map_scale)), max(8, math.ceil(self.height * map_scale)))
        # Depth is sampled from a half-size copy: sharper edges than the ray grid, still cheap to sample.
        self.depth_scale = 0.5
        dsize = (max(8, round(self.width * self.depth_scale)), max(8, round(self.height * self.depth_scale)))
        self.depth = cv2.resize(depth, dsize, interpolation=cv2.INTER_AREA).astype(np.float32)
        self.bg_depth, self.bg_image = self._background(image, self.depth, reach)
        gw, gh = self.grid_size
        xs = (np.arange(gw, dtype=np.float32) + 0.5) / gw * self.width - 0.5
        ys = (np.arange(gh, dtype=np.float32) + 0.5) / gh * self.height - 0.5
        self.grid_u = np.ascontiguousarray(np.broadcast_to((xs - self.cx) / self.scale, (gh, gw)), np.float32)
        self.grid_v = np.ascontiguousarray(np.broadcast_to(((ys - self.cy) / self.scale)[:, None], (gh, gw)), np.float32)
        self._border = self._border_samples()
        self._nearest = float(self.depth.max())
        self._map_buffer = None  # full-size remap coordinates, reused every frame
        self.last_source_bounds = None  # set by each frame's remap (see _remap)

    # --- once per video ---------------------------------------------------------------------
    def _background(self, image: np.ndarray, depth: np.ndarray, reach: float):
        """Depth with near objects pushed back to what surrounds them, and the photo with those
        objects' edge bands inpainted: what a moving camera may see behind an edge."""
        band_px = max(3, math.ceil(reach * self.scale * self.depth_scale * 1.5) + 2)
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * band_px + 1, 2 * band_px + 1))
        far = cv2.erode(depth, kernel)
        far = cv2.GaussianBlur(far, (0, 0), band_px / 2)
        bg_depth = np.minimum(far, depth)
        occluder = ((depth - bg_depth) > WALL_JUMP * 0.5).astype(np.uint8)
        if not occluder.any():
            return bg_depth, image
        # Inpaint at a quarter of the canvas size: the fill is soft anyway, and Telea is costly.
        small_size = (max(8, self.width // 4), max(8, self.height // 4))
        small = cv2.resize(image, small_size, interpolation=cv2.INTER_AREA)
        hole = cv2.resize(occluder, small_size, interpolation=cv2.INTER_NEAREST)
        hole = cv2.dilate(hole, np.ones((3, 3), np.uint8))
        filled = cv2.inpaint(small, hole, 5, cv2.INPAINT_TELEA)
        filled = cv2.resize(filled, (self.width, self.height), interpolation=cv2.INTER_CUBIC)
        alpha = cv2.resize(hole.astype(np.float32), (self.width, self.height), interpolation=cv2.INTER_LINEAR)
        alpha = cv2.GaussianBlur(alpha, (0, 0), 2)[..., None]
        bg_image = (image * (1 - alpha) + filled * alpha).astype(np.uint8)
        return bg_depth, bg_image

    def _border_samples(self):
        """Points along the photo's border (normalised), with the depth there (near things at a border
        move the most, and nothing exists beyond the border to show in their place)."""
        n = 64
        xs = np.linspace(0, self.width - 1, n, dtype=np.float32)
        ys = np.linspace(0, self.height - 1, n, dtype=np.float32)
        sides = {
            "left": (np.zeros(n, np.float32), ys), "right": (np.full(n, self.width - 1, np.float32), ys),
            "top": (xs, np.zeros(n, np.float32)), "bottom": (xs, np.full(n, self.height - 1, np.float32)),
        }
        samples = {}
        for side, (px, py) in sides.items():
            w = self._sample_at_pixels(self.depth, px, py)
            samples[side] = ((px - self.cx) / self.scale, (py - self.cy) / self.scale, w)
        return samples

    def _sample_at_pixels(self, depth: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
        dx = (px + 0.5) * self.depth_scale - 0.5
        dy = (py + 0.5) * self.depth_scale - 0.5
        return cv2.remap(depth, dx.reshape(1, -1), dy.reshape(1, -1), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)[0]

    # --- per frame ---------------------------------------------------------------------------
    def cover_zoom(self, pose: Pose) -> float:
        """The smallest extra zoom (>= 1) that keeps the photo's background covering the screen."""
        half_u, half_v = self.cx / self.scale, self.cy / self.scale
        needed = 1.0
        for side, (u, v, w) in self._border.items():
            su, sv = forward(pose, u, v, w, self.target)
            if side == "left":
                needed = max(needed, float(np.max(half_u / np.maximum(-su, 1e-3))))
            elif side == "right":
                needed = max(needed, float(np.max(half_u / np.maximum(su, 1e-3))))
            elif side == "top":
                needed = max(needed, float(np.max(half_v / np.maximum(-sv, 1e-3))))
            else:
                needed = max(needed, float(np.max(half_v / np.maximum(sv, 1e-3))))
        return min(needed, 4.0)

    def warp(self, pose: Pose, source: np.ndarray, out: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        """Render `source` (canvas image, possibly changed by scene effects) under pose into out.

        Returns (depth, coords): the nearness seen on screen at grid resolution (for depth-aware
        atmosphere), and where each grid cell of the screen samples the canvas, as normalised
        (u, v) arrays (None when the pose is the identity); screen_to_canvas() turns those into
        canvas pixels."""
        if pose == IDENTITY:
            np.copyto(out, source)
            return cv2.resize(self.depth, self.grid_size, interpolation=cv2.INTER_AREA), None
        zoom = self.cover_zoom(pose)
        su, sv = self.grid_u / zoom, self.grid_v / zoom
        if not pose.has_parallax:
            u, v = backward(pose, su, sv, 0.0, self.target)
            self._remap(source, u, v, out)
            return self._sample_norm(self.depth, u, v), (u, v)
        u, v, w, behind = self._march(pose, su, sv)
        self._remap(source, u, v, out)
        if behind.any():
            bu, bv = self._background_rays(pose, su, sv)
            self._blend_background(bu, bv, behind, out)
        return w, (u, v)

    def screen_to_canvas(self, coords: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """warp()'s coords as a grid-size backward map from screen to canvas pixels (h x w x 2)."""
        u, v = coords
        return np.dstack([u * self.scale + self.cx, v * self.scale + self.cy]).astype(np.float32)

    def _march(self, pose: Pose, su: np.ndarray, sv: np.ndarray):
        """Nearest surface along each screen pixel's ray, and where the ray passed behind an edge."""
        # backward() is affine in w for a fixed screen point: u(w) = a + b * w. Precompute a and b.
        a_u, a_v = backward(pose, su, sv, 0.0, self.target)
        one_u, one_v = backward(pose, su, sv, 1.0, self.target)
        b_u, b_v = one_u - a_u, one_v - a_v
        # As many steps as the longest ray needs, from the nearest depth present down to 0.
        reach_px = float(max(np.abs(b_u).max(), np.abs(b_v).max())) * self._nearest * self.scale * self.map_scale
        count = int(min(MAX_RAY_STEPS, max(4, math.ceil(reach_px / STEP_PIXELS) + 1)))
        steps = np.linspace(self._nearest, 0.0, count, dtype=np.float32)
        step = float(steps[0] - steps[1])
        # Rays in depth-map pixels: x(w) = ax + bx * w; one cv2.scaleAdd per axis and step.
        s, ox, oy = self._depth_transform()
        ax, ay = (a_u * s + ox).astype(np.float32), (a_v * s + oy).astype(np.float32)
        bx, by = (b_u * s).astype(np.float32), (b_v * s).astype(np.float32)
        x, y = np.empty(ax.shape, np.float32), np.empty(ay.shape, np.float32)
        shape = su.shape
        found = np.zeros(shape, bool)
        hit = np.empty(shape, bool)
        hit_index = np.zeros(shape, np.float32)  # the step at which the ray met a surface
        f_hit = np.zeros(shape, np.float32)  # how far past the surface the ray was then (>= 0)
        f_before = np.zeros(shape, np.float32)  # and the step before (< 0: still in front of it)
        behind = np.zeros(shape, bool)
        prev_f = prev_d = None
        for i, w in enumerate(steps):
            cv2.scaleAdd(bx, float(w), ax, dst=x)
            cv2.scaleAdd(by, float(w), ay, dst=y)
            d = cv2.remap(self.depth, x, y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            f = d - w
            np.greater_equal(f, 0, out=hit)
            hit &= ~found
            if prev_f is not None:
                np.copyto(f_before, prev_f, where=hit)
                # A big depth jump inside one step: the ray slipped behind a near object's edge.
                behind |= hit & ((d - prev_d) > WALL_JUMP)
            np.copyto(f_hit, f, where=hit)
            np.copyto(hit_index, np.float32(i), where=hit)
            found |= hit
            prev_f, prev_d = f, d
            if i % 3 == 2 and found.all():
                break
        # A revealed band narrower than about one grid cell cannot be drawn as a band: it would
        # come out as isolated specks (a cloud's rim against the sky). Keep only wider ones.
        band = np.hypot(bx, by) * (self.map_scale / self.depth_scale) * WALL_JUMP
        behind &= band >= 1.0
        # Refine between the step in front of the surface and the step at it (linear in f).
        frac = np.clip(f_before / np.minimum(f_before - f_hit, -1e-6), 0.0, 1.0)
        frac[hit_index == 0] = 1.0  # met at the very first step: nothing in front to refine with
        hit_w = (steps[0] - (hit_index - 1.0 + frac) * step).astype(np.float32)
        u = a_u + b_u * hit_w
        v = a_v + b_v * hit_w
        return u, v, hit_w, behind

    def _background_rays(self, pose: Pose, su: np.ndarray, sv: np.ndarray):
        """Rays against the smooth background layer: a few fixed-point steps converge there."""
        w = self._sample_norm(self.bg_depth, *backward(pose, su, sv, 0.0, self.target))
        for _ in range(3):
            u, v = backward(pose, su, sv, w, self.target)
            w = self._sample_norm(self.bg_depth, u, v)
        return backward(pose, su, sv, w, self.target)

    def _depth_transform(self) -> tuple[float, float, float]:
        """Scale and offsets from normalised coordinates to depth-map pixels."""
        s = self.scale * self.depth_scale
        ox = self.cx * self.depth_scale + 0.5 * self.depth_scale - 0.5
        oy = self.cy * self.depth_scale + 0.5 * self.depth_scale - 0.5
        return s, ox, oy

    def _sample_norm(self, depth: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Sample a half-size depth map at normalised coordinates."""
        s, ox, oy = self._depth_transform()
        return cv2.remap(depth, (u * s + ox).astype(np.float32), (v * s + oy).astype(np.float32),
                         cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    def _full_map(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Low-res normalised coordinates -> a full-size float map for cv2.remap (into a reused
        buffer; converting it to fixed point costs more than it saves in the remap)."""
        grid = self.screen_to_canvas((u, v))
        if self._map_buffer is None:
            self._map_buffer = np.empty((self.height, self.width, 2), np.float32)
        return cv2.resize(grid, (self.width, self.height), dst=self._map_buffer, interpolation=cv2.INTER_LINEAR)

    def _remap(self, source: np.ndarray, u: np.ndarray, v: np.ndarray, out: np.ndarray) -> None:
        # Where this frame samples the photo, in pixels (x min, x max, y min, y max): tests check
        # that it never leaves the photo (no holes, no mirrored borders).
        self.last_source_bounds = (
            float(u.min() * self.scale + self.cx), float(u.max() * self.scale + self.cx),
            float(v.min() * self.scale + self.cy), float(v.max() * self.scale + self.cy),
        )
        cv2.remap(source, self._full_map(u, v), None, cv2.INTER_LINEAR, dst=out, borderMode=cv2.BORDER_REFLECT)

    def _blend_background(self, u: np.ndarray, v: np.ndarray, behind: np.ndarray, out: np.ndarray) -> None:
        """Fill disoccluded pixels from the background layer, softly, inside their bounding box only."""
        alpha_lo = cv2.GaussianBlur(behind.astype(np.float32), (3, 3), 0)
        rows = np.flatnonzero(alpha_lo.max(axis=1) > 0)
        cols = np.flatnonzero(alpha_lo.max(axis=0) > 0)
        gh, gw = behind.shape
        y0 = max(0, math.floor(rows[0] / gh * self.height) - 4)
        y1 = min(self.height, math.ceil((rows[-1] + 1) / gh * self.height) + 4)
        x0 = max(0, math.floor(cols[0] / gw * self.width) - 4)
        x1 = min(self.width, math.ceil((cols[-1] + 1) / gw * self.width) + 4)
        roi_map = self._full_map(u, v)[y0:y1, x0:x1]
        roi_out = out[y0:y1, x0:x1]
        bg = cv2.remap(self.bg_image, roi_map, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        alpha = cv2.resize(alpha_lo, (self.width, self.height), interpolation=cv2.INTER_LINEAR)[y0:y1, x0:x1]
        np.copyto(roi_out, cv2.blendLinear(roi_out, bg, 1.0 - alpha, alpha))
