"""Faces with relief in the classical depth (analysis/face_relief.py): a smooth dome over each face,
nearest at the nose, nothing at the outline or away from faces, none from a neural model; and an
orbit round a face filling the frame then sweeps its near and far parts against each other."""

import dataclasses

import numpy as np
import pytest

from stillmotion.analysis.cues import compute_cues
from stillmotion.analysis.depth import ClassicalDepth, classical_depth, get_provider, with_face_relief
from stillmotion.analysis.face_relief import MAX_RELIEF, dome, face_relief
from stillmotion.analysis.types import Face
from stillmotion.frames.camera_check import depth_motion
from test_camera_motion import HEIGHT, WIDTH, render_clip, textured
from test_depth import tiny_depth_model

BOX = (0.3, 0.2, 0.4, 0.6)  # x, y, w, h: a face a little under half the width


def test_dome_is_highest_at_its_peak_and_falls_smoothly_to_nothing_at_the_outline():
    shape = (200, 300)
    bump = dome(shape, (0.3, 0.2, 0.7, 0.8), (0.55, 0.5))
    peak = np.unravel_index(np.argmax(bump), shape)
    assert abs(peak[0] - 100) <= 1 and abs(peak[1] - 165) <= 1
    assert bump.max() == pytest.approx(1.0, abs=0.01)
    # Nothing at or beyond the bounds, and every row and column falls from the peak to the rim.
    assert bump[:, : int(0.3 * 300)].max() == 0 and bump[:, int(0.7 * 300) + 1:].max() == 0
    assert bump[: int(0.2 * 200)].max() == 0 and bump[int(0.8 * 200) + 1:].max() == 0
    assert np.all(np.diff(bump[100, 90:166]) >= 0) and np.all(np.diff(bump[100, 165:211]) <= 0)
    # Continuous, and flat at the outline: through the peak, the steps beside the rim are a small
    # part of the steepest, and that is no step (about twice the mean fall over the 45 px side).
    steps = np.abs(np.diff(bump[100]))
    assert steps.max() < 3 / 45
    assert max(steps[88:93].max(), steps[208:213].max()) < 0.25 * steps.max()


def test_relief_is_sized_by_the_face_and_its_nearness_and_nothing_away_from_it():
    depth = np.full((240, 320), 0.8, np.float32)
    big = face_relief([Face(box=BOX)], depth.shape, depth)
    small = face_relief([Face(box=(0.1, 0.1, 0.1, 0.15))], depth.shape, depth)
    assert 0 < small.max() < big.max() <= MAX_RELIEF
    far = face_relief([Face(box=BOX)], depth.shape, depth * 0.5)
    assert far.max() < big.max()  # a farther face shows less relief
    x, y, w, h = BOX
    outside = np.ones(depth.shape, bool)
    outside[int(y * 240):int((y + h) * 240) + 1, int(x * 320):int((x + w) * 320) + 1] = False
    assert big[outside].max() == 0
    assert face_relief([], depth.shape, depth).max() == 0


def test_without_faces_the_depth_is_the_same_array():
    depth = np.random.default_rng(1).random((60, 80)).astype(np.float32)
    assert with_face_relief(depth, []) is depth


def face_photo(seed=5):
    """A textured 'face' (an ellipse, lighter) on a textured backdrop, and its face box."""
    image = textured(320, 240, seed)
    yy, xx = np.mgrid[:240, :320]
    inside = ((xx - 160) / 64) ** 2 + ((yy - 120) / 80) ** 2 < 1
    image[inside] = np.clip(image[inside].astype(int) + 40, 0, 255).astype(np.uint8)
    return image, Face(box=(0.3, 1 / 6, 0.4, 2 / 3), score=0.95)


def test_classical_depth_gets_a_dome_on_the_face_only():
    image, face = face_photo()
    cues = compute_cues(image, [face])
    assert cues.people  # trusted: it shapes the depth
    flat = classical_depth(image, cues)  # the same estimate without the relief
    raised = ClassicalDepth().estimate(image, cues)
    assert raised.dtype == np.float32 and raised.max() == pytest.approx(1.0)
    change = raised - flat * (raised[5, 5] / max(flat[5, 5], 1e-6))  # the rest is only rescaled
    x0, y0, x1, y1 = 96, 40, 224, 200  # the face's box
    away = np.ones(change.shape, bool)
    away[y0:y1 + 1, x0:x1 + 1] = False
    assert np.abs(change[away]).max() < 1e-3
    centre = change[110:130, 150:170].mean()
    rim = change[y0:y1, x0:x0 + 6].mean()
    assert centre > 0.04 and centre > 5 * abs(rim)


def test_a_neural_depth_gets_no_relief(tmp_path):
    pytest.importorskip("onnxruntime")
    path = tmp_path / "tiny.onnx"
    tiny_depth_model(path)
    provider = get_provider(str(path))
    image, face = face_photo()
    cues = compute_cues(image, [face])
    assert cues.people
    with_face = provider.estimate(image, cues)
    without = provider.estimate(image, dataclasses.replace(cues, people=[], faces=[]))
    assert np.array_equal(with_face, without)


@pytest.fixture(scope="module")
def flat_face():
    """A face filling the frame, as the classical depth sees one: one nearness (0.9) over all of it."""
    image = textured(WIDTH, HEIGHT, 21)
    depth = np.full((HEIGHT, WIDTH), 0.9, np.float32)
    face = Face(box=(0.25, 0.05, 0.5, 0.95), score=0.95)
    return image, depth, face


def test_an_orbit_round_a_face_with_relief_sweeps_more_than_round_a_flat_one(flat_face):
    image, depth, face = flat_face
    flat = depth_motion(render_clip(image, depth, "orbit")[0], depth)
    raised_depth = with_face_relief(depth, [face])
    raised = depth_motion(render_clip(image, raised_depth, "orbit")[0], raised_depth)
    # Flat, the face's parts do not slide against each other at all; with relief its middle slides
    # against its rim by nearly 3 % of the width (the real portraits, with hair and hat round the
    # face, reach 3 % and more: bench_camera).
    assert flat.orbit_label == "static" and flat.sweep < 0.002, flat
    assert raised.orbit_label == "sweep" and raised.sweep >= 0.025, raised
