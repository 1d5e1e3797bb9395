"""Finding water without a model: precise before complete.

Water is called only below a horizon (a sky across a good part of the width) and only where the
photo shows evidence for it:
- a reflection: what stands above the waterline, mirrored below it, darker and of its colours;
- the sky's colour continued below the horizon, on a smooth surface (a grey sky only by its own
  faint tint, on a calm surface, darker: grey alone is every road's colour);
- ripples: fine streaks running along x, in water's colours (grey, blue, the sky's own colours
  or those of what the water mirrors; striated rock and sand are brown or ochre).
A dark night sky is never reflected into water here, dark pixels and lights are never water;
without a horizon there is no sure water, and in a black-and-white photo no water at all (without colour a
plain or a desert streaks and shines as a calm sea does). A bluish band below the horizon
without evidence is kept apart as "unsure", with a note: the director uses it only when a
sentence asks for water; it must lie level (a path running into the distance does not).
The parts sure of water then grow into the weaker evidence joined to them, in their colours
(hysteresis: the shallows and calmer stretches of a sea already found), and sideways along their
own level band into calm pixels that mirror what stands above them (a pond that gives back a
grey sky on one side and a red barn on the other is one surface). Water cannot rise above its
own far edge: a straight, level line across a part's top (an island's foot, a far shore) cuts
off what stands on it. Surf joined to water found is water (by day: it is as bright as a lamp).
Other white water (bright foam among streaks of unsaturated, churning water), with a horizon or
without one (rapids seen from a raft), is offered as "unsure" only: used when a sentence asks
for water, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from .imaging import Measures, hue_near, is_grayscale, ramp

NIGHT_SKY = 0.3  # a sky darker than this (mean value) is a night sky
REFLECTION = 0.3  # normalised cross-correlation of the mirrored strips that counts as a reflection
MIN_SHARE = 0.02  # water parts smaller than this share of the photo are left out...
MIN_SURE_SHARE = 0.01  # ...unless they hold the evidence itself along the horizon (a bay between headlands)


@dataclass
class Found:
    """A region finder's answer: the mask it is sure of, candidates it is not, and why."""

    mask: np.ndarray
    unsure: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)


def horizon_of(sky: np.ndarray) -> float | None:
    """The row (fraction of the height) below which the sky ends, or None without a sky that
    spans a good part of the width (a patch of sky above a street is no horizon: the facades
    under it would all count as "below the horizon")."""
    hard = sky > 0.5
    if hard.mean() < 0.01:
        return None
    cols = hard.any(axis=0)
    if cols.mean() < 0.4:
        return None
    lowest = hard.shape[0] - 1 - np.argmax(hard[::-1, cols], axis=0)
    return float(np.percentile(lowest, 75) + 1) / hard.shape[0]


def find_water(rgb: np.ndarray, sky: np.ndarray, foliage: np.ndarray, m: Measures | None = None,
               lights: np.ndarray | None = None) -> Found:
    """Water (soft mask at rgb's size) where there is evidence for it; see the module's rules."""
    m = m or Measures(rgb)
    h, w = m.h, m.w
    horizon = horizon_of(sky)
    sky_hard = sky > 0.5
    night = horizon is not None and float(m.val[sky_hard].mean()) < NIGHT_SKY
    lit = np.zeros((h, w), np.float32) if lights is None else lights
    # Dark pixels are not water here (night scenes, shadows), nor are lights and their glow.
    visible = ramp(m.val, 0.12, 0.22) * (1.0 - m.blur(np.clip(lit * 3.0, 0, 1), 6))
    smooth = 1.0 - ramp(m.texture, 0.08, 0.2)
    grey_photo = is_grayscale(rgb)
    if horizon is None:
        # No horizon, no sure water: without one, a plain shines as a calm lake. White water
        # (rapids seen from the bank or a raft) is offered as a candidate only.
        rapids = np.zeros((h, w), bool) if grey_photo else _white_water(m, visible)
        return Found(np.zeros((h, w), np.float32), *_offered(rapids, None, m, []))

    below = ramp(m.ys, horizon + 0.005, horizon + 0.03) * (1.0 - sky)
    # Right under the sky is its edge (a horizontal line) and haze the sky finder left out: not water.
    k = max(3, int(0.06 * h) | 1)
    below *= 1.0 - cv2.dilate(sky_hard.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    notes = []
    # Ripples and wavelets: the local edges run along x, over a wide area (the strongest cue:
    # a sea's median anisotropy is above 0.9, foliage, facades and lawns stay under 0.45).
    ripples = m.blur(ramp(m.horizontal, 0.6, 0.85), 3) * ramp(m.texture, 0.04, 0.1)
    mirrored, axis = _reflection(m.lum, horizon)
    # ...in water's colours (those of the sky, or of what it mirrors): striated rock and sand
    # are as streaky, but brown or ochre.
    ripples *= m.blur(_water_colours(m, sky_hard, axis), 2)
    if axis is not None and not _looks_mirrored(rgb, mirrored > 0.5, axis):
        mirrored[:] = 0.0  # the shapes match but the colours do not: shadows, stripes, not a mirror
    sky_colour = np.zeros((h, w), np.float32)
    if night:
        notes.append("water: the sky is dark, so nothing below the horizon was taken for water by its colour")
    else:
        sky_colour = _sky_colour(rgb, sky_hard, m) * smooth
    evidence = np.maximum(ripples, np.maximum(mirrored, sky_colour))
    # Mirrored trees look like trees: the plant finder's green is no argument against a reflection.
    evidence = m.blur(evidence * below * visible, 3) * (1.0 - 0.8 * foliage * (1.0 - mirrored))
    sure = _parts(evidence, 0.45, m, min_share=MIN_SURE_SHARE, fill=0.01)
    # Each part must hold its evidence as a whole: mostly streaks along x (a sea: above 0.8;
    # cars, pavements and facades: under 0.7) in water's colours (unsaturated, or blue to
    # cyan), or a reflection, or the sky's colour.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(sure.astype(np.uint8), connectivity=8)
    for i in range(1, count):
        part = labels == i
        watery = np.median(m.sat[part]) < 0.4 or 150 <= np.median(m.hue[part]) <= 250
        # A thin band along one strong edge (a kerb, a roofline) is not a water surface.
        thick = stats[i, cv2.CC_STAT_AREA] / stats[i, cv2.CC_STAT_WIDTH] >= 0.05 * h
        held = ((np.median(m.horizontal[part]) >= 0.72 and watery and thick) or (mirrored[part] > 0.5).mean() >= 0.25
                or (sky_colour[part] > 0.5).mean() >= 0.4)
        # A small part only along the horizon: the far sea seen between headlands is a thin band
        # there; a small streaky patch lower down is as likely a rock or a wet pavement.
        if stats[i, cv2.CC_STAT_AREA] < MIN_SHARE * h * w and stats[i, cv2.CC_STAT_TOP] > (horizon + 0.1) * h:
            held = False
        if not held:
            sure[part] = False
    sure = _grown(sure, evidence, m)
    if not night:
        # Surf is as bright as a lamp: the light finder's spots do not keep it out by day.
        sure = _with_its_surf(sure, below, m)
    sure = _along_the_surface(sure, below * visible, m)
    sure = _below_the_far_shore(sure, m)
    # A bluish, smooth band below the horizon with none of that evidence: a candidate only.
    bluish = hue_near(m.hue, 205, 45) * ramp(m.sat, 0.1, 0.25)
    candidate = m.blur(below * visible * bluish * smooth, 3) * (1.0 - 0.8 * foliage)
    unsure = _parts(candidate, 0.35, m, fill=0.01) & ~cv2.dilate(sure.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    unsure = _level(unsure, m)
    if unsure.mean() > MIN_SHARE:
        notes.append(f"water: a smooth, bluish area below the horizon ({unsure.mean():.0%} of the photo) shows no "
                     "reflection, ripples or sky colour; it is left out unless asked for")
    rapids = np.zeros((h, w), bool) if grey_photo else _white_water(m, visible * below) & ~sure
    if grey_photo and sure.any():
        # Without colour, a dusty plain, a desert or the lunar ground streaks and shines as a calm
        # sea does, and a mirror cannot be checked by its colours: nothing here is sure of water.
        notes.append(f"water: in a black-and-white photo water cannot be told from a plain by these rules "
                     f"({sure.mean():.0%} of the photo looked like it); left out")
        sure = np.zeros_like(sure)
    return Found(m.blur(sure.astype(np.float32), 2), *_offered(rapids, unsure, m, notes))


def _offered(rapids: np.ndarray, unsure: np.ndarray | None, m: Measures, notes: list[str]) -> tuple[np.ndarray | None, list[str]]:
    """The candidates offered as unsure water (soft, or None for none): the bluish band and the
    white water, with a note for the white water."""
    if rapids.mean() > MIN_SHARE:
        notes.append(f"water: white water (bright foam among streaks of unsaturated, churning water: {rapids.mean():.0%} "
                     "of the photo) is not sure enough to move by itself; it is left out unless asked for")
    else:
        rapids = np.zeros_like(rapids)
    offered = rapids if unsure is None else rapids | unsure
    return (m.blur(offered.astype(np.float32), 2) if offered.any() else None), notes


def _foam(m: Measures) -> tuple[np.ndarray, np.ndarray]:
    """Foam (0..1: bright, unsaturated and not warm) and how unsaturated and not warm each pixel
    is (0..1: grey, blue or green-grey water; sand, skin and cream are warm)."""
    L, a, b = m.lab
    unsaturated = (1.0 - ramp(np.hypot(a, b), 14.0, 22.0)) * (1.0 - ramp(a, 3.0, 8.0))
    return ramp(L, 62.0, 72.0) * unsaturated, unsaturated


def _with_its_surf(sure: np.ndarray, allowed: np.ndarray, m: Measures) -> np.ndarray:
    """The sure water with the churning foam joined to it (surf breaking on a sea found, white
    water in a stream found): bright and textured, so no other rule calls it water."""
    if not sure.any():
        return sure
    foam, _ = _foam(m)
    surf = m.blur(foam * ramp(m.texture, 0.1, 0.25) * allowed, 2) > 0.3
    kc = max(3, int(round(9 * m.scale)) | 1)
    surf = cv2.morphologyEx(surf.astype(np.uint8), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kc, kc)))
    count, labels = cv2.connectedComponents(surf | sure.astype(np.uint8), connectivity=8)
    touched = np.unique(labels[sure])
    return sure | np.isin(labels, touched[touched > 0])


def _white_water(m: Measures, allowed: np.ndarray) -> np.ndarray:
    """Rapids and surf (boolean): bright foam among darker water, both unsaturated and not warm
    (grey, blue or green-grey: sand, skin and cream are warm), churning (strongly textured) and
    streaked along the flow, which runs across the photo; grown from there into the rest of that
    water in its colours (the calmer, darker water between the foam). A white wall, a shirt or
    a cloud is smooth; snow, lace and plaster with beams have no streaks along x or no foam
    among them; coffee foam and sand are warm."""
    foam, unsaturated = _foam(m)
    near_foam = ramp(m.blur(foam, 20), 0.05, 0.15)
    churning = ramp(m.texture, 0.1, 0.25)
    streaked = ramp(m.blur(m.horizontal, 6), 0.55, 0.75)
    score = m.blur(unsaturated * churning * streaked * allowed, 4) * near_foam
    seeds = _parts(score, 0.4, m, min_share=0.05, fill=0.02)
    if not seeds.any():
        return seeds
    water_like = m.blur(unsaturated * ramp(m.texture, 0.06, 0.15) * allowed, 3)
    return holes_filled(_grown(seeds, water_like, m, weak=0.4), 0.01)


def _level(parts: np.ndarray, m: Measures, spread: float = 0.15) -> np.ndarray:
    """The parts whose far edge is level, as a water surface's is (a lake's far shore, a sea's
    horizon): a path or a pavement running into the distance narrows to a slanted edge."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(parts.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    for i in range(1, count):
        x, y, bw, bh, _ = stats[i]
        part = labels[y:y + bh, x:x + bw] == i
        tops = np.argmax(part[:, part.any(axis=0)], axis=0)
        low, high = np.percentile(tops, [10, 90])
        keep[i] = high - low <= spread * m.h
    return keep[labels]


def _grown(sure: np.ndarray, evidence: np.ndarray, m: Measures, weak: float = 0.2) -> np.ndarray:
    """The sure water grown into the weaker evidence connected to it (hysteresis, as edges are
    traced): shallows and calmer stretches next to a sea already found are water too; weak
    evidence that touches no sure water stays out."""
    if not sure.any():
        return sure
    # ...in the colours of the water found (a rock beside the sea streaks too, but is not blue).
    lab = np.dstack(m.lab)
    mean, spread = lab[sure].mean(axis=0), lab[sure].std(axis=0) + np.array([8.0, 3.0, 3.0], np.float32)
    candidates = (evidence > weak) & ~sure
    alike = sure.copy()
    alike[candidates] = np.sqrt((((lab[candidates] - mean) / spread) ** 2).sum(axis=1)) < 2.5
    kc = max(3, int(round(9 * m.scale)) | 1)
    weak_parts = cv2.morphologyEx(alike.astype(np.uint8), cv2.MORPH_CLOSE,
                                  cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kc, kc)))
    count, labels = cv2.connectedComponents(weak_parts, connectivity=8)
    touched = np.unique(labels[sure])
    return np.isin(labels, touched[touched > 0])


def _along_the_surface(sure: np.ndarray, allowed: np.ndarray, m: Measures) -> np.ndarray:
    """The sure water grown sideways along its own level band into calm pixels that mirror what
    stands above them (a pond that gives back a grey sky on one side and a red barn on the
    other is one surface): rows between the water's far edge and its near edge only."""
    if not sure.any():
        return sure
    count, labels, stats, _ = cv2.connectedComponentsWithStats(sure.astype(np.uint8), connectivity=8)
    out = sure.copy()
    calm = 1.0 - ramp(m.blur(m.fine_texture, 3), 0.04, 0.08)
    for i in range(1, count):
        x, y, bw, bh, _ = stats[i]
        part = labels[y:y + bh, x:x + bw] == i
        cols = part.any(axis=0)
        # The band: the part's typical far edge (top) to its typical near edge (bottom).
        far = int(y + np.median(np.argmax(part[:, cols], axis=0)))
        near = int(y + bh - 1 - np.median(np.argmax(part[::-1, cols], axis=0)))
        if near - far < 0.03 * m.h:
            continue
        mirror = _mirrors_above(m, far, near)
        cand = (mirror * calm * allowed)[far:near + 1] > 0.5
        band = out[far:near + 1] | cand
        # Posts, reeds and mirrored tree trunks cross the surface: bridge narrow gaps sideways.
        kx = max(3, int(0.04 * m.w) | 1)
        band = cv2.morphologyEx(band.astype(np.uint8), cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (kx, 3)))
        n, lab = cv2.connectedComponents(band, connectivity=8)
        touched = np.unique(lab[out[far:near + 1]])
        out[far:near + 1] |= np.isin(lab, touched[touched > 0])
    return holes_filled(out, 0.01) if out.sum() > sure.sum() else out


def _below_the_far_shore(sure: np.ndarray, m: Measures, top: float = 0.3, reach: float = 0.5) -> np.ndarray:
    """Each water part cut at its far edge: a straight, level line along which the surface meets
    what stands on it (a sea horizon, an island's foot, a far shore) across `reach` of the
    part's width, within the `top` share of its height. What the part holds above that line
    (an island's bushes and trunks, haze) is land or air: water cannot rise above its own level."""
    if not sure.any():
        return sure
    edge = (np.abs(cv2.Sobel(m.lum, cv2.CV_32F, 0, 1, ksize=3)) > 0.25).astype(np.float32)
    out = sure.copy()
    count, labels, stats, _ = cv2.connectedComponentsWithStats(sure.astype(np.uint8), connectivity=8)
    for i in range(1, count):
        x, y, bw, bh, _ = stats[i]
        if bw < 0.3 * m.w:
            continue
        rows = slice(y, y + max(3, int(top * bh)))
        # An edge row counts where it lies along the line give or take a pixel (a scan's rows wobble).
        along = cv2.dilate(edge[rows, x:x + bw], np.ones((3, 1), np.uint8)).mean(axis=1)
        best = int(np.argmax(along))
        if along[best] < reach:
            continue
        line = y + best
        out[y:max(y, line - 1), x:x + bw] &= labels[y:max(y, line - 1), x:x + bw] != i
    return out


def holes_filled(mask: np.ndarray, share: float) -> np.ndarray:
    """The mask with enclosed holes smaller than `share` of the photo filled (a post, a reed,
    a glint inside the water)."""
    h, w = mask.shape
    out = mask.copy()
    count, labels, stats, _ = cv2.connectedComponentsWithStats((~mask).astype(np.uint8), connectivity=4)
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        if area < share * h * w and x > 0 and y > 0 and x + bw < w and y + bh < h:
            out[labels == i] = True
    return out


def _mirrors_above(m: Measures, axis: int, near: int, slack: float = 0.06) -> np.ndarray:
    """For rows axis..near: whether each pixel has the hue of what stands mirrored above it about
    the waterline `axis` (within `slack` of the height either way: what stands back from the
    water mirrors about its own foot, hidden behind the bank), and is darker than it (0..1)."""
    L, a, b = (m.blur(c, 2) for c in m.lab)
    hue, chroma = np.degrees(np.arctan2(b, a)), np.hypot(a, b)
    out = np.zeros((m.h, m.w), np.float32)
    rows = np.arange(axis, near + 1)
    step, gap = max(1, int(0.01 * m.h)), 0.04 * m.h
    for shift in range(-int(slack * m.h), int(slack * m.h) + 1, step):
        src = 2 * (axis + shift) - rows
        # Above the waterline, and not right next to the pixel: any upright thing's lower part
        # "mirrors" the part just above it (a treeline standing along the shore).
        ok = (src >= 0) & (src < axis) & (rows - src >= gap)
        if not ok.any():
            continue
        r, s = rows[ok], src[ok]
        turn = np.abs((hue[r] - hue[s] + 180.0) % 360.0 - 180.0)
        # The same hue (both grey counts too), and darker: water gives back only part of the light.
        hued = (1.0 - ramp(turn, 15.0, 30.0)) * ramp(np.minimum(chroma[r], chroma[s]), 3.0, 6.0)
        same = np.where((chroma[r] < 5) & (chroma[s] < 5), 1.0, hued)
        match = same * ramp(L[s] - L[r], 2.0, 6.0)
        out[r] = np.maximum(out[r], match)
    return out


def _water_colours(m: Measures, sky: np.ndarray, axis: int | None = None) -> np.ndarray:
    """How much each pixel has a colour open water can have (0..1): grey to faintly tinted, blue to
    cyan, among the colours of the sky it reflects, or (below a waterline `axis`) the colour of
    what stands mirrored above it. Brown, ochre, red and saturated greens are not, otherwise."""
    _, a, b = m.lab
    chroma = np.hypot(a, b)
    greyish = 1.0 - ramp(chroma, 8.0, 14.0)
    bluish = ramp(-b, 2.0, 6.0) * (1.0 - ramp(a, 10.0, 20.0))
    out = np.maximum(greyish, bluish)
    if sky.sum() > 50:
        out = np.maximum(out, _among_sky_colours(a, b, sky))
    if axis is not None and 0 < axis < m.h:
        # The row mirrored about the waterline, its colours softened (a reflection is a little
        # blurred and shifted by the ripples): a reflection keeps the hue of what it mirrors,
        # duller and tinted by the water.
        rows = np.clip(2 * axis - np.arange(axis, m.h), 0, m.h - 1)
        a_blur, b_blur = m.blur(a, 3), m.blur(b, 3)
        hue = np.degrees(np.arctan2(b_blur, a_blur))
        turn = np.abs((hue[axis:] - hue[rows] + 180.0) % 360.0 - 180.0)
        mirrored = 1.0 - ramp(turn, 20.0, 35.0)
        out[axis:] = np.maximum(out[axis:], mirrored)
    return out


def _among_sky_colours(a: np.ndarray, b: np.ndarray, sky: np.ndarray, step: float = 3.0) -> np.ndarray:
    """How common each pixel's chroma (a, b) is in the sky (0..1): water mirrors its sky, blue
    patches and sunlit clouds alike. A 2D histogram of the sky's (a, b), spread by a few units."""
    bins = int(128 / step)
    ia = np.clip(((a + 64.0) / step).astype(np.int32), 0, bins - 1)
    ib = np.clip(((b + 64.0) / step).astype(np.int32), 0, bins - 1)
    hist = np.bincount((ia[sky] * bins + ib[sky]).ravel(), minlength=bins * bins).astype(np.float32).reshape(bins, bins)
    hist = cv2.GaussianBlur(hist / hist.sum(), (0, 0), 1.5)
    # A colour held by at least a few per mille of the sky is one of its colours.
    return ramp(hist[ia, ib], 0.0005, 0.002)


def _sky_colour(rgb: np.ndarray, sky: np.ndarray, m: Measures) -> np.ndarray:
    """How close each pixel's hue and chroma are to a coloured sky's near the horizon (what a
    calm surface reflects, usually a little darker). A grey sky is matched more strictly
    (_grey_sky_mirrored): grey is everywhere (roads, stone)."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    rows = np.nonzero(sky.mean(axis=1) > 0.05)[0]
    low_sky = sky & (m.ys >= (rows.max() - 0.25 * (rows.max() - rows.min())) / m.h)
    colour = lab[low_sky if low_sky.sum() > 50 else sky].mean(axis=0)
    if np.hypot(colour[1] - 128.0, colour[2] - 128.0) < 8.0:
        return _grey_sky_mirrored(sky, m)
    chroma = np.hypot(lab[..., 1] - colour[1], lab[..., 2] - colour[2])
    darker = 1.0 - ramp(lab[..., 0] - colour[0], 5.0, 20.0)  # a reflection is not brighter than its sky
    return (1.0 - ramp(chroma, 5.0, 12.0)) * darker


def _grey_sky_mirrored(sky: np.ndarray, m: Measures) -> np.ndarray:
    """A grey sky mirrored in still water (0..1): the sky's own faint tint, on a calm surface,
    darker than the sky (water gives back only part of the light: a pond under an overcast sky
    is 10 to 30 units of L darker) but not much darker (asphalt and wet stone are). Grey roads
    and stone share the grey, rarely the tint: a pixel counts only when it is nearer the sky's
    tint than plain grey, and a sky without a tint of its own gives nothing."""
    L, a, b = m.lab
    tint_a, tint_b, sky_l = float(np.median(a[sky])), float(np.median(b[sky])), float(np.median(L[sky]))
    if np.hypot(tint_a, tint_b) < 3.0:
        return np.zeros((m.h, m.w), np.float32)
    to_sky, to_grey = np.hypot(a - tint_a, b - tint_b), np.hypot(a, b)
    tint = ramp(to_grey - to_sky, 0.5, 2.0) * (1.0 - ramp(to_sky, 3.0, 5.0))
    darker = ramp(L - sky_l, -35.0, -28.0) * (1.0 - ramp(L - sky_l, -2.0, 2.0))
    calm = 1.0 - ramp(m.blur(m.fine_texture, 3), 0.04, 0.08)  # a mirror of a smooth sky is smooth
    return tint * darker * calm


def _parts(score: np.ndarray, threshold: float, m: Measures, min_share: float = MIN_SHARE, fill: float = 0.0) -> np.ndarray:
    """Wide, low parts of a thresholded score (water lies flat: it reaches the bottom, spans
    most of the width, or leaves the frame sideways); small enclosed holes filled."""
    h, w = m.h, m.w
    binary = (score > threshold).astype(np.uint8)
    kc = max(3, int(round(15 * m.scale)) | 1)
    ko = max(3, int(round(5 * m.scale)) | 1)
    binary = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (kc, kc)))
    binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (ko, ko)))
    if fill > 0:
        binary = holes_filled(binary.astype(bool), fill).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    keep = np.zeros(count, bool)
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        wide = bw >= 0.2 * w
        low = y + bh >= 0.85 * h or bw >= 0.6 * w or x <= 1 or x + bw >= w - 1
        keep[i] = area >= min_share * h * w and wide and low
    return keep[labels]


def _looks_mirrored(rgb: np.ndarray, where: np.ndarray, axis: int) -> bool:
    """Whether the pixels below a waterline look like a reflection of those they mirror: of the
    same colours (a shadow under coloured things is grey) and darker (water gives back only part
    of the light; a symmetric facade or a row of windows below another is as bright)."""
    ys, xs = np.nonzero(where)
    mirror = 2 * axis - ys
    inside = (mirror >= 0) & (mirror < rgb.shape[0])
    if inside.sum() < 50:
        return False
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    below = lab[ys[inside], xs[inside]]
    above = lab[mirror[inside], xs[inside]]
    same_colours = float(np.median(np.linalg.norm(below[:, 1:] - above[:, 1:], axis=1))) < 12.0
    darker = float(np.mean(below[:, 0])) < 0.92 * float(np.mean(above[:, 0]))
    return same_colours and darker


def _reflection(lum: np.ndarray, horizon: float) -> tuple[np.ndarray, int | None]:
    """Where the photo below a waterline mirrors what stands above it (0..1 at lum's size), and
    that waterline's row (None when there is no reflection).

    For each candidate waterline below the horizon, the strips above and below it are compared
    after removing each column's mean: a mirror matches their vertical structure, while a forest
    or a facade (the same columns all the way down) does not.
    """
    h, w = lum.shape
    scale = min(1.0, 192 / w)
    small = cv2.resize(lum, (max(8, round(w * scale)), max(8, round(h * scale))), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape
    start = max(4, int(horizon * sh))
    best, axis = 0.0, -1
    for a in range(start, int(0.92 * sh), 2):
        k = min(a, sh - a, max(6, sh // 5))
        if k < 6:
            continue
        above = small[a - k:a][::-1]
        below = cv2.GaussianBlur(small[a:a + k], (0, 0), 1.0)
        above = above - above.mean(axis=0)
        below = below - below.mean(axis=0)
        denom = float(np.sqrt((above * above).sum() * (below * below).sum()))
        if denom < 1e-6 or float(above.std()) < 0.03:
            continue  # nothing with structure above this line to mirror
        score = float((above * below).sum()) / denom
        if score > best:
            best, axis = score, a
    out = np.zeros((h, w), np.float32)
    if best < REFLECTION:
        return out, None
    k = min(axis, sh - axis, max(6, sh // 3))
    above = small[axis - k:axis][::-1]
    below = cv2.GaussianBlur(small[axis:axis + k], (0, 0), 1.0)
    above = above - cv2.blur(above, (1, 9))
    below = below - cv2.blur(below, (1, 9))
    sigma = max(2.0, sw / 25)
    num = cv2.GaussianBlur(above * below, (0, 0), sigma)
    den = np.sqrt(cv2.GaussianBlur(above * above, (0, 0), sigma) * cv2.GaussianBlur(below * below, (0, 0), sigma)) + 1e-4
    local = ramp(num / den, 0.05, 0.3)
    strip = np.zeros((sh, sw), np.float32)
    strip[axis:axis + k] = local
    return cv2.resize(strip, (w, h), interpolation=cv2.INTER_LINEAR), int(round(axis * h / sh))
