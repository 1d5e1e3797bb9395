"""The neural engine end to end on the CPU, with tiny random-weight pipelines built here.

Each supported family (Wan, LTX-Video, SVD, CogVideoX) is built from small configs in-process
(tokenizer from an in-memory vocabulary, tiny T5/UMT5/CLIP, VAE and denoiser), saved with
save_pretrained, and loaded back through the engine's own loading code. Nothing is downloaded.
The frames are noise (random weights): the tests check the path, not the picture.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")
pytest.importorskip("transformers")

pytestmark = pytest.mark.neural

from stillmotion.engines.tiny import save_tiny  # noqa: E402


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    """family -> folder of a saved tiny pipeline, built lazily once per module."""
    folders: dict = {}

    def get(family: str):
        if family not in folders:
            folders[family] = save_tiny(family, tmp_path_factory.mktemp(f"tiny-{family}"))
        return folders[family]

    return get


@pytest.fixture
def small_photo(tmp_path):
    from PIL import Image

    from conftest import scene_image

    path = tmp_path / "photo.png"
    Image.fromarray(scene_image(144, 96)).save(path)
    return path


def _video_info(path):
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        return stream.width, stream.height, float(stream.average_rate), frames


@pytest.mark.parametrize("family", ["wan", "ltx", "svd", "cogvideox"])
def test_cli_animate_with_each_tiny_family(family, tiny_models, small_photo, tmp_path, capsys):
    from stillmotion.cli import main

    out = tmp_path / "out.mp4"
    code = main(["animate", str(small_photo), "-p", "heavy rain", "--engine", "neural", "--model", str(tiny_models(family)),
                 "-d", "1", "--fps", "24", "-r", "480", "-o", str(out), "-q"])
    assert code == 0, capsys.readouterr().err
    width, height, fps, frames = _video_info(out)
    assert (width, height) == (720, 480)  # the plan's canvas, whatever size the model ran at
    assert fps == 24 and len(frames) == 24
    assert "licence" in capsys.readouterr().err  # shown once per process


def test_sizes_segments_chaining_and_colour_match(tiny_models, small_photo):
    from stillmotion.api import make_plan
    from stillmotion.engines.neural import NeuralClip, lab_stats
    from stillmotion.photo import load_photo
    from stillmotion.analysis import analyse
    from stillmotion.progress import Reporter

    photo = load_photo(small_photo)
    analysis = analyse(photo)
    plan = make_plan(photo, "", duration=2, fps=24, resolution=480)
    clip = NeuralClip(plan, photo, analysis, model=str(tiny_models("wan")))
    assert clip.size == (64, 32) and clip.size[0] % 16 == 0  # area 64x32 at 3:2, rounded to multiples of 16
    assert clip.schedule.segments == (9, 9)  # 2 s at 8 fps = 17 frames: two chained 4k+1 segments
    events = []
    frames = clip.generate(Reporter(events.append))
    assert len(frames) == clip.schedule.needed == 17
    assert all(f.shape == (32, 64, 3) for f in frames)
    # The second segment is pulled back to the photo's colour statistics (Lab means within 3; random
    # weights make out-of-gamut noise, so clipping leaves a small residue).
    ref_mean, _ = clip.reference
    for frame in frames[9:]:
        assert np.abs(lab_stats(frame)[0] - ref_mean).max() < 3.0
    steps = [e for e in events if e.stage == "generate"]
    assert steps[-1].done == steps[-1].total == 4 and [e.done for e in steps] == sorted(e.done for e in steps)
    output = list(clip.output_frames())
    assert len(output) == plan.canvas.frame_count == 48 and output[0].shape == (480, 720, 3)


def test_pipeline_loaded_once_and_seeded(tiny_models, small_photo):
    from stillmotion.engines.models import get_model
    from stillmotion.engines.neural import NeuralClip, load_pipeline
    from stillmotion.api import make_plan
    from stillmotion.photo import load_photo
    from stillmotion.analysis import analyse
    from stillmotion.progress import Reporter

    spec = get_model(str(tiny_models("wan")))
    assert load_pipeline(spec) is load_pipeline(spec)
    photo = load_photo(small_photo)
    analysis = analyse(photo)
    plan = make_plan(photo, "", duration=1, fps=24, resolution=480, seed=3)
    a = NeuralClip(plan, photo, analysis, model=spec.name).generate(Reporter())
    b = NeuralClip(plan, photo, analysis, model=spec.name).generate(Reporter())
    c = NeuralClip(plan.with_changes(seed=4), photo, analysis, model=spec.name).generate(Reporter())
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
        animate(small_photo, out, "", engine="neural", model=str(tiny_models("wan")), duration=2, fps=24, resolution=480,
                progress=seen.append, cancel=cancel)
    assert [e.done for e in seen if e.stage == "generate"] == [0, 1]  # stopped right after the first step
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def test_rain_layered_over_the_neural_clip(tiny_models, small_photo):
    from stillmotion.api import make_plan
    from stillmotion.engines.neural import NeuralClip
    from stillmotion.photo import load_photo
    from stillmotion.analysis import analyse
    from stillmotion.progress import Reporter

    photo = load_photo(small_photo)
    analysis = analyse(photo)
    rainy = make_plan(photo, "heavy rain", duration=1, fps=24, resolution=480)
    assert any(e.type == "rain" for e in rainy.effects)
    dry = rainy.with_changes(effects=[e for e in rainy.effects if e.type != "rain"])
    clip_rain = NeuralClip(rainy, photo, analysis, model=str(tiny_models("wan")))
    clip_dry = NeuralClip(dry, photo, analysis, model=str(tiny_models("wan")))
    assert "rain" in clip_rain.layers.names and "rain" not in clip_dry.layers.names
    clip_rain.generate(Reporter())
    clip_dry.frames = clip_rain.frames  # same neural frames: only the layer differs
    with_rain, without = list(clip_rain.output_frames()), list(clip_dry.output_frames())
    assert np.array_equal(with_rain[0], without[0])  # t = 0: the layer leaves the frame alone
    diff = np.abs(with_rain[12].astype(int) - without[12].astype(int)).max(axis=2)
    assert (diff > 30).mean() > 0.002  # streaks drawn on top


def test_loop_conditioning_arguments(tiny_models):
    from PIL import Image

    from stillmotion.engines.models import get_model
    from stillmotion.engines.neural import _call_kwargs, load_pipeline

    image = np.full((32, 64, 3), 128, np.uint8)
    wan = get_model(str(tiny_models("wan")))
    assert wan.first_last  # saved without expanded timesteps: first-last-frame conditioning
    kw = _call_kwargs(load_pipeline(wan), wan, image, image, "p", "n", (64, 32), 9, 2, None, None, False)
    assert isinstance(kw["last_image"], Image.Image) and kw["num_frames"] == 9
    ltx = get_model(str(tiny_models("ltx")))
    kw = _call_kwargs(load_pipeline(ltx), ltx, image, image, "p", "n", (64, 32), 9, 2, None, None, False)
    assert [c.frame_index for c in kw["conditions"]] == [0, 8]


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
