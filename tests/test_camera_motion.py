"""Camera moves read back from the rendered frames alone (stillmotion.frames.camera_check):
they go where they are named, by enough, the far view never runs against a pan, and near
objects' edges leave no crumbs on a smooth sky or a striped wall."""

import cv2
import numpy as np
import pytest

from stillmotion.analysis.types import Analysis
from stillmotion.director import direct
from stillmotion.frames.camera import PIVOT_REACH, move_pivot, steady_leading_edge
from stillmotion.frames.camera_check import (
    GlobalMotion,
    depth_motion,
    displacements,
    fit_depth_motion,
    global_motion,
    speck_count,
    speck_mask,
    specks_per_megapixel,
)
from stillmotion.frames.renderer import Renderer
from stillmotion.photo import photo_from_array

# What each move looks like to a viewer; an orbit sweeps sideways either way (see bench_camera.py).
EXPECTED = {"zoom_in": "zoom_in", "zoom_out": "zoom_out", "dolly_in": "zoom_in", "dolly_out": "zoom_out",
            "pan_left": "pan_left", "pan_right": "pan_right", "tilt_up": "tilt_up", "tilt_down": "tilt_down",
            "orbit": "pan", "dolly_zoom": "zoom_in", "ken_burns": "zoom_in"}
WIDTH, HEIGHT = 854, 480  # the canvas at resolution 480, 16:9: no resampling of the scenes below


def textured(width, height, seed, cell=4):
    rng = np.random.default_rng(seed)
    noise = rng.integers(40, 230, (height // cell, width // cell, 3), dtype=np.uint8)
    return cv2.resize(noise, (width, height), interpolation=cv2.INTER_CUBIC)


def render_clip(image, depth, camera, strength=0.5, subject=None, every=4):
    """Frames of a 2 s camera-only clip (every `every`-th and the last), and the renderer."""
    analysis = Analysis(depth=depth, subject=np.zeros_like(depth) if subject is None else subject, sky=np.zeros_like(depth))
    photo = photo_from_array(image)
    plan = direct(photo, analysis, camera=camera, strength=strength, duration=2, resolution=480, fps=24)
    plan = plan.with_changes(effects=[])
    renderer = Renderer(plan, photo, analysis)
    indices = list(range(0, renderer.frame_count, every)) + [renderer.frame_count - 1]
    return [renderer.frame(i).copy() for i in indices], renderer


@pytest.fixture(scope="module")
def block_scene():
    """A textured far wall (nearness 0.1) with a textured near block (0.85) left of centre."""
    image = textured(WIDTH, HEIGHT, 11)
    block = textured(WIDTH, HEIGHT, 12)
    depth = np.full((HEIGHT, WIDTH), 0.1, np.float32)
    y0, y1, x0, x1 = 133, 400, 240, 440
    image[y0:y1, x0:x1] = block[y0:y1, x0:x1]
    depth[y0:y1, x0:x1] = 0.85
    return image, depth


@pytest.mark.parametrize("camera", sorted(EXPECTED))
def test_moves_go_where_they_are_named(block_scene, camera):
    frames, _ = render_clip(*block_scene, camera)
    motion = global_motion(frames)
    assert motion.inliers > 30, motion
    assert motion.label.startswith(EXPECTED[camera]), (camera, motion)
    assert motion.amount >= 0.03, (camera, motion)


def test_static_camera_reads_as_static(block_scene):
    frames, _ = render_clip(*block_scene, "static")
    assert global_motion(frames).label == "static"


@pytest.mark.parametrize("camera", ["pan_left", "pan_right", "tilt_up", "tilt_down", "dolly_in", "ken_burns"])
def test_strength_scales_the_amount(block_scene, camera):
    amounts = [global_motion(render_clip(*block_scene, camera, strength=s, every=8)[0]).amount for s in (0.25, 0.5, 0.9)]
    assert amounts[0] < amounts[1] < amounts[2], (camera, amounts)


@pytest.mark.parametrize("camera", ["pan_left", "pan_right", "tilt_up", "tilt_down"])
def test_far_view_moves_with_the_pan_and_near_moves_further(block_scene, camera):
    image, depth = block_scene
    frames, _ = render_clip(image, depth, camera)
    start, moved = displacements(frames)
    axis = 0 if camera.startswith("pan") else 1
    sign = 1 if camera in ("pan_left", "tilt_up") else -1  # content slides against the camera
    near = depth[start[:, 1].astype(int), start[:, 0].astype(int)] > 0.5
    # The block's own corners: away from its outline, where the back layer shows.
    inside = (start[:, 0] > 253) & (start[:, 0] < 427) & (start[:, 1] > 147) & (start[:, 1] < 387)
    far_shift = sign * np.median(moved[~near, axis])
    near_shift = sign * np.median(moved[near & inside, axis])
    size = WIDTH if axis == 0 else HEIGHT
    assert far_shift > 0.02 * size, (camera, far_shift, near_shift)  # the far view sweeps too, with the move
    assert near_shift > far_shift + 2, (camera, far_shift, near_shift)


def ground_under_far_towers():
    """The rocket's layout: far textured towers and sky (nearness 0.05) down to a near textured
    ground along the whole bottom (0.95), which touches the left and right borders."""
    image = textured(WIDTH, HEIGHT, 31)
    depth = np.full((HEIGHT, WIDTH), 0.05, np.float32)
    depth[int(HEIGHT * 0.75):] = 0.95
    return image, depth


@pytest.mark.parametrize("camera", ["pan_left", "pan_right"])
def test_far_view_by_the_leading_border_moves_with_the_pan(camera):
    """Near ground at the border the camera turns toward slides further than the far view beside
    it; the zoom that keeps that border covered must not push the far things near it outward
    further than the pan slides them (the rocket's launch tower ran 5 px against a pan left)."""
    image, depth = ground_under_far_towers()
    frames, _ = render_clip(image, depth, camera)
    start, moved = displacements(frames)
    sign = 1 if camera == "pan_left" else -1  # content slides against the camera
    leading = start[:, 0] < 0.2 * WIDTH if camera == "pan_left" else start[:, 0] > 0.8 * WIDTH
    far = depth[start[:, 1].astype(int), start[:, 0].astype(int)] < 0.5
    along = sign * moved[far & leading, 0]
    assert len(along) > 10 and np.median(along) > 0, (camera, len(along), np.median(along))
    near_shift = sign * np.median(moved[~far, 0])
    assert near_shift > sign * np.median(moved[far, 0]) + 2  # the ground still moves further than the far view


def test_leading_edge_taper_keeps_a_band_that_is_near_throughout():
    """A tilt down toward ground that fills the bottom band keeps its parallax (nothing farther
    beside it runs against the move); a pan toward a border with far and near things eases the
    near down to the farthest there, at the border only."""
    _, depth = ground_under_far_towers()
    assert np.array_equal(steady_leading_edge(depth, "tilt_down"), depth)
    assert np.array_equal(steady_leading_edge(depth, "zoom_in"), depth)
    eased = steady_leading_edge(depth, "pan_left")
    assert eased[-1, 0] == pytest.approx(0.05) and eased[-1, -1] == pytest.approx(0.95)
    assert np.array_equal(eased[:HEIGHT // 2], depth[:HEIGHT // 2])  # the far view is as it was
    assert np.all(np.diff(eased[-1]) >= 0)  # no kink back: nearness grows away from the border


@pytest.mark.parametrize("box", [(400, 470, 700, 840), (60, 200, 600, 760)], ids=["low-right", "high-right"])
@pytest.mark.parametrize("camera", ["zoom_in", "zoom_out", "dolly_in", "dolly_out", "ken_burns"])
def test_pushes_toward_a_subject_off_centre_read_as_zooms(block_scene, camera, box):
    """About a near subject low and to the side (the rocket's launch pad) or high and to the side
    (two people, whose ken burns read as a pan right), a zoom, dolly or ken burns still changes
    the field of view: the frame's edges move well over 1.5 x as far as its centre."""
    image, depth = block_scene
    y0, y1, x0, x1 = box
    subject = np.zeros_like(depth)
    subject[y0:y1, x0:x1] = 1.0
    depth = depth.copy()
    depth[y0:y1, x0:x1] = 0.9  # near: a ken burns pushes in on it
    frames, _ = render_clip(image, depth, camera, subject=subject)
    motion = global_motion(frames)
    assert motion.label == EXPECTED[camera] and motion.amount >= 0.03, (camera, motion)
    assert motion.edge_shift > 1.8 * max(abs(motion.dx), abs(motion.dy)), (camera, motion)


def test_pushes_pivot_near_the_centre_and_other_moves_on_the_subject():
    low_corner = (0.95, 0.9)
    for kind in ("zoom_in", "zoom_out", "dolly_in", "dolly_out", "ken_burns"):
        assert move_pivot(kind, low_corner) == pytest.approx((0.5 + PIVOT_REACH, 0.5 + PIVOT_REACH)), kind
        assert move_pivot(kind, (0.6, 0.45)) == (0.6, 0.45), kind  # near the centre: the subject itself
    for kind in ("orbit", "dolly_zoom", "pan_left", "tilt_up"):
        assert move_pivot(kind, low_corner) == low_corner, kind


def test_orbit_holds_the_subject_and_sweeps_what_is_behind(block_scene):
    image, depth = block_scene
    subject = (depth > 0.5).astype(np.float32)
    frames, _ = render_clip(image, depth, "orbit", subject=subject)
    start, moved = displacements(frames)
    near = depth[start[:, 1].astype(int), start[:, 0].astype(int)] > 0.5
    inside = (start[:, 0] > 253) & (start[:, 0] < 427) & (start[:, 1] > 147) & (start[:, 1] < 387)
    held = abs(np.median(moved[near & inside, 0]))
    swept = abs(np.median(moved[~near, 0]))
    assert swept > 0.03 * WIDTH and held < swept / 4, (held, swept)


def moved_points(near, shift, slide, zoom=1.0, size=(854, 480), seed=0):
    """Points spread over a frame, moved by a zoom about its centre plus a sideways slide that
    grows with nearness: shift + slide x near (fractions of the width)."""
    width, height = size
    rng = np.random.default_rng(seed)
    first = np.stack([rng.uniform(0, width, len(near)), rng.uniform(0, height, len(near))], 1)
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    last = centre + zoom * (first - centre)
    last[:, 0] += (shift + slide * near) * width
    return first.astype(np.float32), last.astype(np.float32)


def test_depth_motion_tells_an_orbit_from_a_pan():
    """An orbit slides the far and the near against each other round a depth inside the scene,
    even when few tracked corners lie beyond the pivot (the pyramids: a wide textured ground in
    front, a few far corners behind; the farthest 15 % of the corners, all on the ground, slide
    the same way as the nearest, which a comparison of the two read as a pan); a pan with
    parallax slides all one way; a zoom slides none."""
    rng = np.random.default_rng(1)
    near = np.concatenate([rng.uniform(0.02, 0.08, 12), rng.uniform(0.4, 0.8, 388)])  # 3 % of them far
    pivot = 0.25
    first, last = moved_points(near, shift=0.05 * pivot, slide=-0.05, zoom=1.1)
    orbit = fit_depth_motion(first, last, near, (854, 480))
    assert orbit.orbit_label == "sweep", orbit
    assert orbit.pivot == pytest.approx(pivot, abs=0.02)
    assert orbit.sweep == pytest.approx(0.05 * (orbit.span[1] - orbit.span[0]), rel=0.05)
    # A pan to the right: everything slides left, the near further (the far at nearness 0 by 4 %).
    first, last = moved_points(near, shift=-0.04, slide=-0.02, zoom=1.03)
    assert fit_depth_motion(first, last, near, (854, 480)).orbit_label == "pan"
    first, last = moved_points(near, shift=0.0, slide=0.0, zoom=1.15)
    assert fit_depth_motion(first, last, near, (854, 480)).orbit_label == "static"


def test_orbit_over_a_receding_ground_reads_as_an_orbit():
    """Rendered: a textured ground receding to a hazy far band with few corners. The orbit reads
    as one, by at least 3 %, and the same scene's pan as a pan."""
    image = textured(WIDTH, HEIGHT, 21)
    ys = np.linspace(0, 1, HEIGHT, dtype=np.float32)[:, None]
    depth = np.broadcast_to(0.05 + 0.9 * ys ** 1.5, (HEIGHT, WIDTH)).astype(np.float32).copy()
    image[: HEIGHT // 5] = cv2.GaussianBlur(image[: HEIGHT // 5], (0, 0), 6)  # a hazy far band: few corners
    orbit = depth_motion(render_clip(image, depth, "orbit")[0], depth)
    assert orbit.orbit_label == "sweep" and orbit.sweep >= 0.03, orbit
    pan = depth_motion(render_clip(image, depth, "pan_right")[0], depth)
    assert pan.orbit_label == "pan", pan


def test_widening_moves_end_on_the_photo(block_scene):
    for camera in ("zoom_out", "dolly_out"):
        frames, renderer = render_clip(*block_scene, camera)
        assert np.array_equal(frames[-1], renderer.scene.image), camera
        assert np.abs(frames[0].astype(int) - renderer.scene.image).mean() > 5, camera  # it starts inside the photo


def sky_with_tower(background: str):
    """A sharp, anti-aliased dark tower with a thin mast, and a thin stem (near) against a smooth
    sky or a striped wall (far); its depth is an estimate, as real depth maps are: edges a few
    pixels off the colour edge, and soft."""
    scale = 4  # drawn large, then reduced: anti-aliased edges
    big = np.zeros((HEIGHT * scale, WIDTH * scale), np.uint8)
    cv2.rectangle(big, (333 * scale, 120 * scale), (400 * scale, 480 * scale), 255, -1)
    cv2.circle(big, (367 * scale, 120 * scale), 53 * scale, 255, -1)
    cv2.line(big, (367 * scale, 67 * scale), (367 * scale, 13 * scale), 255, 2 * scale)  # the mast
    cv2.line(big, (560 * scale, 480 * scale), (627 * scale, 160 * scale), 255, 3 * scale)  # a thin stem
    tower = cv2.resize(big, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
    ys = np.linspace(0, 1, HEIGHT, dtype=np.float32)[:, None, None]
    if background == "sky":
        far = np.broadcast_to(np.concatenate([110 + 60 * ys, 150 + 50 * ys, 230 - 10 * ys], -1), (HEIGHT, WIDTH, 3))
    else:
        # Diagonal stripes: an edge moving over stripes parallel to it uncovers slivers a pixel or
        # two wide, rightly, and the speck measure counts those; across them it does not.
        yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
        stripes = (((xx + yy) // 14) % 2)[..., None]
        far = np.where(stripes > 0, [200, 190, 170], [90, 70, 60]).astype(np.float32)
    dark = np.array([40, 35, 30], np.float32)
    image = np.round(far * (1 - tower[..., None]) + dark * tower[..., None]).astype(np.uint8)
    # The estimate: a little fat and soft, and coarse on the thin stem and mast.
    fat = cv2.GaussianBlur(cv2.dilate(tower, np.ones((5, 5), np.uint8)), (0, 0), 2.5)
    depth = 0.05 + 0.8 * np.clip(fat * 1.5, 0, 1)
    return image, depth.astype(np.float32)


@pytest.mark.parametrize("background", ["sky", "stripes"])
@pytest.mark.parametrize("camera", ["pan_left", "pan_right", "tilt_up", "dolly_in", "orbit", "ken_burns", "dolly_out"])
def test_near_edges_leave_no_crumbs(background, camera):
    image, depth = sky_with_tower(background)
    frames, renderer = render_clip(image, depth, camera, every=3)
    base = specks_per_megapixel(renderer.scene.image)
    worst = max(specks_per_megapixel(f) for f in frames) - base
    assert worst <= 20, (background, camera, worst)


def test_speck_count_sees_crumbs():
    """The measure itself: scattered dark pixels on a smooth sky count, the sky alone does not."""
    sky = np.broadcast_to(np.linspace(120, 200, 200, dtype=np.float32)[:, None, None], (200, 300, 3)).astype(np.uint8).copy()
    assert speck_count(sky) == 0
    rng = np.random.default_rng(0)
    ys, xs = rng.integers(20, 180, 40), rng.integers(20, 280, 40)
    sky[ys, xs] = 0
    assert speck_count(sky) >= 35


def test_speck_mask_marks_the_counted_pixels():
    """The mask bench_camera --masks draws is what speck_count counts: the crumbs on the sky, and
    nothing in the band along the frame's edges (a scan's edge line)."""
    sky = np.full((200, 300, 3), 150, np.uint8)
    sky[60, 100] = sky[120, 200] = 20  # two crumbs
    sky[:, 1] = 20  # a dark line along the left edge
    mask = speck_mask(sky)
    assert mask.shape == sky.shape[:2]
    assert set(zip(*np.nonzero(mask))) == {(60, 100), (120, 200)}
    assert speck_count(sky) == 2


def test_motion_labels():
    still = GlobalMotion(1.001, 0.0, 0.001, 0.0, 100, 120)
    assert still.label == "static" and still.amount == 0.0
    assert GlobalMotion(1.0, 0.0, -0.05, 0.01, 100, 120).label == "pan_right"
    assert GlobalMotion(1.0, 0.0, 0.0, 0.04, 100, 120).label == "tilt_up"
    # A pan that must zoom to keep the photo's edge in view is still a pan: its centre moves as
    # far as its edges grow.
    assert GlobalMotion(1.08, 0.0, 0.04, 0.0, 100, 120).label == "pan_left"
    zoom = GlobalMotion(1.15, 0.0, 0.02, 0.01, 100, 120)
    assert zoom.label == "zoom_in" and zoom.amount == pytest.approx(0.15)
    assert GlobalMotion(0.9, 0.0, 0.0, 0.0, 100, 120).label == "zoom_out"


def test_the_back_layer_reaches_as_far_as_each_place_moves(block_scene):
    """A dolly moves things by its target far less than those at the frame's edges, so the bands
    behind near edges are sized where they are; a pan moves all places alike."""
    image, depth = block_scene
    for camera, uniform in (("dolly_in", False), ("pan_left", True)):
        _, renderer = render_clip(image, depth, camera, every=100)
        reach = renderer.warp.reach(renderer.path.poses())
        middle = reach[reach.shape[0] // 2, reach.shape[1] // 2]
        edges = max(reach[:, 0].max(), reach[:, -1].max())
        assert reach.min() > 0, camera
        if uniform:
            assert reach.max() / reach.min() < 1.2, camera
        else:
            assert middle < 0.5 * edges, (camera, middle, edges)
