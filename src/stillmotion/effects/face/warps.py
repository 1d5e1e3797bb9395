"""The warps face effects are made of: backward displacement fields over a small region of interest,
mixed per frame with a few coefficients, and skipped exactly when the displacement is zero (so the
face is exactly the photo at rest)."""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..timing import smoothstep
from .geometry import STILL


class LinearWarp:
    """Backward displacement fields over an ROI, mixed per frame: src = p + sum(c_i * field_i).

    Fields are (dx, dy) float32 arrays in pixels (dx may be None for a purely vertical field).
    """

    def __init__(self, roi: tuple[int, int, int, int], fields: list[tuple[np.ndarray | None, np.ndarray]]):
        self.roi = roi
        x0, y0, x1, y1 = roi
        gx, gy = np.meshgrid(np.arange(x1 - x0, dtype=np.float32), np.arange(y1 - y0, dtype=np.float32))
        self.gx, self.gy = gx, gy
        self.fields = [(None if dx is None else dx.astype(np.float32), dy.astype(np.float32)) for dx, dy in fields]
        self.peak = [max(float(np.abs(dy).max()), 0.0 if dx is None else float(np.abs(dx).max())) for dx, dy in self.fields]
        self.mx = np.empty_like(gx)
        self.my = np.empty_like(gy)

    def apply(self, frame: np.ndarray, coefficients: list[float]) -> bool:
        """Warp frame in place; returns False (and touches nothing) when the displacement is zero."""
        if sum(abs(c) * p for c, p in zip(coefficients, self.peak)) < STILL:
            return False
        np.copyto(self.mx, self.gx)
        np.copyto(self.my, self.gy)
        for c, (dx, dy) in zip(coefficients, self.fields):
            if c == 0:
                continue
            if dx is not None:
                cv2.scaleAdd(dx, float(c), self.mx, dst=self.mx)
            cv2.scaleAdd(dy, float(c), self.my, dst=self.my)
        x0, y0, x1, y1 = self.roi
        src = frame[y0:y1, x0:x1].copy()
        frame[y0:y1, x0:x1] = cv2.remap(src, self.mx, self.my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return True


class VerticalWarp:
    """A vertical-only displacement over an ROI, src = p + (0, c * field): the breathing lift.

    Cheaper than one big remap: the ROI is cut into tiles once; tiles where the field is zero are
    skipped, tiles where it is (nearly) constant become a uniform sub-pixel shift (a two-row
    blend), and only tiles where it varies (the feathered edges) are remapped.
    """

    TILE = 64
    FLAT = 0.02  # pixels: a tile whose displacement varies less than this is shifted as a whole

    def __init__(self, roi: tuple[int, int, int, int], field: np.ndarray, frame_height: int):
        self.roi = roi
        x0, y0, x1, y1 = roi
        field = field.astype(np.float32)
        h, w = field.shape
        peak = float(np.abs(field).max())
        self.peak = [peak]
        reach = int(math.ceil(peak)) + 2  # source rows needed below a shifted tile
        self.src_rows = min(frame_height, y1 + reach) - y0
        self.shifts: list[tuple[int, int, int, int, float]] = []  # r0, r1, c0, c1, field value
        self.remaps: list[tuple[int, int, int, int, np.ndarray, np.ndarray, np.ndarray]] = []
        for r0 in range(0, h, self.TILE):
            r1 = min(h, r0 + self.TILE)
            runs: list[list] = []  # [kind, c0, c1, value]
            for c0 in range(0, w, self.TILE):
                c1 = min(w, c0 + self.TILE)
                part = field[r0:r1, c0:c1]
                low, high = float(part.min()), float(part.max())
                if max(abs(low), abs(high)) < STILL:
                    kind, value = "still", 0.0
                elif high - low < self.FLAT and r1 + reach <= self.src_rows:
                    kind, value = "shift", (low + high) / 2
                else:
                    kind, value = "remap", 0.0
                if runs and runs[-1][0] == kind and abs(runs[-1][3] - value) < self.FLAT / 2:
                    runs[-1][2] = c1
                else:
                    runs.append([kind, c0, c1, value])
            for kind, c0, c1, value in runs:
                if kind == "shift":
                    self.shifts.append((r0, r1, c0, c1, value))
                elif kind == "remap":
                    gx, gy = np.meshgrid(np.arange(c0, c1, dtype=np.float32), np.arange(r0, r1, dtype=np.float32))
                    self.remaps.append((r0, r1, c0, c1, gx, gy, np.ascontiguousarray(field[r0:r1, c0:c1])))

    def apply(self, frame: np.ndarray, coefficients: list[float]) -> bool:
        c = coefficients[0]
        if abs(c) * self.peak[0] < STILL:
            return False
        x0, y0, x1, y1 = self.roi
        src = frame[y0:y0 + self.src_rows, x0:x1].copy()
        out = frame[y0:y1, x0:x1]
        for r0, r1, c0, c1, value in self.shifts:
            d = c * value
            k = int(math.floor(d))
            f = round((d - k) * 32) / 32  # remap's own sub-pixel steps, so tiles meet seamlessly
            if f >= 1.0:
                k, f = k + 1, 0.0
            a = src[r0 + k:r1 + k, c0:c1]
            if f == 0.0:
                out[r0:r1, c0:c1] = a
            else:
                out[r0:r1, c0:c1] = cv2.addWeighted(a, 1.0 - f, src[r0 + k + 1:r1 + k + 1, c0:c1], f, 0.0)
        for r0, r1, c0, c1, gx, gy, part in self.remaps:
            my = cv2.scaleAdd(part, float(c), gy)
            out[r0:r1, c0:c1] = cv2.remap(src, gx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return True


def rbf_field(controls: np.ndarray, moves: np.ndarray, anchors: np.ndarray, roi, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """A smooth displacement field over roi that moves controls by moves and holds anchors still.

    Gaussian radial basis functions, solved exactly at the given points; faded to zero at the
    ROI's border so nothing outside it changes.
    """
    points = np.concatenate([controls, anchors])
    values = np.concatenate([moves, np.zeros((len(anchors), 2))])
    d2 = ((points[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    kernel = np.exp(-d2 / (2 * sigma**2)) + 1e-6 * np.eye(len(points))
    weights = np.linalg.solve(kernel, values)
    x0, y0, x1, y1 = roi
    gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1, dtype=np.float64))
    field = np.zeros((y1 - y0, x1 - x0, 2))
    for p, w in zip(points, weights):
        field += np.exp(-((gx - p[0]) ** 2 + (gy - p[1]) ** 2) / (2 * sigma**2))[..., None] * w
    h, w = gy.shape
    edge = min(h, w) * 0.25
    fade = np.minimum.reduce([gx - x0, x1 - 1 - gx, gy - y0, y1 - 1 - gy]) / max(edge, 1.0)
    field *= smoothstep(0.0, 1.0, fade)[..., None]
    return field[..., 0], field[..., 1]


def cycle_profile(t: float, period: float) -> float:
    """0 at the cycle's start and end, rising, holding and relaxing in between (smile, head turn)."""
    x = (t % period) / period
    return float(smoothstep(0.08, 0.4, x) * (1.0 - smoothstep(0.62, 0.95, x)))


class WarpPart:
    """One face's warp driven by coefficients(t), scaled by the envelope's amount."""

    def __init__(self, warp: LinearWarp | VerticalWarp, coefficients, period: float):
        self.warp, self.coefficients, self.period = warp, coefficients, period

    def apply(self, frame: np.ndarray, t: float, amount: float) -> None:
        self.warp.apply(frame, [amount * c for c in self.coefficients(t)])
