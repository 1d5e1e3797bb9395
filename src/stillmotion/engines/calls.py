"""The arguments each pipeline family is called with, checked against the pipeline's signature.

Nothing is filtered silently: an argument the installed pipeline does not take is an error that
names the model and the argument (usually an older diffusers), and a loop keyframe is only ever
asked of a model whose registry entry says it takes one.
"""

from __future__ import annotations

import inspect

import numpy as np
from PIL import Image

from ..errors import ModelError
from .models import ModelSpec

DIFFUSERS_HINT = "pip install -U 'diffusers>=0.42'"


def call_arguments(spec: ModelSpec, *, image: np.ndarray, keyframe: np.ndarray | None, prompt: str, negative: str,
                   size: tuple[int, int], frames: int, steps: int, rate: float, generator=None, callback=None,
                   low_vram: bool | None = None, temporal_ratio: int = 8) -> dict:
    """Keyword arguments for one segment: `frames` long from `image`, with `keyframe` (if given) at
    frame frames - 1 - spec.keyframe_offset. temporal_ratio: frames per latent frame (LTX-2's grid)."""
    if keyframe is not None and not spec.first_last:
        raise ModelError(f"model {spec.name} cannot end a segment on a given frame (its loops are cross-faded)")
    if keyframe is None and spec.last_frame_required:
        raise ModelError(f"model {spec.name} makes video between a first and a last frame only")
    at = frames - 1 - spec.keyframe_offset  # the keyframe's frame in this segment
    width, height = size
    first = Image.fromarray(image)
    last = Image.fromarray(keyframe) if keyframe is not None else None
    kw = dict(height=height, width=width, num_frames=frames, num_inference_steps=steps, generator=generator,
              output_type="np", callback_on_step_end=callback)
    if spec.uses_prompt:
        kw.update(prompt=prompt, negative_prompt=negative, guidance_scale=spec.guidance)
    kw.update(spec.call)
    if spec.family == "ltx" and spec.pipeline == "LTXConditionPipeline":
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        conditions = [LTXVideoCondition(image=first, frame_index=0)]
        if last is not None:  # the photo again at the loop frame (any frame index works here)
            conditions.append(LTXVideoCondition(image=last, frame_index=at))
        kw.update(conditions=conditions, frame_rate=rate)
    elif spec.family == "ltx2":
        from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

        conditions = [LTX2VideoCondition(frames=first, index=0)]
        if last is not None:
            # LTX-2 indexes keyframes by latent frame: latent i shows at frame (i - 1) * ratio + 1.
            if at < 1 or (at - 1) % temporal_ratio:
                raise ModelError(f"model {spec.name}: frame {at} is not on its {temporal_ratio}-frame latent grid "
                                 f"(keyframe_offset {spec.keyframe_offset} does not fit this model)")
            conditions.append(LTX2VideoCondition(frames=last, index=(at - 1) // temporal_ratio + 1))
        kw.update(conditions=conditions, frame_rate=rate)
    elif spec.family == "svd":
        kw.update(image=first, fps=spec.fps, decode_chunk_size=2 if low_vram else 8,
                  min_guidance_scale=1.0, max_guidance_scale=spec.guidance)
    else:  # wan, cogvideox, LTXImageToVideoPipeline
        kw["image"] = first
        if spec.family == "ltx":
            kw["frame_rate"] = rate
        if last is not None:
            if at != frames - 1:
                raise ModelError(f"model {spec.name} takes its last frame only at the end (keyframe_offset must be 0)")
            kw["last_image"] = last
    if "timesteps" in kw or "sigmas" in kw:
        kw["num_inference_steps"] = len(kw.get("timesteps") or kw["sigmas"])
        for name in ("timesteps", "sigmas"):
            if name in kw:
                kw[name] = list(kw[name])
    return kw


def unsupported_arguments(pipeline_class, arguments: dict) -> list[str]:
    """The arguments the class's __call__ does not take (none when it takes **kwargs)."""
    parameters = inspect.signature(pipeline_class.__call__).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return []
    return [name for name in arguments if name not in parameters]


def check_arguments(spec: ModelSpec, pipeline_class, arguments: dict) -> dict:
    """The arguments unchanged, or ModelError naming the model and what its pipeline lacks."""
    missing = unsupported_arguments(pipeline_class, arguments)
    if missing:
        import diffusers

        raise ModelError(f"model {spec.name}: {pipeline_class.__name__} in diffusers {diffusers.__version__} does not take "
                         f"{', '.join(missing)}; {DIFFUSERS_HINT}")
    return arguments
