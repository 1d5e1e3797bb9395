"""Smooth random fields, seeded by the effect's generator: the texture of flow, wisps and mist.

Two kinds: `smooth_noise` (interpolated from a coarse random grid; features about `cell` pixels
across) for displacement and speed fields, and `tileable_noise` (band-limited in the frequency
domain, so it wraps at its edges) for textures that scroll without a seam.
"""

from __future__ import annotations

import math

import cv2
import numpy as np


def smooth_noise(rng: np.random.Generator, shape: tuple[int, int], cell: float) -> np.ndarray:
    """Smooth random field in about -1..1 with features about `cell` pixels across."""
    h, w = shape
    gh, gw = max(2, int(math.ceil(h / cell)) + 2), max(2, int(math.ceil(w / cell)) + 2)
    coarse = rng.standard_normal((gh, gw)).astype(np.float32)
    field = cv2.resize(coarse, (int(gw * cell), int(gh * cell)), interpolation=cv2.INTER_CUBIC)[:h, :w]
    std = float(field.std()) or 1.0
    return np.ascontiguousarray(np.clip(field / (2 * std), -1.5, 1.5))


def tileable_noise(rng: np.random.Generator, shape: tuple[int, int], scale: float, stretch: float = 1.0) -> np.ndarray:
    """Smooth noise that tiles (wraps at its edges), float32 about 0..1, blobs about `scale` pixels wide.

    stretch > 1 elongates the blobs vertically (wisps), < 1 horizontally (banks of mist).
    """
    h, w = shape
    fy = np.fft.fftfreq(h)[:, None] * stretch
    fx = np.fft.rfftfreq(w)[None, :]
    f = np.sqrt(fx * fx + fy * fy)
    cutoff = 1.0 / max(scale, 1.0)
    amplitude = np.exp(-(f / cutoff) ** 2) / np.maximum(f, 1.0 / max(h, w)) ** 0.6
    amplitude[0, 0] = 0.0
    spectrum = amplitude * (rng.standard_normal(amplitude.shape) + 1j * rng.standard_normal(amplitude.shape))
    noise = np.fft.irfft2(spectrum, s=(h, w))
    noise = (noise - noise.mean()) / (noise.std() + 1e-9)
    return np.clip(0.5 + noise / 5.0, 0.0, 1.0).astype(np.float32)
