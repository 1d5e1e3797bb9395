"""Runs the analysis steps in order on a downscaled copy of the photo."""

from __future__ import annotations

import numpy as np

from .cues import compute_cues, resize_long
from .types import Analysis


def run_analysis(pixels: np.ndarray, provider) -> Analysis:
    """Faces, sky, subject, depth and named regions for an RGB uint8 photo, at ANALYSIS_LONG_SIDE.

    The cues are computed once and shared: the classical provider builds depth from them,
    and any provider's depth keeps the sky at the far end.
    """
    from . import ANALYSIS_LONG_SIDE

    small = np.ascontiguousarray(resize_long(pixels, ANALYSIS_LONG_SIDE))
    cues = compute_cues(small)
    depth = np.clip(provider.estimate(small, cues).astype(np.float32), 0.0, 1.0)
    analysis = Analysis(
        depth=depth,
        subject=cues.subject.astype(np.float32),
        sky=cues.sky.astype(np.float32),
        faces=list(cues.faces),
        depth_source=provider.name,
    )
    try:
        from .regions import find_regions
    except ImportError:
        return analysis  # region finders are optional: depth, subject and sky stand alone
    analysis.regions.update(find_regions(small, analysis))
    return analysis
