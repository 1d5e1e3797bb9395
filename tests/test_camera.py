import numpy as np
import pytest

from stillmotion.frames.camera import IDENTITY, CameraPath, backward, forward
from stillmotion.plan import CAMERA_TYPES, Camera


@pytest.mark.parametrize("kind", CAMERA_TYPES)
def test_every_path_starts_at_identity(kind):
    path = CameraPath(Camera(type=kind), duration=5, loop=False)
    assert path.pose(0.0) == IDENTITY


@pytest.mark.parametrize("kind", [k for k in CAMERA_TYPES if k != "static"])
def test_every_move_moves(kind):
    path = CameraPath(Camera(type=kind), duration=5, loop=False, target=(0.2, 0.1))
    assert path.pose(5.0) != IDENTITY


@pytest.mark.parametrize("kind", CAMERA_TYPES)
def test_loops_close(kind):
    path = CameraPath(Camera(type=kind), duration=4, loop=True, target=(0.1, 0.0))
    start, end = path.pose(0.0), path.pose(4.0)
    for field in ("shift_x", "shift_y", "push", "zoom", "pan_x", "pan_y"):
        assert getattr(end, field) == pytest.approx(getattr(start, field), abs=1e-9)


def test_motion_is_eased():
    path = CameraPath(Camera(type="dolly_in"), duration=10, loop=False)
    near_start = path.pose(0.1).push - path.pose(0.0).push
    middle = path.pose(5.1).push - path.pose(5.0).push
    assert 0 < near_start < middle / 10


def test_strength_scales_amplitude():
    weak = CameraPath(Camera(type="pan_left", strength=0.2), 5, False).pose(5)
    strong = CameraPath(Camera(type="pan_left", strength=0.8), 5, False).pose(5)
    assert abs(strong.shift_x) == pytest.approx(4 * abs(weak.shift_x))


def test_near_moves_more_than_far_for_parallax_moves():
    for kind in ("pan_left", "pan_right", "tilt_up", "dolly_in", "ken_burns"):  # orbit pivots: see test_render
        pose = CameraPath(Camera(type=kind), 5, False, target=(0.0, 0.0)).pose(5)
        u, v = np.array([0.3]), np.array([0.2])
        near = np.hypot(*[a - b for a, b in zip(forward(pose, u, v, 1.0, (0, 0)), (u, v))])
        far = np.hypot(*[a - b for a, b in zip(forward(pose, u, v, 0.0, (0, 0)), (u, v))])
        assert near[0] > far[0], kind


def test_zoom_has_no_parallax():
    pose = CameraPath(Camera(type="zoom_in"), 5, False).pose(5)
    u, v = np.array([0.3]), np.array([0.2])
    assert forward(pose, u, v, 1.0, (0, 0)) == forward(pose, u, v, 0.0, (0, 0))


def test_backward_inverts_forward():
    pose = CameraPath(Camera(type="orbit", strength=0.9), 5, False, target=(0.1, -0.1)).pose(2.0)
    rng = np.random.default_rng(0)
    u, v, w = rng.uniform(-1, 1, 50), rng.uniform(-0.6, 0.6, 50), rng.uniform(0, 1, 50)
    su, sv = forward(pose, u, v, w, (0.1, -0.1))
    bu, bv = backward(pose, su, sv, w, (0.1, -0.1))
    assert np.allclose(bu, u, atol=1e-9) and np.allclose(bv, v, atol=1e-9)
