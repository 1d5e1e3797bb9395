"""Two layers for depth parallax without crumbs: the photo split near from far at depth edges.

Built once per video from the canvas image, its depth (nearness) and how far the camera's
parallax ever moves near things against far ones (`reach`, pixels):

- front: the photo, premultiplied RGBA. It is transparent on the far side of every depth
  discontinuity, out to `band` pixels from the near object, where the back layer shows instead.
  At the near object's outline its alpha is a soft matte snapped to the photo's colour edges at
  full resolution (a guided filter of the depth's near side), so the whole anti-aliased edge goes
  with the object, and the edge's colour is unmixed from what was behind it.
- back: the photo with the near side of every discontinuity, plus a margin, removed and filled
  from far-side pixels only: each removed pixel takes the far-side pixel mirrored across the
  nearest point of the outline, so stripes, brick, foliage and water keep their texture.
- a depth for each layer, made continuous on purpose: the front's depth carries the near
  object's nearness out over its transparent band, the back's carries the far side's nearness in
  under the near object. So each layer reprojects through a smooth map: nothing tears, and no
  pixel of an edge is left behind on the far layer.

Composited per frame as front + (1 - front alpha) x back (parallax.py). At rest the composite is
the photo exactly (up to rounding): front = photo - (1 - alpha) x back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..analysis.imaging import GuidedFilter, crisp

JUMP = 0.12  # a nearness step this large within a few pixels is an object's edge, not a slope
WORK_SIDE = 640  # long side of the grid the depth analysis runs on


@dataclass
class Layers:
    front: np.ndarray  # H x W x 4 uint8: premultiplied colour and alpha
    back: np.ndarray  # H x W x 4 uint8: the filled far layer (alpha 255)
    front_depth: np.ndarray  # work-size float32 nearness, continuous
    back_depth: np.ndarray  # work-size float32 nearness, continuous
    alpha: np.ndarray  # H x W float32: the front's alpha (0..1)
    filled: np.ndarray  # H x W bool: where the back layer is fill rather than the photo
    fill: np.ndarray  # the fill's pixels (N x 3 uint8), in the order of filled's True entries

    def from_source(self, source: np.ndarray, front: np.ndarray, back: np.ndarray) -> None:
        """Both layers of a changed photo (scene effects moved water or clouds): the same split and
        fill, the source's pixels everywhere else. Writes into front and back (H x W x 4)."""
        cv2.cvtColor(source, cv2.COLOR_RGB2RGBA, dst=back)
        back[self.filled, :3] = self.fill
        _premultiply(source, self.alpha, back, front)


def _premultiply(image: np.ndarray, alpha: np.ndarray, back: np.ndarray, front: np.ndarray) -> None:
    """front = image - (1 - alpha) x back (what the front must add over the back to give the
    image at rest), with alpha in the fourth channel."""
    behind = back[..., :3].astype(np.float32) * (1.0 - alpha)[..., None]
    colour = np.clip(image.astype(np.float32) - behind, 0.0, 255.0)
    front[..., :3] = np.round(colour).astype(np.uint8)
    front[..., 3] = np.round(alpha * 255.0).astype(np.uint8)


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _nearest(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance (pixels) from every pixel to the nearest True pixel of mask, and that pixel's flat index."""
    distance, labels = cv2.distanceTransformWithLabels((~mask).astype(np.uint8), cv2.DIST_L2, 5,
                                                       labelType=cv2.DIST_LABEL_PIXEL)
    # Labels number the mask's pixels in raster order, from 1.
    return distance, np.flatnonzero(mask.ravel())[labels.ravel() - 1].reshape(mask.shape)


def _ellipse(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def mirror_fill(image: np.ndarray, hole: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Colours for the hole's pixels (N x 3, raster order) from known pixels only: each takes the
    known pixel mirrored across its nearest known pixel (texture continues into the hole), or that
    nearest pixel where the mirror point is not known."""
    height, width = hole.shape
    _, nearest = _nearest(known)
    ys, xs = np.nonzero(hole)
    by, bx = np.divmod(nearest[ys, xs], width)
    my, mx = 2 * by - ys, 2 * bx - xs
    inside = (my >= 0) & (my < height) & (mx >= 0) & (mx < width)
    my, mx = np.where(inside, my, by), np.where(inside, mx, bx)
    usable = known[my, mx]
    return np.where(usable[:, None], image[my, mx], image[by, bx])


def build_layers(image: np.ndarray, depth: np.ndarray, reach: float) -> Layers | None:
    """The two layers of a photo whose depth has discontinuities (None when it has none).

    reach: the largest on-screen displacement of the nearest things against the farthest over the
    whole camera path, in canvas pixels: what the back layer must be able to show behind an edge."""
    height, width = depth.shape
    f = min(1.0, WORK_SIDE / max(height, width))
    work = (max(8, round(width * f)), max(8, round(height * f)))
    d = cv2.resize(depth.astype(np.float32), work, interpolation=cv2.INTER_AREA)

    # 1. Depth edges: a nearness step of JUMP within a few pixels; their near and far sides.
    r = max(1, round(max(work) / 200))
    top, bottom = cv2.dilate(d, _ellipse(r)), cv2.erode(d, _ellipse(r))
    edge = (top - bottom) > JUMP
    if not edge.any():
        return None
    near_edge = edge & (d > (top + bottom) / 2)
    far_edge = edge & ~near_edge
    if not near_edge.any() or not far_edge.any():
        return None

    # 2. Bands: the back layer must be right up to `reach` behind a near object (r1), and each
    # layer's depth then returns to the photo's over a ramp wide enough never to fold (r2).
    margin = max(2.0, 0.004 * max(width, height))
    r1 = (reach + margin) * f
    r2 = r1 + (1.5 * reach + 2 * margin) * f
    dist_near, nearest_near = _nearest(near_edge)
    dist_far, nearest_far = _nearest(far_edge)
    sigma = max(1.0, r1 / 4)
    depth_near = cv2.GaussianBlur(d.ravel()[nearest_near].reshape(d.shape), (0, 0), sigma)
    depth_far = cv2.GaussianBlur(d.ravel()[nearest_far].reshape(d.shape), (0, 0), sigma)
    zone = (dist_near < r2) | (dist_far < r2)
    near_side = zone & (d >= (depth_near + depth_far) / 2)
    far_side = zone & ~near_side

    # 3. Continuous depths: the front keeps the near object's nearness across its transparent
    # band and returns to the photo's before its alpha does; the back keeps the far side's
    # nearness under the near object out to r1, then climbs back to the photo's by r2.
    r_front = 0.75 * r2
    s = _smoothstep((dist_near - margin * f) / max(r_front - margin * f, 1.0))
    front_depth = np.where(far_side, np.maximum(d, depth_near * (1 - s) + d * s), d)
    s = _smoothstep((dist_far - r1) / max(r2 - r1, 1.0))
    back_depth = np.where(near_side, np.minimum(d, depth_far * (1 - s) + d * s), d)
    front_depth = cv2.GaussianBlur(front_depth.astype(np.float32), (0, 0), 1.0)
    back_depth = cv2.GaussianBlur(back_depth.astype(np.float32), (0, 0), 1.0)

    # 4. The matte at full resolution: the near side, snapped to the photo's colour edges.
    size = (width, height)
    near_full = cv2.resize(near_side.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)
    radius = max(2, round(max(width, height) / 320))
    snap = GuidedFilter(image.astype(np.float32) / 255.0, radius, 1e-3, subsample=1)
    matte = crisp(np.clip(snap(near_full), 0.0, 1.0))
    # The front turns opaque again at the far end of its band, where both layers agree.
    dist_near_full = cv2.resize(dist_near, size, interpolation=cv2.INTER_LINEAR) / f
    far_full = cv2.resize(far_side.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool)
    back_again = _smoothstep((dist_near_full - r_front / f) / max((r2 - r_front) / f, 1.0))
    near_full = near_full > 0.5
    alpha = np.where(far_full, np.maximum(matte, back_again), np.where(near_full, matte, 1.0)).astype(np.float32)

    # 5. The back layer: what the matte holds (the near object and its edge) removed, plus a
    # margin so no colour of the near object leaks into the fill, filled from far-side pixels.
    # Where the matte is faint the photo stays: an unmixed colour would be unreliable there.
    filled = (matte > 0.1) & (near_full | far_full)
    m = max(1, math.ceil(margin))
    known = ~cv2.dilate(((matte > 0.004) | filled).astype(np.uint8), _ellipse(m)).astype(bool)
    if not known.any() or not filled.any():
        return None
    fill = mirror_fill(image, filled, known)
    back = cv2.cvtColor(image, cv2.COLOR_RGB2RGBA)
    back[filled, :3] = fill
    front = np.empty_like(back)
    _premultiply(image, alpha, back, front)
    return Layers(front=front, back=back, front_depth=front_depth, back_depth=back_depth, alpha=alpha,
                  filled=filled, fill=fill)
