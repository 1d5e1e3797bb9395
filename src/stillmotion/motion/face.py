"""Face effects: blink, smile, breathe, head_turn, by warping the photo (never pasting).

Each effect is built once per video from the faces' FaceMesh landmarks (normalised canvas
coordinates, 478 points) and applied per frame in canvas space, before the camera. A warp is
a backward map over a small region of interest (ROI) applied with cv2.remap; when its
displacement is zero (t = 0, between blinks, at each breath's and smile's neutral point) the
frame is left untouched, so the face is exactly the photo there. Every face moves on its own
timing (seeded by plan seed, effect index and face index); faces too small to animate well
are left still. Loops close because every motion is back at rest at the clip's end.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..plan import Effect
from .base import Scene

# FaceMesh landmark indices (subject's right eye is on the image's left).
EYES = (
    # outer corner, inner corner, upper lid (outer -> inner), lower lid (outer -> inner)
    (33, 133, (246, 161, 160, 159, 158, 157, 173), (7, 163, 144, 145, 153, 154, 155)),
    (263, 362, (466, 388, 387, 386, 385, 384, 398), (249, 390, 373, 374, 380, 381, 382)),
)
BROWS_LOWER = ((46, 53, 52, 65, 55), (276, 283, 282, 295, 285))  # lower edge of each eye's brow
IRISES = ((468, 469, 470, 471, 472), (473, 474, 475, 476, 477))  # centre then rim, per eye (refined mesh)
MOUTH_CORNERS = (61, 291)
LIP_MIDDLE = (0, 13, 14, 17)  # upper outer, upper inner, lower inner, lower outer
CHEEKS = (205, 425)
CHEEKS_HIGH = (50, 280)
NOSE_TIP = 1
FOREHEAD, CHIN, FACE_RIGHT, FACE_LEFT = 10, 152, 234, 454
# Points a smile leaves where they are: eyes, nose, jaw and chin.
SMILE_ANCHORS = (1, 4, 33, 133, 263, 362, 152, 175, 172, 397, 136, 365, 234, 454, 168, 6)

# Below these sizes (canvas pixels) a face is left still: the warp would be a smear of a few pixels.
MIN_EYE_WIDTH = 12.0
MIN_EYE_OPENING = 1.5
MIN_MOUTH_WIDTH = 16.0
MIN_FACE_HEIGHT = 24.0
# A displacement below this (pixels) cannot change a pixel (remap works in 1/32 pixel steps).
STILL = 1.0 / 64


def smoothstep(edge0: float, edge1: float, x):
    span = edge1 - edge0 if edge1 != edge0 else 1e-9  # edge1 < edge0 gives a falling edge
    t = np.clip((np.asarray(x, np.float64) - edge0) / span, 0.0, 1.0)
    return t * t * (3 - 2 * t)


class FaceGeometry:
    """One face's landmarks in canvas pixels and the measures the effects need."""

    def __init__(self, landmarks: np.ndarray, size: tuple[int, int]):
        self.points = landmarks[:, :2].astype(np.float64) * np.array(size, np.float64)
        p = self.points
        self.width = float(np.linalg.norm(p[FACE_LEFT] - p[FACE_RIGHT]))
        self.height = float(np.linalg.norm(p[FOREHEAD] - p[CHIN]))
        self.up = (p[FOREHEAD] - p[CHIN]) / max(self.height, 1e-6)  # toward the forehead
        axis = p[EYES[1][0]] - p[EYES[0][0]]  # image left -> right along the eyes
        self.across = axis / max(float(np.linalg.norm(axis)), 1e-6)
        self.centre = (p[FOREHEAD] + p[CHIN] + p[FACE_RIGHT] + p[FACE_LEFT]) / 4


def selected_faces(spec: Effect, scene: Scene) -> list[tuple[int, FaceGeometry]]:
    """(face index, geometry) of the faces this effect animates: region "face:N" or all with landmarks."""
    wanted = None
    if spec.region is not None and spec.region.name and spec.region.name.startswith("face:"):
        try:
            wanted = int(spec.region.name.split(":", 1)[1])
        except ValueError:
            wanted = -1
    out = []
    for i, face in enumerate(scene.faces):
        if wanted is not None and i != wanted:
            continue
        if face.landmarks is None or len(face.landmarks) < 468:
            continue
        out.append((i, FaceGeometry(np.asarray(face.landmarks), scene.size)))
    return out


def _window(spec: Effect, scene: Scene) -> tuple[float, float]:
    """(start, length) in seconds of the time this effect is active."""
    end = scene.duration if spec.end is None else min(spec.end, scene.duration)
    return spec.start, max(0.0, end - spec.start)


def _face_rng(scene: Scene, index: int, face_index: int) -> np.random.Generator:
    return np.random.default_rng([scene.plan.seed, index, face_index])


def _roi(x0: float, y0: float, x1: float, y1: float, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """Integer ROI (x0, y0, x1, y1) clipped to the canvas, or None when empty."""
    w, h = size
    ix0, iy0 = max(0, int(math.floor(x0))), max(0, int(math.floor(y0)))
    ix1, iy1 = min(w, int(math.ceil(x1))), min(h, int(math.ceil(y1)))
    if ix1 - ix0 < 2 or iy1 - iy0 < 2:
        return None
    return ix0, iy0, ix1, iy1


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


class _FaceEffect:
    """Shared shell: selects faces, keeps the active window, builds one part per animatable face."""

    def __init__(self, spec: Effect, scene: Scene, index: int):
        self.spec = spec
        self.start, self.length = _window(spec, scene)
        self.loop = scene.plan.loop
        self.amount = spec.strength / 0.5  # 1.0 at the default strength
        self.parts = []
        self.skipped: list[int] = []
        if self.length <= 0 or spec.strength <= 0:
            return
        for face_index, geometry in selected_faces(spec, scene):
            part = self.prepare(scene, index, face_index, geometry)
            if part is None:
                self.skipped.append(face_index)
            else:
                self.parts.append(part)

    def prepare(self, scene: Scene, index: int, face_index: int, face: FaceGeometry):
        raise NotImplementedError

    def apply(self, frame: np.ndarray, t: float, view=None) -> None:
        local = t - self.start
        if not self.parts or local <= 0 or local >= self.length:
            return
        for part in self.parts:
            part.apply(frame, local)


# --- blink -------------------------------------------------------------------------------------

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
        self.roi = _roi(min(xs), min(ys), max(xs) + 1, max(ys) + 1, size)
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

    def apply(self, frame: np.ndarray, t: float) -> None:
        gaze = gaze_at(t, self.times, self.gazes)
        closure = self.depth * blink_closure(t, self.times, self.fps)
        for eye in self.eyes:
            if gaze != 0.0:
                eye.look(frame, gaze)
            if closure > 0:
                eye.apply(frame, closure)


class Blink(_FaceEffect):
    """Both eyes of each face close and reopen, at the face's own irregular times."""

    def prepare(self, scene, index, face_index, face):
        eyes = [_Eye(face.points, eye, scene.size, brow) for eye, brow in zip(EYES, BROWS_LOWER)]
        if not all(eye.usable() for eye in eyes):
            return None
        rng = _face_rng(scene, index, face_index)
        times = blink_times(rng, self.length, self.spec.speed, scene.fps)
        gazes = [0.0] * len(times)
        for eye, iris in zip(eyes, IRISES):
            eye.set_iris(face.points, iris)
        if all(eye.gaze_field is not None for eye in eyes):  # both eyes or neither: they look together
            gazes = gaze_plan(rng, len(times))
        # strength: 0.5 (default) and above close fully; lower values give a half blink.
        return _BlinkPart(eyes, times, min(1.0, self.amount), scene.fps, gazes)


# --- smile -------------------------------------------------------------------------------------

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


class _WarpPart:
    def __init__(self, warp: LinearWarp, coefficients, period: float):
        self.warp, self.coefficients, self.period = warp, coefficients, period

    def apply(self, frame: np.ndarray, t: float) -> None:
        self.warp.apply(frame, self.coefficients(t))


def _periods(length: float, wanted: float, loop: bool) -> float:
    """A period near `wanted` that divides the clip when it loops."""
    if not loop:
        return wanted
    return length / max(1, round(length / wanted))


class Smile(_FaceEffect):
    """Mouth corners rise and widen a little, cheeks lift; a soft smile by default."""

    def prepare(self, scene, index, face_index, face):
        p = face.points
        right, left = p[MOUTH_CORNERS[0]], p[MOUTH_CORNERS[1]]
        mouth = float(np.linalg.norm(left - right))
        if mouth < MIN_MOUTH_WIDTH:
            return None
        up, across = face.up, face.across
        lift = 0.09 * mouth * self.amount
        out = 0.035 * mouth * self.amount
        cheek = 0.035 * mouth * self.amount
        controls = np.array([right, left, p[CHEEKS[0]], p[CHEEKS[1]], p[CHEEKS_HIGH[0]], p[CHEEKS_HIGH[1]]])
        moves = np.array([
            up * lift - across * out, up * lift + across * out,
            up * cheek, up * cheek, up * cheek * 0.5, up * cheek * 0.5,
        ])
        anchors = p[list(LIP_MIDDLE + SMILE_ANCHORS)]
        everything = np.concatenate([controls, anchors])
        margin = 0.35 * mouth
        roi = _roi(*(everything.min(0) - margin), *(everything.max(0) + margin), scene.size)
        if roi is None:
            return None
        # Backward map: a pixel shows what sits where the motion came from (p - displacement).
        dx, dy = rbf_field(controls, -moves, anchors, roi, sigma=0.3 * mouth)
        period = _periods(self.length, self.length / max(1, round(self.spec.speed)), True)
        return _WarpPart(LinearWarp(roi, [(dx, dy)]), lambda t: [cycle_profile(t, period)], period)


# --- breathe -----------------------------------------------------------------------------------

def breath_field(face: FaceGeometry, size: tuple[int, int], others: list[FaceGeometry] = ()) -> tuple[tuple[int, int, int, int], np.ndarray] | None:
    """Where a person's head and shoulders rise when breathing in: an ROI and a 0..1 weight map.

    Head (an ellipse around the face and hair), neck and shoulders (a wide band below the chin)
    move together; the weight fades smoothly into the background, which stretches a pixel or two
    instead of tearing, and to zero at the chest so the lower body and the ROI's border stay put.
    """
    fw, fh = max(face.width, 1.0), max(face.height, 1.0)
    cx, cy = face.centre
    chin_y = face.points[CHIN][1]
    feather = 0.15 * fh
    left, right = cx - 1.7 * fw - 2 * feather, cx + 1.7 * fw + 2 * feather
    top, bottom = cy - 1.2 * fh - 2 * feather, chin_y + 1.45 * fh
    # In a group, each person's lift stops halfway to a neighbour beside them, so one person's
    # breathing never moves another's face.
    for other in others:
        ox, oy = other.centre
        if top < oy < bottom and abs(ox - cx) > 0.5 * fw:
            if ox < cx:
                left = max(left, (ox + cx) / 2)
            else:
                right = min(right, (ox + cx) / 2)
    roi = _roi(left, top, right, bottom, size)
    if roi is None:
        return None
    x0, y0, x1, y1 = roi
    # Draw the silhouette at low resolution (fast), blur it, then scale it up.
    step = max(1.0, fh / 40)
    small = (max(2, round((x1 - x0) / step)), max(2, round((y1 - y0) / step)))
    mask = np.zeros((small[1], small[0]), np.float32)

    def at(x, y):
        return (int(round((x - x0) / step)), int(round((y - y0) / step)))

    cv2.ellipse(mask, at(cx, cy - 0.12 * fh), (int(0.75 * fw / step), int(0.78 * fh / step)), 0, 0, 360, 1.0, -1)
    cv2.rectangle(mask, at(cx - 0.45 * fw, cy), at(cx + 0.45 * fw, chin_y + 0.6 * fh), 1.0, -1)
    shoulders = np.array([at(cx - 0.6 * fw, chin_y + 0.3 * fh), at(cx + 0.6 * fw, chin_y + 0.3 * fh),
                          at(cx + 1.5 * fw, chin_y + 0.9 * fh), at(cx + 1.5 * fw, y1 + fh), at(cx - 1.5 * fw, y1 + fh),
                          at(cx - 1.5 * fw, chin_y + 0.9 * fh)], np.int32)
    cv2.fillPoly(mask, [shoulders], 1.0)
    # A compact soft edge (smoothstep of the signed distance to the silhouette), not a Gaussian:
    # the weight is exactly 1 inside, so most of the body is a cheap uniform shift.
    inside = (mask > 0).astype(np.uint8)
    signed = cv2.distanceTransform(inside, cv2.DIST_L2, 3) - cv2.distanceTransform(1 - inside, cv2.DIST_L2, 3)
    mask = smoothstep(-feather / step, feather / step, signed).astype(np.float32)
    weight = cv2.resize(mask, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR)
    # The chest and below stay still (and the ROI stays small): fade out 0.8-1.4 face heights under
    # the chin, a band long enough that its squeeze (a few pixels over 0.6 face heights) is not seen.
    rows = np.arange(y0, y1, dtype=np.float64)
    weight *= (1.0 - smoothstep(chin_y + 0.8 * fh, chin_y + 1.4 * fh, rows))[:, None].astype(np.float32)
    # Exactly zero at the ROI's sides inside the canvas (never a visible edge); where the ROI meets
    # the canvas's left, right or top edge the lift can run on, since it samples from below.
    border = max(2.0, feather)
    cols, rows = np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1, dtype=np.float64)
    ramp_x = np.ones(x1 - x0)
    if x0 > 0:
        ramp_x *= smoothstep(x0, x0 + border, cols)
    if x1 < size[0]:
        ramp_x *= smoothstep(x1 - 1, x1 - 1 - border, cols)
    ramp_y = smoothstep(y1 - 1, y1 - 1 - border, rows) * (smoothstep(y0, y0 + border, rows) if y0 > 0 else 1.0)
    weight *= (ramp_y[:, None] * ramp_x[None, :]).astype(np.float32)
    return roi, weight


class Breathe(_FaceEffect):
    """Head and shoulders rise and fall very slightly, 12-20 breaths a minute, each person on their own."""

    def prepare(self, scene, index, face_index, face):
        if face.height < MIN_FACE_HEIGHT:
            return None
        rise = 0.02 * face.height * self.amount  # pixels at the top of the inhale
        if rise < 0.3:
            return None
        others = [g for i, g in selected_faces(Effect(type="breathe"), scene) if i != face_index]
        found = breath_field(face, scene.size, others)
        if found is None:
            return None
        roi, weight = found
        rng = _face_rng(scene, index, face_index)
        period = _periods(self.length, rng.uniform(3.0, 5.0) / self.spec.speed, self.loop)
        # Backward map: to move content up by d, sample d pixels below.
        warp = VerticalWarp(roi, weight * rise, scene.size[1])
        return _WarpPart(warp, lambda t: [0.5 - 0.5 * math.cos(2 * math.pi * t / period)], period)


# --- head turn ---------------------------------------------------------------------------------

class HeadTurn(_FaceEffect):
    """A few degrees of yaw, pitch and roll of the head on a rounded depth model of the face.

    The head is modelled as a paraboloid (nearest at the nose, which protrudes a little more)
    rotating about a pivot in the neck; first-order displacements for each axis are mixed per
    frame. Hair and the background right around the head follow, fading to still.
    """

    def prepare(self, scene, index, face_index, face):
        if face.width < 40:
            return None
        p = face.points
        fw, fh = face.width, face.height
        cx, cy = face.centre
        rx, ry = 0.68 * fw, 0.72 * fh
        hx, hy = cx, cy - 0.08 * fh  # the head's centre sits a little above the face's
        margin = 0.45 * fw
        roi = _roi(hx - rx - margin, hy - ry - margin, hx + rx + margin, p[CHIN][1] + 0.9 * fh, scene.size)
        if roi is None:
            return None
        x0, y0, x1, y1 = roi
        gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1, dtype=np.float64))
        r2 = ((gx - hx) / rx) ** 2 + ((gy - hy) / ry) ** 2
        relief = 0.75 * rx  # how far the face's front stands out from the head's outline
        z = -relief * np.clip(1.0 - r2, 0.0, None)  # negative = toward the camera
        nose = p[NOSE_TIP]
        z -= 0.18 * fw * np.exp(-((gx - nose[0]) ** 2 + (gy - nose[1]) ** 2) / (2 * (0.12 * fw) ** 2))
        z_pivot = 0.35 * rx  # behind the face, inside the head
        pivot_y = p[CHIN][1] + 0.1 * fh
        # Weight: the head moves fully, the neck partly, the background around it fades to zero.
        weight = 1.0 - smoothstep(1.0, (1.0 + margin / rx) ** 2, r2)
        neck = (1.0 - smoothstep(0.25 * fw, 0.6 * fw, np.abs(gx - cx))) * (1.0 - smoothstep(pivot_y - 0.2 * fh, pivot_y + 0.7 * fh, gy))
        weight = np.maximum(weight, 0.5 * neck)
        border = np.minimum.reduce([gx - x0, x1 - 1 - gx, gy - y0, y1 - 1 - gy]) / max(0.1 * fw, 2.0)
        weight *= smoothstep(0.0, 1.0, border)
        # First-order displacement per radian (forward); the backward map uses its negative.
        yaw = ((z - z_pivot) * weight, np.zeros_like(z))
        pitch = (np.zeros_like(z), -(z - z_pivot) * weight)
        roll = (-(gy - pivot_y) * weight, (gx - cx) * weight)
        fields = [(-fx, -fy) for fx, fy in (yaw, pitch, roll)]
        rng = _face_rng(scene, index, face_index)
        period = _periods(self.length, max(3.0, 6.0 / self.spec.speed), True)
        sign = rng.choice([-1.0, 1.0], size=3)
        amount = self.amount
        yaw_max, pitch_max, roll_max = (math.radians(d) * amount for d in (4.0, 1.8, 1.5))

        def angles(t):
            phase = 2 * math.pi * (t % period) / period
            swing = math.sin(phase)  # one way, then the other, back to the photo at the period's ends
            nod = 0.5 - 0.5 * math.cos(phase)
            return [sign[0] * yaw_max * swing, sign[1] * pitch_max * nod, sign[2] * roll_max * swing]

        return _WarpPart(LinearWarp(roi, fields), angles, period)
