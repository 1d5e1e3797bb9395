"""Engines: "cpu" (the warp renderer, always there), "neural" (diffusers, for GPU users), "auto".

auto picks neural only when the plan asks for motion the CPU engine cannot fake
(plan.unsupported), a CUDA GPU is present and the model is already in the local cache;
otherwise it renders on the CPU and says, in one warning line, what was left out and why.
Nothing here imports torch unless the neural engine is actually chosen or auto must look for a GPU.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..errors import PlanError

log = logging.getLogger("stillmotion")

ENGINES = ("cpu", "neural", "auto")
AUDIO_CHOICES = ("none", "model")  # "model": the neural model's own sound (LTX-2) as the soundtrack


def choose_engine(plan, engine: str = "cpu", model: str | None = None) -> tuple[str, str | None]:
    """("cpu" or "neural", a note for the user or None)."""
    if engine not in ENGINES:
        raise PlanError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")
    if engine == "cpu":
        return "cpu", None
    from .models import get_model

    spec = get_model(model)  # a bad model name is an error even when auto would not use it
    if engine == "neural":
        return "neural", None
    if not plan.unsupported:
        return "cpu", None
    from .cache import is_cached
    from .loading import cuda_available

    reasons = []
    if not cuda_available():
        reasons.append("no CUDA GPU (or torch is not installed)")
    if not is_cached(spec):
        reasons.append(f"model {spec.name} is not in the local cache (stillmotion models pull {spec.name})")
    if reasons:
        phrases = ", ".join(repr(u.phrase) for u in plan.unsupported)
        return "cpu", f"engine auto: rendered on the CPU; left out {phrases}: " + "; ".join(reasons)
    return "neural", None


def preflight(engine: str, model: str | None, audio: str = "none") -> None:
    """Fail in a fraction of a second, before any analysis, when `neural` cannot run at all:
    unknown engine or model, the extra missing, the model not downloaded, or sound asked of a
    model that makes none."""
    if engine not in ENGINES:
        raise PlanError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")
    check_audio(engine, model, audio)
    if engine == "cpu":
        return
    from .models import get_model

    spec = get_model(model)
    if engine == "neural":
        import importlib.util

        from ..errors import MissingDependency
        from .cache import INSTALL_HINT, require_local

        if importlib.util.find_spec("torch") is None or importlib.util.find_spec("diffusers") is None:
            raise MissingDependency(f"the neural engine needs torch and diffusers: {INSTALL_HINT}")
        require_local(spec)


def check_audio(engine: str, model: str | None, audio: str) -> None:
    """audio "model" (the model's own sound) needs the neural engine and a model that makes sound."""
    if audio not in AUDIO_CHOICES:
        raise PlanError(f"unknown audio {audio!r}; allowed: {', '.join(AUDIO_CHOICES)}")
    if audio != "model":
        return
    from .models import MODELS, get_model

    sounding = [name for name, spec in MODELS.items() if spec.audio]
    if engine != "neural":
        raise PlanError(f"the model's sound needs the neural engine and a model that makes sound ({', '.join(sounding)})",
                        fix=(("engine", "neural"),))
    spec = get_model(model)
    if not spec.audio:
        raise PlanError(f"model {spec.name} makes no sound; models that do: {', '.join(sounding)}",
                        fix=tuple(("model", name) for name in sounding))


def render_with_engine(plan, photo, analysis, output: Path, reporter, encoder: dict, *, engine: str = "cpu",
                       model: str | None = None, low_vram: bool | None = None, audio: str = "none") -> Path | None:
    """Render with the neural engine when it is chosen; None means: use the CPU engine."""
    check_audio(engine, model, audio)
    chosen, note = choose_engine(plan, engine, model)
    if note:
        log.warning(note)
    if chosen == "cpu":
        return None
    from .neural import write_neural_video

    return write_neural_video(plan, photo, analysis, output, reporter, encoder, model=model, low_vram=low_vram, audio=audio)
