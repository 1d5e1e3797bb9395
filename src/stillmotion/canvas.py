"""From photo to canvas: the output size, the crop around the subject, fit "blur", and CanvasMap.

The canvas is the video's frame: the photo cropped to the aspect and resized to the output
size, or, with fit "blur", the whole photo fitted inside it over a blurred fill. CanvasMap is the
one owner of that mapping: everything that is aligned with the photo (the photo's pixels, the
analysis's depth and masks, faces, polygons in normalised photo coordinates) reaches the canvas
through it. It sits below the director, the effects and the renderer, which all use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .analysis.types import Face
from .plan import Canvas, Rect

ASPECT_RATIOS = {"16:9": 16 / 9, "9:16": 9 / 16, "1:1": 1.0, "4:5": 4 / 5}
# No canvas is longer than MAX_ASPECT times its short side: a panorama with "original" is cropped
# around its subject instead of becoming a 20,000-pixel-wide video nothing plays well.
MAX_ASPECT = 4.0


def capped_ratio(ratio: float) -> float:
    """A width / height ratio held between 1:MAX_ASPECT and MAX_ASPECT:1."""
    return min(max(ratio, 1 / MAX_ASPECT), MAX_ASPECT)


def max_canvas_pixels(resolution: int) -> int:
    """The most pixels a canvas of this resolution (its short side) can have."""
    return round(MAX_ASPECT * resolution) * resolution


def aspect_ratio(canvas: Canvas, photo_size: tuple[int, int]) -> float:
    """Width / height of the video; "original" keeps the photo's own shape, up to MAX_ASPECT."""
    if canvas.aspect == "original":
        return capped_ratio(photo_size[0] / photo_size[1])
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


def _within_max_aspect(crop: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """A crop (x, y, w, h) narrowed about its centre to at most MAX_ASPECT (a pixel of rounding allowed)."""
    x, y, w, h = crop
    if w > h * MAX_ASPECT + 1:
        narrow = round(h * MAX_ASPECT)
        return x + (w - narrow) // 2, y, narrow, h
    if h > w * MAX_ASPECT + 1:
        short = round(w * MAX_ASPECT)
        return x, y + (h - short) // 2, w, short
    return crop


def fit_rect(photo_size: tuple[int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """Where a photo of photo_size sits, centred and whole, inside a frame of size: x, y, w, h."""
    out_w, out_h = size
    pw, ph = photo_size
    scale = min(out_w / pw, out_h / ph)
    inner = (max(2, round(pw * scale)), max(2, round(ph * scale)))
    return (out_w - inner[0]) // 2, (out_h - inner[1]) // 2, inner[0], inner[1]


def fit_blur(image: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """The whole photo, fitted inside size, over a blurred and darkened copy that fills the frame.

    Returns the canvas image and where the sharp photo sits in it (x, y, w, h).
    """
    out_w, out_h = size
    ph, pw = image.shape[:2]
    scale = min(out_w / pw, out_h / ph)
    x, y, iw, ih = fit_rect((pw, ph), size)
    inner = (iw, ih)
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
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    back[y:y + inner[1], x:x + inner[0]] = cv2.resize(image, inner, interpolation=interpolation)
    return back, (x, y, inner[0], inner[1])


@dataclass(frozen=True)
class CanvasMap:
    """How the photo lands in the canvas, for anything aligned with the photo.

    size: the canvas (width, height). photo_size: the photo's pixels (width, height).
    crop: the part of the photo shown, in photo pixels (x, y, w, h): all of it with fit "blur".
    photo_rect: where that part sits in the canvas, in canvas pixels (x, y, w, h): the whole
    canvas, except with fit "blur", where the photo is fitted inside a blurred fill.
    """

    size: tuple[int, int]
    photo_size: tuple[int, int]
    crop: tuple[int, int, int, int]
    photo_rect: tuple[int, int, int, int]
    blur: bool = False

    @classmethod
    def for_plan(cls, canvas: Canvas, photo_size: tuple[int, int]) -> CanvasMap:
        """The mapping a plan's canvas gives a photo of photo_size (width, height)."""
        blur = canvas.fit == "blur" and canvas.aspect != "original"
        crop = crop_pixels(None if blur else canvas.crop, photo_size)
        if canvas.aspect == "original":  # a plan made elsewhere may show a longer strip than a canvas can
            crop = _within_max_aspect(crop)
        size = output_size(canvas, (crop[2], crop[3]))
        rect = fit_rect(photo_size, size) if blur else (0, 0, size[0], size[1])
        return cls(size=size, photo_size=tuple(photo_size), crop=crop, photo_rect=rect, blur=blur)

    @classmethod
    def whole(cls, size: tuple[int, int]) -> CanvasMap:
        """A canvas that is the photo itself, at its own size (synthetic scenes, tests)."""
        w, h = size
        return cls(size=(w, h), photo_size=(w, h), crop=(0, 0, w, h), photo_rect=(0, 0, w, h))

    def crop_at(self, size: tuple[int, int]) -> tuple[int, int, int, int]:
        """The crop, in pixels of a photo-aligned map of another size (the analysis's maps)."""
        if tuple(size) == self.photo_size:
            return self.crop
        (sw, sh), (pw, ph) = size, self.photo_size
        x, y, w, h = self.crop
        return round(x * sw / pw), round(y * sh / ph), max(1, round(w * sw / pw)), max(1, round(h * sh / ph))

    def image(self, pixels: np.ndarray) -> np.ndarray:
        """The photo's pixels as the canvas shows them: frame 0 before any motion."""
        if self.blur:
            return fit_blur(pixels, self.size)[0]
        return crop_and_resize(pixels, self.crop, self.size)

    def depth(self, depth: np.ndarray) -> np.ndarray:
        """A photo-aligned nearness map on the canvas (0, the farthest, on a blurred fill)."""
        if not self.blur:
            return crop_and_resize(depth, self.crop_at(depth.shape[1::-1]), self.size).astype(np.float32)
        out = np.zeros(self.size[::-1], np.float32)
        x, y, w, h = self.photo_rect
        out[y:y + h, x:x + w] = cv2.resize(depth, (w, h), interpolation=cv2.INTER_LINEAR)
        return out

    def mask(self, mask: np.ndarray) -> np.ndarray:
        """A photo-aligned map of any resolution, cropped like the canvas and placed where the
        photo shows (0 on a blurred fill)."""
        w, h = self.size
        x, y, iw, ih = self.photo_rect
        inner = crop_and_resize(mask, self.crop_at(mask.shape[1::-1]), (iw, ih))
        if (iw, ih) == (w, h):
            return inner
        out = np.zeros((h, w) + mask.shape[2:], mask.dtype)
        out[y:y + ih, x:x + iw] = inner
        return out

    def points(self, points, map_size: tuple[int, int] | None = None) -> np.ndarray:
        """Normalised photo coordinates (N x 2) as canvas pixels. map_size: the photo-aligned
        grid the points are snapped through (the analysis's, for region polygons), else the photo."""
        size = map_size or self.photo_size
        cx, cy, cw, ch = self.crop_at(size)
        ox, oy, iw, ih = self.photo_rect
        pts = np.asarray(points, np.float64).reshape(-1, 2)
        xs = ox + (pts[:, 0] * size[0] - cx) * iw / cw
        ys = oy + (pts[:, 1] * size[1] - cy) * ih / ch
        return np.stack([xs, ys], 1).astype(np.float32)

    def point(self, point: tuple[float, float]) -> tuple[float, float]:
        """A point in normalised photo coordinates as normalised canvas coordinates (floats,
        clamped inside the canvas): the crop and, with fit "blur", the photo's place in the fill."""
        (pw, ph), (w, h) = self.photo_size, self.size
        cx, cy, cw, ch = self.crop
        ox, oy, iw, ih = self.photo_rect
        u = (ox + (point[0] * pw - cx) * iw / cw) / w
        v = (oy + (point[1] * ph - cy) * ih / ch) / h
        return min(max(u, 0.0), 1.0), min(max(v, 0.0), 1.0)

    def face(self, face: Face) -> Face | None:
        """A face in normalised photo coordinates, in normalised canvas coordinates; None when
        the crop leaves it out."""
        pw, ph = self.photo_size
        cx, cy, cw, ch = self.crop[0] / pw, self.crop[1] / ph, self.crop[2] / pw, self.crop[3] / ph
        w, h = self.size
        fx, fy, fw, fh = (self.photo_rect[0] / w, self.photo_rect[1] / h, self.photo_rect[2] / w, self.photo_rect[3] / h)
        x, y, bw, bh = face.box
        nx, ny = (x - cx) / cw * fw + fx, (y - cy) / ch * fh + fy
        nw, nh = bw / cw * fw, bh / ch * fh
        if nx + nw < 0 or ny + nh < 0 or nx > 1 or ny > 1:
            return None
        landmarks = None
        if face.landmarks is not None:
            landmarks = face.landmarks.copy()
            landmarks[:, 0] = (landmarks[:, 0] - cx) / cw * fw + fx
            landmarks[:, 1] = (landmarks[:, 1] - cy) / ch * fh + fy
        return Face(box=(nx, ny, nw, nh), score=face.score, landmarks=landmarks)

    def faces(self, faces: list[Face]) -> list[Face]:
        """The faces the canvas shows, in normalised canvas coordinates."""
        return [f for f in (self.face(face) for face in faces) if f is not None]
