"""The neural engine's plain parts, without torch: registry, size/frame/fps rules, prompt, cache,
models list/pull offline, engine choice, colour matching and loop seams. Run everywhere."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from stillmotion.engines import choose_engine
from stillmotion.engines.cache import DownloadError, is_cached, local_path, pull, size_on_disk
from stillmotion.engines.models import MODELS, get_model
from stillmotion.engines.prompting import negative_prompt, write_prompt
from stillmotion.engines.sizing import fit_image, frames_for, model_size, resample, schedule
from stillmotion.errors import ModelNotFound
from stillmotion.plan import Camera, Effect, Plan, Unsupported

REQUIRED = ("wan2.2-ti2v-5b", "wan2.2-i2v-a14b", "ltx-video", "svd-xt", "cogvideox-5b-i2v")


@pytest.fixture(autouse=True)
def empty_hub(tmp_path, monkeypatch):
    """An empty Hugging Face cache: no test sees (or fills) the user's."""
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return tmp_path / "hub"


def test_registry_has_the_models_and_their_rules_are_consistent():
    assert set(REQUIRED) <= set(MODELS)
    for spec in MODELS.values():
        assert spec.licence and spec.licence_url.startswith("https://huggingface.co/")
        assert frames_for(spec, spec.max_frames) == spec.max_frames  # the maximum obeys its own rule
        if spec.frame_rule != "fixed":
            step = int(spec.frame_rule[0])
            assert (spec.max_frames - 1) % step == 0
    assert MODELS["wan2.2-i2v-a14b"].first_last and MODELS["ltx-video"].first_last
    assert not MODELS["svd-xt"].uses_prompt


def test_unknown_model_is_one_clear_error(tmp_path):
    with pytest.raises(ModelNotFound, match="unknown model 'sora'; known: wan2.2-ti2v-5b"):
        get_model("sora")
    with pytest.raises(ModelNotFound, match="no model_index.json"):
        get_model(str(tmp_path))


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("canvas", [(1920, 1080), (1080, 1920), (1080, 1080), (864, 1080)])
def test_model_size_follows_the_rules_and_keeps_the_aspect(name, canvas):
    spec = MODELS[name]
    width, height = model_size(spec, canvas)
    assert width % spec.multiple == 0 and height % spec.multiple == 0
    if spec.sizes:
        assert (width, height) in spec.sizes
    else:
        assert abs((width / height) / (canvas[0] / canvas[1]) - 1) < 0.12
        assert 0.8 < width * height / spec.area < 1.25


def test_fit_image_crops_or_pads_to_the_exact_size():
    image = np.zeros((100, 300, 3), np.uint8)
    image[:, 100:200] = 255
    cropped = fit_image(image, (64, 64), "crop")
    assert cropped.shape == (64, 64, 3) and cropped.mean() > 200  # the centre third, white
    padded = fit_image(image, (64, 64), "pad")
    assert padded.shape == (64, 64, 3) and padded[32, :].mean() < 200  # whole picture, borders reflected


def test_frame_rules():
    wan, ltx, svd = MODELS["wan2.2-ti2v-5b"], MODELS["ltx-video"], MODELS["svd-xt"]
    assert [frames_for(wan, n) for n in (1, 2, 5, 6, 81, 500)] == [5, 5, 5, 9, 81, 121]
    assert [frames_for(ltx, n) for n in (2, 9, 10, 161, 999)] == [9, 9, 17, 161, 161]
    assert frames_for(svd, 3) == 25


@pytest.mark.parametrize("name", REQUIRED)
@pytest.mark.parametrize("duration,fps", [(1.0, 24), (5.0, 30), (10.0, 30), (30.0, 25)])
def test_schedule_covers_the_duration_with_valid_chained_segments(name, duration, fps):
    spec = MODELS[name]
    frames = round(duration * fps)
    plan = schedule(spec, duration, fps, frames)
    assert all(frames_for(spec, n) == n for n in plan.segments)
    assert plan.made >= plan.needed and plan.surplus == plan.made - plan.needed
    assert plan.made == sum(plan.segments) - (len(plan.segments) - 1)  # each later segment repeats one frame
    times = plan.source_times()
    assert len(times) == frames and times[-1] <= plan.needed - 1
    # The last output frame sits at (frames - 1) / fps seconds, in model frames.
    assert times[-1] == pytest.approx((frames - 1) / fps * spec.fps, abs=1e-6)
    assert "segment" in plan.describe()


def test_ten_seconds_of_ltx_are_two_segments():
    plan = schedule(MODELS["ltx-video"], 10.0, 30, 300)
    assert plan.needed == 241 and plan.segments == (161, 81) and plan.surplus == 0


def test_resample_blends_neighbours():
    frames = [np.full((2, 2, 3), v, np.uint8) for v in (0, 100, 200)]
    out = resample(frames, np.array([0.0, 0.5, 1.0, 1.75, 2.0]))
    assert [int(f[0, 0, 0]) for f in out] == [0, 50, 100, 175, 200]


def test_prompt_from_the_plan():
    plan = Plan(photo="p.jpg", prompt="the couple leans in for a gentle kiss", camera=Camera(type="dolly_in"),
                effects=[Effect(type="rain"), Effect(type="grade", style="moody")],
                unsupported=[Unsupported(phrase="a warm group hug")])
    text = write_prompt(plan, faces=2)
    assert text.startswith("The couple leans in for a gentle kiss.")
    assert "a warm group hug" in text and "Rain falls" in text and "dollies slowly forward" in text
    assert "2 people" in text and "moody" in text
    assert "distorted faces" in negative_prompt()


def _fake_snapshot(hub, repo, files=(("model_index.json", b"{}"), ("unet/w.safetensors", b"x" * 1000))):
    folder = hub / ("models--" + repo.replace("/", "--"))
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text("abc123")
    for name, data in files:
        blob = folder / "blobs" / f"blob-{len(data)}-{name.replace('/', '_')}"
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(data)
        link = folder / "snapshots" / "abc123" / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(blob)
    return folder


def test_cache_lookup_follows_the_hub_layout_and_env(empty_hub, tmp_path, monkeypatch):
    spec = MODELS["svd-xt"]
    assert not is_cached(spec)
    _fake_snapshot(empty_hub, spec.repo)
    assert is_cached(spec) and local_path(spec).name == "abc123"
    assert size_on_disk(spec) == 1002
    # HF_HOME is used when HF_HUB_CACHE is not set: <HF_HOME>/hub.
    monkeypatch.delenv("HF_HUB_CACHE")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "home"))
    assert not is_cached(spec)
    _fake_snapshot(tmp_path / "home" / "hub", spec.repo)
    assert is_cached(spec)


def test_models_list_shows_licences_and_nothing_cached(capsys):
    from stillmotion.cli import main

    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    for name in REQUIRED:
        line = next(line for line in out.splitlines() if line.startswith(name + " "))
        assert " no " in line and MODELS[name].licence in line


def test_models_pull_offline_is_one_line(monkeypatch, capsys):
    from stillmotion.cli import main

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["models", "pull", "ltx-video"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [err[0]] and "HF_HUB_OFFLINE" in err[0] and err[0].startswith("stillmotion: error:")


def test_models_pull_without_network_is_one_line(monkeypatch):
    hub = pytest.importorskip("huggingface_hub")

    def no_network(*args, **kwargs):
        raise ConnectionError("Name or service not known\nmore detail")

    monkeypatch.setattr(hub, "snapshot_download", no_network)  # never touch the network in a test
    with pytest.raises(DownloadError) as info:
        pull(MODELS["svd-xt"])
    assert "\n" not in str(info.value) and "no network?" in str(info.value)


def test_models_pull_unknown_name(capsys):
    from stillmotion.cli import main

    assert main(["models", "pull", "nope"]) == 1
    assert "unknown model 'nope'" in capsys.readouterr().err


def test_engine_choice():
    calm = Plan(photo="p.jpg")
    kiss = Plan(photo="p.jpg", unsupported=[Unsupported(phrase="a gentle kiss")])
    assert choose_engine(calm, "cpu") == ("cpu", None)
    assert choose_engine(kiss, "neural", "svd-xt") == ("neural", None)
    assert choose_engine(calm, "auto") == ("cpu", None)  # nothing the CPU engine cannot do
    engine, note = choose_engine(kiss, "auto", "ltx-video")  # empty cache (and no GPU here)
    assert engine == "cpu" and "'a gentle kiss'" in note and "stillmotion models pull ltx-video" in note
    with pytest.raises(ValueError, match="unknown engine"):
        choose_engine(calm, "gpu")


def test_colour_match_pulls_a_drifted_frame_back():
    from stillmotion.engines.neural import lab_stats, match_colour

    rng = np.random.default_rng(0)
    photo = rng.integers(40, 200, (32, 48, 3)).astype(np.uint8)
    drifted = np.clip(photo * np.array([0.7, 0.8, 1.1]) + 15, 0, 255).astype(np.uint8)
    reference = lab_stats(photo)
    before = np.abs(lab_stats(drifted)[0] - reference[0]).max()
    after = np.abs(lab_stats(match_colour(drifted, reference))[0] - reference[0]).max()
    assert before > 5 and after < 0.6


def test_crossfade_seam_ends_near_the_first_frame():
    from stillmotion.engines.neural import crossfade_seam

    frames = [np.full((4, 4, 3), 10 * i, np.uint8) for i in range(20)]
    out = crossfade_seam(list(frames), 6)
    assert out[0][0, 0, 0] == 0 and out[13][0, 0, 0] == 130  # untouched before the seam
    assert abs(int(out[-1][0, 0, 0]) - int(out[0][0, 0, 0])) < abs(int(frames[-1][0, 0, 0]) - int(frames[0][0, 0, 0])) / 4


def test_cpu_path_never_imports_torch(tmp_path):
    from PIL import Image

    from conftest import scene_image

    photo = tmp_path / "p.png"
    Image.fromarray(scene_image(96, 64)).save(photo)
    code = (
        "import sys; from stillmotion.cli import main\n"
        f"assert main(['animate', {str(photo)!r}, '-d', '1', '-r', '480', '-q', '--engine', 'auto', '-o', {str(tmp_path / 'o.mp4')!r}]) == 0\n"
        "assert 'torch' not in sys.modules and 'diffusers' not in sys.modules, 'torch was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / "o.mp4").is_file()


def test_neural_without_the_extra_is_one_line(monkeypatch, tmp_path, capsys):
    from PIL import Image

    from conftest import scene_image
    from stillmotion.cli import main

    monkeypatch.setitem(sys.modules, "diffusers", None)  # as if the neural extra were not installed
    photo = tmp_path / "p.png"
    Image.fromarray(scene_image(96, 64)).save(photo)
    code = main(["animate", str(photo), "-d", "1", "-r", "480", "-q", "--engine", "neural", "--model", "svd-xt",
                 "-o", str(tmp_path / "o.mp4")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and err[-1].startswith("stillmotion: error:") and "pip install 'stillmotion[neural]'" in err[-1]
    assert not (tmp_path / "o.mp4").exists()


def test_preflight_fails_fast_before_any_analysis(monkeypatch):
    from stillmotion.engines import preflight
    from stillmotion.errors import MissingDependency

    preflight("cpu", None)
    preflight("auto", "svd-xt")  # auto never fails for a missing GPU or model: it falls back
    with pytest.raises(ModelNotFound):
        preflight("auto", "nope")
    with monkeypatch.context() as patch:
        patch.setitem(sys.modules, "diffusers", None)
        with pytest.raises(MissingDependency, match=r"pip install 'stillmotion\[neural\]'"):
            preflight("neural", "svd-xt")
    if importlib.util.find_spec("torch") and importlib.util.find_spec("diffusers"):
        with pytest.raises(ModelNotFound, match="stillmotion models pull svd-xt"):
            preflight("neural", "svd-xt")
