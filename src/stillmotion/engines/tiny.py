"""Tiny random-weight pipelines of each supported family, built offline, for tests and benchmarks.

Small configs in the spirit of diffusers' own tests: an in-memory word-level tokenizer, a
one-layer T5/UMT5/CLIP encoder, a few-channel VAE and denoiser. The frames they make are
noise: they prove the engine's path (loading, sizes, steps, chaining, layering), not quality.
Needs the neural extra; nothing is downloaded.
"""

from __future__ import annotations

import json
from pathlib import Path

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


def save_tiny(family: str, folder: str | Path, rules: dict | None = None) -> Path:
    """Build the family's tiny pipeline with a fixed seed and save it (with stillmotion.json rules)."""
    import torch

    torch.manual_seed(0)
    folder = Path(folder)
    BUILDERS[family]().save_pretrained(folder)
    (folder / "stillmotion.json").write_text(json.dumps(rules or RULES.get(family, TINY_RULES)))
    return folder
