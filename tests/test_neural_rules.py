"""The neural engine's plain parts, without torch: registry, size/frame/fps rules, loop keyframe
placement, local folder classification, prompt, cache, models list/pull offline (gated repositories
too), engine choice, GPU placement, colour matching and loop seams, the model's sound. Run everywhere."""

from __future__ import annotations

import importlib.util
import math
import re
import subprocess
import sys

import numpy as np
import pytest

from stillmotion.engines import choose_engine
from stillmotion.engines.cache import DownloadError, is_cached, local_path, pull, size_on_disk
from stillmotion.engines.models import MODELS, get_model
from stillmotion.engines.prompting import negative_prompt, write_prompt
from stillmotion.engines.sizing import fit_image, frame_step, frames_for, model_size, resample, schedule
from stillmotion.errors import ModelNotFound
from stillmotion.plan import FPS_CHOICES, Camera, Effect, Plan, Unsupported

REQUIRED = ("wan2.2-ti2v-5b", "wan2.2-i2v-a14b", "wan2.1-flf2v-14b", "ltx-video", "ltx-video-0.9.7", "ltx-2", "svd-xt",
            "cogvideox-5b-i2v")
KEYFRAME_MODELS = [name for name, spec in MODELS.items() if spec.first_last]


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
        assert (spec.max_frames - 1) % frame_step(spec) == 0
        assert spec.vram_gb[0] >= spec.vram_gb[1] > 0
        assert set(spec.dtypes.values()) <= {"float32", "bfloat16", "float16"}
    assert set(KEYFRAME_MODELS) == {"wan2.2-i2v-a14b", "wan2.1-flf2v-14b", "ltx-video", "ltx-video-0.9.7", "ltx-2"}
    assert not MODELS["svd-xt"].uses_prompt and MODELS["ltx-2"].audio
    assert [name for name, spec in MODELS.items() if spec.audio] == ["ltx-2"]
    # The model cards' dtypes: the Wan VAE (and Wan 2.1's CLIP encoder) in fp32, everything else bf16.
    assert all(MODELS[n].dtypes["vae"] == "float32" for n in ("wan2.2-ti2v-5b", "wan2.2-i2v-a14b", "wan2.1-flf2v-14b"))
    assert MODELS["wan2.1-flf2v-14b"].dtypes["image_encoder"] == "float32"


def test_ltx_distilled_entries_carry_their_documented_settings():
    for name in ("ltx-video", "ltx-video-0.9.7"):
        spec = MODELS[name]
        assert spec.call["timesteps"] == (1000, 993, 987, 981, 975, 909, 725, 0.03)
        assert spec.call["decode_timestep"] == 0.05 and spec.call["decode_noise_scale"] == 0.025
        assert spec.call["image_cond_noise_scale"] == 0.0 and spec.call["guidance_rescale"] == 0.7
        assert spec.guidance == 1.0 and spec.steps == 8
    ltx2 = MODELS["ltx-2"]
    assert len(ltx2.call["sigmas"]) == ltx2.steps == 8 and ltx2.guidance == 1.0
    assert ltx2.call["stg_scale"] == 0.0 and ltx2.call["modality_scale"] == 1.0  # no guidance passes when distilled
    assert MODELS["wan2.2-i2v-a14b"].call == {"guidance_scale_2": 3.5}  # both experts at the card's 3.5


def test_cogvideox_is_always_49_frames_and_chained():
    cog = MODELS["cogvideox-5b-i2v"]
    assert {frames_for(cog, n) for n in (2, 9, 25, 41, 49, 200)} == {49}
    for seconds in (1, 5, 6, 7, 13, 30):
        plan = schedule(cog, 24, seconds * 24)
        assert set(plan.segments) == {49} and plan.made >= plan.needed
        assert len(plan.segments) == max(1, math.ceil(((seconds * 24 - 1) / 24 * 8) / 48))


def test_unknown_model_is_one_clear_error(tmp_path):
    with pytest.raises(ModelNotFound, match="unknown model 'sora'; known: ltx-video, "):
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
    plan = schedule(spec, fps, frames)
    assert all(frames_for(spec, n) == n for n in plan.segments)
    assert plan.made >= plan.needed and plan.surplus == plan.made - plan.needed
    assert plan.made == sum(plan.segments) - (len(plan.segments) - 1)  # each later segment repeats one frame
    assert max(plan.segments) - min(plan.segments) <= frame_step(spec)  # spread evenly, no short tail call
    times = plan.source_times()
    assert len(times) == frames and times[-1] <= plan.needed - 1
    # The last output frame sits at (frames - 1) / fps seconds, in model frames.
    assert times[-1] == pytest.approx((frames - 1) / fps * spec.fps, abs=1e-6)
    assert "segment" in plan.describe()


@pytest.mark.parametrize("name", KEYFRAME_MODELS)
def test_loop_keyframe_lands_on_the_loop_frame_for_every_duration_and_fps(name):
    """1 to 15 s in steps of 0.1 s, at every frame rate the plan allows: the photo keyframe is the
    model frame that shows at the loop point (the frame after the last), never trimmed or held."""
    spec = MODELS[name]
    step = frame_step(spec)
    for tenths in range(10, 151):
        for fps in FPS_CHOICES:
            frames = round(tenths / 10 * fps)
            plan = schedule(spec, fps, frames, keyframe_loop=True)
            loop_time = frames / fps
            assert plan.keyframe_time == pytest.approx(loop_time, abs=1e-9), (tenths, fps)
            assert all(frames_for(spec, n) == n for n in plan.segments)
            # The keyframe is in the last segment, keyframe_offset frames before its end (LTX-2's latent grid).
            assert plan.keyframe == plan.made - 1 - spec.keyframe_offset and plan.needed == plan.keyframe + 1
            assert plan.keyframe > plan.made - plan.segments[-1]
            # Every output frame reads frames before the keyframe; the next frame (the loop's first) is the keyframe.
            times = plan.source_times()
            assert times[-1] < plan.keyframe and frames / fps * plan.rate == pytest.approx(plan.keyframe)
            # The clip runs at the model's rate up to rounding to whole model steps.
            assert abs(plan.keyframe - loop_time * spec.fps) <= step / 2 + 1e-9


def test_loop_schedule_examples():
    ltx2 = schedule(MODELS["ltx-2"], 30, 150, keyframe_loop=True)  # 5 s: 120 frames at 24 fps, +7 on LTX-2's grid
    assert ltx2.keyframe == 121 and ltx2.segments == (65, 65) and ltx2.rate == pytest.approx(24.2)
    a14b = schedule(MODELS["wan2.2-i2v-a14b"], 24, 24 * 7, keyframe_loop=True)  # 7 s at 16 fps: 112 frames
    assert a14b.segments == (57, 57) and a14b.keyframe == 112 == a14b.made - 1 and a14b.rate == 16


def test_ten_seconds_of_ltx_are_two_even_segments():
    plan = schedule(MODELS["ltx-video"], 30, 300)
    assert plan.needed == 241 and plan.segments == (121, 121) and plan.surplus == 0


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
    from stillmotion.engines.colour import lab_stats, match_colour

    rng = np.random.default_rng(0)
    photo = rng.integers(40, 200, (32, 48, 3)).astype(np.uint8)
    drifted = np.clip(photo * np.array([0.7, 0.8, 1.1]) + 15, 0, 255).astype(np.uint8)
    reference = lab_stats(photo)
    before = np.abs(lab_stats(drifted)[0] - reference[0]).max()
    after = np.abs(lab_stats(match_colour(drifted, reference))[0] - reference[0]).max()
    assert before > 5 and after < 0.6


def _drifting_segment(start: np.ndarray, count: int, rng, drift=(0.25, 0.1, -0.2), jitter=1.5) -> list[np.ndarray]:
    """A fake model segment: starts at `start`, drifts in brightness and tint, with per-frame noise."""
    frames = [start]
    for j in range(1, count):
        shift = np.array(drift) * j + rng.normal(0, jitter, 3)
        frames.append(np.clip(start.astype(np.float32) + shift, 0, 255).astype(np.uint8))
    return frames


def test_colour_kept_from_segment_0_on_continuous_at_joins_and_no_added_flicker():
    from stillmotion.engines.colour import lab_stats, match_clip

    rng = np.random.default_rng(1)
    photo = np.clip(rng.normal(120, 40, (24, 32, 3)), 0, 255).astype(np.uint8)
    reference = lab_stats(photo)
    raw_clip, kept = [], []
    start_raw = start_kept = photo
    for k in range(3):  # three chained 49-frame segments, each from the previous one's last frame
        seed = rng.integers(1 << 30)
        raw = _drifting_segment(start_raw, 49, np.random.default_rng(seed))
        made = match_clip(_drifting_segment(start_kept, 49, np.random.default_rng(seed)), reference, fps=24)
        raw_clip += raw if k == 0 else raw[1:]
        kept += made if k == 0 else made[1:]
        start_raw, start_kept = raw[-1], made[-1]
    means = lambda clip: np.array([lab_stats(f)[0] for f in clip])  # noqa: E731
    raw_means, kept_means = means(raw_clip), means(kept)
    # Drift: the raw chain wanders far from the photo, segment 0 included; the kept one stays on it
    # (per 0.5 s average: each frame's own jitter is the model's and stays).
    average = lambda m: np.array([m[i: i + 12].mean(0) for i in range(0, len(m) - 11)])  # noqa: E731
    raw_drift, kept_drift = (np.abs(average(m) - reference[0]).max() for m in (raw_means, kept_means))
    assert np.abs(average(raw_means)[30] - reference[0]).max() > 4 and raw_drift > 15
    assert kept_drift < 2.0
    # Continuity: no step at a join (frames 48 and 96) larger than the ordinary frame-to-frame steps.
    steps = np.abs(np.diff(kept_means, axis=0)).max(axis=1)
    ordinary = np.percentile(steps, 95)
    assert steps[47] <= ordinary * 1.5 and steps[95] <= ordinary * 1.5
    # Flicker: frame-to-frame change is not larger than the model's own (the correction is smooth in time).
    raw_steps = np.abs(np.diff(raw_means, axis=0)).max(axis=1)
    assert np.median(steps) <= np.median(raw_steps) * 1.1


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
        f"assert main(['animate', {str(photo)!r}, '-d', '1', '-r', '480', '-q', '--engine', 'auto',"
        f" '-o', {str(tmp_path / 'o.mp4')!r}]) == 0\n"
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


def _folder(tmp_path, index: dict, overrides: dict | None = None):
    import json

    folder = tmp_path / index["_class_name"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model_index.json").write_text(json.dumps(index))
    if overrides is not None:
        (folder / "stillmotion.json").write_text(json.dumps(overrides))
    return folder


def test_local_folders_are_classified_from_model_index(tmp_path):
    wan = ["diffusers", "WanTransformer3DModel"]
    # The official TI2V-5B repository says WanPipeline (with expand_timesteps): its rules, loaded for image-to-video.
    ti2v = get_model(str(_folder(tmp_path / "a", {"_class_name": "WanPipeline", "expand_timesteps": True, "transformer": wan})))
    assert (ti2v.fps, ti2v.multiple, ti2v.pipeline, ti2v.loop) == (24, 32, "WanImageToVideoPipeline", "crossfade")
    a14b = get_model(str(_folder(tmp_path / "b", {"_class_name": "WanImageToVideoPipeline", "boundary_ratio": 0.9,
                                                  "transformer": wan, "transformer_2": wan})))
    assert (a14b.fps, a14b.loop, a14b.call) == (16, "keyframe", {"guidance_scale_2": 3.5})
    flf2v = get_model(str(_folder(tmp_path / "c", {"_class_name": "WanImageToVideoPipeline", "transformer": wan,
                                                   "transformer_2": [None, None],
                                                   "image_encoder": ["transformers", "CLIPVisionModel"]})))
    assert flf2v.last_frame_required and flf2v.dtypes["image_encoder"] == "float32"
    with pytest.raises(ModelNotFound, match="text-to-video"):
        get_model(str(_folder(tmp_path / "d", {"_class_name": "WanPipeline", "transformer": wan})))
    ltx = get_model(str(_folder(tmp_path / "e", {"_class_name": "LTXPipeline"})))
    assert ltx.pipeline == "LTXConditionPipeline" and ltx.first_last  # the same components take keyframes
    # Documented fallback: LTXImageToVideoPipeline has no keyframes (cross-faded loop) and no image_cond_noise_scale.
    old = get_model(str(_folder(tmp_path / "f", {"_class_name": "LTXImageToVideoPipeline"})))
    assert old.loop == "crossfade" and "image_cond_noise_scale" not in old.call and "timesteps" in old.call
    ltx2 = get_model(str(_folder(tmp_path / "g", {"_class_name": "LTX2Pipeline"})))
    assert (ltx2.pipeline, ltx2.audio, ltx2.keyframe_offset) == ("LTX2ConditionPipeline", True, 7)
    with pytest.raises(ModelNotFound, match="pipeline FluxPipeline is not supported"):
        get_model(str(_folder(tmp_path / "h", {"_class_name": "FluxPipeline"})))


def test_stillmotion_json_overrides_and_steps_drop_a_custom_schedule(tmp_path):
    folder = _folder(tmp_path, {"_class_name": "LTXConditionPipeline"}, {"steps": 4, "fps": 12, "like": "ltx-video-0.9.7"})
    spec = get_model(str(folder))
    assert spec.steps == 4 and spec.fps == 12 and "timesteps" not in spec.call and spec.call["decode_timestep"] == 0.05
    (folder / "stillmotion.json").write_text('{"speed": 2}')
    with pytest.raises(ModelNotFound, match="unknown keys speed"):
        get_model(str(folder))
    (folder / "stillmotion.json").write_text('{"like": "sora"}')
    with pytest.raises(ModelNotFound, match="like 'sora' is not a known model"):
        get_model(str(folder))


def test_placement_is_chosen_from_free_vram():
    from stillmotion.engines.loading import choose_placement

    ltx, ti2v = MODELS["ltx-video"], MODELS["wan2.2-ti2v-5b"]
    assert choose_placement(ltx, 139.0, None)[0] == "gpu"
    assert choose_placement(ltx, 32.0, None)[0] == "model"
    assert choose_placement(ltx, 22.0, None)[0] == "layers"  # a 24 GB card: the 13B transformer does not fit whole
    assert choose_placement(ti2v, 22.0, None)[0] == "model"
    assert choose_placement(ltx, 139.0, True)[0] == "model"  # --low-vram
    assert choose_placement(ltx, 8.0, False)[0] == "gpu"  # --no-offload
    assert "22 GB free" in choose_placement(ltx, 22.0, None)[1]


def test_out_of_memory_is_one_line_with_the_option_that_avoids_it():
    from types import SimpleNamespace

    from stillmotion.cli import with_flags
    from stillmotion.engines.loading import is_out_of_memory, out_of_memory
    from stillmotion.errors import ModelError

    class FakeOOM(RuntimeError):
        pass

    torch = SimpleNamespace(OutOfMemoryError=FakeOOM, cuda=SimpleNamespace(mem_get_info=lambda: (2 * 1024**3, 24 * 1024**3)))
    assert is_out_of_memory(torch, FakeOOM("boom")) and is_out_of_memory(torch, RuntimeError("CUDA out of memory. Tried"))
    assert not is_out_of_memory(torch, RuntimeError("shape mismatch"))
    error = out_of_memory(torch, MODELS["wan2.2-ti2v-5b"], "gpu")
    assert isinstance(error, ModelError) and isinstance(error, RuntimeError) and "\n" not in str(error)
    assert "out of GPU memory (2.0 of 24 GB free)" in str(error) and "--" not in str(error)  # no CLI flag in the library
    assert with_flags(error.fix) == " (--low-vram)"  # the CLI adds it
    assert with_flags(out_of_memory(torch, MODELS["ltx-video"], "layers").fix) == " (--model NAME)"


@pytest.mark.parametrize("status", [401, 403])
def test_models_pull_gated_repository_says_accept_and_log_in(monkeypatch, status):
    hub = pytest.importorskip("huggingface_hub")

    class Refused(Exception):
        response = type("Response", (), {"status_code": status})()

    def refuse(*args, **kwargs):
        raise Refused("Access to model stabilityai/stable-video-diffusion-img2vid-xt is restricted.\nmore")

    monkeypatch.setattr(hub, "snapshot_download", refuse)
    with pytest.raises(DownloadError) as info:
        pull(MODELS["svd-xt"])
    message = str(info.value)
    assert "\n" not in message and "gated" in message and "no network" not in message
    assert "accept its licence on https://huggingface.co/stabilityai/stable-video-diffusion-img2vid-xt" in message
    assert "hf auth login" in message


def test_model_sound_needs_the_neural_engine_and_a_model_that_makes_sound():
    from stillmotion.cli import with_flags
    from stillmotion.engines import check_audio
    from stillmotion.errors import PlanError

    check_audio("cpu", None, "none")
    check_audio("neural", "ltx-2", "model")
    with pytest.raises(PlanError, match="needs the neural engine") as info:
        check_audio("cpu", None, "model")
    assert with_flags(info.value.fix) == " (--engine neural)"
    with pytest.raises(PlanError, match="model ltx-video makes no sound; models that do: ltx-2") as info:
        check_audio("neural", None, "model")
    assert with_flags(info.value.fix) == " (--model ltx-2)"
    with pytest.raises(PlanError, match="unknown audio 'loud'"):
        check_audio("neural", None, "loud")


def test_engine_flags(capsys):
    import argparse

    from stillmotion.cli.options import ENGINE_OPTIONS, add_options, flag_for, option_values

    parser = argparse.ArgumentParser()
    add_options(parser, ENGINE_OPTIONS)
    assert option_values(parser.parse_args([]), ENGINE_OPTIONS) == {}  # the library decides (low_vram None: auto)
    assert option_values(parser.parse_args(["--low-vram"]), ENGINE_OPTIONS) == {"low_vram": True}
    assert option_values(parser.parse_args(["--no-offload"]), ENGINE_OPTIONS) == {"low_vram": False}
    with pytest.raises(SystemExit):
        parser.parse_args(["--low-vram", "--no-offload"])
    assert "not allowed with" in capsys.readouterr().err
    assert flag_for("low_vram", True) == "--low-vram" and flag_for("low_vram", False) == "--no-offload"


def test_the_neural_extra_has_the_tokenizer_dependencies():
    import tomllib
    from pathlib import Path

    extra = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]["optional-dependencies"]["neural"]
    names = {re.split(r"[<>=!~ ;\[]", item, maxsplit=1)[0] for item in extra}
    assert {"torch", "diffusers", "transformers", "accelerate", "sentencepiece", "protobuf"} <= names


def test_a_sentencepiece_only_tokenizer_without_sentencepiece_is_one_line(tmp_path, monkeypatch):
    from stillmotion.engines.loading import check_tokenizers
    from stillmotion.errors import MissingDependency

    (tmp_path / "tokenizer").mkdir()
    (tmp_path / "tokenizer" / "spiece.model").write_bytes(b"\0")
    monkeypatch.setitem(sys.modules, "sentencepiece", None)
    with pytest.raises(MissingDependency, match=r"needs sentencepiece and protobuf: pip install 'stillmotion\[neural\]'"):
        check_tokenizers(tmp_path)
    (tmp_path / "tokenizer" / "tokenizer.json").write_text("{}")
    check_tokenizers(tmp_path)  # a converted tokenizer needs neither


def test_model_sound_is_joined_fitted_and_wraps_without_a_click():
    from stillmotion.engines.audio import RATE, fit, join, stereo_48k

    # A model's (batch, channels, samples) output at 16 kHz becomes (samples, 2) at 48 kHz.
    t16 = np.arange(16000) / 16000
    mono = np.sin(2 * np.pi * 220 * t16).astype(np.float32)[None, None]
    stereo = stereo_48k(mono, 16000)
    assert stereo.shape[1] == 2 and abs(len(stereo) - RATE) < 200 and np.allclose(stereo[:, 0], stereo[:, 1])
    # Two segments overlapping by one video frame at 24 fps are cross-faded there, without a gap.
    t = np.arange(RATE) / RATE
    tone = np.stack([np.sin(2 * np.pi * 220 * t)] * 2, 1).astype(np.float32)
    joined = join([tone, tone], [0, RATE - RATE // 24])
    assert len(joined) == 2 * RATE - RATE // 24
    # A loop: the last sample flows into the first as the model made them (no step larger than the tone's own).
    continuous = np.stack([np.sin(2 * np.pi * 220 * np.arange(int(1.1 * RATE)) / RATE)] * 2, 1).astype(np.float32)
    looped = fit(continuous, 1.0, loop=True)
    largest_step = np.abs(np.diff(continuous[:, 0])).max()
    assert len(looped) == RATE and abs(looped[0, 0] - looped[-1, 0]) <= largest_step * 1.01
    plain = fit(continuous, 1.0, loop=False)  # otherwise a short fade in and out: no click at either end
    assert abs(plain[0, 0]) < 0.01 and abs(plain[-1, 0]) < 0.01 and fit(continuous, 2.0, False).shape == (2 * RATE, 2)


@pytest.mark.parametrize("suffix,codec", [(".mp4", "aac"), (".webm", "opus")])
def test_model_sound_is_muxed_into_the_video(tmp_path, suffix, codec):
    import av

    from stillmotion.encode import VideoWriter
    from stillmotion.engines.audio import RATE, Soundtrack, mux_audio

    video = tmp_path / f"v{suffix}"
    with VideoWriter(video, (64, 48), 24) as writer:
        for i in range(24):
            writer.write(np.full((48, 64, 3), 10 * i, np.uint8))
    t = np.arange(RATE) / RATE
    sound = Soundtrack(np.stack([np.sin(2 * np.pi * 440 * t)] * 2, 1).astype(np.float32) * 0.3)
    out = mux_audio(video, sound, tmp_path / f"out{suffix}")
    with av.open(str(out)) as container:
        audio = container.streams.audio[0]
        assert audio.codec_context.name == codec and audio.rate == RATE and audio.channels == 2
        assert sum(1 for _ in container.decode(video=0)) == 24
    assert not list(tmp_path.glob("*.part"))
