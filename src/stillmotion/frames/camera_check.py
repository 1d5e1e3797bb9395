"""A camera-motion check of our own: what a rendered clip's camera did, read from its frames alone.

global_motion() tracks corners from the first frame to the last (through a few frames between,
so large moves stay trackable) and fits a similarity (scale, rotation, shift) with RANSAC.
GlobalMotion.label classifies it the way a viewer names a move:

- "static": nothing moved more than half a percent;
- "zoom_in" / "zoom_out": the frame's edges move (scale) at least 1.5x as far as its centre does;
- "pan_left" / "pan_right" / "tilt_up" / "tilt_down": otherwise, by the larger shift of the frame
  centre. Directions are the camera's: on a pan to the right the content slides left.

depth_motion() reads what one similarity cannot: how the motion changes with the scene's depth
(an orbit slides the far and the near against each other round its subject; a dolly zoom grows
the far against the near). It fits one line through all tracked corners, so a pivot with few
corners on one side of it (a wide ground before a few far pyramids) is still found.

speck_count() counts the crumbs issue 13 defines: isolated outliers in smooth areas.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

STATIC_LIMIT = 0.005  # below half a percent of the frame, a clip reads as still
ZOOM_DOMINANCE = 1.5  # a zoom moves the frame's edges this much further than its centre


@dataclass(frozen=True)
class GlobalMotion:
    """The similarity from the first frame to the last, as fractions of the frame."""

    scale: float  # > 1: the picture grows (zoom in)
    rotation: float  # radians
    dx: float  # shift of the frame centre's content, fraction of the width (> 0: content moved right)
    dy: float  # fraction of the height (> 0: content moved down)
    inliers: int  # tracked corners that agree with the fit
    tracked: int  # corners tracked from the first frame to the last

    @property
    def edge_shift(self) -> float:
        """How far the scale moves the middle of the frame's left and right edges (fraction of the width)."""
        return abs(self.scale - 1.0) / 2.0

    @property
    def label(self) -> str:
        pan = max(abs(self.dx), abs(self.dy))
        if max(pan, self.edge_shift) < STATIC_LIMIT:
            return "static"
        if self.edge_shift > ZOOM_DOMINANCE * pan:
            return "zoom_in" if self.scale > 1 else "zoom_out"
        if abs(self.dx) >= abs(self.dy):
            return "pan_right" if self.dx < 0 else "pan_left"
        return "tilt_down" if self.dy < 0 else "tilt_up"

    @property
    def amount(self) -> float:
        """How much the named move moved: the scale change for a zoom, the centre's shift for a pan or tilt."""
        label = self.label
        if label.startswith("zoom"):
            return abs(self.scale - 1.0)
        if label.startswith("pan"):
            return abs(self.dx)
        if label.startswith("tilt"):
            return abs(self.dy)
        return 0.0


def _gray(frame: np.ndarray) -> np.ndarray:
    return frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


def track(frames: Sequence[np.ndarray], max_corners: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Corners of frames[0] and where they are in frames[-1] (N x 2 each), tracked frame to frame
    with pyramidal Lucas-Kanade and kept only when tracking back lands where it started."""
    grays = [_gray(f) for f in frames]
    height, width = grays[0].shape
    start = cv2.goodFeaturesToTrack(grays[0], max_corners, 0.01, max(4, min(width, height) // 60), blockSize=7)
    if start is None:
        return np.zeros((0, 2), np.float32), np.zeros((0, 2), np.float32)
    points = start.reshape(-1, 1, 2).astype(np.float32)
    alive = np.ones(len(points), bool)
    lk = {"winSize": (21, 21), "maxLevel": 4, "criteria": (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 0.01)}
    for previous, current in zip(grays, grays[1:]):
        ahead, ok, _ = cv2.calcOpticalFlowPyrLK(previous, current, points, None, **lk)
        back, ok_back, _ = cv2.calcOpticalFlowPyrLK(current, previous, ahead, None, **lk)
        error = np.linalg.norm((back - points).reshape(-1, 2), axis=1)
        alive &= ok.ravel().astype(bool) & ok_back.ravel().astype(bool) & (error < 0.5)
        points = ahead
    return start.reshape(-1, 2)[alive], points.reshape(-1, 2)[alive]


def global_motion(frames: Sequence[np.ndarray]) -> GlobalMotion:
    """The camera's motion over a clip: frames is the first frame, a few between, and the last."""
    height, width = frames[0].shape[:2]
    first, last = track(frames)
    return fit_motion(first, last, (width, height))


def fit_motion(first: np.ndarray, last: np.ndarray, size: tuple[int, int]) -> GlobalMotion:
    """The similarity (RANSAC) taking points `first` to `last` in a frame of size (width, height)."""
    width, height = size
    if len(first) < 8:
        return GlobalMotion(1.0, 0.0, 0.0, 0.0, 0, len(first))
    matrix, inliers = cv2.estimateAffinePartial2D(first, last, method=cv2.RANSAC, ransacReprojThreshold=1.5,
                                                  maxIters=4000, confidence=0.999, refineIters=20)
    if matrix is None:
        return GlobalMotion(1.0, 0.0, 0.0, 0.0, 0, len(first))
    a, b = matrix[0, 0], matrix[1, 0]
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    moved = matrix[:, :2] @ centre + matrix[:, 2] - centre
    return GlobalMotion(scale=float(np.hypot(a, b)), rotation=float(np.arctan2(b, a)), dx=float(moved[0] / width),
                        dy=float(moved[1] / height), inliers=int(inliers.sum()), tracked=len(first))


@dataclass(frozen=True)
class DepthMotion:
    """How a clip's motion changes with the scene's depth: what an orbit or a dolly zoom does
    differently to the near and the far, which no single similarity shows.

    Fitted to tracked corners as one similarity for the whole frame (a zoom, the cover zoom
    included) plus, per unit of nearness w, a sideways slide and a change of scale:
        moved = similarity(p) + w x (slide, 0) + w x scale_slope x (p - centre)
    so at nearness w the frame centre's content moves sideways by shift + slide x w."""

    shift: float  # sideways shift of the centre's content at nearness 0 (fraction of the width, > 0: right)
    slide: float  # how much further each unit of nearness slides sideways (fraction of the width)
    scale_slope: float  # how much each unit of nearness adds to the scale (< 0: the far grows against the near)
    span: tuple[float, float]  # nearness of the farthest and of the nearest tracked corners (2nd, 98th percentile)
    inliers: int

    @property
    def depth_span(self) -> float:
        return self.span[1] - self.span[0]

    @property
    def sweep(self) -> float:
        """How far the nearest tracked things slide against the farthest (fraction of the width)."""
        return abs(self.slide) * self.depth_span

    @property
    def looms(self) -> float:
        """How much more the farthest tracked things grow than the nearest (scale, > 0: the far looms)."""
        return -self.scale_slope * self.depth_span

    @property
    def pivot(self) -> float:
        """The nearness that holds still sideways (inf when nothing slides against anything)."""
        return -self.shift / self.slide if abs(self.slide) > 1e-9 else math.inf

    @property
    def orbit_label(self) -> str:
        """"sweep" when the far and the near slide against each other round a depth inside the
        scene (the pivot lies among the tracked depths, or within a quarter of their span beyond
        either end: one side holds, moving under a fifth of the other); "pan" when everything
        slides one way; "static" when nothing slides."""
        if self.sweep < STATIC_LIMIT:
            moved = max(abs(self.shift + self.slide * w) for w in self.span)
            return "static" if moved < STATIC_LIMIT else "pan"
        reach = 0.25 * self.depth_span
        return "sweep" if self.span[0] - reach <= self.pivot <= self.span[1] + reach else "pan"


def depth_motion(frames: Sequence[np.ndarray], depth: np.ndarray) -> DepthMotion:
    """The clip's DepthMotion; depth is the scene's nearness, aligned with the first frame."""
    height, width = frames[0].shape[:2]
    first, last = track(frames)
    return fit_depth_motion(first, last, nearness_at(first, depth, (width, height)), (width, height))


def nearness_at(points: np.ndarray, depth: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The scene's nearness (depth, of any size) at pixel points of a frame of `size` (w, h)."""
    width, height = size
    dh, dw = depth.shape
    near = depth[np.clip((points[:, 1] * dh / height).astype(int), 0, dh - 1),
                 np.clip((points[:, 0] * dw / width).astype(int), 0, dw - 1)]
    return near.astype(np.float64)


def fit_depth_motion(first: np.ndarray, last: np.ndarray, near: np.ndarray, size: tuple[int, int]) -> DepthMotion:
    """DepthMotion's model fitted by least squares to points first -> last (pixels) at nearness
    `near`; points far off the fit (over three times the median miss) are dropped and it is refitted."""
    width, height = size
    if len(first) < 16:
        return DepthMotion(0.0, 0.0, 0.0, (0.0, 0.0), 0)
    # Pixels about the centre, in widths (the similarity's units are the same on both axes).
    x = (first[:, 0] - (width - 1) / 2) / width
    y = (first[:, 1] - (height - 1) / 2) / width
    mx = (last[:, 0] - (width - 1) / 2) / width
    my = (last[:, 1] - (height - 1) / 2) / width
    zero, one = np.zeros_like(x), np.ones_like(x)
    # Unknowns: a, b (similarity: x' = a x - b y + tx, y' = b x + a y + ty), tx, ty, slide, scale_slope.
    rows_x = np.stack([x, -y, one, zero, near, near * x], 1)
    rows_y = np.stack([y, x, zero, one, zero, near * y], 1)
    design, target = np.vstack([rows_x, rows_y]), np.concatenate([mx, my])
    keep = np.ones(len(x), bool)
    for _ in range(3):
        mask = np.concatenate([keep, keep])
        solution, *_ = np.linalg.lstsq(design[mask], target[mask], rcond=None)
        miss = np.hypot(*(design @ solution - target).reshape(2, -1))
        keep = miss <= 3 * max(float(np.median(miss)), 0.5 / width)
    tx, slide, scale_slope = solution[2], solution[4], solution[5]
    span = tuple(float(q) for q in np.quantile(near[keep], [0.02, 0.98]))
    return DepthMotion(shift=float(tx), slide=float(slide), scale_slope=float(scale_slope), span=span,
                       inliers=int(keep.sum()))


def displacements(frames: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Tracked corners of the first frame and how far each moved by the last (pixels)."""
    first, last = track(frames)
    return first, last - first


def speck_mask(frame: np.ndarray, border: float = 0.02) -> np.ndarray:
    """The specks issue 13 counts (bool, the frame's size): pixels more than 25 grey levels from
    their 7x7 median where that median's local standard deviation (7x7) is under 3.

    A band of `border` (fraction of the short side) along the frame's edges is not counted: many
    scans have a dark line along their edge, and a move that shifts it by a fraction of a pixel
    changes how many of its pixels stand out, which is no crumb of the camera's."""
    gray = _gray(frame)
    margin = max(4, round(border * min(gray.shape)))
    median = cv2.medianBlur(gray, 7)
    m = median.astype(np.float32)
    mean = cv2.blur(m, (7, 7))
    variance = cv2.blur(m * m, (7, 7)) - mean * mean
    specks = (np.abs(gray.astype(np.int16) - median.astype(np.int16)) > 25) & (variance < 9.0)
    specks[:margin] = specks[-margin:] = False
    specks[:, :margin] = specks[:, -margin:] = False
    return specks


def speck_count(frame: np.ndarray, border: float = 0.02) -> int:
    """Isolated outliers in smooth areas (speck_mask), counted."""
    return int(np.count_nonzero(speck_mask(frame, border)))


def specks_per_megapixel(frame: np.ndarray) -> float:
    return speck_count(frame) / (frame.shape[0] * frame.shape[1] / 1e6)
