"""The analysis, step by step: faces -> cues (sky, subject) -> depth -> regions, cached per photo.

Every step works on one downscaled copy of the photo (ANALYSIS_LONG_SIDE) and hands what it
found to the next: the faces shape the subject, the cues give the classical depth its sky,
ground and subject (and any provider its edge guide), and the region finders keep the sky and
the people out of water and foliage.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os

import numpy as np

from . import cache as analysis_cache
from .cues import compute_cues
from .depth import get_provider
from .faces import detect_faces_safely
from .imaging import resize_long
from .regions import find_regions
from .types import Analysis

# Maps are computed on a copy of the photo with this long side: enough for smooth depth and
# soft masks, small enough that a 12 MP photo is analysed well under 2 s on two cores.
ANALYSIS_LONG_SIDE = 768


def analyse(photo, *, depth: str = "auto", cache: bool = True) -> Analysis:
    """Analyse a Photo: depth (nearness), subject and sky masks, faces, regions.

    depth: "auto" (a neural model if one is installed and found, else classical),
    "classical", or a path to a Depth Anything V2 ONNX file.
    """
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


def run_analysis(pixels: np.ndarray, provider) -> Analysis:
    """Faces, sky, subject, depth and named regions for an RGB uint8 photo, at ANALYSIS_LONG_SIDE."""
    small = np.ascontiguousarray(resize_long(pixels, ANALYSIS_LONG_SIDE))
    # 1. faces: they make people the subject and keep region effects off them
    faces = detect_faces_safely(small)
    # 2. the classical cues, computed once and shared: sky, backdrop, horizon, subject, edge guide
    cues = compute_cues(small, faces)
    # 3. depth: the classical provider builds it from the cues; any provider snaps to their edges
    depth = np.clip(provider.estimate(small, cues).astype(np.float32), 0.0, 1.0)
    analysis = Analysis(
        depth=depth,
        subject=cues.subject.astype(np.float32),
        sky=cues.sky.astype(np.float32),
        faces=list(cues.faces),
        depth_source=provider.name,
    )
    # 4. named regions (water, foliage, light, fire, steam sources), given the sky and the people
    analysis.regions.update(find_regions(small, analysis))
    return analysis


def _pipeline_signature(provider) -> str:
    """What, besides the photo, decides the analysis: the depth provider (a model file by its
    path, size and time) and whether faces can be detected here."""
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
