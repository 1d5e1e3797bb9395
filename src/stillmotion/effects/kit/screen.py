"""ScreenMap: where the scene is on screen this frame, so atmosphere stays attached to it.

It maps canvas points to screen points (an affine fit of the camera's backward map, per depth),
warps low-resolution canvas fields onto the screen, and samples the on-screen depth. With a still
camera (no view) it is the identity.
"""

from __future__ import annotations

import math

import cv2
import numpy as np


class ScreenMap:
    """Where the scene is on screen this frame (from the renderer's View; identity when view is None)."""

    def __init__(self, view, scene):
        self.view = view
        self.scene = scene
        self.size = scene.size
        self._fits = None
        self._maps: dict[float, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def depth(self) -> np.ndarray:
        return self.scene.depth if self.view is None else self.view.depth

    def depth_at(self, xy: np.ndarray) -> np.ndarray:
        """On-screen nearness at screen points (nearest pixel, clamped to the frame)."""
        depth = self.depth
        h, w = depth.shape
        xs = np.clip(np.round(xy[:, 0]).astype(np.intp), 0, w - 1)
        ys = np.clip(np.round(xy[:, 1]).astype(np.intp), 0, h - 1)
        return depth[ys, xs]

    def depth_low(self, size: tuple[int, int]) -> np.ndarray:
        """On-screen nearness at a low resolution (cheap: strided pick, then resize)."""
        depth = self.depth
        step = max(1, depth.shape[1] // (2 * size[0]))
        return cv2.resize(np.ascontiguousarray(depth[::step, ::step]), size, interpolation=cv2.INTER_AREA)

    def field(self, canvas_low: np.ndarray, scale: float, border: int = cv2.BORDER_REFLECT, value=0.0) -> np.ndarray:
        """A low-resolution canvas field (at `scale` of the canvas) as seen on screen, at the map's resolution.

        Outside the canvas it is reflected (border) or `value` (with cv2.BORDER_CONSTANT)."""
        if self.view is None:
            return canvas_low
        maps = self._maps.get(scale)
        if maps is None:
            m = self.view.screen_to_canvas
            maps = (np.ascontiguousarray(m[..., 0] * scale, np.float32), np.ascontiguousarray(m[..., 1] * scale, np.float32))
            self._maps[scale] = maps
        return cv2.remap(canvas_low, maps[0], maps[1], cv2.INTER_LINEAR, borderMode=border, borderValue=value)

    def points(self, xy: np.ndarray, nearness: np.ndarray | float | None = None) -> np.ndarray:
        """Canvas points (N x 2) to screen points, moved as the camera moves scene points at that nearness."""
        if self.view is None or len(xy) == 0:
            return xy
        far, near, d_far, d_near = self._affines()
        if nearness is None:
            w = 0.5
        else:
            w = np.clip((np.asarray(nearness, np.float64) - d_far) / max(d_near - d_far, 1e-3), 0.0, 1.0)
            w = w[:, None] if np.ndim(w) else w
        ones = np.ones((len(xy), 1))
        homogeneous = np.hstack([xy, ones])
        return (homogeneous @ far) * (1 - w) + (homogeneous @ near) * w

    def place(self, tracks, t: float, nearness: np.ndarray, freeze, margin: float):
        """Particles of `tracks` at time t: their canvas and screen positions, and which are visible
        (on screen within `margin` pixels, not behind what the depth shows there, not frozen)."""
        x, y = tracks.positions(t)
        canvas_xy = np.stack([x, y], 1)
        xy = self.points(canvas_xy, nearness)
        w, h = self.size
        on_screen = (xy[:, 0] > -margin) & (xy[:, 0] < w + margin) & (xy[:, 1] > -margin) & (xy[:, 1] < h + margin)
        visible = on_screen & (self.depth_at(xy) <= nearness + 0.1) & freeze.visible(canvas_xy)
        return canvas_xy, xy, visible

    def _affines(self):
        """Least-squares affine maps canvas -> screen for the far and the near part of the scene."""
        if self._fits is not None:
            return self._fits
        view = self.view
        m = view.screen_to_canvas
        mh, mw = m.shape[:2]
        step = max(1, int(math.sqrt(mh * mw / 4000)))
        jj, ii = np.mgrid[0:mh:step, 0:mw:step]
        canvas = m[jj, ii].reshape(-1, 2).astype(np.float64)
        screen = np.stack([(ii + 0.5) / view.map_scale - 0.5, (jj + 0.5) / view.map_scale - 0.5], -1).reshape(-1, 2)
        depth = view.depth
        dh, dw = depth.shape
        d = depth[np.clip(screen[:, 1].round().astype(int), 0, dh - 1), np.clip(screen[:, 0].round().astype(int), 0, dw - 1)]
        w, h = self.size
        inside = (canvas[:, 0] >= 0) & (canvas[:, 0] < w) & (canvas[:, 1] >= 0) & (canvas[:, 1] < h)
        if inside.sum() < 12:
            inside[:] = True
        canvas, screen, d = canvas[inside], screen[inside], d[inside]
        lo, hi = np.quantile(d, [0.3, 0.7])

        def fit(select):
            if select.sum() < 6:
                select = np.ones_like(select)
            a = np.hstack([canvas[select], np.ones((int(select.sum()), 1))])
            solution, *_ = np.linalg.lstsq(a, screen[select], rcond=None)
            return solution, float(d[select].mean())

        far, d_far = fit(d <= lo)
        near, d_near = fit(d >= hi)
        self._fits = (far, near, d_far, d_near)
        return self._fits
