"""The neural engine: a diffusers image-to-video pipeline driven by the plan.

1. check and load: the model's folder (cache or local), one pipeline per process, reused.
2. prepare: canvas image at the model's size, prompt, segments at the model's frame rate.
3. generate: segment after segment, each from the previous one's last frame, colour matched
   back to the photo; progress and cancellation between denoising steps.
4. finish: trim, loop seam, resample to the plan's fps, resize to the canvas, layer the
   plan's atmosphere and light on top, encode.

torch and diffusers are imported here only, inside functions: the CPU engine never loads them.
"""

from __future__ import annotations

import inspect
import logging
from pathlib import Path

import cv2
import numpy as np

from ..analysis.types import Analysis
from ..errors import MissingDependency, ModelNotFound
from ..photo import Photo
from ..plan import Plan
from ..progress import Reporter
from .cache import INSTALL_HINT, require_local
from .layering import Layers
from .models import ModelSpec, get_model
from .prompting import negative_prompt, write_prompt
from .sizing import Schedule, fit_image, model_size, resample, schedule

log = logging.getLogger("stillmotion")

SEAM_SECONDS = 0.5  # cross-fade length of a loop seam when the model cannot end on the first frame

# One pipeline per process (GPU memory holds one model): key -> pipeline.
_LOADED: dict[tuple, object] = {}
_LICENCES_SHOWN: set[str] = set()


def _torch():
    try:
        import diffusers  # noqa: F401
        import torch
    except ImportError:
        raise MissingDependency(f"the neural engine needs torch and diffusers: {INSTALL_HINT}") from None
    return torch


def cuda_available() -> bool:
    """True when torch is installed and sees a CUDA device (never imports torch when absent)."""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


def load_pipeline(spec: ModelSpec, low_vram: bool = False):
    """The model's pipeline, loaded once per process: bf16 on CUDA, float32 on CPU."""
    torch = _torch()
    import diffusers

    path = require_local(spec)
    cuda = torch.cuda.is_available()
    dtype = torch.bfloat16 if cuda else torch.float32
    key = (str(path), spec.pipeline, cuda, low_vram)
    if key in _LOADED:
        return _LOADED[key]
    _LOADED.clear()  # free the previous model before loading another one
    cls = getattr(diffusers, spec.pipeline, None)
    if cls is None:
        raise MissingDependency(f"this diffusers has no {spec.pipeline}; upgrade it: pip install -U diffusers")
    import warnings

    import transformers

    # Progress goes through the reporter; the libraries' own bars would garble the CLI's.
    diffusers.utils.logging.disable_progress_bar()
    transformers.utils.logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # torch_dtype is renamed in newer diffusers
            pipe = cls.from_pretrained(str(path), torch_dtype=dtype, local_files_only=True)
    except (OSError, ValueError, EnvironmentError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise ModelNotFound(f"{spec.name}: cannot load the pipeline from {path}: {first[:200]}") from None
    if cuda:
        if low_vram:
            pipe.enable_model_cpu_offload()  # each component moves to the GPU only while it runs
        else:
            pipe.to("cuda")
    vae = getattr(pipe, "vae", None)
    if vae is not None and (low_vram or cuda):
        for switch in ("enable_tiling", "enable_slicing"):
            if hasattr(vae, switch):
                try:
                    getattr(vae, switch)()
                except (NotImplementedError, ValueError):
                    pass  # not every VAE tiles
    pipe.set_progress_bar_config(disable=True)
    _LOADED[key] = pipe
    return pipe


def match_colour(frame: np.ndarray, reference_stats: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Per-channel mean and spread in Lab moved to the reference's: exposure and tint stop drifting."""
    lab = _lab(frame)
    mean, std = lab.reshape(-1, 3).mean(0), lab.reshape(-1, 3).std(0)
    ref_mean, ref_std = reference_stats
    lab = (lab - mean) * (ref_std / np.maximum(std, 0.5)) + ref_mean
    rgb = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    return (np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def lab_stats(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of L, a, b (float Lab: L 0..100)."""
    lab = _lab(image).reshape(-1, 3)
    return lab.mean(0), lab.std(0)


def _lab(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)


def crossfade_seam(frames: list[np.ndarray], count: int) -> list[np.ndarray]:
    """Fade the last `count` frames toward the first one, so the clip ends where it starts
    (the next loop begins one step past it). Motion eases into the photo instead of jumping."""
    count = min(count, len(frames) // 2)
    n = len(frames)
    for j in range(count):
        a = (j + 1) / (count + 1)
        frames[n - count + j] = cv2.addWeighted(frames[n - count + j], 1.0 - a, frames[0], a, 0.0)
    return frames


def _to_uint8(video) -> list[np.ndarray]:
    array = np.asarray(video)
    if array.ndim == 5:
        array = array[0]
    if array.dtype != np.uint8:
        array = (np.clip(array, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return [np.ascontiguousarray(f) for f in array]


def _call_kwargs(pipe, spec: ModelSpec, image, last, prompt: str, negative: str, size, frames: int, steps: int,
                 generator, callback, low_vram: bool) -> dict:
    from PIL import Image

    width, height = size
    first = Image.fromarray(image)
    kw = dict(height=height, width=width, num_frames=frames, num_inference_steps=steps, generator=generator,
              output_type="np", callback_on_step_end=callback)
    if spec.uses_prompt:
        kw.update(prompt=prompt, negative_prompt=negative, guidance_scale=spec.guidance)
    if spec.family == "ltx" and spec.pipeline == "LTXConditionPipeline":
        from diffusers.pipelines.ltx.pipeline_ltx_condition import LTXVideoCondition

        conditions = [LTXVideoCondition(image=first, frame_index=0)]
        if last is not None:  # keyframe at the end: the clip returns to the photo
            conditions.append(LTXVideoCondition(image=Image.fromarray(last), frame_index=frames - 1))
        kw.update(conditions=conditions, frame_rate=spec.fps)
    elif spec.family == "svd":
        kw.update(image=first, fps=spec.fps, decode_chunk_size=2 if low_vram else 8,
                  min_guidance_scale=1.0, max_guidance_scale=spec.guidance)
    else:
        kw["image"] = first
        if spec.family == "ltx":
            kw["frame_rate"] = spec.fps
        if last is not None:
            kw["last_image"] = Image.fromarray(last)
        if spec.family == "cogvideox":
            kw["use_dynamic_cfg"] = True
    accepted = inspect.signature(pipe.__call__).parameters
    return {k: v for k, v in kw.items() if k in accepted}


class NeuralClip:
    """Generates a plan's clip with one model: model-rate frames, then output frames on demand."""

    def __init__(self, plan: Plan, photo: Photo, analysis: Analysis, *, model: str | None = None,
                 low_vram: bool = False, steps: int | None = None):
        self.plan = plan
        self.spec = get_model(model)
        self.low_vram = low_vram
        self.steps = steps or self.spec.steps
        self.layers = Layers(plan, photo, analysis)
        self.canvas_size = self.layers.size
        self.size = model_size(self.spec, self.canvas_size)
        self.fit = "pad" if plan.canvas.fit == "blur" else "crop"
        self.condition = fit_image(self.layers.image, self.size, self.fit)
        self.reference = lab_stats(self.condition)
        canvas = plan.canvas
        self.schedule: Schedule = schedule(self.spec, canvas.duration, canvas.fps, canvas.frame_count)
        self.prompt = write_prompt(plan, faces=len(analysis.faces))
        self.negative = negative_prompt()
        self.loop_by_model = plan.loop and self.spec.first_last
        self.notes: list[str] = [self.schedule.describe()]
        if self.layers.left_to_model:
            self.notes.append("scene and face effects left to the model: " + ", ".join(dict.fromkeys(self.layers.left_to_model)))
        self.frames: list[np.ndarray] = []

    def generate(self, reporter: Reporter) -> list[np.ndarray]:
        """All model-rate frames, segment by segment (colour matched), trimmed to the duration."""
        torch = _torch()
        pipe = load_pipeline(self.spec, self.low_vram)
        if self.spec.name not in _LICENCES_SHOWN:
            _LICENCES_SHOWN.add(self.spec.name)
            log.warning(f"model {self.spec.name}: licence {self.spec.licence} ({self.spec.licence_url})")
        segments = self.schedule.segments
        total = self.steps * len(segments)
        done = [0]
        reporter("generate", 0, total)

        def on_step(pipeline, step, timestep, tensors):
            done[0] = min(total, done[0] + 1)
            reporter("generate", done[0], total)  # raises Cancelled between steps when asked
            return tensors

        frames: list[np.ndarray] = []
        start = self.condition
        for k, count in enumerate(segments):
            done[0] = k * self.steps
            last = self.condition if self.loop_by_model and k == len(segments) - 1 else None
            generator = torch.Generator(device="cpu").manual_seed(self.plan.seed + k)
            kwargs = _call_kwargs(pipe, self.spec, start, last, self.prompt, self.negative, self.size, count,
                                  self.steps, generator, on_step, self.low_vram)
            with torch.inference_mode():
                made = _to_uint8(pipe(**kwargs).frames)
            made = [f if f.shape[:2] == self.condition.shape[:2] else fit_image(f, self.size, "crop") for f in made]
            if len(made) < count:  # some VAEs decode fewer frames than asked: hold the last one
                made += [made[-1]] * (count - len(made))
            made = made[:count]
            if k > 0:
                # A chained segment inherits any drift of its start frame: pull it back to the photo.
                made = [match_colour(f, self.reference) for f in made[1:]]
            frames.extend(made)
            start = frames[-1]
        reporter("generate", total, total)
        frames = frames[: self.schedule.needed]
        if self.plan.loop and not self.loop_by_model:
            frames = crossfade_seam(frames, max(1, round(SEAM_SECONDS * self.spec.fps)))
            self.notes.append(f"loop: cross-faded seam of {SEAM_SECONDS:g} s (the model cannot end on the first frame)")
        elif self.loop_by_model:
            self.notes.append("loop: the last segment is conditioned to end on the photo")
        self.frames = frames
        return frames

    def output_frames(self):
        """Output frames one at a time: resampled to the plan's fps, canvas size, layers on top."""
        times = self.schedule.source_times()
        for index, position in enumerate(times):
            (frame,) = resample(self.frames, np.array([position]))
            frame = fit_image(frame, self.canvas_size, "crop")
            yield self.layers.apply(np.ascontiguousarray(frame), index)


def write_neural_video(plan: Plan, photo: Photo, analysis: Analysis, output: Path, reporter: Reporter, encoder: dict,
                       *, model: str | None = None, low_vram: bool = False, steps: int | None = None) -> Path:
    from ..encode import EncoderSettings, VideoWriter

    clip = NeuralClip(plan, photo, analysis, model=model, low_vram=low_vram, steps=steps)
    for note in clip.notes:
        (log.warning if "skipped" in note else log.info)(note)
    clip.generate(reporter)
    total = clip.schedule.output_frames
    reporter("render", 0, total)
    with VideoWriter(output, clip.canvas_size, plan.canvas.fps, EncoderSettings(**encoder)) as writer:
        for index, frame in enumerate(clip.output_frames()):
            writer.write(frame)
            reporter("render", index + 1, total)
    return output
