"""Renderer properties on synthetic scenes with a known depth map."""

import cv2
import numpy as np
import pytest

from stillmotion.analysis.types import Analysis
from stillmotion.director import direct
from stillmotion.frames.renderer import Renderer
from stillmotion.photo import photo_from_array
from stillmotion.plan import CAMERA_TYPES

MOVING = [k for k in CAMERA_TYPES if k != "static"]


def textured(width, height, seed):
    rng = np.random.default_rng(seed)
    noise = rng.integers(40, 230, (height // 4, width // 4, 3), dtype=np.uint8)
    return cv2.resize(noise, (width, height), interpolation=cv2.INTER_CUBIC)


@pytest.fixture(scope="module")
def split_scene():
    """Left half far (nearness 0.1), right half near (0.9): a clean parallax test."""
    width, height = 480, 320
    image = textured(width, height, 3)
    depth = np.full((height, width), 0.1, np.float32)
    depth[:, width // 2:] = 0.9
    analysis = Analysis(depth=depth, subject=(depth > 0.5).astype(np.float32), sky=np.zeros_like(depth))
    return photo_from_array(image), analysis


def renderer_for(scene, camera, **options):
    photo, analysis = scene
    options = {"duration": 2, "resolution": 480, "fps": 24, **options}
    plan = direct(photo, analysis, camera=camera, **options)
    return Renderer(plan, photo, analysis)


def photo_and_other_end(renderer):
    """The frame that is the photo (the first; the last for moves that widen the view) and the
    frame at the other end of the move."""
    last = renderer.frame_count - 1
    return (last, 0) if renderer.path.widens else (0, last)


@pytest.mark.parametrize("camera", CAMERA_TYPES)
def test_the_photo_is_the_first_frame_or_the_last_of_a_widening_move(split_scene, camera):
    renderer = renderer_for(split_scene, camera)
    still, _ = photo_and_other_end(renderer)
    assert still == (renderer.frame_count - 1 if camera in ("zoom_out", "dolly_out") else 0)
    assert np.array_equal(renderer.frame(still), renderer.scene.image)


@pytest.mark.parametrize("camera", MOVING)
def test_every_move_moves_and_never_leaves_the_photo(split_scene, camera):
    renderer = renderer_for(split_scene, camera)
    still, other = photo_and_other_end(renderer)
    assert np.abs(renderer.frame(other).astype(int) - renderer.scene.image).mean() > 3
    height, width = renderer.scene.image.shape[:2]
    for index in range(3, renderer.frame_count - 1, 6):  # the photo's own frame samples nothing
        renderer.frame(index)
        x0, x1, y0, y1 = renderer.warp.last_source_bounds
        assert x0 >= -0.51 and y0 >= -0.51 and x1 <= width - 0.49 and y1 <= height - 0.49, (camera, index)


def test_static_camera_does_not_move(split_scene):
    renderer = renderer_for(split_scene, "static")
    assert np.array_equal(renderer.frame(renderer.frame_count - 1), renderer.scene.image)


@pytest.fixture(scope="module")
def block_scene():
    """A near block (nearness 0.9) in the middle of a far wall (0.1); no subject mask, so moves centre."""
    width, height = 720, 480  # the canvas size at resolution 480: no resampling
    image = textured(width, height, 5)
    depth = np.full((height, width), 0.1, np.float32)
    depth[height * 3 // 10: height * 7 // 10, width * 7 // 20: width * 13 // 20] = 0.9
    analysis = Analysis(depth=depth, subject=np.zeros_like(depth), sky=np.zeros_like(depth))
    return photo_from_array(image), analysis


def flow_to_last(renderer):
    """Optical flow from the first frame to the last."""
    first = cv2.cvtColor(renderer.frame(0), cv2.COLOR_RGB2GRAY)
    last = cv2.cvtColor(renderer.frame(renderer.frame_count - 1), cv2.COLOR_RGB2GRAY)
    return cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM).calc(first, last, None)


# Regions of the block scene (rows, cols): the block's interior, and the far wall in the same
# columns (above and below it) or the same rows (left and right of it). Measuring the far wall
# in line with the block cancels the small zoom that keeps the borders covered.
BLOCK = (slice(172, 308), slice(278, 442))
FAR_SAME_COLS = (np.r_[15:120, 360:465], slice(278, 442))
FAR_SAME_ROWS = (slice(172, 308), np.r_[15:210, 510:705])
NEAR_COLS, FAR_COLS, FAR_ROWS = np.r_[292:428], np.r_[30:240, 480:690], np.r_[15:120, 360:465]


@pytest.mark.parametrize("camera,axis,sign", [("pan_left", 0, 1), ("pan_right", 0, -1), ("tilt_up", 1, 1), ("tilt_down", 1, -1)])
def test_near_slides_further_than_far_and_both_with_the_move(block_scene, camera, axis, sign):
    flow = sign * flow_to_last(renderer_for(block_scene, camera))[..., axis]
    far_region = FAR_SAME_COLS if axis == 0 else FAR_SAME_ROWS
    near = np.median(flow[BLOCK])
    far = np.median(flow[far_region[0]][:, far_region[1]])
    assert far > 2 and near > far + 1.0, (camera, near, far)


def test_orbit_pivots_on_the_subject(block_scene):
    """Round the subject (the block at the centre): it stays put while what is behind it slides."""
    flow = flow_to_last(renderer_for(block_scene, "orbit"))[..., 0]
    near = abs(np.median(flow[BLOCK]))
    far = abs(np.median(flow[FAR_SAME_COLS[0]][:, FAR_SAME_COLS[1]]))
    assert far > 3 * near + 2, (near, far)


@pytest.mark.parametrize("camera", ["dolly_in", "ken_burns", "dolly_out"])
def test_near_grows_more_than_far(block_scene, camera):
    """A dolly changes the size of near things more than far ones: compare the flow's spread."""
    flow = flow_to_last(renderer_for(block_scene, camera))[..., 0]
    xs = np.arange(flow.shape[1], dtype=np.float32)

    def scale_change(rows, cols):
        dx = flow[rows][:, cols].mean(axis=0)
        return np.polyfit(xs[cols], dx, 1)[0]  # d(dx)/dx: relative growth

    near = scale_change(BLOCK[0], NEAR_COLS)
    far = scale_change(FAR_ROWS, FAR_COLS)
    assert abs(near) > abs(far) + 0.01, (camera, near, far)


def test_zoom_has_no_parallax_on_screen(block_scene):
    flow = flow_to_last(renderer_for(block_scene, "zoom_in"))[..., 0]
    xs = np.arange(flow.shape[1], dtype=np.float32)
    near = np.polyfit(xs[NEAR_COLS], flow[BLOCK[0]][:, NEAR_COLS].mean(axis=0), 1)[0]
    far = np.polyfit(xs[FAR_COLS], flow[FAR_ROWS][:, FAR_COLS].mean(axis=0), 1)[0]
    assert near > 0.05 and far > 0.05 and abs(near - far) < 0.2 * far


def test_disocclusion_is_filled_without_holes(split_scene):
    # Pan away from the near half: the far half's strip behind the edge is revealed.
    renderer = renderer_for(split_scene, "pan_right", strength=1.0)
    frame = renderer.frame(renderer.frame_count - 1)
    assert frame.min(axis=2).max() > 0 and (frame.sum(axis=2) == 0).sum() == 0


def test_same_plan_same_frames(split_scene):
    a = renderer_for(split_scene, "orbit")
    b = renderer_for(split_scene, "orbit")
    for index in (0, 7, 30, a.frame_count - 1):
        assert np.array_equal(a.frame(index), b.frame(index))


def test_frames_do_not_depend_on_order(split_scene):
    renderer = renderer_for(split_scene, "dolly_zoom")
    late = renderer.frame(40).copy()
    renderer.frame(3)
    assert np.array_equal(renderer.frame(40), late)


@pytest.mark.parametrize("camera", ["orbit", "dolly_in", "pan_left"])
def test_loop_closes(split_scene, camera):
    renderer = renderer_for(split_scene, camera, loop=True)
    n = renderer.frame_count
    frames = [renderer.frame(i).astype(np.int16) for i in (n - 2, n - 1)]
    seam = np.abs(frames[1] - renderer.scene.image).mean()
    step = np.abs(frames[1] - frames[0]).mean()
    assert seam <= step * 1.5 + 0.5


@pytest.mark.parametrize("aspect,size", [("9:16", (480, 854)), ("16:9", (854, 480)), ("1:1", (480, 480)), ("4:5", (480, 600))])
@pytest.mark.parametrize("fit", ["crop", "blur"])
def test_aspects_and_fits(split_scene, aspect, size, fit):
    renderer = renderer_for(split_scene, "dolly_in", aspect=aspect, fit=fit)
    frame = renderer.frame(5)
    assert (frame.shape[1], frame.shape[0]) == size


def test_fit_blur_scene_knows_where_the_photo_is(split_scene):
    renderer = renderer_for(split_scene, "static", aspect="9:16", fit="blur")
    x, y, w, h = renderer.scene.canvas_map.photo_rect
    assert (x, w) == (0, renderer.size[0]) and y > 0 and h < renderer.size[1]
    subject = renderer.scene.mask_at_canvas("subject")
    assert subject[: y - 1].max() == 0 and subject[y + h + 1:].max() == 0 and subject[y:y + h].max() > 0.5
