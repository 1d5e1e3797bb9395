"""Hair: a gentle breeze moves the hair around each face; the face itself never moves.

Without a hair segmentation, the hair region is the band around each face box (above and
beside it, down to the shoulders) where the colour matches the hairline just above the face,
limited by the plan's region (the director passes "subject"), an analysis "hair" mask, or the
subject mask. Without a face, only a region the user gives (polygon, mask) moves. The displacement is a slow, mostly
sideways sway that grows with distance from the face (hair tips move, roots stay), with a
phase that varies through the hair so strands do not move as one sheet.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.warp import Oscillation, RoiWarp
from ..noise import smooth_noise
from ..regions import area_mask, face_mask
from ..timing import loop_frequency

WIND = {"left": -1.0, "right": 1.0}


class Hair(Effect):
    at_rest = True

    def __init__(self, spec, scene, index: int):
        super().__init__(spec, scene, index)
        rng = scene.rng(index)
        w, h = scene.size
        self.empty = True
        if spec.strength <= 0:  # strength 0: the photo stays still
            return
        if scene.faces:
            # The band around each face; a given region (the director passes "subject") or an
            # analysis "hair" mask only limits it, so a whole body never sways.
            mask, reach, scale = _around_faces(scene)
            limit = spec.region.name if spec.region is not None else None
            if spec.region is not None or scene.analysis.mask("hair") is not None:
                given = area_mask(spec.region, scene, "hair", protect_faces=False)
                if given.max() > 0.5:
                    mask = mask * np.clip(cv2.dilate(given, np.ones((9, 9), np.uint8)) * 1.5, 0, 1)
            if limit is None:
                subject = scene.mask_at_canvas("subject")
                if subject is not None and subject.max() > 0.5:
                    mask = mask * np.clip(cv2.dilate(subject, np.ones((9, 9), np.uint8)) * 1.5, 0, 1)
        elif spec.region is not None and spec.region.name != "subject":
            # No face to anchor to: sway the region the user gave, evenly inside it.
            mask = area_mask(spec.region, scene, None, protect_faces=False)
            reach = np.clip(cv2.GaussianBlur(mask, (0, 0), 3), 0, 1)
            scale = 0.25 * min(w, h)  # about a face's size
        else:
            return
        if spec.freeze is not None:
            mask = mask * area_mask(None, scene, None, freeze=spec.freeze, protect_faces=False)
        # Never the face: its feathered ellipse is cut out of the mask and of the motion.
        keep_still = face_mask(scene, grow=1.05, feather=0.2) if scene.faces else np.zeros((h, w), np.float32)
        mask = mask * (1.0 - keep_still)
        amp = (0.1 + 0.3 * spec.strength) * scale * 0.1  # px at the tips: subtle
        margin = int(2 * amp) + 2
        self.warp = RoiWarp(mask, margin=margin)
        if self.warp.empty:
            return
        self.empty = False
        lw, lh = self.warp.low_size
        weight = self.warp.low(reach * (1.0 - keep_still)) * np.clip(self.warp.low(mask) * 2, 0, 1)
        wind = WIND.get(spec.direction or "", rng.choice([-1.0, 1.0]))
        osc = Oscillation((lh, lw))
        for hz, share in ((0.3, 1.0), (0.55, 0.5), (1.1, 0.2)):
            omega = loop_frequency(hz * spec.speed, scene.duration, scene.plan.loop)
            phase = 2.5 * smooth_noise(rng, (lh, lw), max(3.0, lw / 6))
            a = (amp * share * weight).astype(np.float32)
            osc.add(omega, (wind * a).astype(np.float32), (0.35 * a).astype(np.float32), phase.astype(np.float32))
        self.osc = osc

    def draw(self, frame: np.ndarray, t: float, amount: float, view=None) -> None:
        if not self.empty:
            self.warp.composite(frame, self.warp.warp(frame, self.osc.at(t), self.warp.bufs[0]), amount)


def _around_faces(scene):
    """(mask, reach, scale): a soft band around each face, how far each pixel is from the face
    (0 at the face edge, 1 at the band's edge), and the largest face size in pixels."""
    w, h = scene.size
    mask = np.zeros((h, w), np.float32)
    reach = np.zeros((h, w), np.float32)
    scale = 0.0
    for face in scene.faces:
        x, y, fw, fh = face.box
        cx, cy = (x + fw / 2) * w, (y + fh / 2) * h
        ax, ay = fw * w / 2, fh * h / 2
        scale = max(scale, 2 * max(ax, ay))
        pad = int(2.2 * max(ax, ay)) + 2
        x0, x1 = int(max(0, cx - pad)), int(min(w, cx + pad))
        y0, y1 = int(max(0, cy - 1.6 * ay - 2)), int(min(h, cy + 2.2 * ay))
        if x0 >= x1 or y0 >= y1:
            continue
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        # Distance in face radii from a centre a little above the face's (hair sits high).
        r = np.sqrt(((xx - cx) / ax) ** 2 + ((yy - (cy - 0.15 * ay)) / (1.1 * ay)) ** 2)
        band = np.clip((1.9 - r) / 0.4, 0, 1) * np.clip((r - 0.9) / 0.2, 0, 1)
        # Below the chin only beside the neck (long hair), not on the chest.
        below = np.clip((yy - (cy + ay)) / (0.4 * ay), 0, 1)
        beside = np.clip((np.abs(xx - cx) - 0.6 * ax) / (0.3 * ax), 0, 1)
        band *= 1.0 - below * (1.0 - beside)
        band *= _hair_colour(scene.image, (x0, y0, x1, y1), (cx, cy, ax, ay))
        np.maximum(mask[y0:y1, x0:x1], band, out=mask[y0:y1, x0:x1])
        np.maximum(reach[y0:y1, x0:x1], np.clip((r - 0.9) / 1.0, 0, 1) * (band > 0), out=reach[y0:y1, x0:x1])
    return mask, cv2.GaussianBlur(reach, (0, 0), 2), max(scale, 1.0)


def _hair_colour(image: np.ndarray, box, face) -> np.ndarray:
    """0..1 per pixel of box: how close its colour is to the hair just above the forehead.

    The sample is a thin strip at the top of the face box (the hairline); a bald head or a hat
    gives a loose colour model, which the band's shape still limits.
    """
    x0, y0, x1, y1 = box
    cx, cy, ax, ay = face
    h, w = image.shape[:2]
    sx0, sx1 = int(max(0, cx - 0.5 * ax)), int(min(w, cx + 0.5 * ax))
    sy0, sy1 = int(max(0, cy - 1.15 * ay)), int(max(1, min(h, cy - 0.85 * ay)))
    lab = cv2.cvtColor(np.ascontiguousarray(image[y0:y1, x0:x1]), cv2.COLOR_RGB2LAB).astype(np.float32)
    sample = cv2.cvtColor(np.ascontiguousarray(image[sy0:sy1, sx0:sx1]), cv2.COLOR_RGB2LAB).reshape(-1, 3).astype(np.float32)
    if sample.shape[0] < 4:
        return np.ones(lab.shape[:2], np.float32)
    mean = np.median(sample, axis=0)
    spread = sample.std(axis=0) + np.array([12.0, 6.0, 6.0], np.float32)
    d = np.sqrt((((lab - mean) / spread) ** 2).sum(axis=2))
    similar = np.clip((3.0 - d) / 1.5, 0, 1)
    return cv2.GaussianBlur(similar, (0, 0), max(1.0, 0.03 * ax))
