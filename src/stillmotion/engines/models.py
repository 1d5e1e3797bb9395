"""The neural model registry: a short name -> what diffusers needs and what the model's rules are.

Plain data, no torch: `stillmotion models list` and the engine choice read it without the extra.
A local folder (a diffusers `save_pretrained` layout) is accepted too: its family comes from
`model_index.json`, and an optional `stillmotion.json` beside it overrides fps, area and steps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ModelNotFound


@dataclass(frozen=True)
class ModelSpec:
    name: str
    family: str  # "wan", "ltx", "svd", "cogvideox": how the pipeline is called
    pipeline: str  # diffusers pipeline class name
    repo: str  # Hugging Face repository id (or a local folder)
    licence: str
    licence_url: str
    fps: int  # native frame rate the model was trained for
    frame_rule: str  # "4k+1", "8k+1" or "fixed"
    max_frames: int  # longest clip one call makes (the fixed count for "fixed")
    multiple: int  # width and height must be multiples of this
    area: int  # pixels per frame the model is made for (width x height)
    sizes: tuple[tuple[int, int], ...] = ()  # the only (width, height) it supports; () = any on the multiple
    steps: int = 50
    guidance: float = 5.0
    first_last: bool = False  # supports first-and-last-frame conditioning (loops without a seam)
    uses_prompt: bool = True  # SVD is conditioned on the image only
    local: bool = False  # repo is a folder on disk


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "wan2.2-ti2v-5b", "wan", "WanImageToVideoPipeline", "Wan-AI/Wan2.2-TI2V-5B-Diffusers",
            "Apache-2.0", "https://huggingface.co/Wan-AI/Wan2.2-TI2V-5B-Diffusers",
            fps=24, frame_rule="4k+1", max_frames=121, multiple=32, area=1280 * 704, steps=50, guidance=5.0,
        ),
        ModelSpec(
            "wan2.2-i2v-a14b", "wan", "WanImageToVideoPipeline", "Wan-AI/Wan2.2-I2V-A14B-Diffusers",
            "Apache-2.0", "https://huggingface.co/Wan-AI/Wan2.2-I2V-A14B-Diffusers",
            fps=16, frame_rule="4k+1", max_frames=81, multiple=16, area=832 * 480, steps=40, guidance=3.5, first_last=True,
        ),
        ModelSpec(
            "ltx-video", "ltx", "LTXConditionPipeline", "Lightricks/LTX-Video-0.9.7-distilled",
            "LTX-Video Open Weights License (read the model card)", "https://huggingface.co/Lightricks/LTX-Video-0.9.7-distilled",
            fps=24, frame_rule="8k+1", max_frames=161, multiple=32, area=768 * 512, steps=8, guidance=1.0, first_last=True,
        ),
        ModelSpec(
            "svd-xt", "svd", "StableVideoDiffusionPipeline", "stabilityai/stable-video-diffusion-img2vid-xt",
            "Stability AI Community License (read the model card)", "https://huggingface.co/stabilityai/stable-video-diffusion-img2vid-xt",
            fps=7, frame_rule="fixed", max_frames=25, multiple=64, area=1024 * 576, sizes=((1024, 576), (576, 1024)),
            steps=25, guidance=3.0, uses_prompt=False,
        ),
        ModelSpec(
            "cogvideox-5b-i2v", "cogvideox", "CogVideoXImageToVideoPipeline", "THUDM/CogVideoX-5b-I2V",
            "CogVideoX License (read the model card)", "https://huggingface.co/THUDM/CogVideoX-5b-I2V",
            fps=8, frame_rule="8k+1", max_frames=49, multiple=16, area=720 * 480, sizes=((720, 480),),
            steps=50, guidance=6.0,
        ),
    )
}

DEFAULT_MODEL = "ltx-video"

# Pipeline class -> the registry entry whose rules a local folder of that class follows.
_FAMILY_OF_CLASS = {
    "WanImageToVideoPipeline": "wan2.2-ti2v-5b",
    "LTXConditionPipeline": "ltx-video",
    "LTXImageToVideoPipeline": "ltx-video",
    "StableVideoDiffusionPipeline": "svd-xt",
    "CogVideoXImageToVideoPipeline": "cogvideox-5b-i2v",
}
_OVERRIDABLE = ("fps", "area", "steps", "guidance", "max_frames", "multiple", "first_last")


def get_model(name: str | None) -> ModelSpec:
    """The spec for a registry name or a local diffusers folder; ModelNotFound (one line) otherwise."""
    name = name or DEFAULT_MODEL
    if name in MODELS:
        return MODELS[name]
    path = Path(name).expanduser()
    if path.is_dir():
        return spec_for_folder(path)
    raise ModelNotFound(f"unknown model {name!r}; known: {', '.join(MODELS)} (or the path of a local diffusers folder)")


def spec_for_folder(path: Path) -> ModelSpec:
    """Rules for a local diffusers folder, from its pipeline class (and stillmotion.json, if any)."""
    index = path / "model_index.json"
    try:
        config = json.loads(index.read_text(encoding="utf-8"))
        class_name = config["_class_name"]
    except FileNotFoundError:
        raise ModelNotFound(f"{path}: not a diffusers model folder (no model_index.json)") from None
    except (OSError, ValueError, KeyError, TypeError):
        raise ModelNotFound(f"{path}: model_index.json is unreadable") from None
    base = _FAMILY_OF_CLASS.get(class_name)
    if base is None:
        supported = ", ".join(sorted(_FAMILY_OF_CLASS))
        raise ModelNotFound(f"{path}: pipeline {class_name} is not supported; supported: {supported}")
    spec = replace(MODELS[base], name=str(path), pipeline=class_name, repo=str(path), local=True,
                   licence="the folder's own licence", licence_url=str(path))
    if spec.family == "wan":
        # Wan conditions on a last frame only without expanded timesteps (A14B / FLF2V, not TI2V-5B).
        spec = replace(spec, first_last=not config.get("expand_timesteps", False))
    overrides = path / "stillmotion.json"
    if overrides.is_file():
        try:
            data = json.loads(overrides.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise ModelNotFound(f"{overrides}: not valid JSON") from None
        unknown = sorted(set(data) - set(_OVERRIDABLE) - {"sizes"})
        if unknown:
            raise ModelNotFound(f"{overrides}: unknown keys {', '.join(unknown)}; allowed: {', '.join(_OVERRIDABLE)}, sizes")
        changes = {k: data[k] for k in _OVERRIDABLE if k in data}
        if "sizes" in data:
            changes["sizes"] = tuple(tuple(s) for s in data["sizes"])
        spec = replace(spec, **changes)
    return spec
