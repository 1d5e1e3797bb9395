"""The two parallax layers (frames/layers.py) on small synthetic scenes with a known depth."""

import cv2
import numpy as np
import pytest

from stillmotion.analysis.types import Face
from stillmotion.frames.layers import WORK_SIDE, build_layers
from stillmotion.frames.parallax import steady_outline_depth

WIDTH, HEIGHT = 320, 200


def disk_scene(background: str = "stripes"):
    """A red disk (near, 0.9) with an anti-aliased edge in front of a far (0.1) wall; the depth's
    edge is a few pixels off and soft, as an estimate's is."""
    scale = 4
    big = np.zeros((HEIGHT * scale, WIDTH * scale), np.uint8)
    cv2.circle(big, (160 * scale, 100 * scale), 50 * scale, 255, -1)
    disk = cv2.resize(big, (WIDTH, HEIGHT), interpolation=cv2.INTER_AREA).astype(np.float32)[..., None] / 255
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    if background == "stripes":
        wall = np.where((((xx + yy) // 8) % 2)[..., None] > 0, [40, 160, 60], [30, 60, 170]).astype(np.float32)
    else:
        wall = np.broadcast_to(np.array([90, 140, 220], np.float32), (HEIGHT, WIDTH, 3))
    image = np.round(wall * (1 - disk) + np.array([220, 30, 30], np.float32) * disk).astype(np.uint8)
    fat = cv2.GaussianBlur(cv2.dilate(disk[..., 0], np.ones((5, 5), np.uint8)), (0, 0), 2.0)
    depth = (0.1 + 0.8 * np.clip(fat * 1.5, 0, 1)).astype(np.float32)
    return image, depth, disk[..., 0]


def test_smooth_depth_needs_no_layers():
    image, _, _ = disk_scene()
    ramp = np.broadcast_to(np.linspace(0.1, 0.9, HEIGHT, dtype=np.float32)[:, None], (HEIGHT, WIDTH))
    assert build_layers(image, np.ascontiguousarray(ramp), reach=20.0) is None


def test_layers_at_rest_are_the_photo():
    image, depth, _ = disk_scene()
    layers = build_layers(image, depth, reach=20.0)
    assert layers is not None
    alpha = layers.front[..., 3:].astype(np.float32) / 255
    composite = layers.front[..., :3].astype(np.float32) + (1 - alpha) * layers.back[..., :3]
    assert np.abs(composite - image).max() <= 2.0


def test_matte_follows_the_colour_edge_not_the_depth_estimate():
    image, depth, disk = disk_scene()
    layers = build_layers(image, depth, reach=20.0)
    # The estimate reaches about 4 pixels past the disk; the front keeps to the disk's own edge:
    # the wall next to it is see-through (the far layer shows it, moving as the wall does).
    away = cv2.distanceTransform((disk < 0.02).astype(np.uint8), cv2.DIST_L2, 3)
    assert layers.alpha[(away >= 2) & (away <= 10)].max() < 0.05  # no wall carried with the disk
    assert layers.alpha[(away > 0) & (away < 2)].max() < 0.5  # nor more than a trace right beside it
    assert layers.alpha[disk > 0.98].min() > 0.95  # the whole disk goes
    edge = (disk > 0.1) & (disk < 0.9)
    assert np.abs(layers.alpha[edge] - disk[edge]).mean() < 0.2  # anti-aliased edge pixels keep their share


def test_the_far_layer_is_filled_from_far_side_pixels_only():
    for background in ("stripes", "plain"):
        image, depth, disk = disk_scene(background)
        layers = build_layers(image, depth, reach=20.0)
        behind = layers.back[..., :3][disk > 0.02].astype(int)
        red = (behind[:, 0] > 150) & (behind[:, 1] < 100)
        assert red.mean() < 0.002, background  # none of the disk's colour leaks into the fill


def test_the_fill_continues_a_striped_wall():
    """Within the band a move can reveal, the fill matches the stripes as they would continue."""
    image, depth, disk = disk_scene("stripes")
    layers = build_layers(image, depth, reach=20.0)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    truth = np.where((((xx + yy) // 8) % 2)[..., None] > 0, [40, 160, 60], [30, 60, 170])
    inside = cv2.erode((disk > 0.02).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    rim = inside & (cv2.distanceTransform(inside.astype(np.uint8), cv2.DIST_L2, 3) <= 20)
    wrong = np.abs(layers.back[..., :3].astype(int) - truth).max(axis=2)[rim] > 40
    assert wrong.mean() < 0.05


def test_a_depth_step_inside_one_object_makes_no_layers():
    """An estimate that steps inside one textured object (a hat against its own brim): both sides
    look alike, so the object is not torn in two; the same step at a disk's edge still splits."""
    rng = np.random.default_rng(3)
    # A fine weave (2-pixel cells): finer than the bands along the step that each side is averaged over.
    mesh = cv2.resize(rng.integers(90, 230, (HEIGHT // 2, WIDTH // 2), dtype=np.uint8), (WIDTH, HEIGHT), interpolation=cv2.INTER_NEAREST)
    image = np.dstack([mesh, mesh // 6, mesh // 6])  # a red mesh, the same on both sides of the step
    depth = np.full((HEIGHT, WIDTH), 0.2, np.float32)
    depth[:, WIDTH // 2:] = 0.9
    depth = cv2.GaussianBlur(depth, (0, 0), 2.0)
    assert build_layers(image, depth, reach=20.0) is None
    disk_image, disk_depth, _ = disk_scene()
    assert build_layers(disk_image, disk_depth, reach=20.0) is not None


@pytest.mark.parametrize("crop", [0, 3])  # a frame of whole grid cells, and one that ends inside a cell
def test_the_back_shows_wherever_the_moved_front_is_see_through(crop):
    """The compositor reaches the back only in the screen cells that need it: its frame is the
    whole-frame composite (both layers reprojected everywhere, the front over the back)."""
    from stillmotion.frames.camera import Pose
    from stillmotion.frames.parallax import ParallaxWarp

    image, depth, _ = disk_scene()
    image, depth = np.ascontiguousarray(image[crop:, crop:]), np.ascontiguousarray(depth[crop:, crop:])
    height, width = depth.shape
    poses = [Pose(shift_x=0.04 * k, push=0.03 * k) for k in range(5)]
    warp = ParallaxWarp(image, depth, (0.5, 0.5), poses)
    assert warp.layers is not None
    for pose in poses[1:]:
        out = np.empty_like(image)
        warp.warp(pose, image, out)
        # The reference: each layer's own solution at every grid point, maps at full size.
        zoom = warp.cover_zoom(pose)
        su, sv = warp.grid_u / zoom, warp.grid_v / zoom
        c = warp.cell
        maps = []
        for layer_depth in (warp.front_depth, warp.back_depth):
            u, v, _ = warp._solve(pose, su, sv, layer_depth)
            grid = warp.screen_to_canvas((u, v))
            full = cv2.resize(grid, (grid.shape[1] * c, grid.shape[0] * c), interpolation=cv2.INTER_LINEAR)
            maps.append(np.ascontiguousarray(full[c:c + height, c:c + width]))
        front = cv2.remap(warp.front, maps[0], None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT).astype(np.float32)
        back = cv2.remap(warp.back, maps[1], None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT).astype(np.float32)
        expected = front[..., :3] + (255 - front[..., 3:]) / 255 * back[..., :3]
        see_through = front[..., 3] < 255
        assert see_through.mean() > 0.02  # the move opens a band behind the disk
        difference = np.abs(out.astype(np.float32) - expected).max(axis=2)
        assert difference.max() <= 3.0
        assert np.mean(difference > 1.0) < 0.001


def suit_scene(seed: int = 5):
    """A dark navy disk (near) on a cream wall (far), its anti-aliased edge lit by a bluish rim
    and the photo a little noisy, as a real suit's edge is: the edge pixels are not an exact mix
    of the two sides' colours."""
    _, depth, disk = disk_scene("plain")
    disk = cv2.GaussianBlur(disk, (0, 0), 1.2)  # a little out of focus: an edge a few pixels wide
    navy, cream, rim = np.array([25, 30, 60.0]), np.array([236, 226, 205.0]), np.array([60, 150, 215.0])
    edge = np.clip(1 - np.abs(disk - 0.6) / 0.4, 0, 1)[..., None]  # strongest in the edge's darker half
    colour = navy * disk[..., None] + cream * (1 - disk[..., None])
    colour = colour * (1 - 0.6 * edge) + rim * 0.6 * edge  # as strong as the lead's photo has it
    noise = np.random.default_rng(seed).normal(0, 3, colour.shape)
    image = np.clip(np.round(colour + noise), 0, 255).astype(np.uint8)
    return image, depth, disk, (navy, cream, rim)


def test_what_is_revealed_behind_an_edge_keeps_the_wall_colour():
    """The back layer behind a dark object's rim-lit edge is unmixed from the photo; where the
    edge is no exact mix of the two sides, an unclamped unmixing overshoots into colours neither
    side has (a cyan fringe behind a navy suit on a cream wall). What is revealed stays the wall's."""
    image, depth, disk, (_, cream, _) = suit_scene()
    layers = build_layers(image, depth, reach=20.0)
    assert layers is not None
    wall = image[cv2.distanceTransform((disk < 0.01).astype(np.uint8), cv2.DIST_L2, 3) > 6].astype(np.float32)
    low, high = wall.min(axis=0) - 10, wall.max(axis=0) + 10
    ring = (disk > 0.005) & (disk < 0.995) & (layers.filled > 0)  # the back made here, not the photo's own pixels
    behind = layers.back[..., :3][ring].astype(np.float32)
    outside = ((behind < low) | (behind > high)).any(axis=1)
    assert outside.mean() < 0.01, f"{outside.mean():.3f} of the edge's back pixels leave the wall's colours"


def test_a_light_the_estimate_took_for_near_stays_on_the_wall():
    """A depth estimate often reaches from an object onto a bright light beside it (bokeh behind a
    head). The matte cuts the object free along its colour edge; the light, left as a piece of
    its own with no sure near pixel, must not ride on the object as a torn scrap."""
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    _, _, disk = disk_scene("plain")
    wall = np.array([150, 120, 70.0]) * (0.85 + 0.15 * np.sin(xx / 9.0) * np.cos(yy / 7.0))[..., None]
    colour = wall * (1 - disk[..., None]) + np.array([70, 70, 75.0]) * disk[..., None]
    cx, cy = 96, 100  # 14 pixels left of the disk's edge
    light = np.zeros((HEIGHT, WIDTH), np.float32)
    cv2.circle(light, (cx, cy), 5, 1.0, -1)
    light = cv2.GaussianBlur(light, (0, 0), 1.0)[..., None]
    image = np.clip(colour * (1 - light) + np.array([255, 245, 220.0]) * light, 0, 255).astype(np.uint8)
    estimate = cv2.dilate(disk, np.ones((5, 5), np.uint8))
    cv2.circle(estimate, (cx, cy), 7, 1.0, -1)
    cv2.line(estimate, (cx, cy), (115, 100), 1.0, 6)
    depth = (0.1 + 0.8 * np.clip(cv2.GaussianBlur(estimate, (0, 0), 2.0) * 1.5, 0, 1)).astype(np.float32)
    layers = build_layers(image, depth, reach=20.0)
    assert layers is not None
    assert layers.alpha[cy - 2:cy + 3, cx - 2:cx + 3].max() < 0.05  # the light stays with the wall
    assert layers.alpha[disk > 0.98].min() > 0.95  # the disk still goes whole


def test_the_fill_of_a_smooth_background_shows_no_tile_seams():
    """Satin folds: smooth shading with no texture for an offset to follow. Tiles copied along
    different offsets used to meet in hard steps (a blocky patch in the pink cloth of kodak04 on
    an orbit); across the band a move can reveal, neighbouring fill pixels differ little."""
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    shade = 0.5 + 0.5 * np.sin(xx / 23.0 + 0.6 * np.sin(yy / 31.0)) * np.cos(yy / 41.0)
    wall = np.array([150, 80, 120.0]) + np.array([90, 90, 90.0]) * shade[..., None]
    _, depth, disk = disk_scene("plain")
    image = np.round(wall * (1 - disk[..., None]) + np.array([200, 20, 25.0]) * disk[..., None]).astype(np.uint8)
    layers = build_layers(image, depth, reach=20.0)
    back = layers.back[..., :3].astype(np.float32)
    inside = cv2.erode((disk > 0.02).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    rim = inside & (cv2.distanceTransform(inside.astype(np.uint8), cv2.DIST_L2, 3) <= 10)
    across = np.abs(np.diff(back, axis=1)).max(axis=2)[rim[:, 1:] & rim[:, :-1]]
    down = np.abs(np.diff(back, axis=0)).max(axis=2)[rim[1:] & rim[:-1]]
    steps = np.concatenate([across, down])  # the satin itself changes by under 2 levels a pixel
    assert np.percentile(steps, 99) < 8 and steps.max() < 16


def laced_person(size=(640, 480)):
    """A person (the right half, nearness 0.9) against a wall (0.2) whose outline is laced as an
    estimate makes hair: 30 pixels of hair holed by far threads 2 to 3 pixels wide, and beyond it
    30 pixels of wall crossed by near wisps as thin."""
    width, height = size
    depth = np.full((height, width), 0.2, np.float32)
    depth[:, width // 2:] = 0.9
    rng = np.random.default_rng(5)
    top = slice(0, height // 2)
    depth[top, width // 2 - 30: width // 2] = 0.9
    for start, stop, value in ((width // 2 - 30, width // 2, 0.2), (width // 2 - 60, width // 2 - 30, 0.9)):
        x = start + int(rng.integers(0, 4))
        while x < stop - 3:
            thread = int(rng.integers(2, 4))
            depth[top, x:x + thread] = value
            x += thread + int(rng.integers(5, 9))
    person = (depth > 0.5).astype(np.float32)
    person[top, width // 2 - 30: width // 2] = 1.0  # the soft mask holds the hair
    return depth, person


def test_a_persons_outline_lace_settles_to_one_side():
    depth, person = laced_person()
    settled = steady_outline_depth(depth, person, [Face(box=(0.55, 0.1, 0.2, 0.25))])
    height, width = depth.shape
    across = (height // 4, slice(width // 2 - 70, width // 2 + 20))  # a row across the laced hairline
    assert np.count_nonzero(np.diff((depth[across] > 0.55).astype(np.int8))) > 10
    assert np.count_nonzero(np.diff((settled[across] > 0.55).astype(np.int8))) == 1  # one step, not a lace
    # The straight outline below the hair stays where it was; far from the outline nothing changes.
    below = settled[3 * height // 4]
    assert abs(int(np.argmax(below > 0.55)) - width // 2) <= max(2, width // WORK_SIDE * 2)
    assert np.array_equal(settled[:, :width // 4], depth[:, :width // 4])
    assert np.array_equal(settled[:, -width // 8:], depth[:, -width // 8:])


def test_without_a_person_or_a_face_the_depth_is_left_alone():
    depth, person = laced_person()
    face = [Face(box=(0.55, 0.1, 0.2, 0.25))]
    assert steady_outline_depth(depth, None, face) is depth
    assert np.array_equal(steady_outline_depth(depth, np.zeros_like(depth), face), depth)
    # No face, no hair: a person mask alone (it also takes a lighthouse for one) changes nothing.
    assert steady_outline_depth(depth, person, []) is depth
    # Far from any face (a laced outline by the feet) the depth is left alone too.
    assert np.array_equal(steady_outline_depth(depth, person, [Face(box=(0.9, 0.9, 0.05, 0.05))]), depth)


def fascia_scene(background: str = "plain", seed: int = 3):
    """A pale disk (near) edged by a thin dark red line, as a roof is by its fascia, against a
    far background: an edge of three colours, whose middle one the matte may leave outside."""
    _, depth, disk = disk_scene(background)
    outside = cv2.distanceTransform((disk < 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    line = np.clip(1.0 - np.abs(outside - 1.5) / 1.5, 0, 1)[..., None]  # 0 to 3 pixels beyond the disk
    if background == "plain":
        far = np.broadcast_to(np.array([160, 158, 168.0]), (HEIGHT, WIDTH, 3))
    else:
        yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
        far = np.where((((xx + yy) // 8) % 2)[..., None] > 0, [40, 160, 60], [30, 60, 170]).astype(np.float32)
    colour = far * (1 - disk[..., None]) + np.array([240, 215, 185.0]) * disk[..., None]
    colour = colour * (1 - 0.7 * line) + np.array([150, 60, 50.0]) * 0.7 * line
    noise = np.random.default_rng(seed).normal(0, 1.5, colour.shape)
    image = np.clip(np.round(colour + noise), 0, 255).astype(np.uint8)
    return image, depth, disk, line[..., 0]


def test_an_edges_third_colour_leaves_no_line_on_the_back():
    """The back layer beside the disk holds no trace of its red edge line: revealed, the sky
    behind stays the sky's colour (the front carries the line with the disk), and at rest the
    layers are still the photo."""
    image, depth, disk, line = fascia_scene()
    layers = build_layers(image, depth, reach=20.0)
    assert layers is not None
    sky = image[cv2.distanceTransform((disk < 0.01).astype(np.uint8), cv2.DIST_L2, 3) > 8].astype(np.float32)
    low, high = sky.min(axis=0) - 4, sky.max(axis=0) + 4
    behind = layers.back[..., :3][(line > 0.3) & (disk < 0.01)].astype(np.float32)
    outside = ((behind < low) | (behind > high)).any(axis=1)
    assert outside.mean() < 0.02, f"{outside.mean():.3f} of the back beside the edge keeps its red line"
    alpha = layers.front[..., 3:].astype(np.float32) / 255
    composite = layers.front[..., :3].astype(np.float32) + (1 - alpha) * layers.back[..., :3]
    assert np.abs(composite - image).max() <= 2.0


def test_on_a_textured_background_the_back_beside_an_edge_is_the_photo():
    """Stripes span more colours than any edge's trace: beside the matte, outside the filled
    hole, the back keeps the photo's own pixels."""
    image, depth, disk, line = fascia_scene("stripes")
    layers = build_layers(image, depth, reach=20.0)
    beside = (line > 0.3) & (disk < 0.01) & (layers.filled == 0)
    assert beside.sum() > 100
    assert np.array_equal(layers.back[..., :3][beside], image[beside])


def test_a_cable_beside_an_edge_stays_whole_on_the_back():
    """A thin cable leaving the object's outline (a wire from a roof) is off the sky's colour like
    a trace, but it runs on beyond the trace's reach: it is a thing of its own and the back keeps
    it whole, while the fringe hugging the outline is cleared."""
    from stillmotion.frames.layers import EdgeTrace

    rng = np.random.default_rng(4)
    image = np.clip(np.array([160, 158, 168.0]) + rng.normal(0, 1.5, (HEIGHT, WIDTH, 3)), 0, 255)
    matte = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.circle(matte, (160, 100), 50, 1, -1)
    outside = cv2.distanceTransform(1 - matte, cv2.DIST_L2, 3)
    fringe = (outside > 0) & (outside <= 2)
    image[fringe] = (150, 120, 115)  # the object's reddish edge line
    cable = np.zeros((HEIGHT, WIDTH), np.uint8)
    cv2.line(cable, (211, 100), (300, 30), 1, 1)  # from the disk's right side out into the sky
    cable = cable > 0
    image[cable] = (140, 138, 150)
    image = np.round(image).astype(np.uint8)
    hole = matte > 0
    alpha = hole.astype(np.float32)
    trace = EdgeTrace(image, hole, alpha)
    back = image.copy()
    cleared = trace.clear(back, trace.beside, hugging=True)
    assert cleared[fringe & ~cable].mean() > 0.9  # the fringe is cleared...
    assert not cleared[cable & ~fringe].any()  # ...the cable is not, not even beside the fringe
    assert np.array_equal(back[cable & ~fringe], image[cable & ~fringe])
    unhugged = trace.clear(image.copy(), trace.beside)
    assert unhugged[cable].any()  # without the test, the cable's part near the edge would go


def test_an_edge_trace_with_nothing_to_clear_changes_nothing():
    from stillmotion.frames.layers import EdgeTrace

    image = np.full((40, 60, 3), 128, np.uint8)
    hole = np.zeros((40, 60), bool)
    hole[10:30, 20:40] = True
    trace = EdgeTrace(image, hole, hole.astype(np.float32))
    back = image.copy()
    assert not trace.clear(back, np.zeros((40, 60), bool)).any()
    assert not trace.clear(back, trace.beside, hugging=True).any()  # a plain grey has no trace
    assert np.array_equal(back, image)


def test_round_hair_the_soft_edge_leaves_no_line_on_a_smooth_wall():
    """Round a head every soft pixel of the matte counts as the edge's trace: hair unmixes badly
    (a line of its colour stays on the back, a ghost of the head's outline once the camera moves),
    so on a smooth wall the back there takes the wall's colour, and the front carries the rest."""
    image, depth, disk, _ = suit_scene()
    wall = image[cv2.distanceTransform((disk < 0.01).astype(np.uint8), cv2.DIST_L2, 3) > 8].astype(np.float32).mean(axis=0)
    deviation = {}
    for hair in (None, np.ones(depth.shape, bool)):
        layers = build_layers(image, depth, reach=20.0, hair=hair)
        soft = (layers.alpha >= 0.2) & (layers.alpha < 0.98) & (layers.filled > 0)
        assert soft.sum() > 100
        deviation[hair is not None] = float(np.abs(layers.back[..., :3][soft].astype(np.float32) - wall).max(axis=1).mean())
        alpha = layers.front[..., 3:].astype(np.float32) / 255
        composite = layers.front[..., :3].astype(np.float32) + (1 - alpha) * layers.back[..., :3]
        assert np.abs(composite - image).max() <= 2.0  # at rest, still the photo
    assert deviation[False] > 5.0  # elsewhere the unmixing keeps the rim's trace (the premise)
    assert deviation[True] < 2.0
