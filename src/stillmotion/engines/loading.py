"""Loading a model's pipeline: dtypes per component, where its parts live on the GPU, clear failures.

One pipeline per process (GPU memory holds one model), reused between clips. On CUDA the weights
are bf16 except where the model's card asks otherwise (the Wan VAE and CLIP encoder in fp32), and
where the parts live is chosen from the free VRAM against the registry's estimates:

- "gpu": everything on the GPU (fastest);
- "model": each component moves to the GPU only while it runs (diffusers' model CPU offload);
- "layers": layer by layer, the next layer copied while the current one runs (diffusers' group
  offloading with a CUDA stream; slower, but runs the 13-22B transformers on a 24 GB card).

low_vram=None chooses; True (--low-vram) offloads at least per component; False (--no-offload)
keeps everything on the GPU. torch and diffusers are imported only inside these functions.
"""

from __future__ import annotations

import importlib.util
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

from ..errors import MissingDependency, ModelError, ModelNotFound
from .cache import INSTALL_HINT, require_local
from .models import ModelSpec

log = logging.getLogger("stillmotion")

GIB = 1024**3
PLACEMENTS = ("gpu", "model", "layers")

_LOADED: dict[tuple, "Loaded"] = {}


@dataclass
class Loaded:
    pipe: object
    device: str  # "cuda" or "cpu"
    placement: str  # "cpu" or one of PLACEMENTS
    reason: str  # one line for the user: where the model runs and why


def torch_or_hint():
    """torch, after checking that the neural extra is installed (one line otherwise)."""
    try:
        import diffusers  # noqa: F401
        import torch
    except ImportError:
        raise MissingDependency(f"the neural engine needs torch and diffusers: {INSTALL_HINT}") from None
    return torch


def cuda_available() -> bool:
    """True when torch is installed and sees a CUDA device (never imports torch when absent)."""
    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


def choose_placement(spec: ModelSpec, free_gb: float, low_vram: bool | None) -> tuple[str, str]:
    """(placement, why) on a CUDA device with free_gb of free memory."""
    everything, largest = spec.vram_gb
    if low_vram is False:
        return "gpu", "everything on the GPU (offloading turned off)"
    if low_vram is None and free_gb >= everything:
        return "gpu", f"everything on the GPU ({free_gb:.0f} GB free, about {everything:.0f} GB needed)"
    if free_gb >= largest:
        why = "asked for low VRAM" if low_vram else f"{free_gb:.0f} GB free, about {everything:.0f} GB for everything"
        return "model", f"each component on the GPU only while it runs ({why})"
    return "layers", (f"layer-by-layer offload, slower ({free_gb:.0f} GB free; its largest part needs about "
                      f"{largest:.0f} GB)")


def _dtypes(spec: ModelSpec, torch, cuda: bool):
    """bf16 on CUDA with the model's exceptions; float32 on the CPU (bf16 matmuls are slow there)."""
    if not cuda:
        return torch.float32
    if not spec.dtypes:
        return torch.bfloat16
    return {"default": torch.bfloat16, **{name: getattr(torch, kind) for name, kind in spec.dtypes.items()}}


def check_tokenizers(path: Path) -> None:
    """A tokenizer shipped only as a SentencePiece file (no tokenizer.json, as in the LTX and T5
    repositories) is converted at load time, which needs sentencepiece and a protobuf it accepts."""
    raw = [p for name in ("spiece.model", "tokenizer.model") for p in path.glob(f"*/{name}")
           if not (p.parent / "tokenizer.json").is_file()]
    if not raw:
        return
    try:
        from sentencepiece import sentencepiece_model_pb2  # noqa: F401  (checks the protobuf runtime too)
    except ImportError:
        raise MissingDependency(f"{raw[0].parent.name} of {path.name} needs sentencepiece and protobuf: {INSTALL_HINT}") from None
    except Exception as exc:  # protobuf refuses the generated code of this sentencepiece (a VersionError)
        first = str(exc).strip().splitlines()[0][:160]
        raise MissingDependency(f"sentencepiece cannot read {raw[0].name} with this protobuf ({first}); "
                                "pip install 'sentencepiece<0.2.3' or a newer protobuf") from None


def out_of_memory(torch, spec: ModelSpec, placement: str) -> ModelError:
    """The one-line error for a CUDA out-of-memory, with the option that may avoid it."""
    try:
        free, total = torch.cuda.mem_get_info()
        state = f" ({free / GIB:.1f} of {total / GIB:.0f} GB free)"
    except Exception:  # the device may be in a bad state after the failure; the numbers are optional
        state = ""
    if placement == "gpu":
        return ModelError(f"model {spec.name} ran out of GPU memory{state} with everything on the GPU; "
                          "offload model parts to the CPU", fix=(("low_vram", True),))
    return ModelError(f"model {spec.name} ran out of GPU memory{state} even offloaded ({placement}); use a smaller model",
                      fix=(("model", None),))


def is_out_of_memory(torch, exc: BaseException) -> bool:
    oom = getattr(torch, "OutOfMemoryError", None) or getattr(torch.cuda, "OutOfMemoryError", ())
    return isinstance(exc, oom) or "CUDA out of memory" in str(exc)


def load_pipeline(spec: ModelSpec, low_vram: bool | None = None) -> Loaded:
    """The model's pipeline, loaded once per process and placed on the device."""
    torch = torch_or_hint()
    import diffusers

    path = require_local(spec)
    cuda = bool(torch.cuda.is_available())
    key = (str(path), spec.pipeline, cuda, low_vram)
    if key in _LOADED:
        return _LOADED[key]
    release()  # free the previous model before measuring and loading another one
    if cuda:
        placement, reason = choose_placement(spec, torch.cuda.mem_get_info()[0] / GIB, low_vram)
    else:
        placement, reason = "cpu", "on the CPU in float32 (no CUDA device)"
    cls = getattr(diffusers, spec.pipeline, None)
    if cls is None:
        raise MissingDependency(f"diffusers {diffusers.__version__} has no {spec.pipeline}; pip install -U diffusers")
    check_tokenizers(path)
    import transformers

    # Progress goes through the reporter; the libraries' own bars would garble the CLI's.
    diffusers.utils.logging.disable_progress_bar()
    transformers.utils.logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            pipe = cls.from_pretrained(str(path), dtype=_dtypes(spec, torch, cuda), local_files_only=True)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise ModelNotFound(f"{spec.name}: cannot load {spec.pipeline} from {path}: {first[:200]}") from None
    try:
        _place(pipe, placement, cuda)
    except Exception as exc:
        if is_out_of_memory(torch, exc):
            raise out_of_memory(torch, spec, placement) from None
        raise
    pipe.set_progress_bar_config(disable=True)
    loaded = Loaded(pipe, "cuda" if cuda else "cpu", placement, reason)
    _LOADED[key] = loaded
    return loaded


def _place(pipe, placement: str, cuda: bool) -> None:
    if placement == "gpu":
        pipe.to("cuda")
    elif placement == "model":
        pipe.enable_model_cpu_offload()
    elif placement == "layers":
        import torch

        pipe.enable_group_offload(onload_device=torch.device("cuda"), offload_device=torch.device("cpu"),
                                  offload_type="leaf_level", use_stream=True)
    vae = getattr(pipe, "vae", None)
    if cuda and vae is not None:
        # Decoding a whole segment at once is the memory peak; tiles and slices cut it at a small cost.
        for switch in ("enable_tiling", "enable_slicing"):
            if hasattr(vae, switch):
                try:
                    getattr(vae, switch)()
                except (NotImplementedError, ValueError):
                    pass  # not every VAE tiles


def release() -> None:
    """Drop the loaded pipeline (and its GPU memory)."""
    if not _LOADED:
        return
    _LOADED.clear()
    import gc

    gc.collect()
    if cuda_available():
        import torch

        torch.cuda.empty_cache()
