"""Depth providers: the classical estimator on drawn scenes, provider selection, and the ONNX
provider through its real loading and inference code with a tiny model built in the test."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from stillmotion.analysis.cues import compute_cues
from stillmotion.analysis.depth import ClassicalDepth, default_model_path, get_provider
from stillmotion.analysis.imaging import guided_filter
from stillmotion.errors import MissingDependency, ModelNotFound, PlanError, StillmotionError


@pytest.fixture(autouse=True)
def no_face_detector(monkeypatch):
    """These drawn scenes have no faces; keep the tests independent of an installed detector."""
    from stillmotion.analysis import faces

    monkeypatch.setattr(faces, "detect_faces", lambda rgb: [])


def textured(h: int, w: int, seed: int = 0, blur: float = 1.5) -> np.ndarray:
    """Grey-green noise with structure at a few pixels (like foliage or gravel)."""
    rng = np.random.default_rng(seed)
    noise = cv2.GaussianBlur(rng.normal(0, 1, (h, w, 3)).astype(np.float32), (0, 0), blur)
    return np.clip(np.array([90, 110, 80], np.float32) + noise / noise.std() * 25, 0, 255).astype(np.uint8)


def sky_scene(h: int = 240, w: int = 320) -> np.ndarray:
    """Smooth blue sky over the top 40 %, textured ground below."""
    img = textured(h, w, seed=1)
    horizon = int(h * 0.4)
    ramp = np.linspace(0, 1, horizon, dtype=np.float32)[:, None, None]
    top, low = np.array([70, 120, 200], np.float32), np.array([150, 185, 225], np.float32)
    img[:horizon] = np.broadcast_to(top + (low - top) * ramp, (horizon, w, 3)).astype(np.uint8)
    return img


RECT = (110, 210, 70, 200)  # x0, x1, y0, y1


def rectangle_scene(h: int = 240, w: int = 320) -> np.ndarray:
    """A flat red block in front of a textured background of the same brightness."""
    img = textured(h, w)
    x0, x1, y0, y1 = RECT
    img[y0:y1, x0:x1] = (220, 60, 40)
    return img


def crossings(row: np.ndarray, level: float) -> np.ndarray:
    return np.where(np.diff(np.sign(row - level)) != 0)[0] + 0.5


def test_sky_is_far_and_ground_rises_toward_the_viewer():
    img = sky_scene()
    depth = ClassicalDepth().estimate(img)
    h = img.shape[0]
    assert depth[: int(h * 0.3)].mean() < 0.05  # the sky is at infinity
    assert compute_cues(img, faces=[]).sky[: int(h * 0.3)].mean() > 0.9
    rows = depth[int(h * 0.45) :].mean(axis=1)
    assert rows[-1] > 0.9 and rows[0] < 0.4
    assert np.all(np.diff(rows) > -0.02)  # nearer toward the bottom, row after row


def test_near_rectangle_is_in_front_with_edges_on_the_true_edges():
    img = rectangle_scene()
    depth = ClassicalDepth().estimate(img)
    x0, x1, y0, y1 = RECT
    inside = depth[y0 + 10 : y1 - 10, x0 + 10 : x1 - 10]
    beside = np.concatenate([depth[y0 + 10 : y1 - 10, 10 : x0 - 15], depth[y0 + 10 : y1 - 10, x1 + 15 : -10]], axis=1)
    assert inside.mean() > beside.mean() + 0.2
    for y in (y0 + 30, (y0 + y1) // 2, y1 - 30):
        row = depth[y]
        level = (row[x0 + 10 : x1 - 10].mean() + row[: x0 - 15].mean()) / 2
        found = crossings(row, level)
        assert len(found) == 2, found
        assert abs(found[0] - (x0 - 0.5)) <= 3 and abs(found[1] - (x1 - 0.5)) <= 3
    # A surface is smooth: no texture copied from the background into the depth.
    assert np.abs(np.diff(depth[10:60, 10:90], axis=1)).max() < 0.02


def test_output_range_dtype_and_determinism():
    img = sky_scene(200, 300)
    first = ClassicalDepth().estimate(img)
    second = ClassicalDepth().estimate(img.copy())
    assert first.dtype == np.float32 and first.shape == img.shape[:2]
    assert first.min() >= 0.0 and first.max() <= 1.0 and first.max() > 0.99
    assert np.array_equal(first, second)


def test_guided_filter_keeps_a_step_on_the_guide_edge():
    guide = np.zeros((64, 64, 3), np.float32)
    guide[:, 32:] = 1.0
    # A mask upscaled from a small analysis copy: its step is a few pixels wide.
    blurry = cv2.GaussianBlur(np.where(np.arange(64) >= 32, 1.0, 0.0).astype(np.float32)[None].repeat(64, 0), (0, 0), 2)
    assert blurry[:, 30].min() > 0.15 and blurry[:, 33].max() < 0.85
    sharp = guided_filter(guide, blurry, radius=4, eps=1e-3, subsample=1)
    assert sharp[:, 30].max() < 0.7 * blurry[:, 30].min()
    assert 1 - sharp[:, 33].min() < 0.7 * (1 - blurry[:, 33].max())
    assert np.all(crossings(sharp[10], 0.5) == [31.5])  # centred on the guide's edge


def test_uniform_and_tiny_images_do_not_fail():
    for img in (np.full((40, 60, 3), 128, np.uint8), np.zeros((3, 5, 3), np.uint8), np.full((50, 50, 3), 255, np.uint8)):
        depth = ClassicalDepth().estimate(img)
        assert depth.shape == img.shape[:2] and np.isfinite(depth).all()
        assert depth.min() >= 0 and depth.max() <= 1


# ----------------------------------------------------------------------------- providers


def test_auto_without_a_model_is_classical(tmp_path, monkeypatch):
    monkeypatch.setenv("STILLMOTION_MODEL_DIR", str(tmp_path))
    assert default_model_path() == tmp_path / "depth_anything_v2_vits.onnx"
    assert get_provider("auto").name == "classical"
    assert get_provider("classical").name == "classical"


def test_missing_model_file_names_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv("STILLMOTION_MODEL_DIR", str(tmp_path))
    missing = tmp_path / "nope" / "model.onnx"
    with pytest.raises(ModelNotFound, match="nope/model.onnx"):
        get_provider(str(missing))
    with pytest.raises(ModelNotFound, match=str(tmp_path)):
        get_provider("onnx")


def test_unknown_provider_is_one_clear_error():
    with pytest.raises(PlanError, match="classical"):
        get_provider("magic")


def tiny_depth_model(path, fixed: tuple[int, int] | None = None) -> None:
    """A stand-in for Depth Anything: input 1x3xHxW, output 1xHxW = the mean of the channels,
    halved in size and resized back (so the test exercises the real resize/normalise code)."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    dims = list(fixed) if fixed else ["h", "w"]
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, *dims])
    depth = helper.make_tensor_value_info("depth", TensorProto.FLOAT, [1, *dims])
    scales_down = helper.make_tensor("down", TensorProto.FLOAT, [4], [1.0, 1.0, 0.5, 0.5])
    scales_up = helper.make_tensor("up", TensorProto.FLOAT, [4], [1.0, 1.0, 2.0, 2.0])
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    nodes = [
        helper.make_node("ReduceMean", ["image", "axes"], ["mean"], keepdims=1),
        helper.make_node("Resize", ["mean", "", "down"], ["small"], mode="linear"),
        helper.make_node("Resize", ["small", "", "up"], ["back"], mode="linear"),
        helper.make_node("Squeeze", ["back", "axes"], ["depth"]),
    ]
    graph = helper.make_graph(nodes, "tiny_depth", [image], [depth], initializer=[scales_down, scales_up, axes])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def test_onnx_provider_runs_a_tiny_model_from_a_path(tmp_path):
    pytest.importorskip("onnxruntime")
    path = tmp_path / "tiny.onnx"
    tiny_depth_model(path)
    provider = get_provider(str(path))
    assert provider.name == "onnx-tiny"
    # Brighter = nearer for this stand-in: a bright block on a dark background comes out near.
    img = np.full((90, 120, 3), 30, np.uint8)
    img[30:70, 40:90] = 220
    assert provider.input_size(90, 120) == (518, 686)  # short side 518, multiples of 14
    batch = provider.preprocess(img)
    assert batch.shape == (1, 3, 518, 686) and batch.dtype == np.float32
    assert abs(float(batch[0, 0, 0, 0]) - (30 / 255 - 0.485) / 0.229) < 1e-3  # ImageNet normalisation
    depth = provider.estimate(img)
    assert depth.shape == (90, 120) and depth.dtype == np.float32
    assert 0.0 <= depth.min() and depth.max() <= 1.0
    assert depth[40:60, 50:80].mean() > 0.9 and depth[:20].mean() < 0.1
    # Edge snapping: the step sits on the block's edge.
    found = crossings(depth[50], 0.5)
    assert len(found) == 2 and abs(found[0] - 39.5) <= 2 and abs(found[1] - 89.5) <= 2


def test_onnx_model_with_a_fixed_input_size(tmp_path):
    pytest.importorskip("onnxruntime")
    path = tmp_path / "fixed.onnx"
    tiny_depth_model(path, fixed=(56, 84))
    provider = get_provider(str(path))
    assert provider.input_size(300, 200) == (56, 84)
    assert provider.estimate(np.zeros((30, 20, 3), np.uint8)).shape == (30, 20)


def test_auto_uses_the_cached_model_when_present(tmp_path, monkeypatch):
    pytest.importorskip("onnxruntime")
    monkeypatch.setenv("STILLMOTION_MODEL_DIR", str(tmp_path))
    tiny_depth_model(tmp_path / "depth_anything_v2_vits.onnx")
    assert get_provider("auto").name == "onnx-depth_anything_v2_vits"


def test_a_broken_model_file_is_one_clear_error(tmp_path):
    pytest.importorskip("onnxruntime")
    path = tmp_path / "broken.onnx"
    path.write_bytes(b"not a model")
    with pytest.raises(StillmotionError, match="broken.onnx"):
        get_provider(str(path)).estimate(np.zeros((20, 20, 3), np.uint8))


def test_missing_onnxruntime_gives_an_install_hint(tmp_path, monkeypatch):
    import builtins

    path = tmp_path / "tiny.onnx"
    path.write_bytes(b"x")
    real_import = builtins.__import__

    def no_onnxruntime(name, *args, **kwargs):
        if name == "onnxruntime":
            raise ImportError("no onnxruntime")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnxruntime)
    with pytest.raises(MissingDependency, match=r"stillmotion\[depth\]"):
        get_provider(str(path)).estimate(np.zeros((20, 20, 3), np.uint8))


# --- depth from semantics ----------------------------------------------------------------------
def segmentation_of(h: int = 120, w: int = 160):
    """Sky on top, ground from row 50, a house standing on the ground (foot at row 80) and a
    person (foot at row 110), as a network's segmentation would give them."""
    from stillmotion.analysis.types import Segmentation

    z = lambda: np.zeros((h, w), np.float32)  # noqa: E731
    masks = {name: z() for name in ("sky", "water", "foliage", "person", "building", "ground", "upright")}
    masks["sky"][:50] = 1
    masks["ground"][50:] = 1
    masks["building"][30:80, 20:70] = 1
    masks["ground"][30:80, 20:70] = 0
    masks["sky"][30:50, 20:70] = 0
    masks["person"][60:110, 110:130] = 1
    masks["ground"][60:110, 110:130] = 0
    return Segmentation(masks=masks, source="deeplab")


def test_semantic_depth_sky_far_ground_rising_things_standing_at_their_foot():
    img = textured(120, 160, seed=5)
    depth = ClassicalDepth().estimate(img, None, segmentation_of())
    assert depth[:25].max() < 0.02  # the sky at infinity
    ground = [depth[r, 140] for r in (60, 80, 100, 118)]
    assert all(a < b for a, b in zip(ground, ground[1:]))  # the ground rises toward the viewer
    house, person = depth[35:75, 25:65], depth[65:105, 113:127]
    # Each stands where its foot is: the house as far as the ground at row 80, the person nearer.
    assert abs(float(np.median(house)) - float(depth[82, 140])) < 0.12
    assert float(np.median(person)) > float(np.median(house)) + 0.2
    assert float(np.percentile(person, 95) - np.percentile(person, 5)) < 0.15  # whole, gently rounded


def test_network_depth_keeps_the_sky_farthest_and_people_whole():
    from stillmotion.analysis.semantic_depth import constrain

    seg = segmentation_of()
    rng = np.random.default_rng(0)
    raw = np.clip(np.linspace(0, 1, 120, dtype=np.float32)[:, None] + rng.normal(0, 0.2, (120, 160)), 0, 1).astype(np.float32)
    raw[5:20, 5:40] = 0.9  # the net thinks a cloud is near
    out = constrain(raw, seg, None)
    assert out[:50][seg.masks["sky"][:50] > 0.5].max() == 0.0
    assert out[seg.masks["sky"] < 0.5].min() > 0.0  # everything else in front of the sky
    person = out[62:108, 112:128]
    assert float(person.std()) < 0.03 and float(raw[62:108, 112:128].std()) > 0.1


def test_classical_segmentation_keeps_the_classical_depth():
    from stillmotion.analysis.segmentation import ClassicalSegmentation

    img = sky_scene()
    cues = compute_cues(img)
    seen = ClassicalSegmentation().segment(img, cues)
    assert np.allclose(ClassicalDepth().estimate(img, cues, seen), ClassicalDepth().estimate(img, cues))


def test_a_head_keeps_its_placed_depth_where_its_hair_is_laced():
    """The segmenter's people are snapped to the photo already: round a head the edge filter must
    not lace the depth along strands of hair (light gaps between dark strands, the colour of the
    wall behind) nor sink the outline, or a moving camera leaves strands and ear rims behind."""
    import dataclasses

    from stillmotion.analysis.depth import classical_depth
    from stillmotion.analysis.types import Face

    h, w = 240, 320
    img = np.full((h, w, 3), 200, np.uint8)  # a plain wall
    person = np.zeros((h, w), np.float32)
    cv2.ellipse(person, (160, 150), (70, 100), 0, 0, 360, 1.0, -1)
    img[person > 0] = (120, 80, 60)
    hair = (person > 0) & (np.arange(h)[:, None] < 95)
    strands = (np.arange(w)[None, :] // 2) % 2 == 0
    img[hair & strands] = (30, 25, 20)
    img[hair & ~strands] = (200, 200, 200)  # the wall's colour between the strands
    cues = compute_cues(img, faces=[])
    inside = cv2.erode((person > 0).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    face = Face(box=(125 / w, 95 / h, 70 / w, 80 / h))  # below the hair
    laced = classical_depth(img, dataclasses.replace(cues, people_mask=None, subject=person, people=[face]))
    whole = classical_depth(img, dataclasses.replace(cues, people_mask=person, subject=person, people=[face]))
    band = inside & hair
    # Without the people mask the filter laces the hair (the test's premise)...
    assert float(laced[band].min()) < 0.8 * float(np.median(laced[inside]))
    # ...with it, the hair is as near as the rest of the person, and the wall beside stays far.
    assert float(whole[band].min()) > 0.9 * float(np.median(whole[inside]))
    wall = cv2.dilate((person > 0).astype(np.uint8), np.ones((31, 31), np.uint8)) == 0
    assert float(whole[wall].max()) < 0.6 * float(np.median(whole[inside]))
    # Away from any head (no face: a lighthouse the segmenter took for a person) the filter snaps as before.
    faceless = classical_depth(img, dataclasses.replace(cues, people_mask=person, subject=person, people=[]))
    assert float(faceless[band].min()) < 0.8 * float(np.median(faceless[inside]))
