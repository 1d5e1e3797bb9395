"""The neural engine end to end on the CPU, with tiny random-weight pipelines built here.

Each supported family (Wan, LTX-Video, SVD, CogVideoX) is built from small configs in-process
(tokenizer from an in-memory vocabulary, tiny T5/UMT5/CLIP, VAE and denoiser), saved with
save_pretrained, and loaded back through the engine's own loading code. Nothing is downloaded.
The frames are noise (random weights): the tests check the path, not the picture.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")
pytest.importorskip("transformers")

pytestmark = pytest.mark.neural

# Small model-side rules for the tiny folders (stillmotion.json): 64x32 frames, short segments.
TINY_RULES = {"area": 64 * 32, "max_frames": 9, "steps": 2, "fps": 8}


def _tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<pad>", "</s>", "<unk>"] + "a the photo camera slowly gentle rain fog kiss couple moves light".split()
    core = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", model_max_length=32)


def _t5(class_name: str = "T5EncoderModel"):
    import transformers

    config_class = transformers.UMT5Config if class_name.startswith("UMT5") else transformers.T5Config
    config = config_class(vocab_size=32, d_model=16, d_kv=4, d_ff=32, num_layers=1, num_heads=2, relative_attention_num_buckets=8)
    return getattr(transformers, class_name)(config).eval()


def _wan():
    from diffusers import AutoencoderKLWan, FlowMatchEulerDiscreteScheduler, WanImageToVideoPipeline, WanTransformer3DModel

    vae = AutoencoderKLWan(base_dim=3, z_dim=4, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True],
                           latents_mean=[0.0] * 4, latents_std=[1.0] * 4)
    # 12 input channels: noise latents (4) + mask (4) + image latents (4), as in Wan 2.2 I2V-A14B.
    transformer = WanTransformer3DModel(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=8, in_channels=12,
                                        out_channels=4, text_dim=16, freq_dim=16, ffn_dim=16, num_layers=1, rope_max_seq_len=32)
    return WanImageToVideoPipeline(tokenizer=_tokenizer(), text_encoder=_t5("UMT5EncoderModel"), vae=vae,
                                   scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0), transformer=transformer)


def _ltx():
    from diffusers import AutoencoderKLLTXVideo, FlowMatchEulerDiscreteScheduler, LTXConditionPipeline, LTXVideoTransformer3DModel

    vae = AutoencoderKLLTXVideo(latent_channels=8, block_out_channels=(8, 8, 8, 8), decoder_block_out_channels=(8, 8, 8, 8),
                                layers_per_block=(1, 1, 1, 1, 1), decoder_layers_per_block=(1, 1, 1, 1, 1),
                                spatio_temporal_scaling=(True, True, False, False),
                                decoder_spatio_temporal_scaling=(True, True, False, False), decoder_inject_noise=(False,) * 5,
                                upsample_residual=(False,) * 4, upsample_factor=(1,) * 4, timestep_conditioning=False,
                                patch_size=1, patch_size_t=1, encoder_causal=True, decoder_causal=False)
    transformer = LTXVideoTransformer3DModel(in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4,
                                             attention_head_dim=8, cross_attention_dim=32, num_layers=1, caption_channels=16)
    return LTXConditionPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=_t5(),
                                tokenizer=_tokenizer(), transformer=transformer)


def _svd():
    from diffusers import (AutoencoderKLTemporalDecoder, EulerDiscreteScheduler, StableVideoDiffusionPipeline,
                           UNetSpatioTemporalConditionModel)
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

    unet = UNetSpatioTemporalConditionModel(
        block_out_channels=(32, 64), layers_per_block=1, sample_size=16, in_channels=8, out_channels=4,
        down_block_types=("CrossAttnDownBlockSpatioTemporal", "DownBlockSpatioTemporal"),
        up_block_types=("UpBlockSpatioTemporal", "CrossAttnUpBlockSpatioTemporal"),
        cross_attention_dim=32, num_attention_heads=(2, 4), addition_time_embed_dim=8,
        projection_class_embeddings_input_dim=24, num_frames=5)
    vae = AutoencoderKLTemporalDecoder(block_out_channels=(32, 32, 32), down_block_types=("DownEncoderBlock2D",) * 3, latent_channels=4)
    # The pipeline resizes the image to 224 for CLIP; 32-pixel patches keep it to 49 tokens.
    encoder = CLIPVisionModelWithProjection(CLIPVisionConfig(hidden_size=32, projection_dim=32, num_hidden_layers=1,
                                                             num_attention_heads=4, image_size=224, intermediate_size=37, patch_size=32))
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", interpolation_type="linear",
                                       prediction_type="v_prediction", sigma_max=700.0, sigma_min=0.002, steps_offset=1,
                                       timestep_spacing="leading", timestep_type="continuous", use_karras_sigmas=True)
    return StableVideoDiffusionPipeline(vae=vae, image_encoder=encoder, unet=unet, scheduler=scheduler,
                                        feature_extractor=CLIPImageProcessor(crop_size=32, size=32))


def _cogvideox():
    from diffusers import AutoencoderKLCogVideoX, CogVideoXDDIMScheduler, CogVideoXImageToVideoPipeline, CogVideoXTransformer3DModel

    transformer = CogVideoXTransformer3DModel(num_attention_heads=2, attention_head_dim=16, in_channels=8, out_channels=4,
                                              time_embed_dim=2, text_embed_dim=16, num_layers=1, sample_width=12, sample_height=8,
                                              sample_frames=9, patch_size=2, temporal_compression_ratio=4, max_text_seq_length=16,
                                              use_rotary_positional_embeddings=True)
    vae = AutoencoderKLCogVideoX(block_out_channels=(8, 8, 8, 8), latent_channels=4, layers_per_block=1, norm_num_groups=2,
                                 temporal_compression_ratio=4)
    return CogVideoXImageToVideoPipeline(tokenizer=_tokenizer(), text_encoder=_t5(), vae=vae, transformer=transformer,
                                         scheduler=CogVideoXDDIMScheduler())


BUILDERS = {"wan": _wan, "ltx": _ltx, "svd": _svd, "cogvideox": _cogvideox}
RULES = {"svd": {**TINY_RULES, "max_frames": 5, "fps": 4, "sizes": [[64, 32]]}, "cogvideox": {**TINY_RULES, "sizes": [[64, 32]]}}


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    """family -> folder of a saved tiny pipeline, built lazily once per module."""
    folders: dict = {}

    def get(family: str):
        if family not in folders:
            torch.manual_seed(0)
            folder = tmp_path_factory.mktemp(f"tiny-{family}")
            BUILDERS[family]().save_pretrained(folder)
            (folder / "stillmotion.json").write_text(json.dumps(RULES.get(family, TINY_RULES)))
            folders[family] = folder
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
