"""Tiny random-weight pipelines of every supported family, built offline, for tests and benchmarks.

Small configs in the spirit of diffusers' own tests, but in the shapes the real checkpoints have:

- wan-ti2v: Wan 2.2 TI2V-5B (the residual Wan 2.2 VAE with 2x2 patches, expand_timesteps: the
  first frame conditions through the timestep mask, a last frame is ignored);
- wan-a14b: Wan 2.2 I2V-A14B (two experts switched at boundary_ratio, mask + image latents in the input);
- wan-flf2v: Wan 2.1 FLF2V (a CLIP image encoder; its transformer takes exactly two images' tokens);
- ltx: LTX-Video through LTXConditionPipeline (keyframes), tokenizer shipped as spiece.model only;
- ltx2: LTX-2 (Gemma 3 text encoder, connectors, audio VAE and vocoder: video and sound);
- svd: Stable Video Diffusion;
- cogvideox: CogVideoX I2V with its learned positional table (used only at exactly 49 frames).

The T5 tokenizers of LTX and CogVideoX are saved as a SentencePiece model trained here, with no
tokenizer.json, as in their real repositories: loading them runs the SentencePiece conversion
(sentencepiece and protobuf). The frames they make are noise: they prove the engine's path
(loading, sizes, steps, chaining, keyframes, sound), not quality. Needs the neural extra.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

WORDS = ("a the photo camera slowly gentle rain fog kiss couple moves light water flows clouds drift sky person "
         "smiles breathes calm steady falls leaves sway wind hair photorealistic natural motion consistent lighting "
         "faithful original static image frozen frame flicker colour shift blurry low quality").split()

# Small model-side rules for the tiny folders (stillmotion.json): 64x32 frames, short segments.
TINY_RULES = {"area": 64 * 32, "max_frames": 9, "steps": 2, "fps": 8}
RULES = {
    "svd": {**TINY_RULES, "max_frames": 5, "fps": 4, "sizes": [[64, 32]]},
    "cogvideox": {**TINY_RULES, "max_frames": 49, "sizes": [[64, 32]]},
    "ltx2": {**TINY_RULES, "keyframe_offset": 1},  # the tiny VAE makes a latent frame of 2 frames, not 8
}
FAMILIES = ("wan-ti2v", "wan-a14b", "wan-flf2v", "ltx", "ltx2", "svd", "cogvideox")


def word_tokenizer(cls_name: str = "PreTrainedTokenizerFast", **special):
    """An in-memory word-level tokenizer over WORDS (the fast-tokenizer file a repo may ship)."""
    import transformers
    from tokenizers import Tokenizer, models, pre_tokenizers

    specials = {"pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>", **special}
    vocab = list(dict.fromkeys(list(specials.values()) + list(WORDS)))
    core = Tokenizer(models.WordLevel({w: i for i, w in enumerate(vocab)}, unk_token=specials["unk_token"]))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    return getattr(transformers, cls_name)(tokenizer_object=core, model_max_length=512, **specials)


def sentencepiece_model() -> bytes:
    """A real SentencePiece unigram model trained on WORDS (about 60 pieces)."""
    import sentencepiece

    lines = [" ".join(WORDS[i:] + WORDS[:i]) for i in range(len(WORDS))] * 4
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model, vocab_size=64, hard_vocab_limit=False, model_type="unigram",
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1, character_coverage=1.0, minloglevel=2)
    return model.getvalue()


def write_spiece_tokenizer(folder: Path) -> None:
    """Replace a saved tokenizer by a spiece.model-only T5 tokenizer (no tokenizer.json)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "spiece.model").write_bytes(sentencepiece_model())
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"tokenizer_class": "T5Tokenizer", "model_max_length": 512, "extra_ids": 0,
         "pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"}))


def _t5(class_name: str = "T5EncoderModel", vocab: int = 64):
    import transformers

    config_class = transformers.UMT5Config if class_name.startswith("UMT5") else transformers.T5Config
    config = config_class(vocab_size=vocab, d_model=16, d_kv=4, d_ff=32, num_layers=1, num_heads=2,
                          relative_attention_num_buckets=8)
    return getattr(transformers, class_name)(config).eval()


def _unipc():
    from diffusers import UniPCMultistepScheduler

    return UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)


def _wan_transformer(in_channels: int, out_channels: int, **extra):
    from diffusers import WanTransformer3DModel

    return WanTransformer3DModel(patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=8, in_channels=in_channels,
                                 out_channels=out_channels, text_dim=16, freq_dim=16, ffn_dim=16, num_layers=1,
                                 cross_attn_norm=True, qk_norm="rms_norm_across_heads", rope_max_seq_len=32, **extra)


def _wan_ti2v():
    from diffusers import AutoencoderKLWan, WanImageToVideoPipeline

    # The Wan 2.2 VAE: residual, 2x2 patches (16x spatial), 48 latent channels as in the 5B model.
    vae = AutoencoderKLWan(base_dim=3, z_dim=48, in_channels=12, out_channels=12, is_residual=True, patch_size=2,
                           latents_mean=[0.0] * 48, latents_std=[1.0] * 48, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                           scale_factor_spatial=16, scale_factor_temporal=4, temperal_downsample=[False, True, True])
    return WanImageToVideoPipeline(tokenizer=word_tokenizer(), text_encoder=_t5("UMT5EncoderModel"), vae=vae,
                                   scheduler=_unipc(), transformer=_wan_transformer(48, 48), expand_timesteps=True)


def _wan21_vae():
    from diffusers import AutoencoderKLWan

    return AutoencoderKLWan(base_dim=3, z_dim=4, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True],
                            latents_mean=[0.0] * 4, latents_std=[1.0] * 4)


def _wan_a14b():
    from diffusers import WanImageToVideoPipeline

    # 12 input channels: noise latents (4) + mask (4) + image latents (4); two experts.
    return WanImageToVideoPipeline(tokenizer=word_tokenizer(), text_encoder=_t5("UMT5EncoderModel"), vae=_wan21_vae(),
                                   scheduler=_unipc(), transformer=_wan_transformer(12, 4), transformer_2=_wan_transformer(12, 4),
                                   boundary_ratio=0.875)


def _wan_flf2v():
    from diffusers import WanImageToVideoPipeline
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    # CLIP at 32x32 with 16-pixel patches: 5 tokens per image; FLF2V's table takes two images (10).
    encoder = CLIPVisionModel(CLIPVisionConfig(hidden_size=8, num_hidden_layers=2, num_attention_heads=2, image_size=32,
                                               intermediate_size=16, patch_size=16))
    transformer = _wan_transformer(12, 4, image_dim=8, added_kv_proj_dim=16, pos_embed_seq_len=10)
    return WanImageToVideoPipeline(tokenizer=word_tokenizer(), text_encoder=_t5("UMT5EncoderModel"), vae=_wan21_vae(),
                                   scheduler=_unipc(), transformer=transformer, image_encoder=encoder,
                                   image_processor=CLIPImageProcessor(crop_size=32, size={"shortest_edge": 32}))


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
                                tokenizer=word_tokenizer("T5TokenizerFast"), transformer=transformer)


def _gemma3():
    from transformers import Gemma3Config, Gemma3ForConditionalGeneration

    config = Gemma3Config(
        text_config={"vocab_size": 300, "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2,
                     "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 8, "sliding_window": 16,
                     "max_position_embeddings": 128},
        vision_config={"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
                       "image_size": 32, "patch_size": 8},
        mm_tokens_per_image=4, boi_token_index=290, eoi_token_index=291, image_token_index=292)
    return Gemma3ForConditionalGeneration(config).eval()


def _ltx2():
    from diffusers import (
        AutoencoderKLLTX2Audio,
        AutoencoderKLLTX2Video,
        FlowMatchEulerDiscreteScheduler,
        LTX2ConditionPipeline,
        LTX2VideoTransformer3DModel,
    )
    from diffusers.pipelines.ltx2 import LTX2TextConnectors
    from diffusers.pipelines.ltx2.vocoder import LTX2Vocoder

    text_encoder = _gemma3()
    hidden, layers = text_encoder.config.text_config.hidden_size, text_encoder.config.text_config.num_hidden_layers
    transformer = LTX2VideoTransformer3DModel(
        in_channels=4, out_channels=4, patch_size=1, patch_size_t=1, num_attention_heads=2, attention_head_dim=8,
        cross_attention_dim=16, audio_in_channels=4, audio_out_channels=4, audio_num_attention_heads=2,
        audio_attention_head_dim=4, audio_cross_attention_dim=8, num_layers=2, qk_norm="rms_norm_across_heads",
        caption_channels=hidden, rope_double_precision=False, rope_type="split")
    connectors = LTX2TextConnectors(
        caption_channels=hidden, text_proj_in_factor=layers + 1, video_connector_num_attention_heads=2,
        video_connector_attention_head_dim=8, video_connector_num_layers=1, video_connector_num_learnable_registers=None,
        audio_connector_num_attention_heads=2, audio_connector_attention_head_dim=8, audio_connector_num_layers=1,
        audio_connector_num_learnable_registers=None, connector_rope_base_seq_len=32, rope_theta=10000.0,
        rope_double_precision=False, causal_temporal_positioning=False, rope_type="split")
    vae = AutoencoderKLLTX2Video(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8,), decoder_block_out_channels=(8,),
        layers_per_block=(1,), decoder_layers_per_block=(1, 1), spatio_temporal_scaling=(True,),
        decoder_spatio_temporal_scaling=(True,), decoder_inject_noise=(False, False), downsample_type=("spatial",),
        upsample_residual=(False,), upsample_factor=(1,), timestep_conditioning=False, patch_size=1, patch_size_t=1,
        encoder_causal=True, decoder_causal=False)
    audio_vae = AutoencoderKLLTX2Audio(
        base_channels=4, output_channels=2, ch_mult=(1,), num_res_blocks=1, attn_resolutions=None, in_channels=2,
        resolution=32, latent_channels=2, norm_type="pixel", causality_axis="height", dropout=0.0,
        mid_block_add_attention=False, sample_rate=16000, mel_hop_length=160, is_causal=True, mel_bins=8)
    vocoder = LTX2Vocoder(in_channels=2 * 8, hidden_channels=32, out_channels=2, upsample_kernel_sizes=[4, 4],
                          upsample_factors=[2, 2], resnet_kernel_sizes=[3], resnet_dilations=[[1, 3, 5]],
                          leaky_relu_negative_slope=0.1, output_sampling_rate=16000)
    tokenizer = word_tokenizer("GemmaTokenizerFast", bos_token="<bos>")
    tokenizer.padding_side = "left"
    return LTX2ConditionPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, audio_vae=audio_vae,
                                 text_encoder=text_encoder, tokenizer=tokenizer, connectors=connectors,
                                 transformer=transformer, vocoder=vocoder)


def _svd():
    from diffusers import (
        AutoencoderKLTemporalDecoder,
        EulerDiscreteScheduler,
        StableVideoDiffusionPipeline,
        UNetSpatioTemporalConditionModel,
    )
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

    # As in CogVideoX-5B-I2V: a learned positional table for 49 frames at the one supported size
    # (here 64x32, an 8x4 latent), plus rotary embeddings.
    transformer = CogVideoXTransformer3DModel(num_attention_heads=2, attention_head_dim=16, in_channels=8, out_channels=4,
                                              time_embed_dim=2, text_embed_dim=16, num_layers=1, sample_width=8, sample_height=4,
                                              sample_frames=49, patch_size=2, temporal_compression_ratio=4, max_text_seq_length=226,
                                              use_rotary_positional_embeddings=True, use_learned_positional_embeddings=True)
    vae = AutoencoderKLCogVideoX(block_out_channels=(8, 8, 8, 8), latent_channels=4, layers_per_block=1, norm_num_groups=2,
                                 temporal_compression_ratio=4)
    return CogVideoXImageToVideoPipeline(tokenizer=word_tokenizer("T5TokenizerFast"), text_encoder=_t5(), vae=vae,
                                         transformer=transformer, scheduler=CogVideoXDDIMScheduler())


BUILDERS = {"wan-ti2v": _wan_ti2v, "wan-a14b": _wan_a14b, "wan-flf2v": _wan_flf2v, "ltx": _ltx, "ltx2": _ltx2,
            "svd": _svd, "cogvideox": _cogvideox}
SPIECE_FAMILIES = ("ltx", "cogvideox")  # their real repositories ship the T5 tokenizer as spiece.model only


def save_tiny(family: str, folder: str | Path, rules: dict | None = None) -> Path:
    """Build the family's tiny pipeline with a fixed seed and save it (with stillmotion.json rules)."""
    import torch

    torch.manual_seed(0)
    folder = Path(folder)
    BUILDERS[family]().save_pretrained(folder)
    if family in SPIECE_FAMILIES:
        write_spiece_tokenizer(folder / "tokenizer")
    (folder / "stillmotion.json").write_text(json.dumps(rules or RULES.get(family, TINY_RULES)))
    return folder
