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
