"""Shared looping-warp machinery for scene effects (water, clouds, foliage, fire, hair).

Two kinds of motion, both drawn as one backward warp (cv2.remap) of the region's bounding box:

* Flowing motion (water, clouds, flames): a constant flow field F (pixels per second) is
  integrated over time. Texture carried along F for long would stretch and smear, so, as in
  Holynski et al. ("Animating Pictures with Eulerian Motion Fields", CVPR 2021), two copies
  of the photo are advected with ages half a period apart and cross-faded: each copy is shown
  mostly while young. Ages run from -P/2 to +P/2 (symmetric about 0), and the copy of age 0
  has full weight, so at t = 0 the frame is exactly the photo and the motion repeats with
  period P (chosen to divide the clip length when the plan loops).
* Oscillating motion (sway, ripples, breeze): a displacement D(x, t) = sum of waves minus its
  value at t = 0, so frame 0 is the photo and, with whole cycles per clip, the loop closes.
* Water (LayeredFlow) uses both: its fine texture flows (two phases), its broad layer and what
  must stay whole (reflected edges, compact features) only ripple, so nothing is seen twice.

Displacements are built at low resolution (FIELD_SCALE of the canvas) and upsampled per
frame; the warp and blend only touch the region's bounding box, in uint8, into buffers made
once in __init__.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from ..timing import smoothstep
from .image import FIELD_SCALE

PLATEAU = 0.125  # a copy shows alone while |age| < PLATEAU * P (one warp per frame then)


def two_phases(t: float, period: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """((age0, weight0), (age1, weight1)) in seconds: ages in [-P/2, P/2), weights summing to 1.

    A copy has full weight while young (|age| < P/8), fades out smoothly until |age| = 3P/8
    and is invisible after, while the other copy, half a period apart, fades in. Half the
    time only one copy shows (half the cost), and no copy is seen older than 3P/8 (less
    stretch). At t = 0 copy 0 has age 0 and weight 1: the photo itself.
    """
    a0 = (t / period + 0.5) % 1.0 - 0.5  # 0 at t = 0
    a1 = (a0 + 1.0) % 1.0 - 0.5
    w0 = 1.0 - float(smoothstep(PLATEAU, 0.5 - PLATEAU, abs(a0)))
    return (a0 * period, w0), (a1 * period, 1.0 - w0)


def fill_outside(image: np.ndarray, mask: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """A copy of image whose pixels outside mask are filled from the region (inpainted at low
    resolution), so a warp that samples past the region's edge picks up region colours."""
    h, w = mask.shape
    s = min(1.0, 256.0 / max(h, w))
    size = (max(2, round(w * s)), max(2, round(h * s)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    inside = cv2.resize(mask, size, interpolation=cv2.INTER_AREA) > threshold
    if not inside.any():
        return image.copy()
    filled = cv2.inpaint(small, (~inside).astype(np.uint8), 5, cv2.INPAINT_TELEA)
    filled = cv2.GaussianBlur(filled, (0, 0), 2)
    big = cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR)
    keep = (mask > threshold)[..., None]
    return np.where(keep, image, big)


class RoiWarp:
    """Backward warp of one region's bounding box with a low-resolution displacement field.

    mask: canvas-size float32 0..1, where the warped image is shown (soft edges blend).
    margin: extra pixels around the mask's box (how far content may move in).
    """

    def __init__(self, mask: np.ndarray, margin: int = 0, threshold: float = 0.004):
        h, w = mask.shape
        ys, xs = np.nonzero(mask > threshold)
        self.empty = ys.size == 0
        if self.empty:
            return
        x0, x1 = max(0, xs.min() - margin), min(w, xs.max() + 1 + margin)
        y0, y1 = max(0, ys.min() - margin), min(h, ys.max() + 1 + margin)
        self.box = (x0, y0, x1, y1)
        rw, rh = x1 - x0, y1 - y0
        self.roi_size = (rw, rh)
        self.low_size = (max(2, round(rw * FIELD_SCALE)), max(2, round(rh * FIELD_SCALE)))
        # Identity map of the box in absolute canvas coordinates: remap reads the whole frame.
        gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float32), np.arange(y0, y1, dtype=np.float32))
        self.grid = np.dstack([gx, gy])
        self.map = np.empty_like(self.grid)
        m = np.clip(mask[y0:y1, x0:x1], 0, 1).astype(np.float32)
        self.alpha = np.ascontiguousarray(m)
        self.beta = np.ascontiguousarray(1.0 - m)
        self.bufs = [np.empty((rh, rw, 3), np.uint8) for _ in range(3)]

    def hold(self, still: np.ndarray) -> None:
        """Show the photo, not the warp, where still (canvas-size 0..1) is: those things stay put."""
        x0, y0, x1, y1 = self.box
        self.alpha = np.ascontiguousarray(self.alpha * (1.0 - np.clip(still[y0:y1, x0:x1], 0, 1)))
        self.beta = np.ascontiguousarray(1.0 - self.alpha)

    def low(self, full: np.ndarray, interpolation=cv2.INTER_AREA) -> np.ndarray:
        """A canvas-size map cut to the box and brought to the low resolution."""
        x0, y0, x1, y1 = self.box
        return cv2.resize(np.ascontiguousarray(full[y0:y1, x0:x1]), self.low_size, interpolation=interpolation)

    def low_coords(self) -> tuple[np.ndarray, np.ndarray]:
        """Canvas pixel coordinates (x, y) of the low-resolution samples."""
        x0, y0, x1, y1 = self.box
        lw, lh = self.low_size
        xs = x0 + (np.arange(lw, dtype=np.float32) + 0.5) * (x1 - x0) / lw - 0.5
        ys = y0 + (np.arange(lh, dtype=np.float32) + 0.5) * (y1 - y0) / lh - 0.5
        return np.meshgrid(xs, ys)

    def warp(self, src: np.ndarray, disp_low: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out (box-size uint8) = src sampled at (box pixel + displacement); disp_low is low-res x/y."""
        cv2.resize(disp_low, self.roi_size, dst=self.map, interpolation=cv2.INTER_LINEAR)
        cv2.add(self.map, self.grid, dst=self.map)
        cv2.remap(src, self.map, None, cv2.INTER_LINEAR, dst=out, borderMode=cv2.BORDER_REFLECT)
        return out

    def composite(self, frame: np.ndarray, warped: np.ndarray, amount: float = 1.0) -> None:
        """frame's box = warped where the mask is 1, unchanged where it is 0 (in place).

        amount < 1 fades the effect (start/end of an effect's time span).
        """
        x0, y0, x1, y1 = self.box
        roi = frame[y0:y1, x0:x1]
        if amount < 1.0:
            warped = cv2.addWeighted(warped, amount, roi, 1.0 - amount, 0.0)
        roi[...] = cv2.blendLinear(warped, roi, self.alpha, self.beta)


class FlowLoop:
    """Looping advection along a constant flow field, two phases cross-faded (see module doc).

    flow_low: low-resolution (RoiWarp.low_size) float32 h x w x 2, canvas pixels per second.
    extra(t) -> low-res displacement added to both phases (ripples, licking), or None.
    """

    def __init__(self, warp: RoiWarp, flow_low: np.ndarray, period: float, extra=None, image: np.ndarray | None = None):
        self.warp = warp
        self.flow = np.ascontiguousarray(flow_low.astype(np.float32))
        self.period = period
        self.extra = extra
        self.tmp = np.empty_like(self.flow)
        # A plain cross-fade of two unrelated textures halves their contrast mid-way, so the
        # water pulses dull and sharp. Given the photo, the blend keeps the texture's contrast:
        # out = blend + (k - 1) c (blend - mean), k = 1 / sqrt(w0^2 + w1^2), mean = the photo's
        # local mean, c = how unrelated the two copies are there (1 where they are displaced by
        # more than a few pixels from each other, 0 where the flow is still: boosting two
        # identical copies would only sharpen edges such as a shoreline).
        self.mean = None
        if image is not None:
            x0, y0, x1, y1 = warp.box
            sigma = max(2.0, 0.01 * max(image.shape[:2]))
            self.mean = cv2.GaussianBlur(image[y0:y1, x0:x1], (0, 0), sigma).astype(np.int16)
            apart = np.hypot(self.flow[..., 0], self.flow[..., 1]) * period / 2  # px between copies
            c = np.clip(apart / 6.0, 0.0, 1.0)
            c = cv2.resize(c, warp.roi_size, interpolation=cv2.INTER_LINEAR)
            self.unrelated = np.round(cv2.merge([c, c, c]) * 256).astype(np.int16)
            self.sum16 = np.empty(self.mean.shape, np.int16)
            self.diff16 = np.empty(self.mean.shape, np.int16)

    def render(self, src: np.ndarray, t: float) -> np.ndarray:
        """The advected box at time t (uint8, box-size; a buffer of the RoiWarp)."""
        w = self.warp
        extra = self.extra(t) if self.extra is not None else None
        outs = []
        for (age, weight), buf in zip(two_phases(t, self.period), w.bufs[:2]):
            if weight <= 1e-3:
                continue
            # Content moves along F: the pixel at x shows what was at x - F * age.
            cv2.multiply(self.flow, -age, dst=self.tmp)
            if extra is not None:
                cv2.add(self.tmp, extra, dst=self.tmp)
            outs.append((w.warp(src, self.tmp, buf), weight))
        if len(outs) == 1:
            return outs[0][0]
        (a, wa), (b, wb) = outs
        if self.mean is None:
            return cv2.addWeighted(a, wa, b, wb, 0.0, dst=w.bufs[2])
        k = 1.0 / math.sqrt(wa * wa + wb * wb)
        cv2.addWeighted(a, wa, b, wb, 0.0, dst=self.sum16, dtype=cv2.CV_16S)
        cv2.subtract(self.sum16, self.mean, dst=self.diff16)
        cv2.multiply(self.diff16, self.unrelated, dst=self.diff16, scale=(k - 1.0) / 256.0)
        return cv2.add(self.sum16, self.diff16, dst=w.bufs[2], dtype=cv2.CV_8U)


class LayeredFlow:
    """Flowing water without doubles: the photo split in two layers, only the fine one flows.

    The broad layer (a blur of the photo: reflections, colour, light) plus whatever must stay whole
    (`still`, 0..1: distinct features such as a boat or a lamp's reflection, and the upright edges
    of reflected things) only ripples: one warp by ripple(t). The fine layer elsewhere (wave
    texture, foam) flows along flow_low with two cross-faded phases (FlowLoop's scheme, with its
    contrast kept). Two copies of a reflection, a post or the sun's glitter are never blended, so
    nothing is ghosted: a reflection ripples, the water's texture flows past it.
    """

    def __init__(self, warp: RoiWarp, flow_low: np.ndarray, period: float, ripple, image: np.ndarray,
                 sigma: float, still: np.ndarray):
        self.warp = warp
        self.flow = np.ascontiguousarray(flow_low.astype(np.float32))
        self.period = period
        self.ripple = ripple
        self.tmp = np.empty_like(self.flow)
        broad = cv2.GaussianBlur(image, (0, 0), sigma)
        fine = cv2.subtract(image, broad, dtype=cv2.CV_16S)
        keep = np.clip(still, 0, 1).astype(np.float32)
        keep3 = cv2.merge([keep, keep, keep])
        kept_fine = cv2.multiply(fine, keep3, dtype=cv2.CV_16S)
        # What only ripples, and what flows (zero-mean, stored as uint8 around 128: warps of uint8
        # images cost half those of int16 ones).
        self.rippled = cv2.add(broad, kept_fine, dtype=cv2.CV_8U)
        self.flowing = cv2.add(cv2.subtract(fine, kept_fine), 128, dtype=cv2.CV_8U)
        # Contrast kept in the cross-fade where the copies are unrelated (see FlowLoop).
        apart = np.hypot(self.flow[..., 0], self.flow[..., 1]) * period / 2
        c = cv2.resize(np.clip(apart / 6.0, 0.0, 1.0), warp.roi_size, interpolation=cv2.INTER_LINEAR)
        self.unrelated = np.round(cv2.merge([c, c, c]) * 256).astype(np.int16)
        rw, rh = warp.roi_size
        self.fine_bufs = [np.empty((rh, rw, 3), np.uint8) for _ in range(2)]
        self.fine = np.empty((rh, rw, 3), np.int16)
        self.boost = np.empty((rh, rw, 3), np.int16)

    def render(self, t: float) -> np.ndarray:
        """The water's box at time t (uint8, box-size; a buffer of the RoiWarp)."""
        w = self.warp
        ripple = self.ripple(t)
        base = w.warp(self.rippled, ripple, w.bufs[0])
        outs = []
        for (age, weight), buf in zip(two_phases(t, self.period), self.fine_bufs[:2]):
            if weight <= 1e-3:
                continue
            # The texture moves along F: the pixel at x shows what was at x - F * age (then rippled).
            cv2.scaleAdd(self.flow, -age, ripple, dst=self.tmp)
            outs.append((w.warp(self.flowing, self.tmp, buf), weight))
        if len(outs) == 1:
            return cv2.addWeighted(base, 1.0, outs[0][0], 1.0, -128.0, dst=w.bufs[2])
        (a, wa), (b, wb) = outs
        cv2.addWeighted(a, wa, b, wb, -128.0, dst=self.fine, dtype=cv2.CV_16S)
        k = 1.0 / math.sqrt(wa * wa + wb * wb)
        cv2.multiply(self.fine, self.unrelated, dst=self.boost, scale=(k - 1.0) / 256.0)
        cv2.add(self.fine, self.boost, dst=self.fine)
        return cv2.add(base, self.fine, dst=w.bufs[2], dtype=cv2.CV_8U)


class Oscillation:
    """D(x, t) = sum_i A_i(x) * (sin(w_i t + phi_i(x)) - sin(phi_i(x))), per axis, at low res.

    Stored as two fields per wave (A sin phi, A cos phi), so a frame costs a few
    multiply-adds: sin(wt + phi) = sin(wt) cos(phi) + cos(wt) sin(phi).
    """

    def __init__(self, shape: tuple[int, int]):
        self.shape = shape
        self.waves: list[tuple[float, np.ndarray, np.ndarray]] = []
        self.out = np.zeros(shape + (2,), np.float32)

    def add(self, omega: float, amp_x: np.ndarray, amp_y: np.ndarray, phase: np.ndarray) -> None:
        s, c = np.sin(phase).astype(np.float32), np.cos(phase).astype(np.float32)
        a_sin = np.dstack([amp_x * s, amp_y * s]).astype(np.float32)
        a_cos = np.dstack([amp_x * c, amp_y * c]).astype(np.float32)
        self.waves.append((omega, a_sin, a_cos))

    def at(self, t: float) -> np.ndarray:
        self.out[...] = 0.0
        for omega, a_sin, a_cos in self.waves:
            cv2.scaleAdd(a_sin, math.cos(omega * t) - 1.0, self.out, dst=self.out)
            cv2.scaleAdd(a_cos, math.sin(omega * t), self.out, dst=self.out)
        return self.out


def inside_distance(mask: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Distance (pixels) from each inside pixel to the region's edge; 0 outside."""
    binary = (mask > threshold).astype(np.uint8)
    return cv2.distanceTransform(binary, cv2.DIST_L2, 3)
