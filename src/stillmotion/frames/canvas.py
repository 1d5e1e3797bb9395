"""From photo to canvas: output size from the plan, the crop around the subject, and fit=blur."""

from __future__ import annotations

import cv2
import numpy as np

from ..plan import Canvas, Rect

ASPECT_RATIOS = {"16:9": 16 / 9, "9:16": 9 / 16, "1:1": 1.0, "4:5": 4 / 5}


def aspect_ratio(canvas: Canvas, photo_size: tuple[int, int]) -> float:
    """Width / height of the video; "original" keeps the photo's own shape."""
    if canvas.aspect == "original":
        return photo_size[0] / photo_size[1]
    return ASPECT_RATIOS[canvas.aspect]


def output_size(canvas: Canvas, photo_size: tuple[int, int]) -> tuple[int, int]:
    """(width, height) in pixels: the short side is the plan's resolution; both even (yuv420p)."""
    ratio = aspect_ratio(canvas, photo_size)
    short = canvas.resolution
    if ratio >= 1:
        width, height = short * ratio, short
    else:
        width, height = short, short / ratio
    return max(2, round(width / 2) * 2), max(2, round(height / 2) * 2)


def crop_around(photo_size: tuple[int, int], ratio: float, focus: tuple[float, float] = (0.5, 0.5)) -> Rect:
    """The largest rectangle of the given aspect ratio inside the photo, centred on focus where it fits."""
    pw, ph = photo_size
    if pw / ph > ratio:  # photo is wider: full height, crop the sides
        w, h = ph * ratio / pw, 1.0
    else:
        w, h = 1.0, pw / ratio / ph
    x = min(max(focus[0] - w / 2, 0.0), 1.0 - w)
    y = min(max(focus[1] - h / 2, 0.0), 1.0 - h)
    return Rect(x=x, y=y, w=w, h=h)


def crop_pixels(rect: Rect | None, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """A normalised crop as integer pixels (x, y, w, h) of an image of the given (width, height)."""
    if rect is None:
        return 0, 0, size[0], size[1]
    x, y = round(rect.x * size[0]), round(rect.y * size[1])
    w = max(1, min(size[0] - x, round(rect.w * size[0])))
    h = max(1, min(size[1] - y, round(rect.h * size[1])))
    return x, y, w, h


def crop_and_resize(image: np.ndarray, crop: tuple[int, int, int, int], size: tuple[int, int]) -> np.ndarray:
    """Cut crop (x, y, w, h) out of image and resize to size (width, height): area when shrinking."""
    x, y, w, h = crop
    part = image[y:y + h, x:x + w]
    if (w, h) == tuple(size):
        return np.ascontiguousarray(part)
    shrinking = size[0] < w or size[1] < h
    return cv2.resize(part, size, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC)


def fit_blur(image: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The whole photo, fitted inside size, over a blurred and darkened copy that fills the frame.

    Returns the canvas image and where the sharp photo sits in it (x, y, w, h).
    """
    out_w, out_h = size
    ph, pw = image.shape[:2]
    scale = min(out_w / pw, out_h / ph)
    inner = (max(2, round(pw * scale)), max(2, round(ph * scale)))
    cover = max(out_w / pw, out_h / ph)
    # Blur at a small size: cheaper, and a heavy blur looks the same.
    small_size = (max(8, out_w // 8), max(8, out_h // 8))
    cover_img = cv2.resize(image, (round(pw * cover / 8) or 1, round(ph * cover / 8) or 1), interpolation=cv2.INTER_AREA)
    cx = (cover_img.shape[1] - small_size[0]) // 2
    cy = (cover_img.shape[0] - small_size[1]) // 2
    back = cover_img[max(cy, 0):max(cy, 0) + small_size[1], max(cx, 0):max(cx, 0) + small_size[0]]
    back = cv2.resize(back, small_size, interpolation=cv2.INTER_AREA)
    back = cv2.GaussianBlur(back, (0, 0), sigmaX=max(small_size) / 40)
    back = cv2.resize(back, size, interpolation=cv2.INTER_LINEAR)
    back = (back.astype(np.uint16) * 3 // 4).astype(np.uint8)  # a little darker: the photo stands out
    x, y = (out_w - inner[0]) // 2, (out_h - inner[1]) // 2
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    back[y:y + inner[1], x:x + inner[0]] = cv2.resize(image, inner, interpolation=interpolation)
    return back, (x, y, inner[0], inner[1])
