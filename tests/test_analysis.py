"""The analysis pipeline: maps at analysis size, faces as a cue, black-and-white skies, and the
on-disk cache round trip."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from stillmotion.analysis import ANALYSIS_LONG_SIDE, Analysis, Face, analyse
from stillmotion.analysis import cache as analysis_cache
from stillmotion.analysis import faces as faces_module
from stillmotion.analysis.depth import ClassicalDepth
from stillmotion.analysis.pipeline import run_analysis
from stillmotion.photo import photo_from_array
from test_depth import sky_scene, textured


@pytest.fixture
def no_face_detector(monkeypatch):
    """Keep these tests independent of whether a face detector is installed."""
    monkeypatch.setattr(faces_module, "detect_faces", lambda rgb: [])


def person_scene(h: int = 300, w: int = 400) -> tuple[np.ndarray, Face]:
    """A head and shoulders in front of a textured wall, and the face box a detector would give."""
    img = textured(h, w, seed=3, blur=2.5)
    cx, head_y, head_r = w // 2, int(h * 0.3), int(h * 0.11)
    cv2.rectangle(img, (cx - int(head_r * 2.6), head_y + int(head_r * 1.4)), (cx + int(head_r * 2.6), h - 1), (40, 50, 95), -1)
    cv2.rectangle(img, (cx - head_r // 2, head_y), (cx + head_r // 2, head_y + int(head_r * 1.6)), (205, 160, 130), -1)
    cv2.ellipse(img, (cx, head_y), (int(head_r * 0.8), head_r), 0, 0, 360, (205, 160, 130), -1)
    box = ((cx - head_r * 0.8) / w, (head_y - head_r) / h, head_r * 1.6 / w, head_r * 2 / h)
    return img, Face(box=box, score=0.95)


def test_analyse_gives_maps_at_analysis_size(no_face_detector):
    img = cv2.resize(sky_scene(), (1000, 750), interpolation=cv2.INTER_LINEAR)
    result = analyse(photo_from_array(img), depth="classical", cache=False)
    assert isinstance(result, Analysis)
    assert result.size == (ANALYSIS_LONG_SIDE, 576)
    for name in ("depth", "subject", "sky"):
        grid = getattr(result, name)
        assert grid.shape == (576, ANALYSIS_LONG_SIDE) and grid.dtype == np.float32
        assert grid.min() >= 0 and grid.max() <= 1
    assert result.depth_source == "classical"
    assert result.sky[:100].mean() > 0.9 and result.sky[-150:].mean() < 0.05
    assert result.depth[:100].mean() < result.depth[-100:].mean()


def test_small_photos_are_not_upscaled(no_face_detector):
    img = sky_scene(120, 160)
    result = run_analysis(img, ClassicalDepth())
    assert result.depth.shape == (120, 160)


def test_black_and_white_sky_is_found(no_face_detector):
    gray = cv2.cvtColor(cv2.cvtColor(sky_scene(), cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
    result = run_analysis(gray, ClassicalDepth())
    h = gray.shape[0]
    assert result.sky[: int(h * 0.3)].mean() > 0.9
    assert result.depth[: int(h * 0.3)].mean() < 0.05


def test_a_face_brings_the_person_in_front(monkeypatch):
    img, face = person_scene()
    monkeypatch.setattr(faces_module, "detect_faces", lambda rgb: [face])
    result = run_analysis(img, ClassicalDepth())
    h, w = img.shape[:2]
    assert result.faces == [face]
    body = result.depth[int(h * 0.6) : int(h * 0.9), w // 2 - 30 : w // 2 + 30]
    head = result.depth[int(h * 0.25) : int(h * 0.33), w // 2 - 10 : w // 2 + 10]
    wall = np.concatenate([result.depth[: int(h * 0.5), :40], result.depth[: int(h * 0.5), -40:]], axis=1)
    assert body.mean() > wall.mean() + 0.25 and head.mean() > wall.mean() + 0.25
    assert result.subject[int(h * 0.6) : int(h * 0.9), w // 2 - 30 : w // 2 + 30].mean() > 0.9
    assert result.subject[:, :30].mean() < 0.05


def test_analysis_is_deterministic(no_face_detector):
    img, _ = person_scene()
    first, second = run_analysis(img, ClassicalDepth()), run_analysis(img.copy(), ClassicalDepth())
    for name in ("depth", "subject", "sky"):
        assert np.array_equal(getattr(first, name), getattr(second, name))


def test_cache_round_trips_everything(tmp_path, monkeypatch):
    monkeypatch.setenv("STILLMOTION_CACHE_DIR", str(tmp_path))
    rng = np.random.default_rng(0)
    grid = lambda: rng.random((30, 40), dtype=np.float32)  # noqa: E731
    original = Analysis(
        depth=grid(), subject=grid(), sky=grid(),
        faces=[Face(box=(0.1, 0.2, 0.3, 0.4), score=0.9, landmarks=rng.random((478, 3), dtype=np.float32)),
               Face(box=(0.5, 0.5, 0.1, 0.1))],
        regions={"water": grid(), "foliage": grid()},
        depth_source="onnx-depth_anything_v2_vits",
    )
    analysis_cache.save("key", original)
    loaded = analysis_cache.load("key")
    assert loaded is not None
    for name in ("depth", "subject", "sky"):
        assert np.array_equal(getattr(loaded, name), getattr(original, name))
        assert getattr(loaded, name).dtype == np.float32
    assert loaded.depth_source == original.depth_source
    assert set(loaded.regions) == {"water", "foliage"}
    assert all(np.array_equal(loaded.regions[k], original.regions[k]) for k in original.regions)
    assert [f.box for f in loaded.faces] == [f.box for f in original.faces]
    assert [f.score for f in loaded.faces] == [f.score for f in original.faces]
    assert np.array_equal(loaded.faces[0].landmarks, original.faces[0].landmarks) and loaded.faces[1].landmarks is None
    assert not list(tmp_path.rglob("*.tmp"))


def test_analyse_reuses_the_cache_and_survives_a_corrupt_entry(tmp_path, monkeypatch, no_face_detector):
    monkeypatch.setenv("STILLMOTION_CACHE_DIR", str(tmp_path))
    photo = photo_from_array(sky_scene(120, 160))
    first = analyse(photo, depth="classical")
    entries = list(tmp_path.rglob("*.npz"))
    assert len(entries) == 1 and photo.sha256 in entries[0].name
    calls = []
    monkeypatch.setattr("stillmotion.analysis.pipeline.run_analysis", lambda *a: calls.append(a))
    again = analyse(photo, depth="classical")
    assert not calls and np.array_equal(again.depth, first.depth) and np.array_equal(again.sky, first.sky)
    entries[0].write_bytes(entries[0].read_bytes()[:100])  # truncated by a crash
    assert analysis_cache.load(entries[0].name[len(f"v{analysis_cache.CACHE_VERSION}-") : -4]) is None


def test_unwritable_cache_does_not_fail(tmp_path, monkeypatch, no_face_detector):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("STILLMOTION_CACHE_DIR", str(blocker))
    result = analyse(photo_from_array(sky_scene(60, 80)), depth="classical")
    assert result.depth.shape == (60, 80)
