"""Depth from what things are (the idea of Hoiem et al.'s "Automatic Photo Pop-up", 2005).

With a segmentation that knows the ground: the sky is at infinity; the ground, floors, roads and
water are one plane rising from the horizon toward the bottom of the frame; everything else
(buildings, trees, people, furniture, rocks) stands upright on that plane at the depth of its
foot, each as a whole, with a gentle roundness so that it is not cardboard. With a network depth
(Depth Anything), its relative depth is kept and the semantic facts become constraints: the sky
stays farthest, and each person stays whole. Edges are snapped to the photo's edges.
"""

from __future__ import annotations

import cv2
import numpy as np

from .imaging import edge_guide, refine
from .labels import SCENE_CLASSES

FAR, NEAR = 0.06, 1.0  # nearness at the horizon and at the bottom row
ROUNDNESS = 0.06  # how far the middle of an upright thing bulges toward the viewer
MIN_PART = 0.001  # parts smaller than this share of the photo follow their surroundings


def knows_ground(segmentation) -> bool:
    """Whether a segmentation tells the ground apart (a network does; the classical rules do not)."""
    ground = segmentation.get("ground")
    return ground is not None and bool(ground.any())


def horizon_row(ground: np.ndarray, sky: np.ndarray, default: float) -> float:
    """The horizon (fraction of the height): where the far edge of the ground lies, else just
    below the sky, else the default."""
    h, w = ground.shape
    hard = ground > 0.5
    cols = hard.any(axis=0)
    if cols.mean() > 0.2:
        first = np.argmax(hard[:, cols], axis=0)  # the ground's top row per column
        return float(np.clip(np.percentile(first, 20) / h, 0.05, 0.95))
    sky_rows = np.nonzero((sky > 0.5).mean(axis=1) > 0.1)[0]
    if sky_rows.size:
        return float(min(0.95, (sky_rows.max() + 1) / h))
    return default


def plane(h: int, horizon: float) -> np.ndarray:
    """Nearness per row on a ground plane seen from eye level: FAR at the horizon, NEAR at the
    bottom, linear in between (inverse depth grows linearly below the horizon)."""
    ys = np.arange(h, dtype=np.float32) / max(h - 1, 1)
    below = np.clip((ys - horizon) / max(1e-3, 1.0 - horizon), 0.0, 1.0)
    return (FAR + (NEAR - FAR) * below).astype(np.float32)


def pop_up_depth(rgb: np.ndarray, segmentation, cues) -> np.ndarray:
    """Nearness (H x W float32, 0 far .. 1 near) built from a segmentation that knows the ground."""
    h, w = rgb.shape[:2]
    masks = {name: segmentation.get(name) for name in SCENE_CLASSES}
    masks = {k: (v if v is not None else np.zeros((h, w), np.float32)) for k, v in masks.items()}
    sky = masks["sky"]
    ground = np.maximum(masks["ground"], masks["water"])
    horizon = horizon_row(ground, sky, cues.horizon if cues is not None else 0.45)
    rows = plane(h, horizon)
    depth = np.repeat(rows[:, None], w, axis=1)

    # Everything that is neither sky nor ground stands on the ground: one part per class and
    # connected piece ("other" included), people as one level, the rest by the foot of each column.
    stack = np.stack([masks[name] for name in SCENE_CLASSES] + [np.full((h, w), 0.3, np.float32)])
    label = stack.argmax(axis=0)
    standing = np.zeros((h, w), bool)
    for index, name in enumerate(SCENE_CLASSES + ("other",)):
        if name in ("sky", "ground", "water"):
            continue
        count, parts, stats, _ = cv2.connectedComponentsWithStats((label == index).astype(np.uint8), connectivity=8)
        for i in range(1, count):
            x, y, bw, bh, area = stats[i]
            if area < MIN_PART * h * w:
                continue
            part = parts == i
            standing |= part
            _stand(depth, part, rows, (x, y, bw, bh), whole=(name == "person"))
    depth = np.where(sky > 0.5, 0.0, depth).astype(np.float32)
    guide = cues.snap if cues is not None and cues.snap is not None else edge_guide(rgb)
    depth = refine(guide, depth)
    depth *= 1.0 - sky
    top = float(depth.max())
    return (depth / top if top > 1e-6 else depth).astype(np.float32)


def _stand(depth: np.ndarray, part: np.ndarray, rows: np.ndarray, box, whole: bool) -> None:
    """Stand one part on the ground plane, in place: at its foot, rounded a little."""
    x, y, bw, bh = box
    sub = part[y:y + bh, x:x + bw]
    # The lowest row of the part in each of its columns: where it meets the ground.
    lowest = np.where(sub.any(axis=0), bh - 1 - np.argmax(sub[::-1], axis=0), -1) + y
    valid = lowest >= y
    if whole:
        level = np.full(bw, rows[int(np.percentile(lowest[valid], 90))], np.float32)
    else:
        # A wall seen at an angle has its foot at different rows: follow it, without the jaggies
        # of a ragged bottom edge (grass in front of it).
        foot = np.interp(np.arange(bw), np.nonzero(valid)[0], lowest[valid]).astype(np.float32)
        k = max(3, (bw // 8) | 1)
        foot = cv2.blur(cv2.medianBlur(foot.reshape(1, -1).astype(np.uint16), min(k, 5)).astype(np.float32), (k, 1))[0]
        level = rows[np.clip(foot.round().astype(int), 0, len(rows) - 1)]
    dist = cv2.distanceTransform(sub.astype(np.uint8), cv2.DIST_L2, 3)
    bulge = np.sqrt(dist / (float(dist.max()) + 1e-6)) * ROUNDNESS
    region = depth[y:y + bh, x:x + bw]
    region[sub] = np.minimum(1.0, np.broadcast_to(level[None, :], sub.shape)[sub] + bulge[sub])


def constrain(nearness: np.ndarray, segmentation, cues) -> np.ndarray:
    """A network's relative depth with the semantic facts kept: the sky farthest, people whole."""
    h, w = nearness.shape
    out = nearness.astype(np.float32).copy()
    sky = segmentation.get("sky") if segmentation is not None else None
    person = segmentation.get("person") if segmentation is not None else None
    if person is not None and person.any():
        hard = (person > 0.5).astype(np.uint8)
        count, parts, stats, _ = cv2.connectedComponentsWithStats(hard, connectivity=8)
        for i in range(1, count):
            if stats[i, cv2.CC_STAT_AREA] < MIN_PART * h * w:
                continue
            part = parts == i
            dist = cv2.distanceTransform(part.astype(np.uint8), cv2.DIST_L2, 3)
            bulge = np.sqrt(dist / (float(dist.max()) + 1e-6)) * ROUNDNESS * 0.5
            out[part] = float(np.median(nearness[part])) + bulge[part]
        guide = cues.snap if cues is not None and cues.snap is not None else None
        if guide is not None:
            out = refine(guide, out)
    if sky is not None and sky.any():
        rest = out[sky < 0.5]
        floor = float(rest.min()) if rest.size else 0.0
        # Lift everything that is not sky a little above the sky, which goes to zero.
        out = np.where(sky > 0.5, 0.0, 0.05 + 0.95 * (out - floor) / max(1e-6, float(out.max()) - floor))
        out = out * (1.0 - sky)
    return np.clip(out, 0.0, 1.0).astype(np.float32)
