"""Depth providers. (Placeholder: the classical estimator is being written.)"""

from __future__ import annotations

import numpy as np


class ClassicalDepth:
    name = "classical"

    def estimate(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        return np.repeat(np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None], w, axis=1)


def get_provider(spec: str = "auto"):
    return ClassicalDepth()
