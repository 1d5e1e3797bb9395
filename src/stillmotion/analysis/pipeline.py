"""The analysis, step by step: faces -> cues (sky, subject, people) -> segmentation -> depth ->
regions, cached per photo.

Every step works on one downscaled copy of the photo (ANALYSIS_LONG_SIDE) and hands what it
found to the next: the faces shape the subject, the cues give the segmentation its sky and
people (and every provider its edge guide), the segmentation tells the depth what stands where,
and the light, fire and steam-source finders run last, given the sky.
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
from .regions import find_sources
from .segmentation import ClassicalSegmentation, get_segmentation_provider
from .types import Analysis

# Maps are computed on a copy of the photo with this long side: enough for smooth depth and
# soft masks, small enough that a 12 MP photo is analysed well under 2 s on two cores.
ANALYSIS_LONG_SIDE = 768


def analyse(photo, *, depth: str = "auto", segmentation: str = "auto", cache: bool = True) -> Analysis:
    """Analyse a Photo: depth (nearness), subject and sky masks, faces, regions.

    depth: "auto" (a neural model if one is installed and found, else classical),
    "classical", "onnx" or a path to a Depth Anything V2 ONNX file.
    segmentation: "auto" (the DeepLab file from the model folder when it and its runtime are
    there, else classical), "classical", "deeplab" or a path to that .tflite file.
    """
    provider = get_provider(depth)
    segmenter = get_segmentation_provider(segmentation)
    key = f"{photo.sha256}-{_pipeline_signature(provider, segmenter)}"
    if cache:
        found = analysis_cache.load(key)
        if found is not None:
            return found
    result = run_analysis(photo.pixels, provider, segmenter)
    if cache:
        analysis_cache.save(key, result)
    return result


def run_analysis(pixels: np.ndarray, provider, segmenter=None) -> Analysis:
    """Faces, sky, subject, depth and named regions for an RGB uint8 photo, at ANALYSIS_LONG_SIDE."""
    small = np.ascontiguousarray(resize_long(pixels, ANALYSIS_LONG_SIDE))
    segmenter = segmenter or ClassicalSegmentation()
    # 1. faces: they make people the subject and keep region effects off them
    faces = detect_faces_safely(small)
    # 2. the classical cues, computed once and shared: sky, backdrop, horizon, subject, people, edge guide
    cues = compute_cues(small, faces)
    # 3. what is where: sky, water, plants, people (and, from a network, buildings and ground)
    seen = segmenter.segment(small, cues)
    sky = seen.masks["sky"]
    if seen.source != "classical":
        cues.sky = sky  # the network's sky replaces the classical one for the depth too
        cues.subject = cues.subject * (1.0 - sky)
    # 4. depth: from the cues and what things are; every provider snaps to the photo's edges
    depth = np.clip(provider.estimate(small, cues, seen).astype(np.float32), 0.0, 1.0)
    analysis = Analysis(
        depth=depth,
        subject=cues.subject.astype(np.float32),
        sky=sky.astype(np.float32),
        faces=list(cues.faces),
        depth_source=provider.spec,
        segmentation_source=segmenter.spec,
        notes=list(seen.notes),
    )
    keep = 1.0 - _people(analysis, cues, seen)
    for name, mask in seen.masks.items():
        if name != "sky":
            analysis.regions[name] = (mask * keep if name in ("water", "foliage") else mask).astype(np.float32)
    for name, mask in seen.unsure.items():
        analysis.regions[f"{name}_unsure"] = (mask * keep).astype(np.float32)
    # 5. light sources, fire and steam sources, given the sky
    analysis.regions.update(find_sources(small, analysis.sky))
    return analysis


def _people(analysis: Analysis, cues, seen) -> np.ndarray:
    """Where people are (faces, the person segmenter, a network's person class): water and
    plants are never drawn there."""
    from .regions import people_mask

    people = people_mask(analysis, analysis.depth.shape)
    person = seen.masks.get("person")
    if person is not None:
        people = np.maximum(people, person)
    return np.clip(people, 0.0, 1.0)


def _pipeline_signature(provider, segmenter) -> str:
    """What, besides the photo, decides the analysis: the depth provider (a model file by its
    path, size and time), the segmentation provider (its name holds the same for a model file)
    and whether faces and people can be found here."""
    parts = [provider.name]
    model_path = getattr(provider, "path", None)
    if model_path is not None:
        try:
            stat = os.stat(model_path)
            ident = f"{os.path.abspath(model_path)}:{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            ident = str(model_path)
        parts.append(hashlib.sha256(ident.encode()).hexdigest()[:12])
    parts.append(segmenter.name)
    parts.append("faces" if importlib.util.find_spec("mediapipe") is not None else "nofaces")
    return "-".join(parts)
