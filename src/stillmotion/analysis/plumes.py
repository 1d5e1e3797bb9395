"""Where steam and smoke can rise from: the plausible sources in a source mask.

plume_sources(mask, sky) finds the sources in a source mask (a cup's liquid, a chimney top, a
vent) and says why there is none when none is plausible: a plume needs a compact source with
room above it, below the sky. It lives with the analysis because two layers ask it the same
question: the director before it plans steam or smoke (from the analysis' "steam_source" or
"fire" map), and the steam and smoke effects about the region they are given.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MAX_PLUMES = 4
MAX_SOURCE_SHARE = 0.15  # a "source" larger than this share of the frame is a surface, not a source
MIN_SOURCE_SHARE = 0.00005


@dataclass(frozen=True)
class Source:
    """A plume's source in the coordinates of the mask it was found in (pixels)."""

    x: float  # centre
    y: float  # where the plume starts: the middle of the source (a liquid's surface, a vent)
    width: float
    height: float
    top: float


def plume_sources(mask: np.ndarray | None, sky: np.ndarray | None = None, threshold: float = 0.4) -> tuple[list[Source], str]:
    """The plausible sources of a source mask (largest first, at most MAX_PLUMES), and when there
    are none, a plain-words reason ("" when some were found)."""
    if mask is None or float(mask.max(initial=0.0)) <= threshold:
        return [], "no source of steam or smoke (a cup, a chimney, a vent) was found"
    h, w = mask.shape
    # Parts a little apart are one source (the two edges of a chimney's top, a cup's rim and its liquid).
    inside = (mask > threshold).astype(np.uint8)
    k = max(3, int(0.05 * max(h, w)) | 1)
    grouped = cv2.morphologyEx(inside, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(grouped)
    sky_map = None if sky is None else cv2.resize(sky.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA)
    found, reasons = [], set()
    for label in np.argsort(-stats[1:, cv2.CC_STAT_AREA]) + 1:
        x, y, bw, bh, area = (int(v) for v in stats[label])
        share = area / float(h * w)
        if share < MIN_SOURCE_SHARE:
            continue
        if share > MAX_SOURCE_SHARE:
            reasons.add("the source region is a whole surface, not a cup, chimney or vent")
            continue
        if y + 0.5 * bh < 0.04 * h:
            reasons.add("the source touches the top of the frame: no room for a plume to rise")
            continue
        if sky_map is not None and float(sky_map[labels == label].mean()) > 0.5:
            reasons.add("the source region is in the sky")
            continue
        found.append(Source(x=float(centroids[label][0]), y=float(y + 0.5 * bh), width=float(bw), height=float(bh), top=float(y)))
    # A source under another one (the gallery below a chimney's top) would rise through it: keep the upper.
    found = [s for s in found if not any(o.top < s.top and abs(o.x - s.x) <= 0.5 * (o.width + s.width) for o in found)]
    if found:
        return found[:MAX_PLUMES], ""
    return [], "; ".join(sorted(reasons)) or "the source region is too small to rise from"
