"""Segmentation providers: which pixels are sky, water, plants, people, buildings, ground.

A provider has a `name` (in the cache key), a `spec` (what a plan records to ask for it again)
and `segment(rgb, cues) -> Segmentation` at rgb's size. Chosen like the depth provider:

    "classical"  the bundled rules (sky.py, regions.py): precise before complete, always there
    "auto"       the DeepLab file from the model folder when it and ai-edge-litert are there
    "deeplab"    that file, or an error saying how to get it
    PATH         a DeepLabV3 ADE20K .tflite file given by path
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import PlanError
from .imaging import without_frame
from .models import MODELS, model_path
from .types import Segmentation


class SegmentationProvider(Protocol):
    name: str
    spec: str

    def segment(self, rgb: np.ndarray, cues) -> Segmentation: ...


class ClassicalSegmentation:
    """The bundled rules: the cues' sky; water and plants where the region finders see evidence;
    people from the faces and the person segmenter. No buildings or ground: it cannot tell them."""

    name = "classical"
    spec = "classical"

    def segment(self, rgb: np.ndarray, cues) -> Segmentation:
        from .regions import classical_regions

        h, w = rgb.shape[:2]
        found = classical_regions(without_frame(rgb), cues.sky if cues.has_sky else None)
        foliage, water = found["foliage"], found["water"]
        masks = {"sky": cues.sky.astype(np.float32), "water": water.mask, "foliage": foliage.mask,
                 "person": cues.people_mask if cues.people_mask is not None else np.zeros((h, w), np.float32)}
        unsure = {name: found.unsure for name, found in (("water", water), ("foliage", foliage)) if found.unsure is not None}
        return Segmentation(masks=masks, source=self.name, unsure=unsure, notes=water.notes + foliage.notes)


def _litert_available() -> bool:
    return importlib.util.find_spec("ai_edge_litert") is not None


def get_segmentation_provider(spec: str | os.PathLike = "auto") -> SegmentationProvider:
    """A segmentation provider from a spec: "auto", "classical", "deeplab" (the model folder) or a path."""
    text = os.fspath(spec).strip()
    if text in ("", "auto"):
        path = model_path("segmentation")
        if path.is_file() and _litert_available():
            from .deeplab import DeeplabSegmentation

            return DeeplabSegmentation(path, spec="deeplab")
        return ClassicalSegmentation()
    if text == "classical":
        return ClassicalSegmentation()
    if text in ("deeplab", "model", "segmentation"):
        from .deeplab import DeeplabSegmentation

        return DeeplabSegmentation(model_path("segmentation"), spec="deeplab")
    if text.lower().endswith(".tflite") or os.sep in text or "/" in text or Path(text).exists():
        from .deeplab import DeeplabSegmentation

        return DeeplabSegmentation(Path(text).expanduser())
    raise PlanError(f"segmentation: unknown provider {text!r}; use 'auto', 'classical', 'deeplab' or the path of a "
                    f"{MODELS['segmentation'].file} file")
