"""Photo analysis: depth, subject, sky (and faces and regions where available), cached per photo."""

from __future__ import annotations

from .types import Analysis, Face

__all__ = ["Analysis", "Face", "analyse", "ANALYSIS_LONG_SIDE"]

# Maps are computed on a copy of the photo with this long side: enough for smooth depth and
# soft masks, small enough that a 12 MP photo is analysed well under 2 s on two cores.
ANALYSIS_LONG_SIDE = 768


def analyse(photo, *, depth: str = "auto", cache: bool = True) -> Analysis:
    """Analyse a Photo: depth (nearness), subject and sky masks, faces, regions.

    depth: "auto" (a neural model if one is installed and found, else classical),
    "classical", or a path to a Depth Anything V2 ONNX file.
    """
    from . import cache as analysis_cache
    from .depth import get_provider
    from .pipeline import run_analysis

    provider = get_provider(depth)
    key = f"{photo.sha256}-{_pipeline_signature(provider)}"
    if cache:
        found = analysis_cache.load(key)
        if found is not None:
            return found
    result = run_analysis(photo.pixels, provider)
    if cache:
        analysis_cache.save(key, result)
    return result


def _pipeline_signature(provider) -> str:
    """What, besides the photo, decides the analysis: the depth provider (a model file by its
    path, size and time) and whether faces can be detected here."""
    import hashlib
    import importlib.util
    import os

    parts = [provider.name]
    model_path = getattr(provider, "path", None)
    if model_path is not None:
        try:
            stat = os.stat(model_path)
            ident = f"{os.path.abspath(model_path)}:{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            ident = str(model_path)
        parts.append(hashlib.sha256(ident.encode()).hexdigest()[:12])
    parts.append("faces" if importlib.util.find_spec("mediapipe") is not None else "nofaces")
    return "-".join(parts)
