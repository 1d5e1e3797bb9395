import numpy as np
import pytest

from stillmotion.frames.camera import IDENTITY, WIDENING, CameraPath, backward, forward
from stillmotion.plan import CAMERA_TYPES, Camera


@pytest.mark.parametrize("kind", CAMERA_TYPES)
def test_every_path_rests_on_the_photo_at_one_end(kind):
    """Frame 0 is the photo; moves that widen the view end on it instead (they cannot start on
    the whole photo without showing what lies beyond its border)."""
    path = CameraPath(Camera(type=kind), duration=5, loop=False)
    widening = kind in WIDENING
    assert path.photo_time == (5.0 if widening else 0.0)
    assert path.pose(path.photo_time) == IDENTITY
    if widening:
        assert path.pose(0.0).zoom > 1.0  # starts inside the photo


@pytest.mark.parametrize("kind", WIDENING)
def test_widening_loops_pass_through_the_photo(kind):
    path = CameraPath(Camera(type=kind), duration=4, loop=True)
    assert path.photo_time == 2.0 and path.pose(2.0) == IDENTITY


@pytest.mark.parametrize("kind", [k for k in CAMERA_TYPES if k != "static"])
def test_every_move_moves(kind):
    path = CameraPath(Camera(type=kind), duration=5, loop=False, target=(0.2, 0.1))
    assert path.pose(5.0 - path.photo_time) != IDENTITY


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


def _end_displacement(kind: str, strength: float) -> float:
    """How far sample points of the frame move (largest, normalised) between the photo and the
    far end of the move, at nearness 0 and 1."""
    path = CameraPath(Camera(type=kind, strength=strength), 5, False, target=(0.1, 0.05), subject_depth=0.5)
    pose = path.pose(5.0 - path.photo_time)  # the other end from the photo
    u, v = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-0.5, 0.5, 5))
    moved = [np.hypot(*[a - b for a, b in zip(forward(pose, u, v, w, path.target), (u, v))]).max() for w in (0.0, 1.0)]
    return max(moved)


@pytest.mark.parametrize("kind", [k for k in CAMERA_TYPES if k != "static"])
def test_strength_scales_the_move_monotonically(kind):
    amounts = [_end_displacement(kind, s) for s in (0.1, 0.3, 0.5, 0.7, 1.0)]
    assert all(a < b for a, b in zip(amounts, amounts[1:])), (kind, amounts)


def test_strength_scales_a_pan_in_proportion():
    weak = CameraPath(Camera(type="pan_left", strength=0.2), 5, False).pose(5)
    strong = CameraPath(Camera(type="pan_left", strength=0.8), 5, False).pose(5)
    assert abs(strong.shift_x) == pytest.approx(4 * abs(weak.shift_x))
    assert abs(strong.pan_x) == pytest.approx(4 * abs(weak.pan_x))


@pytest.mark.parametrize("kind,axis,sign", [("pan_left", 0, 1), ("pan_right", 0, -1), ("tilt_up", 1, 1), ("tilt_down", 1, -1)])
def test_pans_slide_everything_the_named_way(kind, axis, sign):
    """Content slides against the camera: the farthest by the named share of the frame, the
    nearest half as far again; nothing runs the other way."""
    half = (1.0, 0.5625)
    path = CameraPath(Camera(type=kind), 5, False, far_depth=0.1, half_size=half)
    pose = path.pose(5)
    u, v = np.array([0.3]), np.array([0.2])
    shifts = []
    for w in (0.0, 0.1, 0.5, 1.0):
        su, sv = forward(pose, u, v, w, (0, 0))
        shifts.append(sign * float((su - u)[0] if axis == 0 else (sv - v)[0]))
    assert all(s > 0 for s in shifts) and shifts == sorted(shifts)
    assert shifts[1] / (2 * half[axis]) == pytest.approx(0.04)  # 4 % of the frame at the default strength


def test_near_moves_more_than_far_for_parallax_moves():
    for kind in ("pan_left", "pan_right", "tilt_up", "dolly_in", "ken_burns"):  # orbit pivots: see test_camera_motion
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


def test_dolly_zoom_keeps_the_subject_size_and_grows_the_background():
    path = CameraPath(Camera(type="dolly_zoom"), 5, False, subject_depth=0.6)
    pose = path.pose(5)
    u, v = np.array([0.4]), np.array([0.0])

    def scale(w):
        return float(forward(pose, u, v, w, (0, 0))[0][0] / u[0])

    assert scale(0.6) == pytest.approx(1.0) and scale(0.0) > 1.04 and scale(1.0) < 1.0


@pytest.mark.parametrize("far, near", [(0.1, 0.9), (0.3, 0.7), (0.0, 0.34)])
def test_orbit_sweeps_the_far_against_the_near_by_the_same_share_whatever_the_depth_range(far, near):
    """Round a subject between them, the farthest and the nearest things end 8 % of the width apart
    at the default strength, on a deep photo and on a shallow one (up to the travel's limit)."""
    path = CameraPath(Camera(type="orbit", strength=0.5), 5, False, subject_depth=(far + near) / 2,
                      far_depth=far, near_depth=near)
    pose = path.pose(5)
    u, v = np.array([0.0]), np.array([0.0])
    apart = abs(forward(pose, u, v, far, (0, 0))[0][0] - forward(pose, u, v, near, (0, 0))[0][0]) / 2  # of the width
    limited = near - far < 0.16 * 2 * 0.5 / (0.5 * 0.5)  # the travel is at most half the strength
    assert apart == pytest.approx(0.08, rel=0.05) or (limited and 0.03 < apart < 0.08), apart


def test_ken_burns_drifts_less_the_further_its_push_already_heads_for_the_subject():
    """A ken burns drifts toward its subject; a push about a subject far off the middle already
    heads its way, so the drift fades out as the subject nears the pivot's reach (with both, the
    view slid further than it grew: kodak12's couple in a top corner read as a pan left)."""
    def drift(target):
        pose = CameraPath(Camera(type="ken_burns"), 5, False, target=target).pose(5)
        return np.hypot(pose.shift_x, pose.shift_y)

    middle, aside, corner = drift((0.0, 0.0)), drift((0.2, 0.0)), drift((-0.45, -0.3))
    assert middle > 0 and 0 < aside < middle and corner == 0.0
    assert CameraPath(Camera(type="ken_burns"), 5, False, target=(0.0, 0.0)).pose(5).shift_x > 0  # to the right
