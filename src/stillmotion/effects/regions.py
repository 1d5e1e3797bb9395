"""The one place where a plan's region becomes a canvas-size mask.

effect_mask(spec, scene, default_name) -> float32 H x W in 0..1: where an effect applies: its
  region (a named analysis mask, "face:N", a polygon in normalised photo coordinates, or a
  greyscale mask image), or the named default when the plan gives none, minus its freeze
  region, and never over a face (a feathered ellipse per face is cut out).
area_mask(region, scene, ...): the same for any plan.Region.
Freeze: an effect's freeze region, for effects drawn over everything (rain, snow, fog).
Everything reaches the canvas through scene.canvas_map: with fit "blur" the photo sits inside
the canvas, and maps are placed there, 0 on the fill.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from ..errors import PlanError
from .timing import smoothstep


def area_mask(spec_region, scene, default_name: str | None, *, freeze=None, protect_faces: bool = True) -> np.ndarray:
    """Canvas-size soft mask of a region. spec_region: plan.Region or None; freeze: plan.Region or None.

    An unknown default name (the analysis found no such region) gives an all-zero mask, so the
    effect does nothing rather than something in the wrong place.
    """
    w, h = scene.size
    if spec_region is not None:
        mask = _one_region(spec_region, scene)
    elif default_name is not None:
        mask = _named(default_name, scene)
    else:
        mask = np.ones((h, w), np.float32)
    if freeze is not None:
        mask = mask * (1.0 - _one_region(freeze, scene))
    if protect_faces and scene.faces:
        mask = mask * (1.0 - face_mask(scene))
    return np.clip(mask, 0.0, 1.0).astype(np.float32)


def effect_mask(spec, scene, default_name: str | None) -> np.ndarray:
    """Where a plan.Effect applies: its region (or the default) minus its freeze, faces cut out.
    Empty at strength 0: the photo stays still there."""
    if spec.strength <= 0:
        w, h = scene.size
        return np.zeros((h, w), np.float32)
    return area_mask(spec.region, scene, default_name, freeze=spec.freeze)


def off_faces(mask: np.ndarray, scene) -> np.ndarray:
    """mask with the faces cut out (for masks grown or blurred after effect_mask)."""
    if not scene.faces:
        return mask
    return (mask * (1.0 - face_mask(scene))).astype(np.float32)


def face_mask(scene, grow: float = 1.15, feather: float = 0.25) -> np.ndarray:
    """Feathered ellipses over the faces (1 on a face), canvas size.

    grow enlarges each face box (hairline, chin); feather is the soft edge width as a fraction
    of the face size.
    """
    w, h = scene.size
    out = np.zeros((h, w), np.float32)
    for face in scene.faces:
        _draw_face(out, face.box, w, h, grow, feather)
    return out


def _draw_face(out, box, w, h, grow, feather):
    x, y, fw, fh = box
    cx, cy = (x + fw / 2) * w, (y + fh / 2) * h
    ax, ay = max(1.0, fw * w * grow / 2), max(1.0, fh * h * grow / 2)
    pad = max(ax, ay) * (1 + feather) + 2
    x0, x1 = int(max(0, cx - pad)), int(min(w, cx + pad + 1))
    y0, y1 = int(max(0, cy - pad)), int(min(h, cy + pad + 1))
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    r = np.sqrt(((xx - cx) / ax) ** 2 + ((yy - cy) / ay) ** 2)
    # 1 inside the ellipse, falling smoothly to 0 at (1 + feather) times its size.
    value = smoothstep(0.0, 1.0, (1.0 + feather - r) / feather, dtype=np.float32)
    np.maximum(out[y0:y1, x0:x1], value, out=out[y0:y1, x0:x1])


def _one_region(region, scene) -> np.ndarray:
    if region.name is not None:
        return _named(region.name, scene)
    if region.polygon is not None:
        return _polygon(region.polygon, scene)
    return _mask_file(region.mask, scene)


def _named(name: str, scene) -> np.ndarray:
    w, h = scene.size
    if name.startswith("face:"):
        try:
            index = int(name.split(":", 1)[1])
        except ValueError:
            raise PlanError(f"region {name!r}: a face region is written face:N with N a number") from None
        if not 0 <= index < len(scene.faces):
            raise PlanError(f"region {name!r}: the photo has {len(scene.faces)} face(s), numbered from 0")
        out = np.zeros((h, w), np.float32)
        _draw_face(out, scene.faces[index].box, w, h, 1.15, 0.25)
        return out
    mask = scene.analysis.mask(name)
    if mask is None:
        return np.zeros((h, w), np.float32)
    return scene.canvas_map.mask(np.clip(mask.astype(np.float32), 0.0, 1.0))


def _polygon(points, scene) -> np.ndarray:
    """Normalised photo coordinates -> canvas pixels (through the analysis grid, as masks go)."""
    w, h = scene.size
    pts = scene.canvas_map.points(points, scene.analysis.size)
    out = np.zeros((h, w), np.uint8)
    shift = 4  # sub-pixel precision for the fill
    cv2.fillPoly(out, [np.round(pts * (1 << shift)).astype(np.int32)], 255, lineType=cv2.LINE_AA, shift=shift)
    mask = out.astype(np.float32) / 255.0
    # A little feathering so the effect does not end on a hard line.
    sigma = max(1.0, 0.004 * max(w, h))
    return cv2.GaussianBlur(mask, (0, 0), sigma)


def _mask_file(path: str, scene) -> np.ndarray:
    """A greyscale mask image of the photo (any size, white = apply), cropped like the canvas."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise PlanError(f"region mask {path!r}: file not found")
    image = cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise PlanError(f"region mask {path!r}: not a readable image")
    aw, ah = scene.analysis.size
    image = cv2.resize(image, (aw, ah), interpolation=cv2.INTER_AREA)
    return scene.canvas_map.mask(image.astype(np.float32) / 255.0)


class Freeze:
    """The spec's freeze region for effects that cover everything (rain, snow, fog, petals):
    where it is, they do not show. `visible(xy)` tests canvas points; `low` is a low-res keep map."""

    def __init__(self, spec, scene):
        self.keep = None
        if spec.freeze is not None:
            frozen = area_mask(spec.freeze, scene, None, protect_faces=False)
            self.keep = (1.0 - np.clip(frozen, 0.0, 1.0)).astype(np.float32)

    def visible(self, xy: np.ndarray) -> np.ndarray | bool:
        if self.keep is None:
            return True
        h, w = self.keep.shape
        xs = np.clip(np.round(xy[:, 0]).astype(np.intp), 0, w - 1)
        ys = np.clip(np.round(xy[:, 1]).astype(np.intp), 0, h - 1)
        return self.keep[ys, xs] > 0.5

    def low(self, size: tuple[int, int]) -> np.ndarray | None:
        return None if self.keep is None else cv2.resize(self.keep, size, interpolation=cv2.INTER_AREA)
