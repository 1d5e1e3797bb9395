"""The neural engine end to end on the CPU, with tiny random-weight pipelines in the real shapes.

Each family is built from small configs in-process (tests/neural_tiny.py), saved with
save_pretrained and loaded back through the engine's own loading code. Nothing is downloaded.
The frames are noise (random weights): the tests check the path, the shapes and the rules,
not the picture.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")
pytest.importorskip("transformers")

pytestmark = pytest.mark.neural

from neural_tiny import save_tiny  # noqa: E402


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    """family -> folder of a saved tiny pipeline, built lazily once per module."""
    folders: dict = {}

    def get(family: str):
        if family not in folders:
            folders[family] = save_tiny(family, tmp_path_factory.mktemp(f"tiny-{family}"))
        return folders[family]

    return get


@pytest.fixture(scope="module")
def small_photo(tmp_path_factory):
    from PIL import Image

    from conftest import scene_image

    path = tmp_path_factory.mktemp("photo") / "photo.png"
    Image.fromarray(scene_image(144, 96)).save(path)
    return path


@pytest.fixture(scope="module")
def inputs(small_photo):
    from stillmotion.analysis import analyse
    from stillmotion.photo import load_photo

    photo = load_photo(small_photo)
    return photo, analyse(photo)


def _plan(inputs, **options):
    from stillmotion.api import make_plan

    return make_plan(inputs[0], options.pop("prompt", ""), duration=options.pop("duration", 1), fps=24, resolution=480,
                     **options)


def _clip(inputs, model, **options):
    from stillmotion.engines.neural import NeuralClip

    audio = options.pop("audio", False)
    return NeuralClip(_plan(inputs, **options), *inputs, model=str(model), audio=audio)


def _video_info(path):
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        return stream.width, stream.height, float(stream.average_rate), frames


@pytest.mark.parametrize("family,extra", [
    ("wan-ti2v", []), ("wan-a14b", ["--loop"]), ("ltx", []),
    pytest.param("svd", [], marks=pytest.mark.slow), pytest.param("cogvideox", [], marks=pytest.mark.slow),
    pytest.param("wan-flf2v", ["--loop"], marks=pytest.mark.slow),
])
def test_cli_animate_with_each_tiny_family(family, extra, tiny_models, small_photo, tmp_path, capsys):
    from stillmotion.cli import main

    out = tmp_path / "out.mp4"
    code = main(["animate", str(small_photo), "-p", "heavy rain", "--engine", "neural", "--model", str(tiny_models(family)),
                 "-d", "1", "--fps", "24", "-r", "480", "-o", str(out), "-q", *extra])
    assert code == 0, capsys.readouterr().err
    width, height, fps, frames = _video_info(out)
    assert (width, height) == (720, 480)  # the plan's canvas, whatever size the model ran at
    assert fps == 24 and len(frames) == 24
    assert "licence" in capsys.readouterr().err  # shown once per process


def test_ltx2_through_the_cli_with_its_sound_muxed(tiny_models, small_photo, tmp_path, capsys):
    import av

    from stillmotion.cli import main

    out = tmp_path / "sound.mp4"
    code = main(["animate", str(small_photo), "-p", "gentle rain", "--engine", "neural", "--model", str(tiny_models("ltx2")),
                 "--audio", "model", "--loop", "-d", "1", "--fps", "24", "-r", "480", "-o", str(out), "-q"])
    assert code == 0, capsys.readouterr().err
    with av.open(str(out)) as container:
        audio = container.streams.audio[0]
        assert audio.codec_context.name == "aac" and audio.rate == 48000 and audio.channels == 2
        samples = np.concatenate([f.to_ndarray() for f in container.decode(audio=0)], axis=1)
    assert abs(samples.shape[1] / 48000 - 1.0) < 0.05 and np.abs(samples).max() > 0
    assert len(_video_info(out)[3]) == 24
    assert not [p for p in tmp_path.iterdir() if p.name != "sound.mp4"]  # the silent intermediate is gone


def test_model_sound_from_a_silent_model_fails_before_any_work(tiny_models, small_photo, tmp_path, capsys):
    from stillmotion.cli import main

    code = main(["animate", str(small_photo), "--engine", "neural", "--model", "ltx-video", "--audio", "model",
                 "-o", str(tmp_path / "o.mp4"), "-q"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and err == [err[0]] and "makes no sound" in err[0] and err[0].endswith("(--model ltx-2)")
    assert not (tmp_path / "o.mp4").exists()


def test_sizes_segments_chaining_and_colour(tiny_models, inputs):
    from stillmotion.engines.colour import lab_stats
    from stillmotion.progress import Reporter

    clip = _clip(inputs, tiny_models("wan-a14b"), duration=2)
    assert clip.size == (48, 32)  # area 64x32 at the canvas's 3:2, each side a multiple of A14B's 16
    assert clip.schedule.segments == (9, 9)  # 2 s at 8 fps = 17 frames: two chained 4k+1 segments
    events = []
    frames = clip.generate(Reporter(events.append))
    assert len(frames) == clip.schedule.needed == 17
    assert all(f.shape == (32, 48, 3) for f in frames)
    # Both segments, the first included, are kept near the photo's colour (random weights make
    # out-of-gamut noise, so clipping leaves a residue; averaged over time as the correction is).
    ref_mean, _ = clip.reference
    assert np.abs(np.mean([lab_stats(f)[0] for f in frames[:9]], 0) - ref_mean).max() < 4
    assert np.abs(np.mean([lab_stats(f)[0] for f in frames[9:]], 0) - ref_mean).max() < 4
    steps = [e for e in events if e.stage == "generate"]
    assert steps[-1].done == steps[-1].total == 4 and [e.done for e in steps] == sorted(e.done for e in steps)
    output = list(clip.output_frames())
    assert len(output) == 48 and output[0].shape == (480, 720, 3)


def test_pipeline_loaded_once_and_seeded(tiny_models, inputs):
    from stillmotion.engines.loading import load_pipeline
    from stillmotion.engines.models import get_model
    from stillmotion.progress import Reporter

    spec = get_model(str(tiny_models("wan-a14b")))
    assert load_pipeline(spec).pipe is load_pipeline(spec).pipe
    a = _clip(inputs, spec.name, seed=3).generate(Reporter())
    b = _clip(inputs, spec.name, seed=3).generate(Reporter())
    c = _clip(inputs, spec.name, seed=4).generate(Reporter())
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_cancel_between_steps_leaves_no_file(tiny_models, small_photo, tmp_path):
    from stillmotion.api import animate
    from stillmotion.errors import Cancelled

    seen = []

    def cancel():
        return any(e.stage == "generate" and e.done >= 1 for e in seen)

    out = tmp_path / "cancelled.mp4"
    with pytest.raises(Cancelled):
        animate(small_photo, out, "", engine="neural", model=str(tiny_models("wan-a14b")), duration=2, fps=24,
                resolution=480, progress=seen.append, cancel=cancel)
    assert [e.done for e in seen if e.stage == "generate"] == [0, 1]  # stopped right after the first step
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def test_rain_layered_over_the_neural_clip(tiny_models, inputs):
    from stillmotion.engines.neural import NeuralClip
    from stillmotion.progress import Reporter

    rainy = _plan(inputs, prompt="heavy rain")
    assert any(e.type == "rain" for e in rainy.effects)
    dry = rainy.with_changes(effects=[e for e in rainy.effects if e.type != "rain"])
    model = str(tiny_models("wan-a14b"))
    clip_rain, clip_dry = NeuralClip(rainy, *inputs, model=model), NeuralClip(dry, *inputs, model=model)
    assert "rain" in clip_rain.layers.names and "rain" not in clip_dry.layers.names
    clip_rain.generate(Reporter())
    clip_dry.frames = clip_rain.frames  # same neural frames: only the layer differs
    with_rain, without = list(clip_rain.output_frames()), list(clip_dry.output_frames())
    assert np.array_equal(with_rain[0], without[0])  # t = 0: the layer leaves the frame alone
    diff = np.abs(with_rain[12].astype(int) - without[12].astype(int)).max(axis=2)
    assert (diff > 30).mean() > 0.002  # streaks drawn on top


def test_loop_keyframe_arguments_per_family(tiny_models):
    from PIL import Image

    from stillmotion.engines.calls import call_arguments, check_arguments
    from stillmotion.engines.loading import load_pipeline
    from stillmotion.engines.models import get_model
    from stillmotion.errors import ModelError

    image = np.full((32, 64, 3), 128, np.uint8)
    common = dict(image=image, keyframe=image, prompt="p", negative="n", size=(64, 32), frames=9, steps=2, rate=8.0)
    a14b = get_model(str(tiny_models("wan-a14b")))
    kw = check_arguments(a14b, type(load_pipeline(a14b).pipe), call_arguments(a14b, **common))
    assert isinstance(kw["last_image"], Image.Image) and kw["num_frames"] == 9 and kw["guidance_scale_2"] == 3.5
    ltx = get_model(str(tiny_models("ltx")))
    kw = check_arguments(ltx, type(load_pipeline(ltx).pipe), call_arguments(ltx, **common))
    assert [c.frame_index for c in kw["conditions"]] == [0, 8] and kw["frame_rate"] == 8.0
    ltx2 = get_model(str(tiny_models("ltx2")))
    pipe = load_pipeline(ltx2).pipe
    ratio = pipe.vae_temporal_compression_ratio
    kw = check_arguments(ltx2, type(pipe), call_arguments(ltx2, **common, temporal_ratio=ratio))
    # Latent index 4 of the tiny 2-frame grid shows at frame (4 - 1) * 2 + 1 = 7: the schedule's keyframe.
    assert ratio == 2 and [c.index for c in kw["conditions"]] == [0, 4]
    # TI2V with expanded timesteps ignores last_image: its spec says so and asking is an error, not a silent drop.
    ti2v = get_model(str(tiny_models("wan-ti2v")))
    assert ti2v.loop == "crossfade"
    with pytest.raises(ModelError, match="cannot end a segment on a given frame"):
        call_arguments(ti2v, **common)


def test_every_registry_entry_matches_its_pipelines_call_signature():
    from stillmotion.engines.calls import call_arguments, unsupported_arguments
    from stillmotion.engines.models import MODELS

    image = np.zeros((32, 64, 3), np.uint8)
    for spec in MODELS.values():
        cls = getattr(diffusers, spec.pipeline)
        assert spec.name in MODELS and cls.__call__.__doc__
        for keyframe in ([None, image] if spec.first_last else [None]):
            if keyframe is None and spec.last_frame_required:
                continue
            kw = call_arguments(spec, image=image, keyframe=keyframe, prompt="p", negative="n", size=(64, 32),
                                frames=spec.max_frames, steps=spec.steps, rate=float(spec.fps))
            assert unsupported_arguments(cls, kw) == [], spec.name
            assert kw["num_inference_steps"] == spec.steps and kw.get("guidance_scale", spec.guidance) == spec.guidance


def test_the_check_catches_an_argument_a_pipeline_lacks():
    from dataclasses import replace

    from stillmotion.engines.calls import call_arguments, check_arguments
    from stillmotion.engines.models import MODELS
    from stillmotion.errors import ModelError

    spec = replace(MODELS["ltx-video"], pipeline="LTXImageToVideoPipeline", loop="crossfade")
    image = np.zeros((32, 64, 3), np.uint8)
    kw = call_arguments(spec, image=image, keyframe=None, prompt="p", negative="n", size=(64, 32), frames=9, steps=8, rate=24.0)
    with pytest.raises(ModelError, match="LTXImageToVideoPipeline in diffusers .* does not take image_cond_noise_scale"):
        check_arguments(spec, diffusers.LTXImageToVideoPipeline, kw)


def test_wan_ti2v_runs_with_its_residual_vae_and_expanded_timesteps(tiny_models, inputs):
    from stillmotion.engines.loading import load_pipeline
    from stillmotion.progress import Reporter

    clip = _clip(inputs, tiny_models("wan-ti2v"), loop=True)
    pipe = load_pipeline(clip.spec).pipe
    assert pipe.config.expand_timesteps and pipe.vae.config.is_residual and pipe.vae_scale_factor_spatial == 16
    frames = clip.generate(Reporter())
    assert len(frames) == clip.schedule.needed and frames[0].shape == (32, 64, 3)
    assert any("cross-faded seam" in note for note in clip.notes)  # its loop is said to be cross-faded, truthfully


def test_wan_a14b_uses_both_experts(tiny_models, inputs):
    from stillmotion.engines.loading import load_pipeline
    from stillmotion.progress import Reporter

    clip = _clip(inputs, tiny_models("wan-a14b"), loop=True)
    pipe = load_pipeline(clip.spec).pipe
    calls = {"transformer": 0, "transformer_2": 0}
    hooks = [getattr(pipe, name).register_forward_hook(lambda *a, name=name: calls.__setitem__(name, calls[name] + 1))
             for name in calls]
    try:
        clip.generate(Reporter())
    finally:
        for hook in hooks:
            hook.remove()
    # 2 steps, boundary 0.875: the high-noise expert for the first, the low-noise one for the second (x2 with CFG).
    assert calls["transformer"] >= 1 and calls["transformer_2"] >= 1
    assert clip.schedule.keyframe == clip.schedule.made - 1  # the loop ends on the photo via last_image


def test_wan_flf2v_is_for_short_loops_only(tiny_models, inputs):
    from stillmotion.errors import ModelError
    from stillmotion.progress import Reporter

    with pytest.raises(ModelError, match="between a first and a last frame only: use it for loops of at most 1 s"):
        _clip(inputs, tiny_models("wan-flf2v"))
    with pytest.raises(ModelError, match="loops of at most"):
        _clip(inputs, tiny_models("wan-flf2v"), loop=True, duration=2)  # two segments: the first has no last frame
    clip = _clip(inputs, tiny_models("wan-flf2v"), loop=True)
    assert len(clip.generate(Reporter())) == clip.schedule.needed


def test_cogvideox_runs_at_49_frames_on_its_learned_positions(tiny_models, inputs, monkeypatch):
    from PIL import Image

    from stillmotion.engines.loading import load_pipeline
    from stillmotion.progress import Reporter

    clip = _clip(inputs, tiny_models("cogvideox"))
    pipe = load_pipeline(clip.spec).pipe
    patch_embed = pipe.transformer.patch_embed
    assert patch_embed.use_learned_positional_embeddings and patch_embed.sample_frames == 49
    generic = []
    original = patch_embed._get_positional_embeddings
    monkeypatch.setattr(patch_embed, "_get_positional_embeddings", lambda *a, **k: generic.append(a) or original(*a, **k))
    assert clip.schedule.segments == (49,)
    clip.generate(Reporter())
    assert generic == []  # the learned table was used, not a substitute
    pipe(image=Image.fromarray(clip.condition), prompt="p", height=32, width=64, num_frames=41, num_inference_steps=1, output_type="np")
    assert generic  # at any other count diffusers substitutes a generic table: what the rule avoids


def test_ltx2_makes_sound_and_keyframe_loops(tiny_models, inputs):
    from stillmotion.progress import Reporter

    clip = _clip(inputs, tiny_models("ltx2"), loop=True, audio=True, duration=2)
    frames = clip.generate(Reporter())
    assert len(frames) == clip.schedule.needed == clip.schedule.keyframe + 1 and len(clip.schedule.segments) >= 2
    sound = clip.soundtrack
    assert sound.rate == 48000 and sound.samples.dtype == np.float32 and sound.samples.shape == (2 * 48000, 2)


def test_the_sentencepiece_tokenizer_file_is_converted_at_load(tiny_models):
    from stillmotion.engines.loading import load_pipeline
    from stillmotion.engines.models import get_model

    folder = tiny_models("ltx")
    assert (folder / "tokenizer" / "spiece.model").is_file() and not (folder / "tokenizer" / "tokenizer.json").exists()
    tokenizer = load_pipeline(get_model(str(folder))).pipe.tokenizer
    ids = tokenizer("gentle rain falls").input_ids
    assert ids[-1] == tokenizer.eos_token_id and tokenizer.unk_token_id not in ids  # real pieces, not unknowns


def test_render_a_saved_plan_with_the_neural_engine(tiny_models, small_photo, tmp_path, capsys):
    from stillmotion.cli import main

    assert main(["plan", str(small_photo), "--json", "-d", "1", "--fps", "24", "-r", "480", "-a", "9:16", "--loop"]) == 0
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(capsys.readouterr().out)
    out = tmp_path / "tall.mp4"
    code = main(["render", str(plan_file), "--engine", "neural", "--model", str(tiny_models("ltx")), "-o", str(out), "-q"])
    assert code == 0, capsys.readouterr().err
    width, height, fps, frames = _video_info(out)
    assert (width, height) == (480, 854) and len(frames) == 24  # the plan's aspect, from a 32x64 model clip
