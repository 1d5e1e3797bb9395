"""Depth-parallax reprojection: the photo seen from a moved camera, in two layers.

Per video (once, layers.py): a front layer (the photo, transparent on the far side of depth
edges, with a soft matte snapped to colour edges) and a back layer (near objects removed and
filled from far-side pixels), each with a continuous depth.
Per frame: for each layer, every point of a low-resolution screen grid finds the photo point
that lands on it (a few fixed-point steps along its ray through the layer's continuous depth);
the grid map is upsampled and one cv2.remap per layer (four-channel, the fast path) makes the
layer; the back is only reprojected on the rows where the front is not opaque, and the front is
composited over it with its alpha. A pure zoom is one affine warp. The visible frame never
leaves the photo: a small extra zoom, computed per frame from where the photo's borders land,
keeps them covered.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .camera import IDENTITY, Pose, backward, forward
from .layers import WORK_SIDE, build_layers

STRIP = 8  # grid rows per block of the screen that composites the back layer
SOLVE_ROUNDS = 2  # rounds of two fixed-point steps and an extrapolation per grid point
SETTLE_STEPS = 2  # plain fixed-point steps after them


class ParallaxWarp:
    def __init__(self, image: np.ndarray, depth: np.ndarray, target: tuple[float, float], poses: list[Pose],
                 map_scale: float = 0.25):
        """image: canvas RGB uint8; depth: canvas-size nearness; target: normalised canvas point (0..1);
        poses: the path's poses, sampled (they size how far behind near objects the back layer must reach)."""
        self.image = image
        self.height, self.width = image.shape[:2]
        self.scale = max(self.width, self.height) / 2.0  # S: pixels per normalised unit
        self.cx, self.cy = (self.width - 1) / 2.0, (self.height - 1) / 2.0
        self.target = ((target[0] * (self.width - 1) - self.cx) / self.scale, (target[1] * (self.height - 1) - self.cy) / self.scale)
        self.map_scale = map_scale
        self.grid_size = (max(8, math.ceil(self.width * map_scale)), max(8, math.ceil(self.height * map_scale)))
        f = min(1.0, WORK_SIDE / max(self.width, self.height))
        work = (max(8, round(self.width * f)), max(8, round(self.height * f)))
        self.depth_scale = work[0] / self.width
        self.depth = cv2.resize(depth.astype(np.float32), work, interpolation=cv2.INTER_AREA)
        self.layers = None
        if any(p.has_parallax for p in poses):
            self.layers = build_layers(image, depth, self.reach(poses))
        if self.layers is not None:
            self.front, self.back = self.layers.front, self.layers.back
            self.front_depth, self.back_depth = self.layers.front_depth, self.layers.back_depth
            # The front's alpha at grid size, its least value per cell: where the back may show.
            self._alpha_grid = cv2.resize(cv2.erode(self.layers.front[..., 3], np.ones((5, 5), np.uint8)), self.grid_size,
                                          interpolation=cv2.INTER_AREA)
        else:
            self.front, self.back = cv2.cvtColor(image, cv2.COLOR_RGB2RGBA), None
            self.front_depth = self.back_depth = cv2.GaussianBlur(self.depth, (0, 0), 1.0)
        gw, gh = self.grid_size
        xs = (np.arange(gw, dtype=np.float32) + 0.5) / gw * self.width - 0.5
        ys = (np.arange(gh, dtype=np.float32) + 0.5) / gh * self.height - 0.5
        self.grid_u = np.ascontiguousarray(np.broadcast_to((xs - self.cx) / self.scale, (gh, gw)), np.float32)
        self.grid_v = np.ascontiguousarray(np.broadcast_to(((ys - self.cy) / self.scale)[:, None], (gh, gw)), np.float32)
        self._border = self._border_samples()
        # Buffers reused every frame: a full-size map, and the layers as reprojected.
        self._map = np.empty((self.height, self.width, 2), np.float32)
        self._front_out = np.empty((self.height, self.width, 4), np.uint8)
        self._back_out = np.empty((self.height, self.width, 4), np.uint8)
        self._front_src = self._back_src = None  # the layers of a frame changed by scene effects
        self.last_source_bounds = None  # set by each frame's reprojection (see _note_bounds)

    # --- once per video ---------------------------------------------------------------------
    def reach(self, poses: list[Pose]) -> float:
        """The largest on-screen displacement of the nearest things against the farthest over the
        poses, in canvas pixels (how far the back layer may show behind a near object's edge)."""
        hu, hv = self.cx / self.scale, self.cy / self.scale
        u, v = np.meshgrid(np.linspace(-hu, hu, 5), np.linspace(-hv, hv, 5))
        largest = 0.0
        for pose in poses:
            nu, nv = forward(pose, u, v, 1.0, self.target)
            fu, fv = forward(pose, u, v, 0.0, self.target)
            largest = max(largest, float(np.hypot(nu - fu, nv - fv).max()))
        return largest * self.scale

    def _border_samples(self):
        """Points along the photo's border (normalised), with each layer's depth there (near things
        at a border move the most, and nothing exists beyond the border to show in their place)."""
        n = 64
        xs = np.linspace(0, self.width - 1, n, dtype=np.float32)
        ys = np.linspace(0, self.height - 1, n, dtype=np.float32)
        sides = {
            "left": (np.zeros(n, np.float32), ys), "right": (np.full(n, self.width - 1, np.float32), ys),
            "top": (xs, np.zeros(n, np.float32)), "bottom": (xs, np.full(n, self.height - 1, np.float32)),
        }
        samples = {}
        for side, (px, py) in sides.items():
            u, v = (px - self.cx) / self.scale, (py - self.cy) / self.scale
            # Both layers' border points: either may move the more, and either may show.
            w = np.concatenate([self._sample(self.front_depth, u, v), self._sample(self.back_depth, u, v)])
            samples[side] = (np.concatenate([u, u]), np.concatenate([v, v]), w)
        return samples

    # --- per frame ---------------------------------------------------------------------------
    def cover_zoom(self, pose: Pose) -> float:
        """The smallest extra zoom (>= 1) that keeps the photo covering the screen."""
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
            self._affine(pose, zoom, source, out)
            self._note_bounds(u, v)
            return self._sample(self.depth, u, v), (u, v)
        front, back = self._sources(source)
        u, v, w = self._solve(pose, su, sv, self.front_depth)
        self._note_bounds(u, v)
        cv2.remap(front, self._full_map(u, v), None, cv2.INTER_LINEAR, dst=self._front_out, borderMode=cv2.BORDER_REFLECT)
        blocks = self._see_through(u, v) if back is not None else []
        if blocks:
            self._composite(pose, su, sv, back, blocks, start=w)
        cv2.cvtColor(self._front_out, cv2.COLOR_RGBA2RGB, dst=out)
        return w, (u, v)

    def screen_to_canvas(self, coords: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """warp()'s coords as a grid-size backward map from screen to canvas pixels (h x w x 2)."""
        u, v = coords
        return np.dstack([u * self.scale + self.cx, v * self.scale + self.cy]).astype(np.float32)

    def _sources(self, source: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The layers to reproject: made once from the photo, or per frame from a changed source."""
        if source is self.image or np.shares_memory(source, self.image):
            return self.front, self.back
        if self._front_src is None:
            self._front_src = np.empty_like(self.front)
            self._back_src = None if self.back is None else np.empty_like(self.back)
        if self.layers is None:
            cv2.cvtColor(source, cv2.COLOR_RGB2RGBA, dst=self._front_src)
        else:
            self.layers.from_source(source, self._front_src, self._back_src)
        return self._front_src, self._back_src

    def _solve(self, pose: Pose, su: np.ndarray, sv: np.ndarray, depth: np.ndarray, start: np.ndarray | None = None):
        """For each screen grid point, the photo point (u, v) at nearness w = depth(u, v) that lands
        on it: fixed-point steps along the ray, which is a straight line u = a + b w. `start`: a
        first guess of w (the back layer starts from the front's: they agree away from edges)."""
        a_u, a_v = backward(pose, su, sv, 0.0, self.target)
        one_u, one_v = backward(pose, su, sv, 1.0, self.target)
        s, ox, oy = self._depth_transform()
        ax, ay = (a_u * s + ox).astype(np.float32), (a_v * s + oy).astype(np.float32)
        bx, by = ((one_u - a_u) * s).astype(np.float32), ((one_v - a_v) * s).astype(np.float32)
        x, y = np.empty_like(ax), np.empty_like(ay)

        def depth_along(w: np.ndarray) -> np.ndarray:
            np.multiply(bx, w, out=x)
            x.__iadd__(ax)
            np.multiply(by, w, out=y)
            y.__iadd__(ay)
            return cv2.remap(depth, x, y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

        # Fixed-point steps w <- depth(a + b w), each pair followed by Aitken's extrapolation: where
        # the depth ramps (across a layer's band) plain steps converge slowly; the extrapolation
        # lands on the fixed point of the locally linear map in one go.
        w = depth_along(np.zeros_like(ax)) if start is None else start
        for _ in range(SOLVE_ROUNDS if start is None else SOLVE_ROUNDS - 1):
            w1 = depth_along(w)
            w2 = depth_along(w1)
            bend = w2 - 2.0 * w1 + w
            steady = np.abs(bend) > 1e-6
            w = np.where(steady, w2 - (w2 - w1) ** 2 / np.where(steady, bend, 1.0), w2)
            np.clip(w, 0.0, 1.0, out=w)
        # Plain steps last: they settle any point the extrapolation overshot, continuously.
        for _ in range(SETTLE_STEPS):
            w = depth_along(w)
        u = a_u + (one_u - a_u) * w
        v = a_v + (one_v - a_v) * w
        return u, v, w

    def _see_through(self, u: np.ndarray, v: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Blocks of the screen (y0, y1, x0, x1 in full-size pixels) where the front is not opaque:
        one per strip of STRIP grid rows, spanning the columns that need the back layer."""
        gx = (u * self.scale + self.cx) * self.map_scale
        gy = (v * self.scale + self.cy) * self.map_scale
        alpha = cv2.remap(self._alpha_grid, gx.astype(np.float32) - 0.5 + 0.5 * self.map_scale,
                          gy.astype(np.float32) - 0.5 + 0.5 * self.map_scale, cv2.INTER_NEAREST, borderMode=cv2.BORDER_REPLICATE)
        open_ = alpha < 255
        gh, gw = alpha.shape
        blocks = []
        for r0 in range(0, gh, STRIP):
            cols = np.flatnonzero(open_[max(0, r0 - 1):r0 + STRIP + 1].any(axis=0))
            if len(cols) == 0:
                continue
            y0, y1 = r0 * self.height // gh, min(gh, r0 + STRIP) * self.height // gh
            x0 = max(0, math.floor((cols[0] - 1) / gw * self.width))
            x1 = min(self.width, math.ceil((cols[-1] + 2) / gw * self.width))
            blocks.append((y0, y1, x0, x1))
        return blocks

    def _composite(self, pose: Pose, su: np.ndarray, sv: np.ndarray, back: np.ndarray,
                   blocks: list[tuple[int, int, int, int]], start: np.ndarray) -> None:
        """The back layer reprojected in the given blocks, with the front over it: front + (1 - alpha) x back."""
        bu, bv, _ = self._solve(pose, su, sv, self.back_depth, start=start)
        top, bottom = blocks[0][0], blocks[-1][1]
        rows = self._full_map(bu, bv, (top, bottom))
        for y0, y1, x0, x1 in blocks:
            full = rows[y0 - top:y1 - top, x0:x1]
            layer = self._back_out[y0:y1, x0:x1]
            cv2.remap(back, full, None, cv2.INTER_LINEAR, dst=layer, borderMode=cv2.BORDER_REFLECT)
            front = self._front_out[y0:y1, x0:x1]
            see_through = cv2.cvtColor(cv2.bitwise_not(front[..., 3]), cv2.COLOR_GRAY2RGBA)
            cv2.multiply(layer, see_through, dst=layer, scale=1.0 / 255.0)
            cv2.add(front, layer, dst=front)

    def _affine(self, pose: Pose, zoom: float, source: np.ndarray, out: np.ndarray) -> None:
        """A pose without parallax is one similarity: warp the source with it directly."""
        # Screen pixel -> normalised screen -> (cover zoom) -> backward at w=0 -> canvas pixel, all affine.
        k = 1.0 / (pose.zoom * zoom)
        tu, tv = self.target
        matrix = np.array([
            [k, 0.0, self.cx + self.scale * (tu - (tu + pose.pan_x) / pose.zoom) - k * self.cx],
            [0.0, k, self.cy + self.scale * (tv - (tv + pose.pan_y) / pose.zoom) - k * self.cy],
        ])
        cv2.warpAffine(source, matrix, (self.width, self.height), dst=out, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                       borderMode=cv2.BORDER_REFLECT)

    def _note_bounds(self, u: np.ndarray, v: np.ndarray) -> None:
        # Where this frame samples the photo, in pixels (x min, x max, y min, y max): tests check
        # that it never leaves the photo (no holes, no mirrored borders).
        self.last_source_bounds = (
            float(u.min() * self.scale + self.cx), float(u.max() * self.scale + self.cx),
            float(v.min() * self.scale + self.cy), float(v.max() * self.scale + self.cy),
        )

    def _depth_transform(self) -> tuple[float, float, float]:
        """Scale and offsets from normalised coordinates to depth-map pixels."""
        s = self.scale * self.depth_scale
        ox = self.cx * self.depth_scale + 0.5 * self.depth_scale - 0.5
        oy = self.cy * self.depth_scale + 0.5 * self.depth_scale - 0.5
        return s, ox, oy

    def _sample(self, depth: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Sample a work-size depth map at normalised coordinates."""
        s, ox, oy = self._depth_transform()
        x = np.ascontiguousarray(np.atleast_2d(u * s + ox), np.float32)
        y = np.ascontiguousarray(np.atleast_2d(v * s + oy), np.float32)
        return cv2.remap(depth, x, y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).reshape(np.shape(u))

    def _full_map(self, u: np.ndarray, v: np.ndarray, rows: tuple[int, int] | None = None) -> np.ndarray:
        """Low-res normalised coordinates -> a full-size float map for cv2.remap (into a reused
        buffer; converting it to fixed point costs more than it saves in the remap), or only its
        rows y0..y1: when the grid divides the height, upsampling the grid rows around them gives
        the very same values at a fraction of the cost."""
        grid = self.screen_to_canvas((u, v))
        gh = grid.shape[0]
        if rows is None or self.height % gh:
            full = cv2.resize(grid, (self.width, self.height), dst=self._map, interpolation=cv2.INTER_LINEAR)
            return full if rows is None else full[rows[0]:rows[1]]
        k = self.height // gh
        y0, y1 = rows
        g0, g1 = max(0, y0 // k - 1), min(gh, -(-y1 // k) + 1)  # one grid row more each side: no clamping
        part = cv2.resize(grid[g0:g1], (self.width, (g1 - g0) * k), dst=self._map[g0 * k:g1 * k], interpolation=cv2.INTER_LINEAR)
        return part[y0 - g0 * k:y1 - g0 * k]
