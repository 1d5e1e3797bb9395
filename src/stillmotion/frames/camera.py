"""Camera paths: a pose as a pure function of time, for each camera type of the plan.

Coordinates are normalised image coordinates: u = (x - cx) / S, v = (y - cy) / S with S half
the canvas's long side. Depth is nearness w in 0 (far, e.g. sky) .. 1 (nearest). A pose maps a
point (u, w) of the photo to the screen:

    u' = target + zoom * (u - target - shift * w) / (1 - push * w) + pan

- `shift` moves the camera sideways: near things move more than far ones (parallax);
- `push` moves it forward (dolly): near things grow more than far ones;
- `zoom` changes the focal length (no parallax);
- `pan` turns the camera a little: everything slides together.
At t = 0 every path is the identity pose, so frame 0 is the photo.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..plan import Camera


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

    Without loop the move eases from rest to its end pose. With loop the path is closed:
    straight moves go out and come back (a smooth ping-pong), orbit runs once round a circle,
    so the last frame flows into the first.
    """

    def __init__(self, camera: Camera, duration: float, loop: bool, target: tuple[float, float] = (0.0, 0.0),
                 subject_depth: float = 0.5, far_depth: float = 0.0):
        self.camera = camera
        self.duration = duration
        self.loop = loop
        self.target = target  # normalised (u, v) of the point the move heads to / pivots on
        self.subject_depth = subject_depth  # nearness of the target: orbit and dolly_zoom pivot there
        self.far_depth = far_depth  # nearness of the farthest things: pans keep them still

    def progress(self, t: float) -> float:
        """0 at the start, 1 at the far end of the move (and back to 0 at the end of a loop)."""
        s = t / self.duration if self.duration > 0 else 0.0
        if self.loop:
            return 0.5 - 0.5 * math.cos(2 * math.pi * s)
        return ease_in_out(s)

    def pose(self, t: float) -> Pose:
        kind = self.camera.type
        a = self.camera.strength
        p = self.progress(t)
        tu, tv = self.target
        if kind == "static" or a == 0:
            return IDENTITY
        if kind in ("zoom_in", "zoom_out"):
            sign = 1 if kind == "zoom_in" else -1
            return Pose(zoom=1.0 + sign * 0.30 * a * p)
        if kind in ("dolly_in", "dolly_out"):
            sign = 1 if kind == "dolly_in" else -1
            return Pose(push=sign * 0.30 * a * p, zoom=1.0 + sign * 0.04 * a * p)
        if kind in ("pan_left", "pan_right", "tilt_up", "tilt_down"):
            # Camera moves left -> the scene slides right on screen; near things slide further and
            # the farthest things stay put (a small turn keeps them): the least border is exposed.
            amount = 0.12 * a * p
            dx = {"pan_left": -1, "pan_right": 1}.get(kind, 0) * amount
            dy = {"tilt_up": -1, "tilt_down": 1}.get(kind, 0) * amount
            return Pose(shift_x=dx, shift_y=dy, pan_x=dx * self.far_depth, pan_y=dy * self.far_depth)
        if kind == "orbit":
            # Round the subject: sideways travel with a turn that keeps the subject's depth still.
            phase = 2 * math.pi * t / self.duration if self.loop else 0.5 * math.pi * ease_in_out(t / self.duration)
            radius = 0.12 * a
            sx = radius * math.sin(phase)
            push = 0.06 * a * (1 - math.cos(phase)) / 2
            return Pose(shift_x=sx, push=push, pan_x=sx * self.subject_depth)
        if kind == "dolly_zoom":
            # Pull back while zooming in so the subject keeps its size and the background looms.
            push = -0.30 * a * p
            return Pose(push=push, zoom=1.0 - push * self.subject_depth)
        if kind == "ken_burns":
            # A slow push toward the subject with a slight drift toward it.
            push = 0.22 * a * p
            drift = 0.10 * a * p
            return Pose(push=push, zoom=1.0 + 0.03 * a * p, shift_x=drift * tu, shift_y=drift * tv)
        raise ValueError(f"unknown camera type {kind!r}")


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
