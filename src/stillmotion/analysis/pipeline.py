"""Runs the analysis steps in order on a downscaled copy of the photo."""

from __future__ import annotations

import cv2
import numpy as np

from .types import Analysis


def run_analysis(pixels: np.ndarray, provider) -> Analysis:
    from . import ANALYSIS_LONG_SIDE

    h, w = pixels.shape[:2]
    scale = min(1.0, ANALYSIS_LONG_SIDE / max(h, w))
    small = cv2.resize(pixels, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA) if scale < 1 else pixels
    depth = provider.estimate(small).astype(np.float32)
    zeros = np.zeros(depth.shape, np.float32)
    return Analysis(depth=depth, subject=zeros, sky=zeros.copy(), depth_source=provider.name)
