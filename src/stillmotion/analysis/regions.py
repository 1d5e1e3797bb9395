"""Named regions from classical cues (no model): water, foliage, light, fire, steam sources.

find_regions(rgb, analysis) works on the small analysis-resolution copy of the photo and
returns soft float32 masks (0..1, feathered edges) of the same size. Each cue is a plain,
explainable score (colour, texture, orientation, position); a region is kept only when it
forms large enough connected parts, so a blue shirt is not a lake and one green pixel is not
a tree. Plants are sure where leaves' texture runs every way inside a part or a lawn lies wide
and low, or where a dark, finely textured band stands on the skyline (a far treeline loses its
green; bare crowns are grey or mauve, and where their band runs on into terraces or roofs, the
crowns are what hangs from the skyline in the colour of its edge), never where a part is as
vivid as a dyed cap nor in a smooth upright band joined to a part (a wall in shade beside the
grass); flowers are coloured blobs set among the leaves, with a cluster's fine detail when
larger than a flower head (a red shed is smooth). They grow into the weaker plant evidence
joined to them that is no brighter than they are, and the rest is offered as "unsure" (used
only when a sentence asks for plants). The pipeline calls the parts separately: water and
foliage through the classical segmentation (segmentation.py; water's rules in water.py),
light, fire and steam sources with find_sources.
"""

from __future__ import annotations

import cv2
import numpy as np

from .imaging import Measures, hue_near, is_grayscale, ramp
from .sky import loose_sky
from .water import Found, find_water, holes_filled

REGION_NAMES = ("water", "foliage", "light", "fire", "steam_source")
# A smooth upright band: narrower than this share of the photo's width, with a fine texture
# under this share of the rest of its plant part's.
BAND_WIDTH, SMOOTHER = 0.05, 0.7
WEAK_PLANT = 0.25  # plant evidence this weak counts only where it joins plants found (0.3 finds them)
# Crowns against the sky: their band's top edge is the rows this share of the height under the
# sky; bare branches have a Lab chroma under BARE_CHROMA (kodak08's frosted trees: 6 to 13).
CROWN_EDGE, BARE_CHROMA = 0.04, 15.0
# A coloured blob among the leaves larger than this share of the photo is a flower only with at
# least this mean every-way detail (kodak22: its red shed 0.22, the shed mirrored in the pond under 0.2).
FLOWER_HEAD, FLOWER_DETAIL = 0.001, 0.35
# Trees on the skyline stand out from buildings by the oblique share of their edges
# (Measures.oblique): the median over the shared photos' plants is 0.28 to 0.31, over their
# buildings 0.19 to 0.26, over a drawn skyline of window rows 0.17 to 0.23.
OBLIQUE_LEAVES = 0.26


def find_regions(rgb: np.ndarray, analysis=None) -> dict[str, np.ndarray]:
    """Soft masks "water", "foliage", "light", "fire", "steam_source" for an RGB uint8 image.

    analysis (optional) supplies the sky mask and faces found earlier; without a sky there,
    the looser sky.loose_sky stands for it; without faces, none is excluded.
    """
    _check(rgb)
    h, w = rgb.shape[:2]
    m = Measures(rgb)
    sky = _given_sky(analysis, (h, w))
    if sky is None:
        loose = loose_sky(rgb, m)
        sky = loose if (loose > 0.5).mean() > 0.01 else None
    keep = 1.0 - people_mask(analysis, (h, w))
    found = classical_regions(rgb, sky, m)
    out = {"water": found["water"].mask * keep, "foliage": found["foliage"].mask * keep}
    out.update(find_sources(rgb, sky if sky is not None else loose_sky(rgb, m), m))
    return {k: np.clip(out[k], 0, 1).astype(np.float32) for k in REGION_NAMES}


def classical_regions(rgb: np.ndarray, sky: np.ndarray | None, m: Measures | None = None) -> dict[str, Found]:
    """Foliage and water by the classical rules. sky: the analysis's sky, or None for none found
    (then a looser sky keeps sky-like areas out of both, and water has no horizon)."""
    _check(rgb)
    m = m or Measures(rgb)
    kept_out = sky if sky is not None else loose_sky(rgb, m)
    lights = _light(m, kept_out, np.zeros((m.h, m.w), np.float32))
    foliage, treeline, crowns = _foliage(m, kept_out, has_skyline=sky is not None)
    green = foliage.mask if foliage.unsure is None else np.maximum(foliage.mask, foliage.unsure)
    # Crowns found only by their likeness to the skyline's are no argument against water: their
    # reflection below them is as like them.
    green = green * (1.0 - crowns)
    water = find_water(rgb, sky if sky is not None else np.zeros((m.h, m.w), np.float32), green, m, lights)
    # A treeline standing on the skyline is the trees themselves (their reflection lies below
    # them); elsewhere trees mirrored in a pond are water, not trees.
    water.mask = water.mask * (1.0 - treeline)
    dry = 1.0 - water.mask
    unsure = None if foliage.unsure is None else foliage.unsure * dry
    return {"foliage": Found(foliage.mask * dry, unsure, foliage.notes), "water": water}


def find_sources(rgb: np.ndarray, sky: np.ndarray, m: Measures | None = None) -> dict[str, np.ndarray]:
    """Light sources, fire and steam sources (soft masks at rgb's size), given the sky mask."""
    m = m or Measures(rgb)
    fire = _fire(m)
    return {"light": _light(m, sky, fire), "fire": fire, "steam_source": _steam_sources(m, sky)}


def _check(rgb: np.ndarray) -> None:
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"find_regions needs an H x W x 3 uint8 RGB image, got {rgb.dtype} {rgb.shape}")


def _given_sky(analysis, shape) -> np.ndarray | None:
    sky = getattr(analysis, "sky", None)
    if sky is not None and sky.shape == shape and sky.max() > 0.2:
        return sky.astype(np.float32)
    return None


def _keep_large(score: np.ndarray, threshold: float, min_frac: float, cues: Measures, feather: float,
                min_width: float = 0.0, close_px: float = 5, fill_holes: float = 0.0,
                low_or_wide: bool = False) -> np.ndarray:
    """Threshold a score, keep connected parts of at least min_frac of the image, feather the edge.

    close_px closes gaps of about that size; fill_holes fills enclosed holes smaller than that
    fraction of the image (calm water between rapids).
    """
    binary = (score > threshold).astype(np.uint8)
    k = max(3, int(round(5 * cues.scale)) | 1)
    kc = max(3, int(round(close_px * cues.scale)) | 1)
    binary = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kc, kc)))
    binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    if fill_holes > 0:
        n, labels, stats, _ = cv2.connectedComponentsWithStats(1 - binary, connectivity=4)
        h, w = binary.shape
        for i in range(1, n):
            x, y, bw, bh, area = stats[i]
            if area < fill_holes * h * w and x > 0 and y > 0 and x + bw < w and y + bh < h:
                binary[labels == i] = 1
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    min_area = min_frac * cues.h * cues.w
    keep = np.zeros(n, np.uint8)
    keep[1:] = (stats[1:, cv2.CC_STAT_AREA] >= min_area) & (stats[1:, cv2.CC_STAT_WIDTH] >= min_width * cues.w)
    if low_or_wide:  # reaches the bottom of the photo, spans most of its width, or leaves the frame sideways
        bottom = stats[1:, cv2.CC_STAT_TOP] + stats[1:, cv2.CC_STAT_HEIGHT]
        left, width = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_WIDTH]
        sideways = (left <= 1) | (left + width >= cues.w - 1)
        keep[1:] &= (bottom >= 0.85 * cues.h) | (width >= 0.6 * cues.w) | sideways
    mask = keep[labels].astype(np.float32)
    return np.clip(cues.blur(mask, feather), 0.0, 1.0)


def people_mask(analysis, shape) -> np.ndarray:
    """Faces (ellipses) and, when there are faces, the subject: no water or plants there."""
    h, w = shape
    out = np.zeros(shape, np.float32)
    if analysis is None:
        return out
    for face in getattr(analysis, "faces", []) or []:
        x, y, fw, fh = face.box
        centre = (int((x + fw / 2) * w), int((y + fh / 2) * h))
        axes = (max(1, int(fw * w * 0.75)), max(1, int(fh * h * 0.8)))
        cv2.ellipse(out, centre, axes, 0, 0, 360, 1.0, -1)
    # The subject mask is a person only when there are faces; otherwise it may be the very
    # waterfall, tree or campfire the effect is for.
    subject = getattr(analysis, "subject", None)
    if subject is not None and subject.shape == shape and getattr(analysis, "faces", None):
        out = np.maximum(out, np.clip(subject.astype(np.float32), 0, 1))
    return out


def _foliage(cues: Measures, sky: np.ndarray, has_skyline: bool = True) -> tuple[Found, np.ndarray, np.ndarray]:
    """Leaves and grass (the sure parts), and green areas that may be plants (unsure); and among
    them the treeline on the skyline and the crowns like its top (both soft, 0..1; see
    _skyline_trees). has_skyline: False when `sky` is only the looser stand-in (a pale studio
    backdrop behind dark hair is no skyline)."""
    a, b = _without_cast(cues, *cues.lab[1:])
    every_way = _every_way(cues)
    candidates, weak = _plant_candidates(cues, sky, a, b, every_way)
    none = np.zeros((cues.h, cues.w), bool)
    treeline, crowns = _skyline_trees(cues, sky, a, b, every_way) if has_skyline else (none, none)
    skyline = treeline | crowns
    soft_treeline, soft_crowns = cues.blur(treeline.astype(np.float32), 1.5), cues.blur(crowns.astype(np.float32), 1.5)
    if candidates.max() < 0.5 and not skyline.any():
        return Found(candidates), soft_treeline, soft_crowns
    sure, unsure, walls = _leafy_parts(cues, candidates > 0.5, np.hypot(a, b), every_way)
    sure = _joined(sure | skyline, weak & ~unsure & ~walls, cues)
    notes = []
    if unsure.mean() > 0.005:
        notes.append(f"plants: green areas without leaves' texture ({unsure.mean():.0%} of the photo: a dyed or "
                     "painted object, a distant lawn) are left out unless asked for")
    leaves = cues.blur(sure.astype(np.float32), 1.5)
    found = np.maximum(leaves, _flowers(cues, sure, every_way)) if sure.any() else leaves
    unsure_soft = cues.blur(unsure.astype(np.float32), 1.5) if unsure.any() else None
    return Found(np.clip(found, 0, 1), unsure_soft, notes), soft_treeline, soft_crowns


def _plant_candidates(cues: Measures, sky: np.ndarray, a: np.ndarray, b: np.ndarray,
                      every_way: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plant candidates (a soft mask of parts) and the weaker plant evidence (boolean), given
    the Lab a and b without the photo's colour cast and the every-way fine texture."""
    # Leaves and grass, by either of two readings of their colour, both on leafy texture:
    # - HSV: yellow-green to green hues (photographed foliage sits at 45-90 degrees; skin, red
    #   fabric and bare rock fall outside or lack the saturation), without streaks along x
    #   (ripples on water are as textured and often as green);
    # - Lab after the photo's colour cast is taken out: a clear yellow-green to green chroma,
    #   which keeps dark and olive foliage (palms, shaded grass) that HSV misses, while grey
    #   stone under a green cast and fluorescent paint stay out.
    green = np.clip(1.5 * hue_near(cues.hue, 85, 60), 0, 1) * ramp(cues.sat, 0.18, 0.35) * ramp(cues.val, 0.06, 0.18)
    leafy = ramp(cues.texture, 0.06, 0.2)
    streaky = ramp(cues.blur(cues.horizontal, 6), 0.5, 0.7)
    score = cues.blur(green * (0.3 + 0.7 * leafy) * (1.0 - streaky), 3) * (1.0 - sky)
    by_hue = _keep_large(score, 0.3, 0.004, cues, 3)
    # Only clear streaks count against the chroma reading: a thin band of palms along a horizon
    # runs along x too, if less than ripples and mirrored trees do.
    rippled = ramp(cues.blur(cues.horizontal, 6), 0.65, 0.85)
    chroma = _plant_chroma(cues, a, b, every_way) * (1.0 - rippled) * (1.0 - sky)
    by_chroma = _keep_large(chroma, 0.3, 0.004, cues, 3)
    return np.maximum(by_hue, by_chroma), (score > WEAK_PLANT) | (chroma > WEAK_PLANT)


def _skyline_trees(cues: Measures, sky: np.ndarray, a: np.ndarray, b: np.ndarray,
                   every_way: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Trees on the skyline, as two booleans. The treeline: a wide band, much darker than the sky,
    of fine every-way texture, in plant colours or dull ones (far and backlit, crowns lose their
    green), whose top edge meets the sky along most of its width. The crowns: those standing
    against the sky whose band runs on into other things (_crowns_like_their_top), less sure (a
    reflection of them is as like them). Roofs and walls have edges that run one way, a city's
    rows of windows level and plumb (_built); mountains and the sea are not that dark or that
    finely textured. Not in black-and-white photos: without colour a dark skyline is as often
    roofs as crowns."""
    out = np.zeros((cues.h, cues.w), bool)
    hard_sky = sky > 0.5
    if hard_sky.mean() < 0.01 or is_grayscale(cues.rgb):
        return out, out
    L = cues.lab[0]
    chroma, angle = np.hypot(a, b), np.degrees(np.arctan2(b, a))
    dull_or_plant = (chroma < 10) | ((angle > 60) & (angle < 180) & (chroma < 30))
    dark_fine = (L < float(np.median(L[hard_sky])) - 30.0) & (cues.blur(every_way, 2) > 0.15) & ~hard_sky
    band = _opened(dark_fine & dull_or_plant, cues, 7)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(band, connectivity=8)
    has_sky = hard_sky.any(axis=0)
    sky_bottom = np.where(has_sky, cues.h - 1 - np.argmax(hard_sky[::-1], axis=0), -cues.h)
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        if bw < 0.2 * cues.w or area < 0.005 * cues.h * cues.w:
            continue
        part = labels[y:y + bh, x:x + bw] == i
        cols = np.nonzero(part.any(axis=0))[0]
        tops = y + np.argmax(part[:, cols], axis=0)
        if np.mean(tops - sky_bottom[x + cols] <= 0.03 * cues.h) >= 0.6 and not _built(cues, part, (y, x)):
            out[y:y + bh, x:x + bw] |= part
    # Gaps inside a treeline (sunlit crowns, a gap between trunks) belong to it.
    treeline = holes_filled(out, 0.01) if out.any() else out
    # Bare branches are grey, brown or purple: any hue of a low chroma.
    crowns = _crowns_like_their_top(cues, dark_fine & (chroma < BARE_CHROMA) & ~treeline, sky_bottom, (L, a, b))
    crowns = holes_filled(crowns, 0.01) & ~treeline if crowns.any() else crowns
    return treeline, crowns


def _crowns_like_their_top(cues: Measures, band: np.ndarray, sky_bottom: np.ndarray,
                           lab: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """The crowns of a treeline standing against the sky, where their dark textured band runs on
    into other things (bare trees on a hill above a town, joined to its roofs and terraces) and
    was not taken as a treeline: the band's top edge (just under the sky) is the crowns, and the
    crowns look alike and hang from the skyline, so they are the part of the band within the
    edge's colour spread that runs down unbroken from it (wide parts only). band: the dark,
    textured, crown-coloured pixels outside the treeline. Boolean."""
    out = np.zeros((cues.h, cues.w), bool)
    rows = np.arange(cues.h)[:, None]
    under_sky = (rows > sky_bottom[None, :]) & (rows <= sky_bottom[None, :] + CROWN_EDGE * cues.h)
    edge = band & under_sky
    if edge.sum() < 0.002 * cues.h * cues.w:
        return out
    alike = band.copy()
    for channel, least in zip(lab, (5.0, 2.0, 2.0)):  # L, a, b: at least this spread
        centre = float(np.median(channel[edge]))
        spread = 1.4826 * float(np.median(np.abs(channel[edge] - centre)))  # a robust standard deviation
        alike &= np.abs(cues.blur(channel, 2) - centre) < 3.0 * max(spread, least)
    alike = _opened(alike, cues, 7)
    # Sunlit crowns and gaps between branches break a run for a few pixels: it goes on past them.
    tall = max(3, int(round(CROWN_EDGE * cues.h)) | 1)
    bridged = cv2.morphologyEx(alike, cv2.MORPH_CLOSE, np.ones((tall, 1), np.uint8)) > 0
    hanging = _hanging(bridged, under_sky) & (alike > 0)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(hanging.astype(np.uint8), connectivity=8)
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        if bw >= 0.15 * cues.w and area >= 0.005 * cues.h * cues.w:
            part = labels[y:y + bh, x:x + bw] == i
            if not _built(cues, part, (y, x)):
                out[y:y + bh, x:x + bw] |= part
    return out


def _built(cues: Measures, part: np.ndarray, corner: tuple[int, int]) -> bool:
    """Whether a part (a boolean window at `corner`) is built along level and plumb lines: a city
    skyline's rows of small windows are as dark, dull and finely detailed as far crowns, and a
    frieze of battlements as textured as leaves, but their edges run level and plumb, while
    leaves' and branches' run at every angle."""
    y, x = corner
    window = (slice(y, y + part.shape[0]), slice(x, x + part.shape[1]))
    textured = part & (cues.texture[window] > 0.1)
    if textured.sum() < 50:
        return False
    # Built things have both: level edges and plumb ones. Upright grass blades have few level
    # edges and are not oblique either; they are no building.
    level = float(np.median(cues.horizontal[window][textured]))
    return 0.25 < level < 0.75 and float(np.median(cues.oblique[window][textured])) < OBLIQUE_LEAVES


def _hanging(mask: np.ndarray, under_sky: np.ndarray) -> np.ndarray:
    """In each column, the unbroken run of `mask` down from its first pixel in the rows just
    `under_sky`: crowns hang from the skyline; what the mask reaches below a gap in it (rocks
    under a clearing, terraces under a path) is no longer the crowns'."""
    h = mask.shape[0]
    rows = np.arange(h)[:, None]
    on_edge = under_sky & mask
    start = np.where(on_edge.any(axis=0), np.argmax(on_edge, axis=0), h)
    gap = ~mask & (rows >= start[None, :])
    end = np.where(gap.any(axis=0), np.argmax(gap, axis=0), h)
    return (rows >= start[None, :]) & (rows < end[None, :])


def _opened(mask: np.ndarray, cues: Measures, px: float) -> np.ndarray:
    """A boolean mask closed then opened with a disc about px wide (at 768 px): uint8 0/1."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (max(3, int(round(px * cues.scale)) | 1),) * 2)
    return cv2.morphologyEx(cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, k), cv2.MORPH_OPEN, k)


def _joined(sure: np.ndarray, weak: np.ndarray, cues: Measures) -> np.ndarray:
    """The sure plants grown into the weaker plant evidence joined to them (the same tree in
    shade, the rest of a hedge): hysteresis, as for water."""
    if not sure.any():
        return sure
    # Shade makes leaves darker, never brighter than the sunlit ones: a whitewashed wall beside
    # the grass is weak evidence too (yellowish, textured), but brighter than any of the plants.
    L = cues.lab[0]
    weak = weak & (L <= np.percentile(L[sure], 95) + 5.0)
    kc = max(3, int(round(5 * cues.scale)) | 1)
    joined = cv2.morphologyEx((weak | sure).astype(np.uint8), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kc, kc)))
    count, labels = cv2.connectedComponents(joined, connectivity=8)
    touched = np.unique(labels[sure])
    return np.isin(labels, touched[touched > 0])


def _leafy_parts(cues: Measures, candidates: np.ndarray, chroma: np.ndarray,
                 every_way: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The candidate parts split into (sure, unsure, walls) booleans. Sure: leaves' fine texture,
    every way, inside the part (not only along its outline: an object's edge is textured too), or
    a wide stretch of ground (a lawn, a field: grass far away is smooth). Walls: smooth upright
    bands joined to sure plants, not plants at all. Unsure: the rest.
    chroma: Lab chroma without the photo's colour cast."""
    # Dyed and painted things (caps, rafts, toys) are more vivid than leaves: in the shared photos
    # at most a sixth of a plant's pixels go above a Lab chroma of 45, a third to all of a cap's.
    # Built things are not leaves either: kodak08's yellow frieze of battlements, its edges level
    # and plumb (oblique share 0.15), was as textured every way as leaves at a glance.
    vivid = chroma > 45.0
    k = max(3, int(round(9 * cues.scale)) | 1)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(candidates.astype(np.uint8), connectivity=8)
    sure = np.zeros(count, bool)
    upright = np.zeros(candidates.shape, bool)
    fine = None  # the smoothed fine texture, made once when a sure part needs it
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        part = (labels[y:y + bh, x:x + bw] == i).astype(np.uint8)
        inner = cv2.erode(part, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))).astype(bool)
        inside = inner if inner.sum() >= 0.2 * area else part.astype(bool)
        leafy = float(every_way[y:y + bh, x:x + bw][inside].mean())
        lying = bw >= 0.3 * cues.w and (y + bh >= 0.85 * cues.h or bw >= 0.6 * cues.w) and area >= 0.4 * bw * bh
        dyed = float(vivid[y:y + bh, x:x + bw][part > 0].mean()) > 0.3
        sure[i] = not dyed and (leafy >= 0.45 or lying) and not _built(cues, part > 0, (y, x))
        if sure[i]:
            fine = cues.blur(cues.fine_texture, 2) if fine is None else fine
            upright[y:y + bh, x:x + bw] |= _smooth_upright_bands(cues, part > 0, fine[y:y + bh, x:x + bw])
    keep = sure[labels] & ~upright
    return keep, candidates & ~keep & ~upright, upright


def _smooth_upright_bands(cues: Measures, part: np.ndarray, fine: np.ndarray) -> np.ndarray:
    """The narrow upright bands of a plant part (a boolean window; fine: the smoothed fine texture
    in the same window) that are much smoother than the rest of it: the shaded side of a tower or
    a wall joined to the grass at its foot. A palm or a shrub as narrow keeps its leaves' fine texture."""
    width = max(3, int(round(BAND_WIDTH * cues.w)) | 1)
    body = cv2.morphologyEx(part.astype(np.uint8), cv2.MORPH_OPEN, np.ones((1, width), np.uint8)).astype(bool)
    bands = part & ~body
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bands.astype(np.uint8), connectivity=8)
    typical = float(np.median(fine[body])) if body.any() else 0.0
    out = np.zeros(part.shape, bool)
    for i in range(1, count):
        bw, bh = stats[i, cv2.CC_STAT_WIDTH], stats[i, cv2.CC_STAT_HEIGHT]
        band = labels == i
        if bh >= 3 * bw and float(np.median(fine[band])) < SMOOTHER * typical:
            out |= band
    return out


def _every_way(cues: Measures) -> np.ndarray:
    """Fine detail whose edges run every way (leaves), 0..1; a wall's or a fold's edges run one way."""
    return ramp(cues.fine_texture, 0.03, 0.08) * (1.0 - ramp(cues.coherence, 0.55, 0.85))


def _flowers(cues: Measures, leaves: np.ndarray, every_way: np.ndarray) -> np.ndarray:
    # Flowers and berries on the plant sway with it: saturated, non-green blobs, small next to
    # the leaves and set among them (leaves around most of their outline: a red wall seen
    # through the branches is bordered by the rest of the house). A blob larger than a flower
    # head is a bed or a cluster of them, with their fine detail every way; a painted shed among
    # the bushes, or its reflection in the pond, is smooth.
    colourful = ((cues.sat > 0.4) & (cues.val > 0.35) & (hue_near(cues.hue, 100, 65) == 0)).astype(np.uint8)
    leafy_area = leaves.astype(np.uint8)
    k = max(3, int(round(15 * cues.scale)) | 1)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(colourful, connectivity=8)
    flowers = np.zeros((cues.h, cues.w), np.float32)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if area < 4 or area >= 0.03 * cues.h * cues.w:
            continue
        if area >= FLOWER_HEAD * cues.h * cues.w and every_way[labels == i].mean() < FLOWER_DETAIL:
            continue
        x0, y0, x1, y1 = max(0, x - k), max(0, y - k), min(cues.w, x + bw + k), min(cues.h, y + bh + k)
        part = (labels[y0:y1, x0:x1] == i).astype(np.uint8)
        ring = cv2.dilate(part, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))).astype(bool) & (part == 0)
        if ring.any() and leafy_area[y0:y1, x0:x1][ring].mean() >= 0.4:
            flowers[y0:y1, x0:x1][part > 0] = 1.0
    return cues.blur(flowers, 2)


def _plant_chroma(cues: Measures, a: np.ndarray, b: np.ndarray, every_way: np.ndarray) -> np.ndarray:
    """Plant colour in Lab (a and b with the cast removed), weighted by leafy texture (blurred score, 0..1)."""
    angle = np.degrees(np.arctan2(b, a))  # 90: yellow, 135: green, 180: bluish green
    chroma = np.hypot(a, b)
    # Greens count fully; yellow-greens, common in sunlit leaves but also in paint, sand and
    # lichen-covered rock, count in part and need the leafy texture to pass.
    plant_hue = (0.7 * ramp(angle, 70, 85) + 0.3 * ramp(angle, 95, 110)) * (1.0 - ramp(angle, 150, 170))
    # A clear chroma (vivid, dyed colours are judged per part: _leafy_parts).
    plant = plant_hue * ramp(chroma, 10, 18) * ramp(cues.val, 0.06, 0.18)
    return cues.blur(plant * (0.3 + 0.7 * every_way), 3)


def _without_cast(cues: Measures, a: np.ndarray, b: np.ndarray, most: float = 8.0) -> tuple[np.ndarray, np.ndarray]:
    """a and b with the photo's colour cast taken out: the median chroma of its least colourful
    30 % (the greys it should have), limited to `most` units so that a scene that is colourful
    all over (sand and shallow water) is not read as a cast."""
    L = cues.lab[0]
    chroma = np.hypot(a, b)
    grey = (chroma <= np.percentile(chroma, 30)) & (L > 15) & (L < 95)
    if grey.sum() < 100:
        return a, b
    cast_a, cast_b = float(np.median(a[grey])), float(np.median(b[grey]))
    size = float(np.hypot(cast_a, cast_b))
    if size > most:
        cast_a, cast_b = cast_a * most / size, cast_b * most / size
    return a - cast_a, b - cast_b


def _fire(cues: Measures) -> np.ndarray:
    # Flames: bright, saturated, red-orange-yellow, red channel dominant, blue lowest, and
    # brighter than their surroundings.
    warm = hue_near(cues.hue, 30, 28) * ramp(cues.sat, 0.45, 0.7) * ramp(cues.r, 0.85, 0.97) * ramp(cues.val, 0.85, 0.95)
    order = ((cues.r >= cues.g) & (cues.g >= cues.b) & (cues.g > 0.3 * cues.r)).astype(np.float32)
    lifted = ramp(cues.lum - cues.blur(cues.lum, 20), 0.02, 0.1)
    score = cues.blur(warm * order * (0.4 + 0.6 * lifted), 2)
    fire = _keep_large(score, 0.35, 0.0008, cues, 1) > 0.5
    if not fire.any():
        return np.zeros((cues.h, cues.w), np.float32)
    # A flame's core is near white: take in bright warm-white pixels connected to the flame,
    # unless that would swallow a large bright area (a sunset sky).
    core = (cues.val > 0.85) & (cues.r >= cues.b)
    n, labels, stats, _ = cv2.connectedComponentsWithStats((fire | core).astype(np.uint8), connectivity=8)
    out = np.zeros((cues.h, cues.w), np.float32)
    for i in np.unique(labels[fire]):
        part = labels == i
        own = np.count_nonzero(part & fire)
        out[part if stats[i, cv2.CC_STAT_AREA] <= 4 * own else (part & fire)] = 1.0
    return np.clip(cues.blur(out, 3), 0, 1)


def _light(cues: Measures, sky: np.ndarray, fire: np.ndarray) -> np.ndarray:
    # Light sources and highlights: very bright pixels much brighter than their neighbourhood;
    # a bright overcast sky is not a light source, so large bright areas are dropped.
    background = cues.blur(cues.lum, 25)
    lifted = ramp(cues.lum - background, 0.25, 0.45)
    bright = ramp(cues.lum, 0.85, 0.98)
    score = np.maximum(bright * lifted, 0.7 * fire) * (1.0 - 0.9 * sky)
    binary = (score > 0.3).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    keep = np.zeros(n, np.uint8)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] <= 0.01 * cues.h * cues.w
    mask = keep[labels].astype(np.float32)
    mask = cv2.dilate(mask, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3)))
    return np.clip(cues.blur(mask, 1.5), 0, 1)


def _steam_sources(cues: Measures, sky: np.ndarray) -> np.ndarray:
    """Where steam or smoke would rise from: hot drinks (warm-brown liquid in a bright rim) and
    chimneys (narrow upright things sticking into the sky)."""
    h, w = cues.h, cues.w
    out = np.zeros((h, w), np.float32)
    # Drinks: a warm-brown blob (coffee, tea, crema) surrounded by brighter pixels (the rim).
    brown = hue_near(cues.hue, 30, 25) * ramp(cues.sat, 0.3, 0.5) * (1.0 - ramp(cues.val, 0.9, 0.98))
    brown = cues.blur(brown, 3)
    binary = (brown > 0.45).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    ring_lum = cues.blur(cues.lum, 12)
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if not (0.006 * h * w <= area <= 0.15 * h * w):
            continue
        fill = area / float(bw * bh)
        if fill < 0.5 or not 0.3 < bh / max(bw, 1) < 1.5:  # roundish (an ellipse seen from above)
            continue
        part = labels == i
        ring = cv2.dilate(part.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool) & ~part
        # The rim: the brighter part of the ring around the liquid is clearly lighter than it.
        if ring.any() and np.percentile(cues.lum[ring], 75) > cues.lum[part].mean() + 0.12 and ring_lum[part].mean() < 0.9:
            out[part] = 1.0
    # Chimneys: columns where the sky line rises up for a short, narrow run.
    if sky.sum() > 0.02 * sky.size:
        sky_bin = sky > 0.5
        first_ground = np.where(sky_bin.any(axis=0), h - np.argmax(sky_bin[::-1], axis=0), 0)  # last sky row + 1
        line = first_ground.astype(np.float32)
        wide = cv2.blur(line[None, :], (max(9, w // 15) | 1, 1))[0]
        narrow_up = (wide - line) > 0.03 * h  # the skyline locally much higher than around it
        cols = np.where(narrow_up)[0]
        if cols.size and cols.size < 0.08 * w:
            for c in cols:
                top = int(line[c])
                out[top:min(h, top + max(2, h // 60)), c] = 1.0
    return np.clip(cues.blur(out, 2), 0, 1)
