"""The neural engine: a diffusers image-to-video pipeline driven by the plan.

1. check and load: the model's folder (cache or local), placed on the GPU by free memory (loading.py).
2. prepare: canvas image at the model's size, prompt, segments solved from the clip's length;
   for a loop on a keyframe model, backwards from the loop point (sizing.py).
3. generate: segment after segment, each from the previous one's last frame, the last one ending
   on the photo for a keyframe loop; colour kept on the photo's (colour.py); progress and
   cancellation between denoising steps; the model's sound kept when asked (audio.py).
4. finish: trim, cross-faded seam for models without keyframes, resample to the plan's fps,
   resize to the canvas, layer the plan's atmosphere and light on top, encode, add the sound.

torch and diffusers are imported only inside functions: the CPU engine never loads them.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from ..analysis.types import Analysis
from ..errors import ModelError
from ..photo import Photo
from ..plan import Plan
from ..progress import Reporter
from .audio import RATE, Soundtrack, fit, join, stereo_48k
from .calls import call_arguments, check_arguments
from .colour import lab_stats, match_clip
from .layering import Layers
from .loading import is_out_of_memory, load_pipeline, out_of_memory, torch_or_hint
from .models import MODELS, ModelSpec, get_model
from .prompting import negative_prompt, write_prompt
from .sizing import Schedule, fit_image, model_size, resample, schedule

log = logging.getLogger("stillmotion")

SEAM_SECONDS = 0.5  # cross-fade length of a loop seam when the model cannot end on the first frame

_LICENCES_SHOWN: set[str] = set()


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
    if hasattr(video, "detach"):
        video = video.detach().float().cpu().numpy()
    array = np.asarray(video)
    if array.ndim == 5:
        array = array[0]
    if array.dtype != np.uint8:
        array = (np.clip(array, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return [np.ascontiguousarray(f) for f in array]


def _steps_of(spec: ModelSpec, steps: int | None) -> tuple[ModelSpec, int, str | None]:
    """The spec to run, its steps per call, and a note when a step count replaced a custom schedule."""
    schedule_keys = [k for k in ("timesteps", "sigmas") if k in spec.call]
    if schedule_keys:
        fixed = len(spec.call[schedule_keys[0]])
        if steps is None or steps == fixed:
            return spec, fixed, None
        call = {k: v for k, v in spec.call.items() if k not in schedule_keys}
        return replace(spec, call=call), steps, f"{steps} steps asked: the model's {fixed}-step {schedule_keys[0]} are not used"
    return spec, steps or spec.steps, None


class NeuralClip:
    """Generates a plan's clip with one model: model-rate frames, then output frames on demand."""

    def __init__(self, plan: Plan, photo: Photo, analysis: Analysis, *, model: str | ModelSpec | None = None,
                 low_vram: bool | None = None, steps: int | None = None, audio: bool = False):
        self.plan = plan
        self.spec, self.steps, note = _steps_of(model if isinstance(model, ModelSpec) else get_model(model), steps)
        if audio and not self.spec.audio:
            with_sound = ", ".join(name for name, s in MODELS.items() if s.audio)
            raise ModelError(f"model {self.spec.name} makes no sound; the model's sound needs one that does: {with_sound}")
        self.want_audio = audio
        self.low_vram = low_vram
        self.layers = Layers(plan, photo, analysis)
        self.canvas_size = self.layers.size
        self.size = model_size(self.spec, self.canvas_size)
        self.fit = "pad" if plan.canvas.fit == "blur" else "crop"
        self.condition = fit_image(self.layers.image, self.size, self.fit)
        self.reference = lab_stats(self.condition)
        self.loop_by_model = plan.loop and self.spec.first_last
        canvas = plan.canvas
        self.schedule: Schedule = schedule(self.spec, canvas.fps, canvas.frame_count, keyframe_loop=self.loop_by_model)
        if self.spec.last_frame_required and (not plan.loop or len(self.schedule.segments) > 1):
            longest = (self.spec.max_frames - 1) / self.spec.fps
            raise ModelError(f"model {self.spec.name} makes video between a first and a last frame only: use it for "
                             f"loops of at most {longest:g} s", fix=(("loop", True), ("duration", longest)))
        self.prompt = write_prompt(plan, faces=len(analysis.faces))
        self.negative = negative_prompt()
        self.notes: list[str] = [self.schedule.describe()] + ([note] if note else [])
        if self.layers.left_to_model:
            self.notes.append("scene and face effects left to the model: " + ", ".join(dict.fromkeys(self.layers.left_to_model)))
        self.frames: list[np.ndarray] = []
        self.soundtrack: Soundtrack | None = None
        self.placement = self.placement_reason = ""
        # Per segment: how far its last frame's Lab means were from the photo's, as made and as kept.
        self.drift: list[tuple[float, float]] = []

    def generate(self, reporter: Reporter) -> list[np.ndarray]:
        """All model frames, segment by segment (colour kept on the photo's), trimmed to the clip."""
        torch = torch_or_hint()
        loaded = load_pipeline(self.spec, self.low_vram)
        self.placement, self.placement_reason = loaded.placement, loaded.reason
        self.notes.append(f"model {self.spec.name}: {loaded.reason}")
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
        sounds: list[np.ndarray] = []
        starts: list[int] = []
        start = self.condition
        for k, count in enumerate(segments):
            done[0] = k * self.steps
            keyframe = self.condition if self.loop_by_model and k == len(segments) - 1 else None
            generator = torch.Generator(device="cpu").manual_seed(self.plan.seed + k)
            kwargs = call_arguments(self.spec, image=start, keyframe=keyframe, prompt=self.prompt, negative=self.negative,
                                    size=self.size, frames=count, steps=self.steps, rate=self.schedule.rate,
                                    generator=generator, callback=on_step, low_vram=self.low_vram,
                                    temporal_ratio=getattr(loaded.pipe, "vae_temporal_compression_ratio", 8))
            check_arguments(self.spec, type(loaded.pipe), kwargs)
            first_frame = len(frames) - (1 if k else 0)  # model frame where this segment starts
            try:
                with torch.inference_mode():
                    output = loaded.pipe(**kwargs)
            except Exception as exc:
                if is_out_of_memory(torch, exc):
                    raise out_of_memory(torch, self.spec, loaded.placement) from None
                raise
            made = _to_uint8(output.frames)
            made = [f if f.shape[:2] == self.condition.shape[:2] else fit_image(f, self.size, "crop") for f in made]
            if len(made) < count:  # some VAEs decode fewer frames than asked: hold the last one
                made += [made[-1]] * (count - len(made))
            made_drift = float(np.abs(lab_stats(made[count - 1])[0] - self.reference[0]).max())
            made = match_clip(made[:count], self.reference, self.schedule.rate)
            self.drift.append((made_drift, float(np.abs(lab_stats(made[-1])[0] - self.reference[0]).max())))
            frames.extend(made[1:] if k else made)  # a later segment's first frame is the previous last one
            start = frames[-1]
            if self.want_audio:
                sounds.append(stereo_48k(output.audio, loaded.pipe.vocoder.config.output_sampling_rate))
                starts.append(round(first_frame / self.schedule.rate * RATE))
        reporter("generate", total, total)
        frames = frames[: self.schedule.needed]
        if self.plan.loop and not self.loop_by_model:
            frames = crossfade_seam(frames, max(1, round(SEAM_SECONDS * self.schedule.rate)))
            self.notes.append(f"loop: cross-faded seam of {SEAM_SECONDS:g} s (the model cannot end on a given frame)")
        elif self.loop_by_model:
            self.notes.append(f"loop: the last segment ends on the photo at {self.schedule.keyframe_time:.3f} s, the loop point")
        if sounds:
            seconds = self.schedule.output_frames / self.schedule.output_fps
            self.soundtrack = Soundtrack(fit(join(sounds, starts), seconds, loop=self.plan.loop))
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
                       *, model: str | None = None, low_vram: bool | None = None, steps: int | None = None,
                       audio: str = "none") -> Path:
    from ..encode import EncoderSettings, VideoWriter
    from ..provenance import provenance_for

    clip = NeuralClip(plan, photo, analysis, model=model, low_vram=low_vram, steps=steps, audio=audio == "model")
    before = len(clip.notes)
    for note in clip.notes:
        (log.warning if "skipped" in note else log.info)(note)
    clip.generate(reporter)
    for note in clip.notes[before:]:  # where the model ran, how the loop closed
        log.info(note)
    sound = clip.soundtrack
    if sound is not None and output.suffix.lower() == ".gif":
        log.warning("a GIF carries no sound: the model's sound was left out")
        sound = None
    total = clip.schedule.output_frames
    reporter("render", 0, total)
    # The encoder takes the model's sound next to the frames, cut or padded to the video's length.
    with VideoWriter(output, clip.canvas_size, plan.canvas.fps, EncoderSettings(**encoder), audio=sound is not None,
                     frames=total, provenance=provenance_for(plan, engine="neural", title=output.name)) as writer:
        per_frame = RATE // plan.canvas.fps
        for index, frame in enumerate(clip.output_frames()):
            writer.write(frame)
            if sound is not None:
                writer.write_audio(sound.samples[index * per_frame : (index + 1) * per_frame])
            reporter("render", index + 1, total)
    return output
