"""Which bright parts of a photo can be lights that glow and flicker.

emits_light is the one rule: the flicker effect asks it about each light it could animate, and
the director asks it before it plans flicker (in daylight, a white panel, a window reflecting
the sky or a pale sign is not a light, and flicker would draw nothing there).
"""

from __future__ import annotations

import cv2
import numpy as np

DARK_SCENE = 0.35  # mean brightness (0..1) under which a scene is lit by its lamps
WORK_WIDTH = 480  # the flicker effect works at about this width: the director judges at the same size


def emits_light(image: np.ndarray, lum: np.ndarray, part: np.ndarray, dark_scene: bool) -> bool:
    """Whether a bright part of the photo can be a light that flickers: clearly brighter than what
    is around it, and either in a dark scene (lamps, windows at night) or coloured light (neon);
    in daylight a white panel, a window reflecting the sky or a pale sign is not a light.
    image: H x W x 3 float32 in 0..1; lum: its brightness; part: a boolean mask of one part."""
    ring = cv2.dilate(part.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool) & ~part
    if not ring.any():
        return False
    standout = float(lum[part].mean() - lum[ring].mean())
    colour = image[part].mean(axis=0)
    saturation = 1.0 - float(colour.min()) / max(1e-3, float(colour.max()))
    return standout >= 0.12 and (dark_scene or (saturation > 0.45 and float(colour.max()) > 0.85))


def any_light_glows(rgb: np.ndarray, light: np.ndarray | None) -> bool:
    """Whether any part of a light map (else, as the flicker effect does, of the brightest spots)
    could glow and flicker in this photo (rgb: H x W x 3 uint8; light: a soft mask of any size).
    The largest parts are asked first; the answer comes at the first that glows."""
    h, w = rgb.shape[:2]
    size = (min(w, WORK_WIDTH), max(1, round(h * min(w, WORK_WIDTH) / w)))
    image = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    lum = image.mean(axis=2)
    if light is not None and float((light > 0.3).mean()) > 0.0003:
        sources = cv2.resize(light.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    else:
        sources = (lum >= max(0.8, float(np.percentile(lum, 99.3)))).astype(np.float32)
    count, labels, stats, _ = cv2.connectedComponentsWithStats((sources > 0.3).astype(np.uint8))
    dark = float(lum.mean()) < DARK_SCENE
    for k in np.argsort(-stats[1:, cv2.CC_STAT_AREA]) + 1:
        x, y, bw, bh = (int(v) for v in stats[k, :4])
        x0, y0, x1, y1 = max(0, x - 4), max(0, y - 4), min(size[0], x + bw + 4), min(size[1], y + bh + 4)
        if emits_light(image[y0:y1, x0:x1], lum[y0:y1, x0:x1], labels[y0:y1, x0:x1] == k, dark):
            return True
    return False
