"""blink: both eyes of each face close and reopen at the face's own irregular times, and now and
then the gaze shifts while the lids are down.

A warp, never a paste: closing stretches the lid skin between the lid and the brow down over the
eye; when the displacement is zero (between blinks) the frame is left untouched.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..timing import smoothstep
from .base import FaceEffect
from .geometry import BROWS_LOWER, EYES, IRISES, MIN_EYE_OPENING, MIN_EYE_WIDTH, STILL, clip_roi, face_rng


class _Eye:
    """One eye's lid geometry in eye-local coordinates, and its per-frame lid warp.

    s runs along the eye from the outer to the inner corner, v across it, positive downward.
    Closing moves the upper lid margin down over the eye by stretching the lid skin between
    the lid and the brow (the closed lid is that skin, not a painted bar); the lower lid rises
    a little to meet it. The eyeball itself does not move, so it is covered, not squashed.
    """

    def __init__(self, points: np.ndarray, eye: tuple, size: tuple[int, int], brow: tuple = ()):
        outer, inner, upper, lower = eye
        a, b = points[outer], points[inner]
        self._a = a
        axis = b - a
        self.length = float(np.linalg.norm(axis))
        e = axis / max(self.length, 1e-6)
        n = np.array([-e[1], e[0]])
        if n[1] < 0:
            n = -n  # v grows downward in the image
        self.e, self.n = e, n

        def curve(indices):
            local = (points[list(indices)] - a) @ np.stack([e, n], axis=1)
            s = np.concatenate([[0.0], local[:, 0], [self.length]])
            v = np.concatenate([[0.0], local[:, 1], [0.0]])
            order = np.argsort(s)
            return s[order], v[order]

        self.upper = curve(upper)
        self.lower = curve(lower)
        s_grid = np.linspace(0, self.length, 32)
        opening = np.interp(s_grid, *self.lower) - np.interp(s_grid, *self.upper)
        self.opening = float(max(opening.max(), 0.0))
        # Lid skin used to cover the eye: up to this far above the upper lid, short of the brow
        # (stretched brow hair would look like a bruise over deep-set eyes).
        self.skin = max(1.2 * self.opening, 0.18 * self.length)
        if brow:
            brow_v = (points[list(brow)] - a) @ n
            gap = float(np.interp(s_grid, *self.upper).min() - brow_v.max())  # lid top to brow's lower edge
            if gap > 0:
                self.skin = max(min(self.skin, 0.85 * gap), 0.7 * self.opening)
        self.below = 0.6 * self.opening + 0.08 * self.length
        top = float(np.interp(s_grid, *self.upper).min()) - self.skin
        bottom = float(np.interp(s_grid, *self.lower).max()) + self.below
        corners = [a + e * s + n * v for s in (-2, self.length + 2) for v in (top - 2, bottom + 2)]
        xs, ys = zip(*corners)
        self.roi = clip_roi(min(xs), min(ys), max(xs) + 1, max(ys) + 1, size)
        if self.roi is None:
            return
        x0, y0, x1, y1 = self.roi
        gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1, dtype=np.float64))
        rel_x, rel_y = gx - a[0], gy - a[1]
        self.s = rel_x * e[0] + rel_y * e[1]
        self.v = rel_x * n[0] + rel_y * n[1]
        inside = (self.s > 0) & (self.s < self.length)
        self.u = np.where(inside, np.interp(self.s, *self.upper), 0.0)
        self.l = np.where(inside, np.interp(self.s, *self.lower), 0.0)
        self.o = np.maximum(self.l - self.u, 0.0)
        # Taper the skin band toward the corners so the warp fades to nothing there.
        taper = np.sqrt(np.clip(self.o / max(self.opening, 1e-6), 0.0, 1.0))
        self.top = self.u - self.skin * np.maximum(taper, 0.25)
        self.bottom = self.l + self.below * np.maximum(taper, 0.25)
        self.gx, self.gy = gx.astype(np.float32) - x0, gy.astype(np.float32) - y0

    def set_iris(self, points: np.ndarray, iris: tuple) -> None:
        """Prepare a gaze shift: the iris slides along the eye inside the lids (sclera stretches)."""
        self.gaze_field = None
        if self.roi is None or len(points) <= max(iris):
            return
        centre = points[iris[0]]
        radius = float(np.linalg.norm(points[list(iris[1:])] - centre, axis=1).mean())
        s_c, v_c = (centre - self._a) @ np.stack([self.e, self.n], axis=1)
        # Only an iris that sits inside this eye's opening (the mesh is refined and sane).
        if not (0.15 * self.length < s_c < 0.85 * self.length and radius > 1.0):
            return
        if not (np.interp(s_c, *self.upper) - radius < v_c < np.interp(s_c, *self.lower) + radius):
            return
        d = np.hypot(self.s - s_c, self.v - v_c)
        bump = 1.0 - smoothstep(1.1 * radius, 2.4 * radius, d)
        inside = np.clip((self.v - self.u) / 1.5, 0, 1) * np.clip((self.l - self.v) / 1.5, 0, 1) * (self.o > 0)
        # Backward map along the eye's axis; +1 moves the iris toward the image's right (both eyes alike).
        weight = (bump * inside).astype(np.float32)
        right = self.e if self.e[0] >= 0 else -self.e
        self.gaze_field = (-weight * np.float32(right[0] * 0.08 * self.length),
                           -weight * np.float32(right[1] * 0.08 * self.length))

    def look(self, frame: np.ndarray, gaze: float) -> None:
        """Shift the iris by gaze (-1 .. 1) times 8 % of the eye's length."""
        if self.gaze_field is None or abs(gaze) * 0.08 * self.length < STILL:
            return
        x0, y0, x1, y1 = self.roi
        src = frame[y0:y1, x0:x1].copy()
        fx, fy = self.gaze_field
        frame[y0:y1, x0:x1] = cv2.remap(src, self.gx + gaze * fx, self.gy + gaze * fy, cv2.INTER_LINEAR,
                                        borderMode=cv2.BORDER_REPLICATE)

    def usable(self) -> bool:
        return self.roi is not None and self.length >= MIN_EYE_WIDTH and self.opening >= MIN_EYE_OPENING

    def apply(self, frame: np.ndarray, closure: float) -> None:
        # Lid margins at this closure: they meet 80 % of the way down the eye when fully closed.
        upper_now = self.u + closure * 0.8 * self.o
        lower_now = self.l - closure * 0.2 * self.o
        v = self.v
        # Three layers, each a map: the upper lid (skin stretched down), the eye (unmoved) and the
        # lower lid (rising from just below its wet rim, so no white of the eye stays in the seam).
        # The lash band just above the lid margin moves down with the margin unstretched (lashes stay
        # lashes at the closed lid's edge); only the skin above it is stretched over the eye.
        lash = np.minimum(0.35 * self.o, 0.5 * (self.u - self.top))
        edge_out, edge_src = upper_now - lash, self.u - lash
        stretch = (edge_src - self.top) / np.maximum(edge_out - self.top, 1e-6)
        lid_source = np.where(v >= edge_out, edge_src + (v - edge_out), self.top + (v - self.top) * stretch)
        lid_source = np.where(v >= self.top, lid_source, v)
        start = self.l + closure * np.minimum(0.15 * self.o + 0.5, 0.5 * (self.bottom - self.l))
        squeeze = (self.bottom - start) / np.maximum(self.bottom - lower_now, 1e-6)
        low_source = np.where((v < self.bottom) & (self.o > 0), start + (v - lower_now) * squeeze, v)
        # Coverage of each lid (anti-aliased over one pixel, so the lid edges do not stair-step).
        lid_alpha = np.clip(upper_now - v + 0.5, 0.0, 1.0) * (v >= self.top)
        low_alpha = np.clip(v - lower_now + 0.5, 0.0, 1.0) * (v < self.bottom) * (self.o > 0) * (1.0 - lid_alpha)
        x0, y0, x1, y1 = self.roi
        src = frame[y0:y1, x0:x1].copy()
        out = src.astype(np.float32) * (1.0 - lid_alpha - low_alpha)[..., None].astype(np.float32)
        for source, alpha in ((lid_source, lid_alpha), (low_source, low_alpha)):
            shift = (source - v).astype(np.float32)
            layer = cv2.remap(src, self.gx + shift * np.float32(self.n[0]), self.gy + shift * np.float32(self.n[1]),
                              cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
            out += layer.astype(np.float32) * alpha[..., None].astype(np.float32)
        frame[y0:y1, x0:x1] = np.clip(out + 0.5, 0, 255).astype(np.uint8)


def blink_times(rng: np.random.Generator, length: float, speed: float, fps: int) -> list[tuple[float, float]]:
    """(start, duration) of each blink: 150-300 ms, 2-5 s apart (irregular), all inside the clip."""
    times = []
    t = rng.uniform(0.5, 2.2) / speed
    while True:
        duration = rng.uniform(0.15, 0.3)
        duration = max(duration, 4.0 / fps)  # at least a few frames, or the blink is not seen
        if t + duration > length - 0.1:
            break
        times.append((t, duration))
        t += duration + rng.uniform(1.8, 5.0) / speed
    if not times and length >= 0.8:
        # A short clip still gets one blink, in its middle part.
        duration = max(rng.uniform(0.15, 0.3), 4.0 / fps)
        times.append((rng.uniform(0.3, max(0.3, length - duration - 0.3)), duration))
    return times


def blink_closure(t: float, times: list[tuple[float, float]], fps: int) -> float:
    """How closed the lids are at t (0 open .. 1 closed): fast close, a brief hold, slower opening."""
    for start, duration in times:
        if start < t < start + duration:
            x = (t - start) / duration
            hold = min(0.3, max(0.12, 1.0 / (fps * duration)))  # closed for at least one frame
            close_end = 0.35
            if x < close_end:
                return float(smoothstep(0.0, close_end, x))
            if x < close_end + hold:
                return 1.0
            return float(1.0 - smoothstep(close_end + hold, 1.0, x))
    return 0.0


def gaze_plan(rng: np.random.Generator, count: int) -> list[float]:
    """The gaze after each blink (0 = as in the photo): sometimes a glance aside, always back by the end."""
    gazes = []
    for i in range(count):
        last = gazes[-1] if gazes else 0.0
        if i == count - 1 or last != 0.0:
            gazes.append(0.0)  # look back (and end as the photo looks)
        else:
            gazes.append(float(rng.choice([0.0, -1.0, 1.0], p=[0.4, 0.3, 0.3])))
    return gazes


def gaze_at(t: float, times: list[tuple[float, float]], gazes: list[float]) -> float:
    """The gaze at t: it changes while the lids are down (the middle of a blink), so the jump is hidden."""
    gaze = 0.0
    for (start, duration), after in zip(times, gazes):
        if t <= start + 0.25 * duration:
            break
        x = float(smoothstep(start + 0.25 * duration, start + 0.75 * duration, t))
        gaze = gaze + (after - gaze) * x
    return gaze


class _BlinkPart:
    def __init__(self, eyes: list[_Eye], times: list[tuple[float, float]], depth: float, fps: int, gazes: list[float]):
        self.eyes, self.times, self.depth, self.fps, self.gazes = eyes, times, depth, fps, gazes

    def apply(self, frame: np.ndarray, t: float, amount: float) -> None:
        gaze = amount * gaze_at(t, self.times, self.gazes)
        closure = amount * self.depth * blink_closure(t, self.times, self.fps)
        for eye in self.eyes:
            if gaze != 0.0:
                eye.look(frame, gaze)
            if closure > 0:
                eye.apply(frame, closure)


class Blink(FaceEffect):
    """Both eyes of each face close and reopen, at the face's own irregular times."""

    def prepare(self, scene, index, face_index, face):
        eyes = [_Eye(face.points, eye, scene.size, brow) for eye, brow in zip(EYES, BROWS_LOWER)]
        if not all(eye.usable() for eye in eyes):
            return None
        rng = face_rng(scene, index, face_index)
        times = blink_times(rng, self.length, self.spec.speed, scene.fps)
        gazes = [0.0] * len(times)
        for eye, iris in zip(eyes, IRISES):
            eye.set_iris(face.points, iris)
        if all(eye.gaze_field is not None for eye in eyes):  # both eyes or neither: they look together
            gazes = gaze_plan(rng, len(times))
        # strength: 0.5 (default) and above close fully; lower values give a half blink.
        return _BlinkPart(eyes, times, min(1.0, self.intensity), scene.fps, gazes)
