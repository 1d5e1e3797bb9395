"""Depth-parallax reprojection: the photo seen from a moved camera, in two layers.

Per video (once, layers.py): a front layer (the photo, transparent on the far side of depth
edges, with a soft matte snapped to colour edges) and a back layer (near objects removed and
filled from far-side pixels), each with a continuous depth.

Per frame, everything that scales with the frame's pixels is done once:
- every point of a coarse screen grid (one point per `cell` pixels, and one ring beyond the
  frame so its edges interpolate rather than clamp) finds the photo point that lands on it: a
  few fixed-point steps along its ray through the front's continuous depth;
- the grid is upsampled to a full-size map and one four-channel cv2.remap (OpenCV's fast path)
  makes the front;
- the screen cells where the reprojected front is not opaque (read from its alpha: exactly the
  pixels that see through it) are the only ones that need the back layer: its grid is solved
  there only, and those cells alone are composited, laid out one cell to a row: one matrix
  product interpolates their maps from the grid points around them (the very values a
  whole-frame map would have), one remap samples the back for all of them, and the front goes
  over it: front + (1 - alpha) x back.
A pose without parallax is one affine warp. The visible frame never leaves the photo: a small
extra zoom, computed per frame from where the photo's borders land, keeps them covered.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..analysis.faces import head_zone
from .camera import IDENTITY, Pose, backward, forward
from .layers import build_layers, sample_points, work_grid

SOLVE_ROUNDS = 2  # rounds of two fixed-point steps and an extrapolation per grid point
SETTLE_STEPS = 2  # plain fixed-point steps after them
SETTLED = 1e-5  # a point whose first steps move its nearness less than this has converged
MAP_ROWS = 32000  # cv2.remap takes maps under 32767 a side: open cells, one to a row, are composited this many at a time
HAIR_FALLS = 3.0  # face heights below a face's top that its hair may reach (to the shoulders)
# An RGBA pixel read as one uint32 is below this exactly when its alpha is below 255: alpha is the
# high byte on a little-endian machine (every platform OpenCV's wheels are built for).
OPAQUE_PIXEL = 0xFF000000
PRODUCT_CELLS = 128  # open cells per matrix product making their maps (one BLAS thread does it)


HAIRLINE_MEDIAN = 7  # pixels across the median (on the 640-pixel grid) that settles a laced outline...
HAIRLINE_PASSES = 2  # ...and how many times it runs
LACE_STEP = 0.1  # a nearness change this large within 3 pixels is one of a lace's threads...
LACE_DENSITY = 0.3  # ...and an outline is laced where such changes fill this share of a 15-pixel window


def steady_outline_depth(depth: np.ndarray, person: np.ndarray | None, faces: list) -> np.ndarray:
    """The depth the camera moves a person by, settled where their hair's outline is laced.

    Along hair a depth estimate follows the strands (its edges are snapped to the photo's), so
    the nearness there is a lace of near and far threads a few pixels wide; moved by it, the
    strands stretch and fold into melted contours. Where a band round the person's outline is
    dense with such threads (a clean outline, a braid or a finger crosses one step, not many)
    round a face (faces: normalised boxes; the person mask alone also takes a lighthouse for
    one), median passes on the 640-pixel grid the layers use settle the lace to whichever side
    holds most of it; elsewhere the depth is as given."""
    if person is None or not faces or not (person > 0.5).any():
        return depth
    height, width = depth.shape
    _, work = work_grid(width, height)
    small = cv2.resize(depth.astype(np.float32), work, interpolation=cv2.INTER_AREA)
    inside = cv2.resize((person > 0.5).astype(np.uint8), work, interpolation=cv2.INTER_NEAREST)
    reach = max(2, round(max(work) / 25))  # the band: 4 % of the long side either side of the outline
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1,) * 2)
    band = cv2.dilate(inside, kernel) - cv2.erode(inside, kernel)
    square = np.ones((3, 3), np.uint8)
    threads = (cv2.dilate(small, square) - cv2.erode(small, square) > LACE_STEP).astype(np.float32)
    laced = (cv2.blur(threads, (15, 15)) > LACE_DENSITY).astype(np.float32) * band * head_zone(faces, work, HAIR_FALLS)
    if not laced.any():
        return depth
    laced = cv2.GaussianBlur(cv2.dilate(laced, square), (0, 0), 3.0)  # feathered: no seam where it ends
    # OpenCV's wider medians take 8 bits: only the change is used, so the rounding (1/510) stays
    # under any step that matters.
    settled = np.round(np.clip(small, 0.0, 1.0) * 255.0).astype(np.uint8)
    for _ in range(HAIRLINE_PASSES):
        settled = cv2.medianBlur(settled, HAIRLINE_MEDIAN)
    change = (settled.astype(np.float32) / 255.0 - small) * np.clip(laced * 2.0, 0.0, 1.0)
    return (depth + cv2.resize(change, (width, height), interpolation=cv2.INTER_LINEAR)).astype(np.float32)


def grid_cell(width: int, height: int) -> int:
    """Pixels per grid cell: about 240 cells along the long side, 4 to 8 pixels each. The map
    between grid points is bilinear, so a layer's depth ramp (tens of pixels) stays accurate to
    a fraction of a pixel, and the grid's cost stays a small part of the frame's."""
    return int(min(8, max(4, round(max(width, height) / 240))))


class ParallaxWarp:
    def __init__(self, image: np.ndarray, depth: np.ndarray, target: tuple[float, float], poses: list[Pose],
                 hair: np.ndarray | None = None):
        """image: canvas RGB uint8; depth: canvas-size nearness; target: normalised canvas point (0..1);
        poses: the path's poses, sampled (they size how far behind near objects the back layer must reach);
        hair: where a head's hair may be (bool, canvas size; None: no heads)."""
        self.image = image
        self.height, self.width = image.shape[:2]
        self.scale = max(self.width, self.height) / 2.0  # S: pixels per normalised unit
        self.cx, self.cy = (self.width - 1) / 2.0, (self.height - 1) / 2.0
        self.target = ((target[0] * (self.width - 1) - self.cx) / self.scale, (target[1] * (self.height - 1) - self.cy) / self.scale)
        self.cell = grid_cell(self.width, self.height)
        self.map_scale = 1.0 / self.cell
        gw, gh = math.ceil(self.width / self.cell), math.ceil(self.height / self.cell)
        self.grid_size = (gw, gh)  # the screen's cells: point i of the grid the effects see sits at (i + 0.5) x cell - 0.5
        _, work = work_grid(self.width, self.height)
        self.depth_scale = work[0] / self.width
        self.depth = cv2.resize(depth.astype(np.float32), work, interpolation=cv2.INTER_AREA)
        self.layers = None
        if any(p.has_parallax for p in poses):
            self.layers = build_layers(image, depth, self.reach(poses), hair)
        if self.layers is not None:
            self.front, self.back = self.layers.front, self.layers.back
            self.front_depth, self.back_depth = self.layers.front_depth, self.layers.back_depth
        else:
            self.front, self.back = cv2.cvtColor(image, cv2.COLOR_RGB2RGBA), None
            self.front_depth = self.back_depth = cv2.GaussianBlur(self.depth, (0, 0), 1.0)
        # The padded grid: the screen's grid and one ring of points beyond it. Point p sits at
        # screen pixel (p - 0.5) x cell - 0.5; upsampled by `cell`, pixel x of the screen is pixel
        # x + cell of the upsampled map.
        xs = (np.arange(gw + 2, dtype=np.float32) - 0.5) * self.cell - 0.5
        ys = (np.arange(gh + 2, dtype=np.float32) - 0.5) * self.cell - 0.5
        self.grid_u = np.ascontiguousarray(np.broadcast_to((xs - self.cx) / self.scale, (gh + 2, gw + 2)), np.float32)
        self.grid_v = np.ascontiguousarray(np.broadcast_to(((ys - self.cy) / self.scale)[:, None], (gh + 2, gw + 2)), np.float32)
        self._border = self._border_samples()
        # Buffers reused every frame: the upsampled map (x and y apart: OpenCV remaps a quarter
        # faster from two single-channel maps than from one two-channel map), and the front as
        # reprojected on a frame padded to whole cells (the padding stays opaque: nothing there
        # to composite).
        self._map_x = np.empty(((gh + 2) * self.cell, (gw + 2) * self.cell), np.float32)
        self._map_y = np.empty_like(self._map_x)
        padded = np.zeros((gh * self.cell, gw * self.cell, 4), np.uint8)
        padded[..., 3] = 255
        self._front_out = padded[:self.height, :self.width]
        # The front cell by cell (gh x gw x cell rows), each row of a cell one opaque item of
        # cell x 4 bytes: numpy gathers and scatters whole rows, twice as fast as their bytes.
        row_bytes = np.dtype((np.void, self.cell * 4))
        self._front_cells = padded.reshape(gh * self.cell, -1).view(row_bytes).reshape(gh, self.cell, gw).transpose(0, 2, 1)
        # Each pixel as one uint32 (see OPAQUE_PIXEL).
        self._front_pixels = padded.view(np.uint32).reshape(padded.shape[:2])
        self._cell_weights = _cell_weights(self.cell)
        # The 3 x 3 grid points round a cell, row by row, as offsets in the padded grid from its first.
        self._around = (np.arange(3)[:, None] * (gw + 2) + np.arange(3)).ravel()
        self._front_src = self._back_src = None  # the layers of a frame changed by scene effects
        self.last_source_bounds = None  # set by each frame's reprojection (see _note_bounds)

    # --- once per video ---------------------------------------------------------------------
    def reach(self, poses: list[Pose], samples: tuple[int, int] = (33, 19)) -> np.ndarray:
        """How far the nearest things move against the farthest over the poses, at each place of the
        photo (canvas pixels, on a coarse grid of `samples` points): how far behind a near object's
        edge there the back layer may show. A dolly moves things near the frame's edges far more
        than those by its target, a pan moves all alike."""
        hu, hv = self.cx / self.scale, self.cy / self.scale
        u, v = np.meshgrid(np.linspace(-hu, hu, samples[0]), np.linspace(-hv, hv, samples[1]))
        largest = np.zeros_like(u)
        for pose in poses:
            nu, nv = forward(pose, u, v, 1.0, self.target)
            fu, fv = forward(pose, u, v, 0.0, self.target)
            np.maximum(largest, np.hypot(nu - fu, nv - fv), out=largest)
        # A band reaches a little way from its edge: each place takes the largest reach around it.
        largest = cv2.dilate(largest.astype(np.float32), np.ones((3, 3), np.uint8))
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
        atmosphere), and where each grid point of the screen samples the canvas, as normalised
        (u, v) arrays (None when the pose is the identity); screen_to_canvas() turns those into
        canvas pixels."""
        gw, gh = self.grid_size
        if pose == IDENTITY:
            np.copyto(out, source)
            return cv2.resize(self.depth, self.grid_size, interpolation=cv2.INTER_AREA), None
        zoom = self.cover_zoom(pose)
        su, sv = self.grid_u / zoom, self.grid_v / zoom
        if not pose.has_parallax:
            u, v = backward(pose, su, sv, 0.0, self.target)
            matrix = self._affine(pose, zoom, source, out)
            corners = matrix @ np.array([[0, self.width - 1, 0, self.width - 1], [0, 0, self.height - 1, self.height - 1], [1, 1, 1, 1]])
            self.last_source_bounds = (corners[0].min(), corners[0].max(), corners[1].min(), corners[1].max())
            inner = (slice(1, gh + 1), slice(1, gw + 1))
            return self._sample(self.depth, u[inner], v[inner]), (u[inner], v[inner])
        front, back = self._sources(source)
        u, v, w = self._solve(pose, su, sv, self.front_depth)
        c = self.cell
        screen = (slice(c, c + self.height), slice(c, c + self.width))  # the upsampled map's pixels on screen
        grid_x, grid_y = self._canvas_pixels(u, v)
        map_x = cv2.resize(grid_x, self._map_x.shape[::-1], dst=self._map_x, interpolation=cv2.INTER_LINEAR)[screen]
        map_y = cv2.resize(grid_y, self._map_y.shape[::-1], dst=self._map_y, interpolation=cv2.INTER_LINEAR)[screen]
        self._note_bounds(map_x, map_y, grid_x, grid_y)
        cv2.remap(front, map_x, map_y, cv2.INTER_LINEAR, dst=self._front_out, borderMode=cv2.BORDER_REFLECT)
        if back is not None:
            self._composite(pose, su, sv, u, v, w, back)
        cv2.cvtColor(self._front_out, cv2.COLOR_RGBA2RGB, dst=out)
        inner = (slice(1, gh + 1), slice(1, gw + 1))
        return w[inner], (u[inner], v[inner])

    def screen_to_canvas(self, coords: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Normalised (u, v) grids as a backward map from screen to canvas pixels (h x w x 2)."""
        return np.dstack(self._canvas_pixels(*coords)).astype(np.float32)

    def _canvas_pixels(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Normalised coordinates as canvas pixels (x, y)."""
        return u * self.scale + self.cx, v * self.scale + self.cy

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
        """For each screen point, the photo point (u, v) at nearness w = depth(u, v) that lands
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
            return sample_points(depth, x, y)

        # Fixed-point steps w <- depth(a + b w), each pair followed by Aitken's extrapolation: where
        # the depth ramps (across a layer's band) plain steps converge slowly; the extrapolation
        # lands on the fixed point of the locally linear map in one go.
        w = depth_along(np.zeros_like(ax)) if start is None else start
        solved, live = None, None
        for step in range(SOLVE_ROUNDS if start is None else SOLVE_ROUNDS - 1):
            w1 = depth_along(w)
            w2 = depth_along(w1)
            bend = w2 - 2.0 * w1 + w
            steady = np.abs(bend) > 1e-6
            w = np.where(steady, w2 - (w2 - w1) ** 2 / np.where(steady, bend, 1.0), w2)
            np.clip(w, 0.0, 1.0, out=w)
            if step == 0:
                # Points away from any depth ramp have settled in these first steps: only the rest go on.
                moving = (np.abs(w2 - w1) > SETTLED) | (np.abs(w1 - w) > SETTLED)
                if moving.mean() < 0.75:
                    solved, live = w, np.flatnonzero(moving)
                    ax, ay, bx, by = (values.ravel()[live] for values in (ax, ay, bx, by))
                    x, y, w = np.empty_like(ax), np.empty_like(ay), w.ravel()[live]
        # Plain steps last: they settle any point the extrapolation overshot, continuously.
        for _ in range(SETTLE_STEPS):
            w = depth_along(w)
        if live is not None:
            solved.ravel()[live] = w
            w = solved
        u = a_u + (one_u - a_u) * w
        v = a_v + (one_v - a_v) * w
        return u, v, w

    def _composite(self, pose: Pose, su, sv, u, v, w, back: np.ndarray) -> None:
        """The back layer where the reprojected front is not opaque, with the front over it."""
        open_cells = self._open_cells()
        if not open_cells.any():
            return
        # A screen cell's pixels interpolate the 3 x 3 grid points around it: those of the open
        # cells need the back's solution.
        needed = cv2.dilate(np.pad(open_cells, 1).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        bu, bv = u.copy(), v.copy()
        pick = np.flatnonzero(needed)
        pu, pv, _ = self._solve(pose, su.ravel()[pick], sv.ravel()[pick], self.back_depth, start=w.ravel()[pick])
        bu.ravel()[pick], bv.ravel()[pick] = pu, pv
        # The open cells, one to a row (cell x cell pixels), each pixel's map bilinear between
        # the 3 x 3 grid points round its cell: their values (padded to whole products) times
        # the pixels' weights. Products of PRODUCT_CELLS rows at a time, all in one call: a
        # larger one would start BLAS's threads, which spin on the encoder's cores.
        open_rows, open_cols = np.nonzero(open_cells)
        count = len(open_rows)
        first = open_rows * (self.grid_size[0] + 2) + open_cols  # each open cell's first grid point (padded grid)
        first = np.pad(first, (0, -count % PRODUCT_CELLS), mode="edge")
        corners = (first[:, None] + self._around).reshape(-1, PRODUCT_CELLS, 9)
        back_x, back_y = self._canvas_pixels(bu, bv)
        map_x = np.take(back_x, corners).astype(np.float32) @ self._cell_weights
        map_y = np.take(back_y, corners).astype(np.float32) @ self._cell_weights
        map_x, map_y = map_x.reshape(-1, self.cell * self.cell), map_y.reshape(-1, self.cell * self.cell)
        cells = self._front_cells[open_rows, open_cols]  # a copy: n x cell rows
        flat = cells.view(np.uint8).reshape(count, -1, 4)
        for start in range(0, count, MAP_ROWS):
            rows = slice(start, min(count, start + MAP_ROWS))
            layer = cv2.remap(back, map_x[rows], map_y[rows], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
            front = flat[rows]
            # 255 - alpha, the back's share, in all four channels (the fourth's product only
            # saturates the unused alpha).
            share = cv2.cvtColor(cv2.bitwise_not(cv2.extractChannel(front, 3)), cv2.COLOR_GRAY2RGBA)
            cv2.multiply(layer, share, dst=layer, scale=1.0 / 255.0)
            cv2.add(front, layer, dst=front)
        self._front_cells[open_rows, open_cols] = cells

    def _open_cells(self) -> np.ndarray:
        """The screen cells (gh x gw, bool) where the reprojected front is not opaque: exactly
        those whose pixels need the back."""
        gw, gh = self.grid_size
        # Each cell's least opaque row: one reduction over whole pixels, no alpha plane to extract.
        rows = np.minimum.reduce(self._front_pixels.reshape(gh, self.cell, -1), axis=1)
        see_through = cv2.compare((rows < OPAQUE_PIXEL).view(np.uint8), 0, cv2.CMP_GT)
        # Then along the row: the share of its pixels not opaque, above 0 when any is.
        return cv2.resize(see_through, (gw, gh), interpolation=cv2.INTER_AREA) > 0

    def _affine(self, pose: Pose, zoom: float, source: np.ndarray, out: np.ndarray) -> np.ndarray:
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
        return matrix  # screen pixel -> canvas pixel

    def _note_bounds(self, map_x: np.ndarray, map_y: np.ndarray, grid_x: np.ndarray, grid_y: np.ndarray) -> None:
        # Where this frame samples the photo, in pixels (x min, x max, y min, y max): tests check
        # that it never leaves the photo (no holes, no mirrored borders). The map is bilinear
        # between grid points: its extremes lie on the frame's edges or at grid points inside.
        on_screen = (slice(2, -2), slice(2, -2))  # grid points well inside the frame
        xs = np.concatenate([map_x[0], map_x[-1], map_x[:, 0], map_x[:, -1], grid_x[on_screen].ravel()])
        ys = np.concatenate([map_y[0], map_y[-1], map_y[:, 0], map_y[:, -1], grid_y[on_screen].ravel()])
        self.last_source_bounds = (float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max()))

    def _depth_transform(self) -> tuple[float, float, float]:
        """Scale and offsets from normalised coordinates to depth-map pixels."""
        s = self.scale * self.depth_scale
        ox = self.cx * self.depth_scale + 0.5 * self.depth_scale - 0.5
        oy = self.cy * self.depth_scale + 0.5 * self.depth_scale - 0.5
        return s, ox, oy

    def _sample(self, depth: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Sample a work-size depth map at normalised coordinates."""
        s, ox, oy = self._depth_transform()
        return sample_points(depth, np.asarray(u * s + ox, np.float32), np.asarray(v * s + oy, np.float32))


def _cell_weights(cell: int) -> np.ndarray:
    """(9, cell x cell) float32: the bilinear weight of each of the 3 x 3 grid points round a cell
    (row by row) at each of its pixels (row by row). Pixel d of a cell lies (d + 0.5) / cell + 0.5
    grid steps past the cell's first point: between the first and second points in the cell's
    first half, the second and third in its second; the weights are what the front's upsampled
    map (cv2.resize) gives the same pixel."""
    along = (np.arange(cell) + 0.5) / cell + 0.5
    hat = np.maximum(0.0, 1.0 - np.abs(along[None, :] - np.arange(3)[:, None]))  # (3 points, cell pixels)
    return (hat[:, None, :, None] * hat[None, :, None, :]).reshape(9, cell * cell).astype(np.float32)
