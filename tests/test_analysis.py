"""The analysis pipeline: maps at analysis size, faces as a cue, black-and-white skies, and the
on-disk cache round trip."""

from __future__ import annotations

from pathlib import Path

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


# --- segmentation providers -------------------------------------------------------------------
SHARED_MODELS = Path(__file__).resolve().parents[2] / "shared" / "models"
SHARED_PHOTOS = Path(__file__).resolve().parents[2] / "shared" / "photos"
DEEPLAB_FILE = SHARED_MODELS / "deeplabv3_mnv2_ade20k.tflite"


class TinyLogits:
    """A stand-in TFLite interpreter (in process): the logits say "sky" on the top half and
    "sea" on the bottom half of the 513 x 513 input, whatever the picture."""

    def __init__(self):
        self.calls = 0

    def get_input_details(self):
        return [{"index": 0, "shape": np.array([1, 513, 513, 3])}]

    def get_output_details(self):
        return [{"index": 1, "shape": np.array([1, 513, 513, 151])}]

    def set_tensor(self, index, value):
        assert index == 0 and value.shape == (1, 513, 513, 3) and value.dtype == np.float32
        assert -1.0 <= value.min() and value.max() <= 1.0  # the model's input range

    def invoke(self):
        self.calls += 1

    def get_tensor(self, index):
        logits = np.zeros((1, 513, 513, 151), np.float32)
        logits[0, :256, :, 3] = 5.0  # sky
        logits[0, 256:, :, 27] = 5.0  # sea
        return logits


def tiny_deeplab(tmp_path, monkeypatch):
    from stillmotion.analysis import deeplab

    path = tmp_path / "deeplabv3_mnv2_ade20k.tflite"
    path.write_bytes(b"tiny")
    interpreter = TinyLogits()
    monkeypatch.setitem(deeplab._interpreters, str(path.resolve()), interpreter)
    return deeplab.DeeplabSegmentation(path), interpreter


def test_segmentation_provider_maps_labels_to_scene_classes(tmp_path, monkeypatch):
    provider, interpreter = tiny_deeplab(tmp_path, monkeypatch)
    seen = provider.segment(sky_scene(120, 160))
    assert interpreter.calls == 1 and seen.source == "deeplab"
    assert set(seen.masks) >= {"sky", "water", "foliage", "person", "building", "ground"}
    assert seen.masks["sky"][:50].mean() > 0.95 and seen.masks["sky"][70:].mean() < 0.05
    assert seen.masks["water"][70:].mean() > 0.95 and seen.masks["water"][:50].mean() < 0.05
    assert all(m.shape == (120, 160) and m.dtype == np.float32 for m in seen.masks.values())


def test_the_segmentation_model_is_in_the_cache_key_and_the_plan(tmp_path, monkeypatch, no_face_detector):
    from stillmotion.analysis import pipeline

    monkeypatch.setenv("STILLMOTION_CACHE_DIR", str(tmp_path / "cache"))
    provider, _ = tiny_deeplab(tmp_path, monkeypatch)
    classical = pipeline._pipeline_signature(ClassicalDepth(), pipeline.ClassicalSegmentation())
    with_model = pipeline._pipeline_signature(ClassicalDepth(), provider)
    assert classical != with_model and provider.name in with_model
    result = run_analysis(sky_scene(120, 160), ClassicalDepth(), provider)
    assert result.segmentation_source == str(provider.path)  # a plan records it to ask for it again
    assert result.regions["water"][80:].mean() > 0.9 and result.sky[:40].mean() > 0.9
    # Depth from semantics: sky farthest, the sea a plane rising toward the bottom.
    assert result.depth[:40].max() < 0.05 and result.depth[-5:].mean() > result.depth[70:75].mean() + 0.3


def test_segmentation_choice_by_spec(tmp_path, monkeypatch):
    from stillmotion.analysis.segmentation import ClassicalSegmentation, get_segmentation_provider
    from stillmotion.errors import ModelNotFound, PlanError

    monkeypatch.setenv("STILLMOTION_MODEL_DIR", str(tmp_path))
    assert isinstance(get_segmentation_provider("auto"), ClassicalSegmentation)  # nothing in the folder
    assert isinstance(get_segmentation_provider("classical"), ClassicalSegmentation)
    with pytest.raises(ModelNotFound, match="segmentation model not found"):
        get_segmentation_provider("deeplab")
    with pytest.raises(ModelNotFound, match="nothing.tflite"):
        get_segmentation_provider(str(tmp_path / "nothing.tflite"))
    with pytest.raises(PlanError, match="unknown provider"):
        get_segmentation_provider("magic")
    (tmp_path / "deeplabv3_mnv2_ade20k.tflite").write_bytes(b"x")
    monkeypatch.setattr("stillmotion.analysis.segmentation._litert_available", lambda: True)
    assert get_segmentation_provider("auto").spec == "deeplab"


def test_a_broken_model_file_is_one_clear_error(tmp_path):
    pytest.importorskip("ai_edge_litert")
    from stillmotion.analysis.deeplab import DeeplabSegmentation
    from stillmotion.errors import StillmotionError

    path = tmp_path / "broken.tflite"
    path.write_bytes(b"not a flatbuffer at all" * 10)
    with pytest.raises(StillmotionError, match="not a usable TFLite"):
        DeeplabSegmentation(path).segment(sky_scene(60, 80))


@pytest.mark.skipif(not DEEPLAB_FILE.is_file(), reason="../shared/models/deeplabv3_mnv2_ade20k.tflite not here")
def test_real_deeplab_sees_the_sea_and_the_sky(no_face_detector):
    pytest.importorskip("ai_edge_litert")
    from stillmotion.analysis.deeplab import DeeplabSegmentation

    photo = SHARED_PHOTOS / "kodak16_sea_clouds.png"
    if not photo.is_file():
        pytest.skip("shared photos not here")
    rgb = cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB)
    provider = DeeplabSegmentation(DEEPLAB_FILE)
    result = run_analysis(rgb, ClassicalDepth(), provider)
    h = result.sky.shape[0]
    assert result.sky[: h // 4].mean() > 0.8 and result.regions["water"][-h // 4:].mean() > 0.8
    # Its own labels, after our resizing and edge snapping: the agreement the issue asks for.
    labels = cv2.resize(provider.labels(cv2.resize(rgb, result.size[::-1][::-1], interpolation=cv2.INTER_AREA)),
                        result.size, interpolation=cv2.INTER_NEAREST)
    ref_sky = labels == 3
    ours = result.sky > 0.5
    assert (ours & ref_sky).sum() / (ours | ref_sky).sum() > 0.9


def test_the_barn_pond_is_water_by_default(no_face_detector):
    """kodak22: a still pond across the lower third gives back a grey sky (right) and a red barn
    whose foot is hidden behind the bank (left). The classical default finds it as one surface,
    and nothing above the bank or in the grass in front (the photo the rule was tuned on)."""
    from stillmotion.analysis.segmentation import ClassicalSegmentation

    photo = SHARED_PHOTOS / "kodak22_barn_pond.png"
    if not photo.is_file():
        pytest.skip("shared photos not here")
    rgb = cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB)
    water = run_analysis(rgb, ClassicalDepth(), ClassicalSegmentation()).regions["water"]
    h, w = water.shape
    assert water[int(0.67 * h):int(0.77 * h), int(0.05 * w):int(0.95 * w)].mean() > 0.7  # the pond
    assert water[: int(0.6 * h)].mean() < 0.01 and water[int(0.86 * h):].mean() < 0.02  # the barn, the grass


def test_the_beach_treeline_is_plants_not_water(no_face_detector):
    """kodak12: a dark treeline stands on the skyline above the sea. Its foot is the trees
    themselves, not their reflection: plants, while the sea below stays water (a photo the rule
    was tuned on)."""
    from stillmotion.analysis.segmentation import ClassicalSegmentation

    photo = SHARED_PHOTOS / "kodak12_beach_couple.png"
    if not photo.is_file():
        pytest.skip("shared photos not here")
    rgb = cv2.cvtColor(cv2.imread(str(photo)), cv2.COLOR_BGR2RGB)
    regions = run_analysis(rgb, ClassicalDepth(), ClassicalSegmentation()).regions
    water, foliage = regions["water"], regions["foliage"]
    h, w = water.shape
    trees = (slice(int(0.16 * h), int(0.22 * h)), slice(int(0.5 * w), int(0.95 * w)))
    assert foliage[trees].mean() > 0.7 and water[trees].mean() < 0.2
    assert water[int(0.3 * h):int(0.5 * h), int(0.5 * w):int(0.95 * w)].mean() > 0.9  # the sea


def test_people_without_faces_from_the_selfie_segmenter():
    pytest.importorskip("mediapipe")
    from stillmotion.analysis.people import find_people

    photo = SHARED_PHOTOS / "nasa_apollo11_moon_large.jpg"
    if not photo.is_file():
        pytest.skip("shared photos not here")
    rgb = cv2.cvtColor(cv2.imread(str(photo), cv2.IMREAD_REDUCED_COLOR_4), cv2.COLOR_BGR2RGB)
    people = find_people(rgb, [])  # the astronaut's face is behind a visor: no face to find
    assert people is not None and 0.03 < (people > 0.5).mean() < 0.3
    h, w = people.shape
    ys, xs = np.nonzero(people > 0.5)
    # On the astronaut (standing in the middle, from near the top to two thirds down), not on the ground around.
    assert 0.3 < xs.min() / w and xs.max() / w < 0.75 and ys.max() / h < 0.75


def test_people_mask_is_none_without_mediapipe(monkeypatch):
    from stillmotion.analysis import people
    from stillmotion.errors import MissingDependency

    def missing():
        raise MissingDependency("no mediapipe")

    monkeypatch.setattr(people, "_segmenter", missing)
    assert people.find_people(np.zeros((40, 40, 3), np.uint8), []) is None


# --- analysis models: the folder, list and pull (against a local HTTP server) -------------------
class _Files:
    """A local HTTP server with Range support that serves one payload; counts requests."""

    def __init__(self, payload: bytes):
        import http.server
        import threading

        files = self
        self.payload, self.ranges = payload, []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                data, start = files.payload, 0
                header = self.headers.get("Range")
                files.ranges.append(header)
                if header:
                    start = int(header.split("=")[1].split("-")[0])
                    if start >= len(data):
                        self.send_response(416)
                        self.end_headers()
                        return
                    self.send_response(206)
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                self.wfile.write(data[start:])

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/model.bin"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def served(tmp_path, monkeypatch):
    import hashlib

    from stillmotion.analysis import models

    payload = bytes(range(256)) * 2000
    files = _Files(payload)
    monkeypatch.setenv("STILLMOTION_MODEL_DIR", str(tmp_path / "models"))
    spec = models.AnalysisModel(name="segmentation", file="deeplabv3_mnv2_ade20k.tflite", url=files.url,
                                sha256=hashlib.sha256(payload).hexdigest(), size=len(payload), improves="tests",
                                runtime="segment", licence="test")
    monkeypatch.setitem(models.MODELS, "segmentation", spec)
    yield files, payload
    files.close()


def test_pull_downloads_checks_and_names_the_file(served):
    from stillmotion.analysis import models

    files, payload = served
    seen = []
    path = models.pull("segmentation", progress=lambda done, total: seen.append((done, total)))
    assert path == models.model_path("segmentation") and path.read_bytes() == payload
    assert seen[-1] == (len(payload), len(payload)) and not list(path.parent.glob("*.part"))
    assert models.present()["segmentation"] and models.missing_hint() is None
    assert models.pull("segmentation") == path and len(files.ranges) == 1  # already there: nothing fetched


def test_pull_resumes_a_partial_download(served):
    from stillmotion.analysis import models

    files, payload = served
    partial = models.model_path("segmentation").with_name("deeplabv3_mnv2_ade20k.tflite.part")
    partial.parent.mkdir(parents=True)
    partial.write_bytes(payload[:100_000])
    path = models.pull("segmentation")
    assert path.read_bytes() == payload and files.ranges == ["bytes=100000-"]


def test_pull_refuses_a_file_with_the_wrong_hash(served, monkeypatch):
    from stillmotion.analysis import models
    from stillmotion.errors import DownloadError

    files, payload = served
    files.payload = payload[:-1] + b"!"
    with pytest.raises(DownloadError, match="does not match its sha256"):
        models.pull("segmentation")
    assert not models.model_path("segmentation").exists()
    assert not list(models.model_dir().glob("*.part"))


def test_pull_without_network_is_one_line(served):
    from stillmotion.analysis import models
    from stillmotion.errors import DownloadError

    files, _ = served
    files.close()
    with pytest.raises(DownloadError) as caught:
        models.pull("segmentation", timeout=2)
    assert "cannot download" in str(caught.value) and "\n" not in str(caught.value)


def test_models_command_lists_and_pulls_analysis_models(served, capsys):
    from stillmotion.cli import main

    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "analysis models" in out and "segmentation" in out and "present: no" in out and "improves:" in out
    assert main(["models", "pull", "segmentation"]) == 0
    assert "sha256 checked" in capsys.readouterr().err
    assert main(["models", "list"]) == 0
    assert "present: yes" in capsys.readouterr().out


def test_models_pull_offline_prints_one_line(served, capsys):
    from stillmotion.cli import main

    files, _ = served
    files.close()
    assert main(["models", "pull", "segmentation"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("stillmotion: error: segmentation: cannot download")


def test_the_hint_names_the_command_when_no_model_is_there(tmp_path, monkeypatch):
    from stillmotion.analysis import models

    monkeypatch.setenv("STILLMOTION_MODEL_DIR", str(tmp_path))
    assert "stillmotion models pull segmentation" in models.missing_hint()


def test_the_subject_drops_what_its_cut_spilled_beside_a_segmented_person():
    """The classical cut takes a block of window beside a neck with the person; the person
    segmenter drew the person without it. The block touches the person and holds no face: it is
    the background's. A piece with a face (a person the segmenter missed) and a subject apart
    from the people (a vase on a table) stay."""
    from stillmotion.analysis.cues import without_spills

    h, w = 200, 300
    people = np.zeros((h, w), np.float32)
    cv2.circle(people, (80, 50), 22, 1.0, -1)  # a head
    cv2.rectangle(people, (45, 70), (115, h - 1), 1.0, -1)  # neck, shoulders and body
    subject = people.copy()
    subject[30:57, 102:140] = 1.0  # a block of window beside the head, taken with the person
    cv2.rectangle(subject, (150, 60), (200, h - 1), 1.0, -1)  # a second person, beside the first...
    subject[60:h, 116:150] = 1.0  # ...touching them, missed by the segmenter
    cv2.circle(subject, (265, 150), 15, 1.0, -1)  # a vase, apart from everyone
    faces = [Face((65 / w, 32 / h, 30 / w, 36 / h), 0.9), Face((160 / w, 62 / h, 30 / w, 30 / h), 0.9)]
    result = without_spills(subject, people, faces)
    assert result[30:57, 110:140].max() < 0.5  # the window block is gone
    assert result[80:h, 150:200].min() > 0.5 and result[100:h, 120:148].min() > 0.5  # the missed person stays
    assert result[145:155, 260:270].min() > 0.5  # the vase stays
    assert np.array_equal(result[people > 0.5], subject[people > 0.5])  # the person is untouched
    # Without a face of its own the second figure would be taken for a spill too: faces decide.
    assert without_spills(subject, people, faces[:1])[100:h, 160:190].max() < 0.5


def test_the_segmenters_person_gets_back_the_ears_it_left_out():
    """The person segmenter often cuts a head's outline inside its ears. Beside the face at ear
    height, what has the face's skin tone and touches the person is theirs; a window of another
    colour there, and skin-toned things away from the head, are not."""
    from stillmotion.analysis.cues import with_ears

    h, w = 200, 300
    skin, window = (190, 140, 110), (200, 215, 230)
    rgb = np.full((h, w, 3), window, np.uint8)
    people = np.zeros((h, w), np.float32)
    cv2.ellipse(people, (150, 90), (40, 55), 0, 0, 360, 1.0, -1)  # the head the segmenter drew
    cv2.ellipse(rgb, (150, 90), (40, 55), 0, 0, 360, skin, -1)
    cv2.ellipse(rgb, (108, 92), (8, 16), 0, 0, 360, tuple(int(c * 0.85) for c in skin), -1)  # left ear, in shade
    cv2.ellipse(rgb, (192, 92), (8, 16), 0, 0, 360, skin, -1)  # right ear
    rgb[150:190, 20:60] = skin  # a skin-toned box far from the head
    face = Face((118 / w, 50 / h, 64 / w, 80 / h), 0.9)
    result = with_ears(people, rgb, [face])
    assert result[88:96, 103:108].min() > 0.5 and result[88:96, 194:198].min() > 0.5  # both ears
    assert result[60:70, 196:215].max() < 0.5  # the window beside the head is not theirs
    assert result[150:190, 20:60].max() < 0.5  # nor the box
    assert np.array_equal(result[people > 0.5], people[people > 0.5])
    assert np.array_equal(with_ears(people, rgb, []), people)  # no face: nothing to go by


@pytest.mark.parametrize("wall", [(175, 175, 175), (150, 110, 85)], ids=["black-and-white", "skin-toned wall"])
def test_ears_are_not_sought_by_skin_tone_where_everything_beyond_has_it(wall):
    """Before a wall of the face's own hue (or, in a black-and-white photo, one as light as the
    face) the tone would take everything beside the face for an ear, a box the camera then moves
    with the head. There the segmenter's outline stands as drawn."""
    from stillmotion.analysis.cues import with_ears

    h, w = 200, 300
    skin = (190, 140, 110) if wall[0] != wall[1] else (180, 180, 180)
    rgb = np.full((h, w, 3), wall, np.uint8)
    people = np.zeros((h, w), np.float32)
    cv2.ellipse(people, (150, 90), (40, 55), 0, 0, 360, 1.0, -1)
    cv2.ellipse(rgb, (150, 90), (40, 55), 0, 0, 360, skin, -1)
    cv2.ellipse(rgb, (192, 92), (8, 16), 0, 0, 360, skin, -1)  # an ear the segmenter left out
    face = Face((118 / w, 50 / h, 64 / w, 80 / h), 0.9)
    assert np.array_equal(with_ears(people, rgb, [face]), people)


def test_in_black_and_white_ears_are_found_by_lightness():
    """A black-and-white photo has no chroma to tell skin by (every grey matched the face's, and
    a box beside each face joined the person: Mark Twain's, the 1855 pair's); there an ear is
    what is about as light as the face, beside it, against a darker background."""
    from stillmotion.analysis.cues import with_ears

    h, w = 200, 300
    grey = np.full((h, w), 80, np.uint8)
    people = np.zeros((h, w), np.float32)
    cv2.ellipse(people, (150, 90), (40, 55), 0, 0, 360, 1.0, -1)
    cv2.ellipse(grey, (150, 90), (40, 55), 0, 0, 360, 185, -1)
    cv2.ellipse(grey, (192, 92), (8, 16), 0, 0, 360, 165, -1)  # the ear, a little shaded
    rgb = cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)
    result = with_ears(people, rgb, [Face((118 / w, 50 / h, 64 / w, 80 / h), 0.9)])
    assert result[88:96, 194:198].min() > 0.5  # the ear
    assert result[60:70, 196:215].max() < 0.5 and result[:, 230:].max() < 0.5  # not the wall


def test_an_ear_at_the_photos_edge_is_judged_by_what_lies_beside_it():
    """A face near the left edge has no background beyond its left ear: the rule then goes by
    the ear alone (a skin-toned wall at the other end of the photo is no evidence against it)."""
    from stillmotion.analysis.cues import with_ears

    h, w = 200, 300
    skin = (190, 140, 110)
    rgb = np.full((h, w, 3), (200, 215, 230), np.uint8)
    rgb[:, 120:] = skin  # a skin-toned wall further right
    people = np.zeros((h, w), np.float32)
    cv2.ellipse(people, (44, 90), (30, 55), 0, 0, 360, 1.0, -1)
    cv2.ellipse(rgb, (44, 90), (30, 55), 0, 0, 360, skin, -1)
    cv2.ellipse(rgb, (10, 92), (6, 16), 0, 0, 360, skin, -1)  # the left ear, by the photo's edge
    result = with_ears(people, rgb, [Face((12 / w, 50 / h, 64 / w, 80 / h), 0.9)])
    assert result[86:98, 6:12].min() > 0.5


def test_a_faceless_person_keeps_the_subject_beside_it():
    """The segmenter also takes a lighthouse for a person: with no face on it, the classical
    subject beside it (the keeper's house) is not taken for a spill."""
    from stillmotion.analysis.cues import without_spills

    tower = np.zeros((200, 300), np.float32)
    tower[20:190, 140:170] = 1.0
    subject = tower.copy()
    subject[120:190, 170:260] = 1.0  # a house against the tower
    assert np.array_equal(without_spills(subject, tower, []), subject)
    assert np.array_equal(without_spills(subject, tower, [Face((10 / 300, 10 / 200, 0.1, 0.1), 0.9)]), subject)
