"""Camera paths: a pose as a pure function of time, for each camera type of the plan.

Coordinates are normalised image coordinates: u = (x - cx) / S, v = (y - cy) / S with S half
the canvas's long side. Depth is nearness w in 0 (far, e.g. sky) .. 1 (nearest). A pose maps a
point (u, w) of the photo to the screen:

    u' = target + zoom * (u - target - shift * w) / (1 - push * w) + pan

- `shift` moves the camera sideways: near things move more than far ones (parallax);
- `push` moves it forward (dolly): near things grow more than far ones;
- `zoom` changes the focal length (no parallax);
- `pan` turns the camera a little: everything slides together.

The moves, as a viewer names them (amounts at strength a, 0.5 by default; a is the amount, the
clip's length is the time it takes):
- pan_* / tilt_*: the view sweeps: the farthest things slide 8 % x a of the frame (4 % by default)
  against the camera, near things half as far again (parallax); the leading edge of the photo stays
  on screen through a small zoom (parallax.cover_zoom), so nothing beyond the photo shows, and the
  parallax tapers toward that edge (steady_leading_edge), so the zoom never pushes far things
  there against the move;
- zoom_*: the field of view narrows (zoom_in: 1 + 0.3 a) or widens, without parallax;
- dolly_*: the camera travels in or out: near things grow more than far ones;
  zooms, dollies and ken burns grow the view about the subject's side of the frame, but never
  about a point further than PIVOT_REACH from its centre (move_pivot), so they read as zooms;
- orbit: sideways travel round the subject, turning to keep it in place: what is behind it sweeps
  the other way;
- dolly_zoom: pull back while zooming in, so the subject keeps its size and the background looms;
- ken_burns: a slow push toward the subject with a slight sideways drift.
Moves that widen the view (zoom_out, dolly_out) cannot start on the whole photo without showing
what lies beyond its border, so they start inside it and end on the whole photo: their last frame
is the photo (`CameraPath.photo_time`). Every other path starts on the photo. Loops are closed:
straight moves go out and back, orbit runs once round its circle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..plan import Camera

WIDENING = ("zoom_out", "dolly_out")  # these end on the photo instead of starting on it
SWEEP = 0.08  # pans and tilts: the far view slides this fraction of the frame at strength 1
SWEEP_PARALLAX = 0.5  # the nearest things slide this much further than the farthest
ORBIT_SWEEP = 0.16  # orbit: the farthest things slide this fraction of the width against the nearest at strength 1
PUSHES = ("zoom_in", "zoom_out", "dolly_in", "dolly_out", "ken_burns")  # grow or shrink the view about a pivot
PIVOT_REACH = 0.2  # their pivot lies at most this fraction of the frame's width (height) from its centre
LEAD_BAND = 0.25  # pans and tilts: the band along the leading border (fraction of the frame) whose parallax tapers


@dataclass(frozen=True)
class Pose:
    shift_x: float = 0.0
    shift_y: float = 0.0
    push: float = 0.0
    zoom: float = 1.0
    pan_x: float = 0.0
    pan_y: float = 0.0

    @property
    def is_identity(self) -> bool:
        return self == IDENTITY

    @property
    def has_parallax(self) -> bool:
        return abs(self.shift_x) + abs(self.shift_y) + abs(self.push) > 1e-9


IDENTITY = Pose()


def ease_in_out(s: float) -> float:
    """Smooth start and stop (cosine ease): velocity is zero at both ends."""
    s = min(max(s, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * s)


class CameraPath:
    """pose(t) for one camera spec over a clip of `duration` seconds.

    Without loop the move eases from rest to its end pose (widening moves: from their start pose
    to rest). With loop the path is closed: straight moves go out and come back (a smooth
    ping-pong), orbit runs once round a circle, so the last frame flows into the first.
    """

    def __init__(self, camera: Camera, duration: float, loop: bool, target: tuple[float, float] = (0.0, 0.0),
                 subject_depth: float = 0.5, far_depth: float = 0.0, half_size: tuple[float, float] = (1.0, 0.5625),
                 near_depth: float = 1.0):
        self.camera = camera
        self.duration = duration
        self.loop = loop
        self.target = target  # normalised (u, v) of the subject: ken burns drifts its way
        self.subject_depth = subject_depth  # nearness of the target: orbit and dolly_zoom pivot there
        self.far_depth = far_depth  # nearness of the farthest things: pans slide them by the named amount
        self.near_depth = near_depth  # nearness of the nearest things
        self.half_size = half_size  # the frame's half width and half height, normalised (1 on the long side)

    @property
    def widens(self) -> bool:
        return self.camera.type in WIDENING

    @property
    def photo_time(self) -> float:
        """When the frame is the photo itself: the start, or the end of a widening move
        (the middle of a widening loop)."""
        if not self.widens:
            return 0.0
        return self.duration / 2 if self.loop else self.duration

    def progress(self, t: float) -> float:
        """0 on the photo, 1 at the far end of the move (for a loop, back to 0 at its end)."""
        s = t / self.duration if self.duration > 0 else 0.0
        p = 0.5 - 0.5 * math.cos(2 * math.pi * s) if self.loop else ease_in_out(s)
        return 1.0 - p if self.widens else p

    def pose(self, t: float) -> Pose:
        kind = self.camera.type
        a = self.camera.strength
        p = self.progress(t)
        if kind == "static" or a == 0:
            return IDENTITY
        if kind in ("zoom_in", "zoom_out"):
            return Pose(zoom=1.0 + 0.30 * a * p)
        if kind in ("dolly_in", "dolly_out"):
            # Travel in: near things grow much more than far ones; a little focal change makes
            # the far view grow too, as it does when a real camera walks toward a nearby subject.
            return Pose(push=0.24 * a * p, zoom=1.0 + 0.10 * a * p)
        if kind in ("pan_left", "pan_right", "tilt_up", "tilt_down"):
            return self._sweep(kind, a * p)
        if kind == "orbit":
            return self._orbit(t, a)
        if kind == "dolly_zoom":
            # Pull back while zooming in so the subject keeps its size and the background looms
            # (grows by 0.14 x a, 7 % at the default strength; a subject nearer than 0.3 keeps its size only roughly).
            zoom = 1.0 + 0.14 * a * p
            return Pose(push=-(zoom - 1.0) / max(self.subject_depth, 0.3), zoom=zoom)
        if kind == "ken_burns":
            return self._ken_burns(a * p)
        raise ValueError(f"unknown camera type {kind!r}")

    def _sweep(self, kind: str, amount: float) -> Pose:
        """A pan or tilt: the camera turns (everything slides) and travels a little the same way
        (near things slide further). The farthest things slide by the named amount of the frame."""
        horizontal = kind.startswith("pan")
        sign = 1.0 if kind in ("pan_right", "tilt_down") else -1.0  # the camera's direction on screen
        half = self.half_size[0] if horizontal else self.half_size[1]
        slide = SWEEP * amount * 2 * half  # normalised units: the far view's slide
        # On screen a point at nearness w moves by -sign * slide * (1 + SWEEP_PARALLAX * (w - far)).
        shift = sign * SWEEP_PARALLAX * slide
        turn = -sign * slide * (1 - SWEEP_PARALLAX * self.far_depth)
        if horizontal:
            return Pose(shift_x=shift, pan_x=turn)
        return Pose(shift_y=shift, pan_y=turn)

    def _orbit(self, t: float, a: float) -> Pose:
        """Round the subject: sideways travel with a turn that keeps the subject's depth still, so
        what lies behind it sweeps one way and what lies before it the other. The travel is sized
        by the photo's depth range: the farthest things slide ORBIT_SWEEP x a of the width against
        the nearest (8 % at the default strength), within a travel of at most half the strength; a
        photo with little depth (everything near the subject's) shows less. No minimum travel: a
        longer one bares more beyond the photo's edge (twice the travel needed a 1.25 cover zoom
        on kodak04 at 16:9, three times 1.44: both read as a zoom). A face filling the frame turns
        instead by its own relief, which the classical depth gives each face (analysis/face_relief.py):
        kodak15's face then slides 3.2 % of the width against its hair and sweater (0.9 % when flat)."""
        s = t / self.duration if self.duration > 0 else 0.0
        phase = 2 * math.pi * s if self.loop else 0.5 * math.pi * ease_in_out(s)
        depth_range = max(self.near_depth - self.far_depth, 0.25)
        radius = min(0.5 * a, ORBIT_SWEEP * a * 2 * self.half_size[0] / depth_range)
        sx = radius * math.sin(phase)
        push = 0.06 * a * (1 - math.cos(phase)) / 2
        return Pose(shift_x=sx, push=push, pan_x=sx * self.subject_depth)

    def _ken_burns(self, amount: float) -> Pose:
        """A slow push toward the subject with a slight sideways drift (toward the subject, or to
        the right when it is in the middle). A push about a subject off the middle already heads
        its way (the pivot, move_pivot): the drift fades as the subject nears the pivot's reach
        and is gone beyond it (with a full drift on top, kodak12's couple in a corner slid the
        view as far as the push grew it, and the move read as a pan)."""
        tu, tv = self.target
        length = math.hypot(tu, tv)
        du, dv = (tu / length, tv / length) if length > 0.05 else (1.0, 0.0)
        off_middle = max(abs(tu) / self.half_size[0], abs(tv) / self.half_size[1]) / (2 * PIVOT_REACH)
        drift = 0.05 * amount * max(0.0, 1.0 - off_middle)
        return Pose(push=0.16 * amount, zoom=1.0 + 0.08 * amount, shift_x=drift * du, shift_y=drift * dv)

    def poses(self, count: int = 33) -> list[Pose]:
        """Poses sampled evenly over the clip (sizing what the whole path needs)."""
        return [self.pose(self.duration * k / (count - 1)) for k in range(count)]


def move_pivot(kind: str, target: tuple[float, float]) -> tuple[float, float]:
    """The point (fractions of the canvas, 0..1) a move grows or shrinks the view about: the
    subject, kept within PIVOT_REACH of the frame's centre for zooms, dollies and ken burns.

    The frame's centre drifts (scale - 1) x the pivot's offset, its edges move (scale - 1) / 2:
    about a subject low in the frame (the rocket's launch pad, 35 % below the centre) a zoom
    grows the frame 15 % while sliding it 5 % upward, which a viewer reads as a tilt. Within 20 %
    of the centre the edges always move at least 2.5 x as far as the centre: it reads as a zoom,
    still heading the subject's way, and the subject stays in view. Other moves keep the subject."""
    if kind not in PUSHES:
        return target
    return tuple(min(max(c, 0.5 - PIVOT_REACH), 0.5 + PIVOT_REACH) for c in target)


def steady_leading_edge(depth: np.ndarray, kind: str) -> np.ndarray:
    """The depth a pan or tilt moves the photo by: its parallax tapered to nothing at the border
    the camera turns toward (other moves: depth as given).

    That border slides inward, so a small zoom about the frame's centre (parallax.cover_zoom)
    keeps it covered, sized by whatever slides furthest along it. Where near things touch it (the
    rocket's ground at the bottom-left corner) they slide half as far again as the far view, and
    the zoom then pushes the far things beside them (its launch tower, in the same band) outward
    further than the pan slides them: they run against the move. Within LEAD_BAND of that border,
    nearness above the band's farthest is eased down to it toward the border (smoothly: no kink),
    so the border slides no further than the farthest things near it and the zoom no longer
    overtakes them. A band that is near throughout (ground at the bottom on a tilt down) keeps
    its parallax: there is nothing farther beside it to run against the move."""
    sides = {"pan_left": (1, False), "pan_right": (1, True), "tilt_up": (0, False), "tilt_down": (0, True)}
    if kind not in sides:
        return depth
    axis, from_end = sides[kind]
    length = depth.shape[axis]
    band = max(2, round(LEAD_BAND * length))
    # Each row's (column's) distance from the leading border, 0 .. 1 across the band, smoothstepped.
    distance = np.arange(length)[::-1] if from_end else np.arange(length)
    d = np.clip(distance / band, 0.0, 1.0).astype(np.float32)
    ramp = d * d * (3.0 - 2.0 * d)
    floor = float(np.percentile(np.take(depth, np.nonzero(distance < band)[0], axis=axis)[::4, ::4], 2))
    eased = floor + (depth - floor) * (ramp[None, :] if axis == 1 else ramp[:, None])
    return np.where(depth > floor, eased, depth).astype(np.float32)


def forward(pose: Pose, u: np.ndarray, v: np.ndarray, w: np.ndarray, target: tuple[float, float]):
    """Where photo points (u, v) at nearness w land on screen under pose."""
    tu, tv = target
    denom = 1.0 - pose.push * w
    su = tu + pose.zoom * (u - tu - pose.shift_x * w) / denom + pose.pan_x
    sv = tv + pose.zoom * (v - tv - pose.shift_y * w) / denom + pose.pan_y
    return su, sv


def backward(pose: Pose, su: np.ndarray, sv: np.ndarray, w, target: tuple[float, float]):
    """Which photo point at nearness w lands on screen point (su, sv): the inverse of forward for fixed w."""
    tu, tv = target
    factor = (1.0 - pose.push * w) / pose.zoom
    u = tu + pose.shift_x * w + (su - tu - pose.pan_x) * factor
    v = tv + pose.shift_y * w + (sv - tv - pose.pan_y) * factor
    return u, v
