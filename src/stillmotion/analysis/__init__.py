"""Photo analysis: depth, subject, sky, faces and regions, cached per photo.

    analysis = analyse(photo)          # an Analysis (types.py): maps at ANALYSIS_LONG_SIDE

pipeline.py runs the steps in order (faces.py -> cues.py with sky.py and subject.py -> depth.py
or onnx_depth.py -> regions.py) and caches the result (cache.py); imaging.py is the image
toolbox they share. `analyse` and ANALYSIS_LONG_SIDE are imported on first use, so that reading
the types (as the renderer and the director do) imports no analysis code.
"""

from __future__ import annotations

import importlib

from .types import Analysis, Face

__all__ = ["ANALYSIS_LONG_SIDE", "Analysis", "Face", "analyse"]
_FROM_PIPELINE = ("analyse", "ANALYSIS_LONG_SIDE")


def __getattr__(name: str):
    if name in _FROM_PIPELINE:
        return getattr(importlib.import_module(f"{__name__}.pipeline"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
