"""The neural model registry: a short name -> what diffusers needs and what the model's rules are.

Plain data, no torch: `stillmotion models list` and the engine choice read it without the extra.
Each entry carries the settings its model card and the diffusers docs recommend (steps, guidance,
custom timesteps, decode settings, dtype per component), so a first run on a user's GPU runs the
model the way its authors do. A local folder (a diffusers `save_pretrained` layout) is accepted
too: its family and rules come from `model_index.json` (see `spec_for_folder`), and an optional
`stillmotion.json` beside it overrides fps, area, steps and the like.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ModelNotFound

# The distilled LTX-Video schedule from the diffusers docs (LTX-Video 0.9.7 distilled: "use the
# following custom timesteps for the best results"; 0.9.8 distilled: "similar inference code").
LTX_DISTILLED_TIMESTEPS = (1000, 993, 987, 981, 975, 909, 725, 0.03)
LTX_DISTILLED_CALL = {"timesteps": LTX_DISTILLED_TIMESTEPS, "decode_timestep": 0.05, "decode_noise_scale": 0.025,
                      "image_cond_noise_scale": 0.0, "guidance_rescale": 0.7}
# LTX-2.3 distilled: 8 sigmas (diffusers.pipelines.ltx2.utils.DISTILLED_SIGMA_VALUES) and no guidance
# at all (CFG, spatio-temporal and modality guidance off), as Lightricks' distilled pipeline runs it.
LTX2_DISTILLED_SIGMAS = (1.0, 0.99375, 0.9875, 0.98125, 0.975, 0.909375, 0.725, 0.421875)
LTX2_DISTILLED_CALL = {"sigmas": LTX2_DISTILLED_SIGMAS, "stg_scale": 0.0, "audio_stg_scale": 0.0, "modality_scale": 1.0,
                       "audio_modality_scale": 1.0, "audio_guidance_scale": 1.0, "guidance_rescale": 0.0,
                       "audio_guidance_rescale": 0.0}


@dataclass(frozen=True)
class ModelSpec:
    name: str
    family: str  # "wan", "ltx", "ltx2", "svd", "cogvideox": how the pipeline is called
    pipeline: str  # the diffusers pipeline class the engine loads it with
    repo: str  # Hugging Face repository id (or a local folder)
    licence: str
    licence_url: str
    fps: int  # native frame rate the model was trained for
    frame_rule: str  # "4k+1", "8k+1" or "fixed" (exactly max_frames, nothing else)
    max_frames: int  # longest clip one call makes (the only count for "fixed")
    multiple: int  # width and height must be multiples of this
    area: int  # pixels per frame the model is made for (width x height)
    sizes: tuple[tuple[int, int], ...] = ()  # the only (width, height) it supports; () = any on the multiple
    steps: int = 50
    guidance: float = 5.0
    call: dict[str, Any] = field(default_factory=dict)  # further recommended __call__ arguments
    dtypes: dict[str, str] = field(default_factory=dict)  # component -> dtype where it differs from bf16 on CUDA
    loop: str = "crossfade"  # "keyframe": the photo as the last frame's condition; "crossfade": blended seam
    # Frames after the keyframe in a segment: LTX-2 places keyframes on its latent grid only (pixel
    # frames 1, 9, 17, ...), so the photo lands 7 frames before the end and those 7 are trimmed.
    keyframe_offset: int = 0
    last_frame_required: bool = False  # FLF2V: every call needs a last frame (its transformer takes two images)
    audio: bool = False  # the model makes a soundtrack with the video
    takes_frame_rate: bool = False  # the pipeline is told the frame rate (LTX): loops can stretch time exactly
    uses_prompt: bool = True  # SVD is conditioned on the image only
    # Estimated VRAM in GB (bf16 weights from parameter counts, plus activations at the model's
    # size; not measured): everything on the GPU, and the largest component with its activations
    # (what model CPU offload needs). Below the second the engine offloads layer by layer.
    vram_gb: tuple[float, float] = (24.0, 16.0)
    note: str = ""  # one line for `models list`
    local: bool = False  # repo is a folder on disk
    gated: bool = False  # the repository asks users to accept its licence before downloading

    @property
    def first_last(self) -> bool:
        return self.loop == "keyframe"


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "ltx-video", "ltx", "LTXConditionPipeline", "Lightricks/LTX-Video-0.9.8-13B-distilled",
            "LTX-Video Open Weights License", "https://huggingface.co/Lightricks/LTX-Video-0.9.8-13B-distilled",
            fps=24, frame_rule="8k+1", max_frames=161, multiple=32, area=768 * 512, steps=len(LTX_DISTILLED_TIMESTEPS),
            guidance=1.0, call=LTX_DISTILLED_CALL, loop="keyframe", takes_frame_rate=True, vram_gb=(40.0, 30.0),
            note="LTX-Video 0.9.8 13B distilled: 8 steps, no guidance pass, keyframe loops",
        ),
        ModelSpec(
            "ltx-video-0.9.7", "ltx", "LTXConditionPipeline", "Lightricks/LTX-Video-0.9.7-distilled",
            "LTX-Video Open Weights License", "https://huggingface.co/Lightricks/LTX-Video-0.9.7-distilled",
            fps=24, frame_rule="8k+1", max_frames=161, multiple=32, area=768 * 512, steps=len(LTX_DISTILLED_TIMESTEPS),
            guidance=1.0, call=LTX_DISTILLED_CALL, loop="keyframe", takes_frame_rate=True, vram_gb=(40.0, 30.0),
            note="LTX-Video 0.9.7 13B distilled (the previous default)",
        ),
        ModelSpec(
            "ltx-2", "ltx2", "LTX2ConditionPipeline", "diffusers/LTX-2.3-Distilled-Diffusers",
            "LTX-2 Community License", "https://huggingface.co/diffusers/LTX-2.3-Distilled-Diffusers",
            fps=24, frame_rule="8k+1", max_frames=121, multiple=32, area=768 * 512, steps=len(LTX2_DISTILLED_SIGMAS),
            guidance=1.0, call=LTX2_DISTILLED_CALL, loop="keyframe", keyframe_offset=7, audio=True, takes_frame_rate=True,
            vram_gb=(76.0, 50.0), note="LTX-2.3 22B distilled: video with its own sound (--audio model), keyframe loops",
        ),
        ModelSpec(
            "wan2.2-ti2v-5b", "wan", "WanImageToVideoPipeline", "Wan-AI/Wan2.2-TI2V-5B-Diffusers",
            "Apache-2.0", "https://huggingface.co/Wan-AI/Wan2.2-TI2V-5B-Diffusers",
            fps=24, frame_rule="4k+1", max_frames=121, multiple=32, area=1280 * 704, steps=50, guidance=5.0,
            dtypes={"vae": "float32"}, vram_gb=(30.0, 18.0), note="Wan 2.2 TI2V 5B, 720p at 24 fps (no last-frame input)",
        ),
        ModelSpec(
            "wan2.2-i2v-a14b", "wan", "WanImageToVideoPipeline", "Wan-AI/Wan2.2-I2V-A14B-Diffusers",
            "Apache-2.0", "https://huggingface.co/Wan-AI/Wan2.2-I2V-A14B-Diffusers",
            fps=16, frame_rule="4k+1", max_frames=81, multiple=16, area=832 * 480, steps=40, guidance=3.5,
            call={"guidance_scale_2": 3.5}, dtypes={"vae": "float32"}, loop="keyframe", vram_gb=(72.0, 34.0),
            note="Wan 2.2 I2V A14B (two experts), 16 fps, first-last-frame loops",
        ),
        ModelSpec(
            "wan2.1-flf2v-14b", "wan", "WanImageToVideoPipeline", "Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers",
            "Apache-2.0", "https://huggingface.co/Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers",
            fps=16, frame_rule="4k+1", max_frames=81, multiple=16, area=1280 * 720, steps=50, guidance=5.5,
            dtypes={"vae": "float32", "image_encoder": "float32"}, loop="keyframe", last_frame_required=True,
            vram_gb=(50.0, 36.0), note="Wan 2.1 FLF2V 14B, first-and-last-frame video: loops of up to 5 s only",
        ),
        ModelSpec(
            "svd-xt", "svd", "StableVideoDiffusionPipeline", "stabilityai/stable-video-diffusion-img2vid-xt",
            "Stability AI Community License", "https://huggingface.co/stabilityai/stable-video-diffusion-img2vid-xt",
            fps=7, frame_rule="fixed", max_frames=25, multiple=64, area=1024 * 576, sizes=((1024, 576), (576, 1024)),
            steps=25, guidance=3.0, uses_prompt=False, vram_gb=(14.0, 10.0), gated=True,
            note="Stable Video Diffusion XT: 25 frames, no prompt",
        ),
        ModelSpec(
            "cogvideox-5b-i2v", "cogvideox", "CogVideoXImageToVideoPipeline", "THUDM/CogVideoX-5b-I2V",
            "CogVideoX License", "https://huggingface.co/THUDM/CogVideoX-5b-I2V",
            # Exactly 49 frames: its learned positional table is used only at that length (diffusers
            # substitutes a generic one at any other count), so longer clips chain 49-frame calls.
            fps=8, frame_rule="fixed", max_frames=49, multiple=16, area=720 * 480, sizes=((720, 480),),
            steps=50, guidance=6.0, call={"use_dynamic_cfg": True}, vram_gb=(26.0, 16.0),
            note="CogVideoX 5B I2V: 720x480, 49 frames per call",
        ),
    )
}

# Best quality per second on a 24 GB card (README, "Neural engine"): 8 distilled steps with no
# guidance pass, against 80-100 transformer passes for Wan and CogVideoX.
DEFAULT_MODEL = "ltx-video"

_OVERRIDABLE = ("fps", "area", "steps", "guidance", "max_frames", "multiple", "loop", "keyframe_offset", "call", "sizes", "like")


def get_model(name: str | None) -> ModelSpec:
    """The spec for a registry name or a local diffusers folder; ModelNotFound (one line) otherwise."""
    name = name or DEFAULT_MODEL
    if name in MODELS:
        return MODELS[name]
    path = Path(name).expanduser()
    if path.is_dir():
        return spec_for_folder(path)
    raise ModelNotFound(f"unknown model {name!r}; known: {', '.join(MODELS)} (or the path of a local diffusers folder)")


def _component(config: dict, name: str) -> bool:
    """True when model_index.json lists the component with a class (null entries are absent ones)."""
    value = config.get(name)
    return isinstance(value, list) and len(value) == 2 and value[1] is not None


def classify(config: dict) -> tuple[str, str]:
    """(registry entry whose rules apply, pipeline class to load with) for a model_index.json,
    or ModelNotFound saying why the folder cannot make video from a photo."""
    class_name = config.get("_class_name")
    if class_name in ("WanPipeline", "WanImageToVideoPipeline"):
        if config.get("expand_timesteps"):  # Wan 2.2 TI2V-5B (its official repo says WanPipeline)
            return "wan2.2-ti2v-5b", "WanImageToVideoPipeline"
        if class_name == "WanPipeline":
            raise ModelNotFound("a Wan text-to-video model (WanPipeline without expand_timesteps); use an image-to-video one")
        if _component(config, "transformer_2") or config.get("boundary_ratio") is not None:
            return "wan2.2-i2v-a14b", class_name  # two experts
        if _component(config, "image_encoder"):
            return "wan2.1-flf2v-14b", class_name  # Wan 2.1 I2V/FLF2V: a CLIP image encoder
        return "wan2.2-i2v-a14b", class_name
    if class_name in ("LTXConditionPipeline", "LTXPipeline"):
        return "ltx-video", "LTXConditionPipeline"  # the same components; the condition pipeline takes keyframes
    if class_name == "LTXImageToVideoPipeline":
        return "ltx-video", class_name
    if class_name in ("LTX2Pipeline", "LTX2ImageToVideoPipeline", "LTX2ConditionPipeline"):
        return "ltx-2", "LTX2ConditionPipeline"
    if class_name == "StableVideoDiffusionPipeline":
        return "svd-xt", class_name
    if class_name == "CogVideoXImageToVideoPipeline":
        return "cogvideox-5b-i2v", class_name
    supported = "Wan (TI2V, I2V, FLF2V), LTX-Video, LTX-2, Stable Video Diffusion, CogVideoX I2V"
    raise ModelNotFound(f"pipeline {class_name} is not supported; supported: {supported}")


def spec_for_folder(path: Path) -> ModelSpec:
    """Rules for a local diffusers folder, from its model_index.json (and stillmotion.json, if any)."""
    index = path / "model_index.json"
    try:
        config = json.loads(index.read_text(encoding="utf-8"))
        if not isinstance(config, dict) or "_class_name" not in config:
            raise KeyError("_class_name")
    except FileNotFoundError:
        raise ModelNotFound(f"{path}: not a diffusers model folder (no model_index.json)") from None
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelNotFound(f"{path}: model_index.json is unreadable") from None
    overrides = _read_overrides(path)
    try:
        base, pipeline = classify(config)
    except ModelNotFound as exc:
        raise ModelNotFound(f"{path}: {exc}") from None
    base = overrides.pop("like", base)
    if base not in MODELS:
        raise ModelNotFound(f"{path / 'stillmotion.json'}: like {base!r} is not a known model; known: {', '.join(MODELS)}")
    spec = replace(MODELS[base], name=str(path), pipeline=pipeline, repo=str(path), local=True, gated=False,
                   licence="the folder's own licence", licence_url=str(path))
    if pipeline == "LTXImageToVideoPipeline" or (spec.family == "wan" and config.get("expand_timesteps")):
        # Documented fallback: LTXImageToVideoPipeline has no keyframes, and Wan with expanded
        # timesteps ignores last_image, so these loop with a cross-faded seam (and say so).
        spec = replace(spec, loop="crossfade")
    if pipeline == "LTXImageToVideoPipeline":  # the one recommended setting this older pipeline does not take
        spec = replace(spec, call={k: v for k, v in spec.call.items() if k != "image_cond_noise_scale"})
    if "sizes" in overrides:
        overrides["sizes"] = tuple(tuple(s) for s in overrides["sizes"])
    if "steps" in overrides and "call" not in overrides:
        # Custom timesteps or sigmas fix the step count: a folder that asks for other steps runs the default schedule.
        overrides["call"] = {k: v for k, v in spec.call.items() if k not in ("timesteps", "sigmas")}
    return replace(spec, **overrides)


def _read_overrides(path: Path) -> dict:
    file = path / "stillmotion.json"
    if not file.is_file():
        return {}
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ModelNotFound(f"{file}: not valid JSON") from None
    unknown = sorted(set(data) - set(_OVERRIDABLE)) if isinstance(data, dict) else ["(not an object)"]
    if unknown:
        raise ModelNotFound(f"{file}: unknown keys {', '.join(unknown)}; allowed: {', '.join(_OVERRIDABLE)}")
    if data.get("loop", "keyframe") not in ("keyframe", "crossfade"):
        raise ModelNotFound(f"{file}: loop must be keyframe or crossfade")
    return data
