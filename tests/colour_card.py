"""A saturated test card, made in the test (no photo file), and PSNR: for the colour tests and the browser's."""

from __future__ import annotations

import numpy as np


def saturated_card(width: int, height: int) -> np.ndarray:
    """Saturated patches (primaries, secondaries, skin and sky tones) over a three-colour ramp; edges on
    an 8-pixel grid, so 4:2:0 chroma never straddles two patches."""
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255), (255, 0, 255),
               (255, 255, 255), (16, 16, 16), (200, 30, 60), (30, 160, 90), (240, 140, 20), (90, 60, 200)]
    card = np.zeros((height, width, 3), np.uint8)
    top = height * 2 // 3 // 8 * 8
    for index, colour in enumerate(colours):
        column, row = index % 6, index // 6
        x0, x1 = column * width // 6 // 8 * 8, ((column + 1) * width // 6 // 8 * 8 if column < 5 else width)
        y0, y1 = row * top // 2 // 8 * 8, ((row + 1) * top // 2 // 8 * 8 if row < 1 else top)
        card[y0:y1, x0:x1] = colour
    ramp = np.linspace(0, 255, width)[None, :, None] * np.array([1.0, 0.55, 0.2])
    card[top:] = ramp.astype(np.uint8)
    return card


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)
