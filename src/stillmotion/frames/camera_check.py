"""A camera-motion check of our own: what a rendered clip's camera did, read from its frames alone.

global_motion() tracks corners from the first frame to the last (through a few frames between,
so large moves stay trackable) and fits a similarity (scale, rotation, shift) with RANSAC.
GlobalMotion.label classifies it the way a viewer names a move:

- "static": nothing moved more than half a percent;
- "zoom_in" / "zoom_out": the frame's edges move (scale) at least 1.5x as far as its centre does;
- "pan_left" / "pan_right" / "tilt_up" / "tilt_down": otherwise, by the larger shift of the frame
  centre. Directions are the camera's: on a pan to the right the content slides left.

speck_count() counts the crumbs issue 13 defines: isolated outliers in smooth areas.
"""

from __future__ import annotations

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
    height, width = _gray(frames[0]).shape
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


def motion_by_depth(frames: Sequence[np.ndarray], depth: np.ndarray, share: float = 0.3) -> tuple[GlobalMotion, GlobalMotion]:
    """The similarity of the farthest and of the nearest `share` of the tracked corners (by the
    scene's nearness at their first position): what an orbit or a dolly zoom does differently
    to the near and the far."""
    height, width = _gray(frames[0]).shape
    first, last = track(frames)
    if len(first) < 16:
        empty = GlobalMotion(1.0, 0.0, 0.0, 0.0, 0, len(first))
        return empty, empty
    dh, dw = depth.shape
    near = depth[np.clip(first[:, 1].round().astype(int), 0, dh - 1), np.clip(first[:, 0].round().astype(int), 0, dw - 1)]
    lo, hi = np.quantile(near, [share, 1 - share])
    far_pick, near_pick = near <= lo, near >= hi
    return (fit_motion(first[far_pick], last[far_pick], (width, height)),
            fit_motion(first[near_pick], last[near_pick], (width, height)))


def displacements(frames: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Tracked corners of the first frame and how far each moved by the last (pixels)."""
    first, last = track(frames)
    return first, last - first


def speck_count(frame: np.ndarray, border: float = 0.02) -> int:
    """Isolated outliers in smooth areas: pixels more than 25 grey levels from their 7x7 median
    where that median's local standard deviation (7x7) is under 3.

    A band of `border` (fraction of the short side) along the frame's edges is not counted: many
    scans have a dark line along their edge, and a move that shifts it by a fraction of a pixel
    changes how many of its pixels stand out, which is no crumb of the camera's."""
    gray = _gray(frame)
    margin = max(4, round(border * min(gray.shape)))
    median = cv2.medianBlur(gray, 7)
    m = median.astype(np.float32)
    mean = cv2.blur(m, (7, 7))
    variance = cv2.blur(m * m, (7, 7)) - mean * mean
    smooth = variance < 9.0
    outlier = np.abs(gray.astype(np.int16) - median.astype(np.int16)) > 25
    counted = (outlier & smooth)[margin:-margin, margin:-margin]
    return int(np.count_nonzero(counted))


def specks_per_megapixel(frame: np.ndarray) -> float:
    return speck_count(frame) / (frame.shape[0] * frame.shape[1] / 1e6)
