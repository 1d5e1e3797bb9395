"""Two layers for depth parallax without crumbs: the photo split near from far at depth edges.

Built once per video from the canvas image, its depth (nearness) and how far the camera's
parallax ever moves the nearest things against the farthest at each place (`reach`, pixels). Each depth edge
moves its near side against its far side by the reach times the nearness between them (its
`gap`), so every band below is sized by that: a small step gets narrow bands.

- front: the photo, premultiplied RGBA. It is transparent on the far side of every depth
  discontinuity, out to about twice the edge's travel, where the back layer shows instead. At
  the near object's outline its alpha is a matte snapped to the photo's colour edges
  (snap_matte: the estimate's edge may be a few pixels off; a watershed from the pixels sure to
  be near and sure to be far puts the outline on the strongest colour edge between them, so an
  object goes whole, and its anti-aliased pixels get their share by colour projection), and its
  colour is unmixed from what was behind it.
- back: the photo with the near side of every discontinuity, plus a margin, removed and filled
  from far-side pixels only (fill_behind: per tile, the known texture copied along the offset
  that best continues it, so stripes, brick, foliage and water keep their period, neighbouring
  tiles cross-fading at their seams; mirrored deeper in, where no move can reveal it). Behind
  the near object's soft edge the far colour is unmixed from the photo, kept to the colours the
  far side has around it (unmix_edge).
- a depth for each layer, made continuous on purpose: the front's depth carries the near
  object's nearness out over its transparent band, the back's carries the far side's nearness in
  under the near object. So each layer reprojects through a smooth map: nothing tears, and no
  pixel of an edge is left behind on the far layer.

The edges are found on a 640-pixel grid; the matte and the fill are made at most LAYER_SIDE
pixels wide and brought to the canvas's size, where the front is made from the photo itself:
front = photo - (1 - alpha) x back, so at rest the composite (parallax.py) is the photo exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..analysis.imaging import pieces_holding

JUMP = 0.12  # a nearness step this large within a few pixels is an object's edge, not a slope
COLOUR_STEP = 24.0  # ...if the photo (texture smoothed away) changes colour that much there too
SIDES_DIFFER = 16.0  # ...and the mean colours of its two sides differ this much: not one object
WORK_SIDE = 640  # long side of the grid the depth analysis runs on
LAYER_SIDE = 960  # long side at which the matte and the fill are made (the canvas's, when smaller)
TRAVEL_SAFETY = 1.2  # a dolly moves near things a little more than in proportion to their nearness
OPAQUE = 0.97  # a front this opaque shows no trace of the back: it is made opaque


@dataclass
class Layers:
    front: np.ndarray  # H x W x 4 uint8: premultiplied colour and alpha
    back: np.ndarray  # H x W x 4 uint8: the filled far layer (alpha 255)
    front_depth: np.ndarray  # work-size float32 nearness, continuous
    back_depth: np.ndarray  # work-size float32 nearness, continuous
    filled: np.ndarray  # H x W uint8: 1 where the back layer is fill rather than the photo
    _see_through: np.ndarray | None = field(default=None, repr=False)

    @property
    def alpha(self) -> np.ndarray:
        """H x W float32: the front's alpha (0..1)."""
        return self.front[..., 3].astype(np.float32) / 255.0

    def from_source(self, source: np.ndarray, front: np.ndarray, back: np.ndarray) -> None:
        """Both layers of a changed photo (scene effects moved water or clouds): the same split and
        fill, the source's pixels everywhere else. Writes into front and back (H x W x 4)."""
        cv2.cvtColor(source, cv2.COLOR_RGB2RGBA, dst=back)
        cv2.copyTo(self.back, self.filled, back)
        if self._see_through is None:
            self._see_through = see_through(self.front[..., 3])
        compose_front(source, back, self._see_through, front)


def see_through(alpha: np.ndarray) -> np.ndarray:
    """255 - alpha (uint8) in all four channels: what the back contributes to each pixel."""
    clear = cv2.bitwise_not(np.ascontiguousarray(alpha))
    return cv2.merge([clear, clear, clear, clear])


def compose_front(image: np.ndarray, back: np.ndarray, see_through4: np.ndarray, front: np.ndarray) -> None:
    """front = image - see-through x back (what the front must add over the back to give the
    image at rest), with alpha in the fourth channel: the very product the compositor adds back."""
    behind = cv2.multiply(back, see_through4, scale=1.0 / 255.0)
    cv2.subtract(cv2.cvtColor(image, cv2.COLOR_RGB2RGBA), behind, dst=front)


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
    radius = max(1, int(radius))
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def _erode(mask: np.ndarray, radius: int) -> np.ndarray:
    return cv2.erode(mask.astype(np.uint8), _ellipse(radius)) > 0


def _dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    return cv2.dilate(mask.astype(np.uint8), _ellipse(radius)) > 0


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


def fill_behind(image: np.ndarray, hole: np.ndarray, known: np.ndarray, band: float) -> np.ndarray:
    """The hole's pixels (N x 3) filled from known pixels only.

    Within `band` pixels of the known border (all a moving camera can reveal) each tile of the
    hole copies the known texture beyond it, shifted by the offset that best continues the
    pixels around the tile (a small exemplar search: stripes, brick and foliage continue with
    their own period and direction). Deeper in, and where no offset fits, the known pixels are
    mirrored across the border."""
    unknown = ~known
    filled = image.copy()
    filled[unknown] = mirror_fill(image, unknown, known)
    depth_in = cv2.distanceTransform(unknown.astype(np.uint8), cv2.DIST_L2, 3)
    _offset_fill(image, filled, hole & (depth_in <= band), known, depth_in)
    return filled[hole]


TILE = 24  # pixels per side of the tiles that share one copy offset
RING_SAMPLES = 160  # known pixels around a tile that judge a candidate offset
LENGTH_STEP = 2  # candidate offsets are searched this coarsely, then refined to the pixel
LENGTH_SPAN = 40  # ...over this many pixels' lengths beyond the tile's depth into the hole


def _offset_fill(image: np.ndarray, filled: np.ndarray, band: np.ndarray, known: np.ndarray, depth_in: np.ndarray) -> None:
    height, width = band.shape
    # Outward normal of the border at each pixel: down the distance's gradient.
    gx = cv2.Sobel(depth_in, cv2.CV_32F, 1, 0, ksize=5)
    gy = cv2.Sobel(depth_in, cv2.CV_32F, 0, 1, ksize=5)
    ring = known & (cv2.distanceTransform(known.astype(np.uint8), cv2.DIST_L2, 3) <= 4)
    # The longest offset tried: a tile's depth into the hole, 3, the span, a pixel of rounding and one of refining.
    longest = int(depth_in[band].max(initial=0)) + 3 + LENGTH_SPAN + 2
    pixels = _KnownPixels(image, known, longest)
    fine = np.array([(dx, dy) for dy in (-1, 0, 1) for dx in (-1, 0, 1)], np.int32)
    previous = None  # the last tile's offset: neighbours often continue the same texture
    quilt = _Quilt(pixels, band)
    chosen: dict[tuple[int, int], np.ndarray] = {}
    deeper = []  # tiles with no known pixels close around: they reuse the nearest tile's offset
    for ty in range(0, height, TILE):
        for tx in range(0, width, TILE):
            tile = band[ty:ty + TILE, tx:tx + TILE]
            if not tile.any():
                continue
            py, px = np.nonzero(tile)
            py, px = py + ty, px + tx
            pad = 8
            y0, y1, x0, x1 = max(0, ty - pad), min(height, ty + TILE + pad), max(0, tx - pad), min(width, tx + TILE + pad)
            ry, rx = np.nonzero(ring[y0:y1, x0:x1])
            if len(ry) < 8:
                deeper.append((ty, tx, py, px))
                continue
            ry, rx = ry + y0, rx + x0
            step = max(1, len(ry) // RING_SAMPLES)
            nx, ny = -float(gx[py, px].sum()), -float(gy[py, px].sum())
            start = int(depth_in[py, px].max()) + 3
            lengths = np.arange(start, start + LENGTH_SPAN, LENGTH_STEP, dtype=np.float32)
            angles = math.atan2(ny, nx) + np.deg2rad([-40, -20, 0, 20, 40])  # round the outward normal
            dirs = np.stack([np.cos(angles), np.sin(angles)], 1)
            offsets = np.round((dirs[:, None, :] * lengths[None, :, None]).reshape(-1, 2)).astype(np.int32)
            if previous is not None:
                offsets = np.vstack([previous[None], offsets])
            ring_at, tile_at = pixels.at(ry, rx), pixels.at(py[::3], px[::3])
            best = _best_offset(pixels, ring_at[::step], tile_at, offsets, 0.9, prefer_first=previous is not None)
            if best is None:  # a concave corner: its neighbours' offsets may fit
                deeper.append((ty, tx, py, px))
                continue
            # Refined to the pixel on the whole ring (the coarse steps may miss a texture's period).
            near = offsets[best][None] + fine
            refined = _best_offset(pixels, ring_at, tile_at, near, 0.9, prefer_first=False)
            offset = near[refined] if refined is not None else offsets[best]
            previous = chosen[(ty, tx)] = offset
            quilt.paint(ty, tx, offset)
    if not chosen:
        return
    keys = np.array(list(chosen))
    for ty, tx, py, px in deeper:
        order = np.argsort(np.hypot(keys[:, 0] - ty, keys[:, 1] - tx))[:6]
        for k in order:
            if _sources_along(pixels, pixels.at(py, px), chosen[tuple(keys[k])])[0].mean() >= 0.9:
                quilt.paint(ty, tx, chosen[tuple(keys[k])])
                break
    quilt.finish(filled)


FEATHER = 6  # pixels over which neighbouring tiles' copies cross-fade (on each side of their seam)


class _Quilt:
    """The tiles' copies, each reaching FEATHER pixels into its neighbours with a weight that
    ramps across the seam: where two tiles copy along different offsets, a smooth background
    (satin, sky) shows no blocks; where they agree (a texture's own period) nothing changes."""

    def __init__(self, pixels: _KnownPixels, band: np.ndarray):
        self.pixels, self.band = pixels, band
        self.total = np.zeros((*band.shape, 3), np.float32)
        self.weight = np.zeros(band.shape, np.float32)

    def paint(self, ty: int, tx: int, offset: np.ndarray) -> None:
        height, width = self.band.shape
        y0, y1 = max(0, ty - FEATHER), min(height, ty + TILE + FEATHER)
        x0, x1 = max(0, tx - FEATHER), min(width, tx + TILE + FEATHER)
        py, px = np.nonzero(self.band[y0:y1, x0:x1])
        py, px = py + y0, px + x0
        done, sources = _sources_along(self.pixels, self.pixels.at(py, px), offset)
        py, px, sources = py[done], px[done], sources[done]
        weight = _ramp(py - ty) * _ramp(px - tx)
        self.total[py, px] += weight[:, None] * self.pixels.colours.take(sources, axis=0)
        self.weight[py, px] += weight

    def finish(self, filled: np.ndarray) -> None:
        painted = self.weight > 1e-3
        filled[painted] = np.round(self.total[painted] / self.weight[painted][:, None]).astype(filled.dtype)


def _ramp(position: np.ndarray) -> np.ndarray:
    """A tile's weight along one axis (position from its start): 1 inside, falling to 0 over
    FEATHER pixels either side of its edges, so two neighbours' weights sum to 1 across a seam."""
    rise = (position + FEATHER + 0.5) / (2 * FEATHER)
    fall = (TILE + FEATHER - 0.5 - position) / (2 * FEATHER)
    return np.clip(np.minimum(rise, fall), 0.0, 1.0).astype(np.float32)


def _sources_along(pixels: _KnownPixels, at: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each pixel (flat indices `at`) copies from along offset: the known pixel shifted by
    it, or by twice or three times it (a periodic texture repeats at those too). Returns (found,
    sources), the sources as flat indices too."""
    shift = pixels.shifts(offset[None])[0]
    todo = np.ones(len(at), bool)
    sources = np.zeros(len(at), np.intp)
    for times in (1, 2, 3):
        source = at + times * shift
        lands = todo & pixels.known.take(source)
        np.copyto(sources, source, where=lands)
        todo &= ~lands
    return ~todo, sources


def _best_offset(pixels: _KnownPixels, ring, tile, offsets, need, prefer_first):
    """Of the candidate offsets, the index of the one whose copy best matches the known ring
    around a tile and lands `need` of the tile's pixels on known ones; None if none does.
    ring, tile: the pixels' flat indices (pixels.at)."""
    shifts = pixels.shifts(offsets)[:, None]
    copied = ring[None, :] + shifts
    usable = pixels.known.take(copied)
    cost = sum(np.abs(plane.take(copied) - plane.take(ring)) for plane in pixels.planes)
    score = np.where(usable, cost, 0).sum(axis=1) / np.maximum(usable.sum(axis=1), 1)
    lands = pixels.known.take(tile[None, :] + shifts)
    score[(usable.mean(axis=1) < 0.7) | (lands.mean(axis=1) < need)] = np.inf
    if prefer_first:
        score[0] *= 0.9  # a small preference for the neighbour's offset: fewer seams
    best = int(np.argmin(score))
    return best if np.isfinite(score[best]) else None


class _KnownPixels:
    """The photo's colours and which pixels are known, flat, for the offset search's many small
    gathers: a take from one flat plane per channel is several times faster than indexing the
    H x W x 3 image by coordinate pairs. A frame of unknown pixels round the photo, three times
    the longest offset tried, keeps every pixel shifted by any offset (or a multiple, for a
    periodic texture) inside the planes, so nothing needs clipping."""

    def __init__(self, image: np.ndarray, known: np.ndarray, longest: int):
        self.frame = 3 * longest
        self.width = known.shape[1] + 2 * self.frame
        self.known = np.pad(known, self.frame).ravel()
        framed = np.pad(image, ((self.frame, self.frame), (self.frame, self.frame), (0, 0)))
        self.colours = framed.reshape(-1, 3)
        self.planes = [framed[..., channel].astype(np.int16).ravel() for channel in range(3)]

    def at(self, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
        """Pixels' flat indices."""
        return (ys + self.frame) * self.width + (xs + self.frame)

    def shifts(self, offsets: np.ndarray) -> np.ndarray:
        """Offsets (N x 2: dx, dy) as steps between flat indices."""
        return offsets[:, 1].astype(np.intp) * self.width + offsets[:, 0]


FAR_RANGE_RADIUS = 8  # pixels around an edge pixel whose far-side colours bound what is behind it
FAR_MEAN_RADIUS = 5  # ...and whose mean it is drawn toward when the unmixing overshoots
OVERSHOOT = 10.0  # grey levels past black or white that mark an unmixed colour as overshot
FAR_RANGE_SLACK = 15.0  # grey levels an overshot colour may stay outside that range by
EDGE_TRACE = 3  # far pixels this close to the matte may still carry the edge: not counted in the range


def _far_colours(image: np.ndarray, far: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Of the far pixels around each pixel: per channel their lowest and highest colour within
    FAR_RANGE_RADIUS, their mean within FAR_MEAN_RADIUS (within FAR_RANGE_RADIUS where none is
    that close), all float32 H x W x 3, and whether any is within FAR_RANGE_RADIUS (bool)."""
    kernel = _ellipse(FAR_RANGE_RADIUS)
    mask = far.astype(np.uint8)
    only_far = cv2.copyTo(image, mask)  # the far pixels' colours, 0 elsewhere
    low = cv2.erode(cv2.copyTo(image, mask, np.full_like(image, 255)), kernel).astype(np.float32)
    high = cv2.dilate(only_far, kernel).astype(np.float32)
    seen = cv2.dilate(mask, kernel) > 0
    weight, colour = far.astype(np.float32), only_far.astype(np.float32)
    mean = np.zeros(image.shape, np.float32)
    for radius in (FAR_RANGE_RADIUS, FAR_MEAN_RADIUS):  # the closer one wins where it has pixels
        box = (2 * radius + 1, 2 * radius + 1)
        count = cv2.boxFilter(weight, -1, box, normalize=False)
        total = cv2.boxFilter(colour, -1, box, normalize=False)
        cv2.copyTo(cv2.divide(total, cv2.merge([count, count, count])), (count > 0.5).view(np.uint8), mean)
    return low, high, mean, seen


def unmix_edge(image: np.ndarray, alpha: np.ndarray, back: np.ndarray) -> None:
    """What lies behind the near object's anti-aliased edge, written into back (in place).

    An edge pixel is alpha x (the object's colour) + (1 - alpha) x (what is behind). The object's
    colour there is taken from its nearest fully opaque pixel, which gives what is behind exactly:
    revealed, it shows the background, not a light or dark line of the object's old edge. Where
    the pixel is mostly object (or no opaque pixel is close), the fill stays."""
    soft = (alpha > 0.004) & (alpha < 0.98)
    if not soft.any():
        return
    distance, nearest = _nearest(alpha >= 0.98)
    ys, xs = np.nonzero(soft & (distance <= 3))
    a = alpha[ys, xs][:, None]
    colour = image.reshape(-1, 3)[nearest[ys, xs]].astype(np.float32)
    behind = (image[ys, xs].astype(np.float32) - a * colour) / np.maximum(1.0 - a, 1e-3)
    # The division amplifies whatever the two-colour model misses (a rim light, a lens's colour
    # fringe, noise) by a / (1 - a), past what any colour can be: a cyan line behind a navy suit
    # on a cream wall. Such an overshoot is drawn back toward the mean of the far pixels around,
    # along the line between them, just into the range of their colours (a per-channel clamp
    # would tint it toward the range's corner). The far pixels right beside the edge still hold a
    # trace of it (blur, the fringe): they do not count.
    low, high, mean, seen = _far_colours(image, _erode(alpha <= 0.004, EDGE_TRACE))
    lo, hi = low[ys, xs] - FAR_RANGE_SLACK, high[ys, xs] + FAR_RANGE_SLACK
    centre = np.clip(mean[ys, xs], lo, hi)
    off = behind - centre
    room = np.where(off > 0, hi - centre, centre - lo)
    scale = np.min(np.where(np.abs(off) > 1e-3, room / np.maximum(np.abs(off), 1e-3), 1.0), axis=1, keepdims=True)
    pulled = seen[ys, xs] & ((behind < -OVERSHOOT) | (behind > 255.0 + OVERSHOOT)).any(axis=1)
    # A pixel whose own colour is one the far side has (mostly background, on a striped wall)
    # keeps it: the pull toward the mean would mix the stripes.
    own = image[ys, xs].astype(np.float32)
    kept_own = pulled & ((own >= lo) & (own <= hi)).all(axis=1)
    behind = np.where(pulled[:, None], centre + off * np.clip(scale, 0.0, 1.0), behind)
    behind[kept_own] = own[kept_own]
    trust = 1.0 - _smoothstep((a - 0.75) / 0.23)  # near alpha 1 the division amplifies noise
    mixed = behind * trust + back[ys, xs, :3].astype(np.float32) * (1.0 - trust)
    back[ys, xs, :3] = np.round(np.clip(mixed, 0.0, 255.0)).astype(np.uint8)
    # Where a third colour meets the edge (a stripe crossing it) one pixel unmixes wrong: the
    # median of its neighbours replaces such an odd one out along the edge (not a pixel that
    # kept its own colour: that is the background's already).
    settled = cv2.medianBlur(np.ascontiguousarray(back[..., :3]), 3)
    ys, xs = ys[~kept_own], xs[~kept_own]
    back[ys, xs, :3] = settled[ys, xs]


TRACE_REACH = 4  # pixels beyond the matte (at LAYER_SIDE) where the object's edge may still tint the background...
TRACE_SMOOTH = 8.0  # ...seen only where the background around varies less than this (standard deviation: sky, a wall)
TRACE_SPREADS = 2.5  # ...as a colour more than this many standard deviations from the background's mean
TRACE_TINT = 3.0  # ...and more than this many grey levels (any channel)
TRACE_FAINT = 0.6  # ...or this share of it, joined to such a pixel
TRACE_STEP = 4  # the background's mean and spread round the edge are made on a grid this much coarser


class EdgeTrace:
    """The object's trace on the background beside its matte, and how to clear it.

    An edge is often three colours, not two: a roof's red fascia between its shingles and the sky,
    a rim light, a lens's colour fringe. The matte takes the object to its strongest colour edge,
    so a line of that third colour can stay just outside it, on the back layer: revealed, it
    traces the object's old outline in the sky. Where the background around is smooth, such
    pixels (`beside`: within about TRACE_REACH of the matte; `soft`: the matte's nearly see-through
    edge pixels, once unmixed) get the background's colour; the front then carries the
    difference (build_layers gives it the opacity the photo needs at rest), so the tint moves
    with the object it belongs to. On a textured background the trace cannot be told from the
    texture and stays. (The matte's other edge pixels keep their unmixing, except round a head:
    given the background's mean up to an alpha of 0.5, kodak21's tower edge came apart on an
    orbit, 13.0 -> 23.9 new specks/MP in the worst frame; hair's, unmixed, left a ghost of the
    astronaut's outline on the wall behind her on a pan.)"""

    def __init__(self, image: np.ndarray, hole: np.ndarray, alpha: np.ndarray, hair: np.ndarray | None = None):
        """hair: where a head's hair may be (bool, the layers' size; None: nowhere). There all of
        the matte's soft pixels count as `soft`."""
        self.reach = max(3, round(TRACE_REACH * max(alpha.shape) / LAYER_SIDE))
        matte = hole & (alpha > 0.004)
        self.distance = cv2.distanceTransform((~matte).astype(np.uint8), cv2.DIST_L2, 3)
        # Twice as far out as a trace reaches: what lies off the background's colour there too
        # (a mast's cable beside a tower) is a thing of its own, not the object's trace.
        self.beside = (self.distance <= 2 * self.reach + 1) & ~hole & (alpha <= 0.004)
        self.soft = matte & (alpha < (0.2 if hair is None else np.where(hair, OPAQUE, 0.2)))
        # The background round each pixel, from pixels beyond any trace: its mean and spread
        # (a thin mast or wire in the sky barely moves them, where it would set a range), and
        # smooth where the spread is small twice as far round too (a stripe's width away the
        # pixels may all be one stripe). Both are smooth maps: made on a coarser grid, read
        # where they are needed.
        far = ((alpha <= 0.004) & (self.distance > self.reach + 1)).astype(np.float32)
        colour = image.astype(np.float32)
        squares = colour * colour
        self._around = [(_local_mean(colour, far, radius, TRACE_STEP)[0], *_local_mean(squares, far, radius, TRACE_STEP))
                        for radius in (FAR_RANGE_RADIUS, 2 * FAR_RANGE_RADIUS)]

    def _background(self, ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """At pixels (ys, xs): the background's mean colour and its spread (N x 3), and whether
        it is smooth there (N)."""
        shape = self.beside.shape
        window = (2 * max(1, round(FAR_RANGE_RADIUS / TRACE_STEP)) + 1) ** 2  # coarse cells round a pixel
        stats = []
        for mean, square, total in self._around:
            m = _sample(mean, ys, xs, shape)
            spread = np.sqrt(np.maximum(_sample(square, ys, xs, shape) - m * m, 0.0))
            seen = _sample(total, ys, xs, shape).ravel() > 0.1 * window
            stats.append((m, spread, seen))
        (mean, spread, seen), (_, wide, _) = stats
        smooth = seen & (np.maximum(spread, wide).max(axis=1) < TRACE_SMOOTH)
        return mean, np.maximum(spread, 1.5), smooth  # 1.5: noise the photo's grain alone may make

    def clear(self, back: np.ndarray, pixels: np.ndarray, hugging: bool = False) -> np.ndarray:
        """Where the background is smooth, give back's pixels (bool mask) whose colour lies off
        the background's (more than TRACE_SPREADS standard deviations, and TRACE_TINT grey
        levels) the background's mean colour, in place; returns where they changed. A trace is
        a shift of hue as often as of brightness: the channels' deviations count together.
        hugging: only such pixels within the trace's reach of the matte and away from any
        further out (a fringe along the outline; a cable that runs on beside it stays whole)."""
        cleared = np.zeros(pixels.shape, bool)
        ys, xs = np.nonzero(pixels)
        if len(ys) == 0:
            return cleared
        mean, spread, smooth = self._background(ys, xs)
        off = back[ys, xs].astype(np.float32) - mean
        norm = np.sqrt(((off / spread) ** 2).sum(axis=1))
        tinted = smooth & (norm > TRACE_SPREADS) & (np.abs(off).max(axis=1) > TRACE_TINT)
        # A trace fades in and out along the outline: what is off by less but joins a clearly
        # off pixel is the same line (cleared in patches, it would break into dashes in motion).
        faint, seeds = np.zeros(pixels.shape, bool), np.zeros(pixels.shape, bool)
        faint[ys, xs] = smooth & (norm > TRACE_FAINT * TRACE_SPREADS)
        seeds[ys[tinted], xs[tinted]] = True
        tinted = pieces_holding(faint, seeds)[ys, xs]
        if hugging:
            # Off-colour pixels further out than a trace reaches are a thing of their own: the
            # pixels near them (within the reach) are part of it, not of the object's trace.
            beyond = np.zeros(pixels.shape, np.uint8)
            far_out = tinted & (norm > 2 * TRACE_SPREADS) & (self.distance[ys, xs] > self.reach + 1)  # not the grain
            beyond[ys[far_out], xs[far_out]] = 1
            tinted &= (self.distance[ys, xs] <= self.reach + 1) & ~(_dilate(beyond, self.reach)[ys, xs])
        back[ys[tinted], xs[tinted]] = np.round(np.clip(mean[tinted], 0, 255)).astype(back.dtype)
        cleared[ys[tinted], xs[tinted]] = True
        return cleared


def unsure_pixels(width: int, height: int) -> int:
    """How far off the colour edge a depth estimate's edge may be, in pixels of an image this size."""
    return max(4, round(max(width, height) / 160))


def _local_mean(values: np.ndarray, weight: np.ndarray, radius: int, step: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted local mean of values (H x W x C) over a window of about 2 x radius + 1, and the
    window's total weight, on a grid `step` times coarser (the means are smooth)."""
    height, width = weight.shape
    small = (max(1, width // step), max(1, height // step))
    w = cv2.resize(weight, small, interpolation=cv2.INTER_AREA)
    weighted = values * (weight if values.ndim == 2 else weight[..., None])
    vw = cv2.resize(weighted, small, interpolation=cv2.INTER_AREA)
    size = (2 * max(1, radius // step) + 1,) * 2
    total = cv2.boxFilter(w, -1, size, normalize=False, borderType=cv2.BORDER_REFLECT)
    summed = cv2.boxFilter(vw, -1, size, normalize=False, borderType=cv2.BORDER_REFLECT)
    safe = np.maximum(total, 1e-6)
    return summed / (safe if summed.ndim == 2 else safe[..., None]), total


def _sample(small: np.ndarray, ys: np.ndarray, xs: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A coarse grid's values (bilinear) at full-size pixels (ys, xs)."""
    sy, sx = small.shape[0] / shape[0], small.shape[1] / shape[1]
    return sample_points(small, ((xs + 0.5) * sx - 0.5).astype(np.float32), ((ys + 0.5) * sy - 0.5).astype(np.float32))


MAP_COLUMNS = 4096  # cv2.remap takes maps under 32767 a side: point lists are laid out in rows


def sample_points(image: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """image sampled (bilinear, edges replicated) at points x, y (float32) of any shape: values
    of that shape, with the image's channels after it."""
    shape = np.shape(x)
    if x.ndim == 2 and max(shape) < 32767:
        return cv2.remap(image, x, y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    count = x.size
    rows = max(1, -(-count // MAP_COLUMNS))
    mx = np.zeros(rows * MAP_COLUMNS, np.float32)
    my = np.zeros(rows * MAP_COLUMNS, np.float32)
    mx[:count], my[:count] = x.ravel(), y.ravel()
    grid = (rows, MAP_COLUMNS)
    out = cv2.remap(image, mx.reshape(grid), my.reshape(grid), cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    channels = image.shape[2:]
    return out.reshape(rows * MAP_COLUMNS, *channels)[:count].reshape(*shape, *channels)


class _ColourGroups:
    """Two local colour groups (darker and lighter halves) of the `sure` pixels around each pixel.
    Two groups, not one mean: a striped or dappled background is two colours, not their average."""

    def __init__(self, image: np.ndarray, gray: np.ndarray, sure: np.ndarray, radius: int):
        self.image, self.shape = image, sure.shape
        step = max(1, radius // 3)
        lum, self.total = _local_mean(gray, sure.astype(np.float32), radius, step)
        local_lum = cv2.resize(lum, (self.shape[1], self.shape[0]), interpolation=cv2.INTER_LINEAR)
        light = sure & (gray >= local_lum)
        self.groups = [_local_mean(image, group.astype(np.float32), radius, step) for group in (light, sure & ~light)]

    def distance(self, ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """At pixels (ys, xs): how far each one's colour is from the nearer group, and whether any
        sure pixel is around."""
        shape = self.shape
        colour = self.image[ys, xs]
        a, b = (_sample(mean, ys, xs, shape) for mean, _ in self.groups)
        present = [_sample(count, ys, xs, shape).ravel() > 1e-3 for _, count in self.groups]
        # Distance to the segment between the two groups: a pixel where two of the background's
        # colours meet (a stripe's anti-aliased edge) is a mix of them, not a third colour.
        span = b - a
        t = np.clip(((colour - a) * span).sum(axis=1) / np.maximum((span * span).sum(axis=1), 1e-6), 0.0, 1.0)
        to_segment = np.abs(colour - (a + t[:, None] * span)).max(axis=1)
        to_a, to_b = np.abs(colour - a).max(axis=1), np.abs(colour - b).max(axis=1)
        best = np.where(present[0] & present[1], to_segment,
                        np.where(present[0], to_a, np.where(present[1], to_b, 1e6))).astype(np.float32)
        return best, _sample(self.total, ys, xs, shape).ravel() > 1e-3


def snap_matte(image: np.ndarray, near: np.ndarray, movable: np.ndarray) -> np.ndarray:
    """The near side's soft matte (0..1), its outline moved onto the photo's colour edges.

    near: the depth estimate's near side (bool); movable: where its outline may move (along the
    depth edges). A depth estimate's edges are soft and a few pixels off. Pixels farther than
    twice that from its edge are sure of their side; a watershed from them floods the colour
    image, so the outline between them lands on the strongest colour edge in between: an object
    goes whole, with the background next to it left behind. Two cases first: what the near side
    holds that looks just like the background beside it is not sure (around a thin stem the
    estimate is mostly background), and a thin structure the estimate could not resolve (a stem:
    no sure pixels of its own) is marked near where it differs from the background around it.
    Along the decided outline the anti-aliased pixels get their fraction by colour projection."""
    height, width = near.shape
    unsure = unsure_pixels(width, height)
    sure_near = _erode(near, 2 * unsure) | (near & ~movable)
    sure_far = _erode(~near, 2 * unsure) | (~near & ~movable)
    unknown = ~sure_near & ~sure_far
    if not unknown.any():
        return _antialias(image, near)
    img = image.astype(np.float32)
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    radius = 2 * unsure
    # The near side's sure pixels beside the unknown band that look like the background there.
    iy, ix = np.nonzero(sure_near & _dilate(unknown, 2 * unsure) & movable)
    far_colours = _ColourGroups(img, gray, sure_far, 2 * radius)  # sure_far stays as it is below
    like_far, _ = far_colours.distance(iy, ix)
    sure_near[iy[like_far < 12], ix[like_far < 12]] = False
    # Thin structures: near pixels of the estimate with no sure near pixel around, unlike the background.
    ys, xs = np.nonzero(~sure_near & ~sure_far & near)
    _, has_near = _ColourGroups(img, gray, sure_near, radius).distance(ys, xs)
    to_far, has_far = far_colours.distance(ys, xs)
    thin = ~has_near & has_far & (to_far > 25)
    markers = np.where(sure_near, 1, np.where(sure_far, 2, 0)).astype(np.int32)
    markers[ys[thin], xs[thin]] = 1
    cv2.watershed(np.ascontiguousarray(image), markers)
    label = np.where(markers == -1, near, markers == 1)  # the watershed's own lines: the estimate's side
    # Round a thin structure the flood would spread its marker over the background's own
    # stronger edges (stripes): there each pixel keeps to its colour.
    alone = ~has_near
    label[ys[alone], xs[alone]] = thin[alone]
    # A piece of the near side with no sure near pixel, and too wide to be a stem, is a piece of
    # the background the flood cut off (a light among dark hair): it would ride on the object as
    # a torn scrap. It stays with the background.
    thin_marks = np.zeros(label.shape, bool)
    thin_marks[ys[thin], xs[thin]] = True
    label &= pieces_holding(label, sure_near) | (pieces_holding(label, thin_marks) & ~_wide(label, unsure))
    return _antialias(image, label)


def _wide(mask: np.ndarray, width: float) -> np.ndarray:
    """The connected pieces of mask that are more than `width` pixels wide somewhere."""
    inside = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    return pieces_holding(mask, inside > width / 2)


def _antialias(image: np.ndarray, label: np.ndarray) -> np.ndarray:
    """A hard near/far labelling made soft along its outline: each outline pixel's alpha is its
    colour projected between the nearest object pixel's colour and the nearest background's."""
    alpha = label.astype(np.float32)
    square = np.ones((3, 3), np.uint8)
    outline = cv2.dilate(label.astype(np.uint8), square) != cv2.erode(label.astype(np.uint8), square)
    core = cv2.erode(label.astype(np.uint8), square) > 0
    clear = cv2.erode((~label).astype(np.uint8), square) > 0
    if not outline.any() or not core.any() or not clear.any():
        return alpha
    _, to_core = _nearest(core)
    _, to_clear = _nearest(clear)
    ys, xs = np.nonzero(outline)
    pixels = image.reshape(-1, 3)
    colour = image[ys, xs].astype(np.float32)
    front, back = pixels[to_core[ys, xs]].astype(np.float32), pixels[to_clear[ys, xs]].astype(np.float32)
    span = front - back
    length = (span * span).sum(axis=1)
    projected = np.clip(((colour - back) * span).sum(axis=1) / np.maximum(length, 1e-6), 0.0, 1.0)
    contrast = length > 20.0 ** 2
    alpha[ys, xs] = np.where(contrast, projected, alpha[ys, xs])
    # Where the outline crosses no colour edge (one object, its depth estimated in two pieces) a
    # hard cut would show as a seam when the two layers part a little: blend there, softly.
    weak = np.zeros(label.shape, np.uint8)
    weak[ys[~contrast], xs[~contrast]] = 1
    if weak.any():
        weak = cv2.dilate(weak, _ellipse(3)) > 0
        alpha[weak] = cv2.GaussianBlur(label.astype(np.float32), (0, 0), 2.5)[weak]
    return alpha


def _sides_differ(smooth: np.ndarray, near: np.ndarray, far: np.ndarray, radius: int) -> np.ndarray:
    """Where the mean colours of the near and the far side's pixels within `radius` differ by
    more than SIDES_DIFFER (in any channel)."""
    box = (2 * radius + 1, 2 * radius + 1)

    def side_mean(side: np.ndarray) -> np.ndarray:
        weight = cv2.boxFilter(side.astype(np.float32), -1, box, normalize=False)
        total = cv2.boxFilter(smooth * side[..., None], -1, box, normalize=False)
        return total / np.maximum(weight, 1e-3)[..., None]

    return np.abs(side_mean(near) - side_mean(far)).max(axis=2) > SIDES_DIFFER


def _resized(array: np.ndarray, size: tuple[int, int], interpolation=cv2.INTER_LINEAR) -> np.ndarray:
    if (array.shape[1], array.shape[0]) == size:
        return array
    return cv2.resize(array, size, interpolation=interpolation)


def work_grid(width: int, height: int) -> tuple[float, tuple[int, int]]:
    """The grid depth edges are found on, for a canvas of this size: its scale from the canvas
    and its (width, height), WORK_SIDE on the long side at most."""
    f = min(1.0, WORK_SIDE / max(width, height))
    return f, (max(8, round(width * f)), max(8, round(height * f)))


def build_layers(image: np.ndarray, depth: np.ndarray, reach: float | np.ndarray, hair: np.ndarray | None = None) -> Layers | None:
    """The two layers of a photo whose depth has discontinuities (None when it has none).

    reach: the largest on-screen displacement of the nearest things against the farthest over the
    whole camera path, in canvas pixels: what the back layer must be able to show behind an edge.
    One number for the whole photo, or a map of it over the photo (any size: it is resized)."""
    height, width = depth.shape
    f, work = work_grid(width, height)
    d = cv2.resize(depth.astype(np.float32), work, interpolation=cv2.INTER_AREA)
    if np.ndim(reach):
        reach = cv2.resize(np.asarray(reach, np.float32), work, interpolation=cv2.INTER_LINEAR)
    # The photo's own border: a scan's dark edge line or a vignette reads there as a depth step,
    # and splitting it off leaves a line of specks where it meets the picture. The depth a few
    # pixels in is carried out to the border instead.
    rim = max(2, round(max(work) / 100))
    d = cv2.copyMakeBorder(d[rim:-rim, rim:-rim], rim, rim, rim, rim, cv2.BORDER_REPLICATE)

    # 1. Depth edges: a nearness step of JUMP within a few pixels; their near and far sides.
    r = max(1, round(max(work) / 120))
    top, bottom = cv2.dilate(d, _ellipse(r)), cv2.erode(d, _ellipse(r))
    edge = (top - bottom) > JUMP
    # Only where the photo has an edge too: a depth estimate also ramps steeply inside one
    # object (a hat's brim, a border), and splitting layers there tears the object in two.
    smooth = cv2.GaussianBlur(cv2.resize(image, work, interpolation=cv2.INTER_AREA).astype(np.float32), (0, 0), 1.5)
    colour_top, colour_bottom = cv2.dilate(smooth, _ellipse(r)), cv2.erode(smooth, _ellipse(r))
    edge &= (colour_top - colour_bottom).max(axis=2) > COLOUR_STEP
    if not edge.any():
        return None
    near_edge = edge & (d > (top + bottom) / 2)
    far_edge = edge & ~near_edge
    # Only where the two sides differ in colour along the step: a depth estimate also steps inside
    # one object (a hat against its own brim, folds of a suit), and there both sides look alike.
    # Each side's colour is averaged over its own band along the step, so a thin stem, darker than
    # the stripes it stands on, still counts.
    edge &= _sides_differ(smooth, near_edge, far_edge, 3 * r)
    near_edge &= edge
    far_edge &= edge
    if not near_edge.any() or not far_edge.any():
        return None
    # An estimate's edge is a soft ramp: each side takes its own clean value across it, so the
    # far side does not drift partly with the near object (nor the near side lag behind it).
    d = np.where(near_edge, top, np.where(far_edge, bottom, d))

    # 2. Bands, sized by how far each edge's near side travels against its far side (its gap in
    # nearness times the reach): the back layer must be right that far behind a near object (r1),
    # and each layer's depth then returns to the photo's over a ramp wide enough never to fold (r2).
    dist_near, nearest_near = _nearest(near_edge)
    dist_far, nearest_far = _nearest(far_edge)
    gap = np.clip(d.ravel()[nearest_near] - d.ravel()[nearest_far], JUMP, 1.0).reshape(d.shape)
    margin = max(2.0, 0.004 * max(width, height))
    largest = float(np.max(reach)) * min(1.0, TRAVEL_SAFETY * float(gap[near_edge].max()))
    sigma = max(1.0, (largest + margin) * f / 4)
    depth_near = cv2.GaussianBlur(d.ravel()[nearest_near].reshape(d.shape), (0, 0), sigma)
    depth_far = cv2.GaussianBlur(d.ravel()[nearest_far].reshape(d.shape), (0, 0), sigma)
    travel = reach * np.minimum(1.0, TRAVEL_SAFETY * cv2.GaussianBlur(gap, (0, 0), sigma)) * f  # work pixels
    m = margin * f
    r1 = travel + m
    r2 = r1 + 1.5 * travel + 2 * m
    zone = (dist_near < r2) | (dist_far < r2)
    near_side = zone & (d >= (depth_near + depth_far) / 2)
    far_side = zone & ~near_side

    # 3. Continuous depths: the front keeps the near object's nearness across its transparent
    # band and returns to the photo's before its alpha does; the back keeps the far side's
    # nearness under the near object out to r1, then climbs back to the photo's by r2.
    g = min(1.0, LAYER_SIDE / max(width, height))
    size = (max(8, round(width * g)), max(8, round(height * g)))  # the layer size: matte and fill
    k = g / f  # layer pixels per work pixel
    flat = m + 2 * unsure_pixels(*size) / k  # the snapped matte may reach this far out
    # The ramp's steepest slope (1.5 x its mean) times the travel stays under 1: no fold.
    r_front = flat + 1.5 * travel
    # Where the front is opaque again: beyond r_front both layers are the photo at its own depth,
    # so the front may turn opaque within the margin.
    r_hole = r_front + m
    s = _smoothstep((dist_near - flat) / np.maximum(r_front - flat, 1.0))
    front_depth = np.where(far_side, np.maximum(d, depth_near * (1 - s) + d * s), d)
    s = _smoothstep((dist_far - r1) / np.maximum(r2 - r1, 1.0))
    back_depth = np.where(near_side, np.minimum(d, depth_far * (1 - s) + d * s), d)
    front_depth = cv2.GaussianBlur(front_depth.astype(np.float32), (0, 0), 1.0)
    back_depth = cv2.GaussianBlur(back_depth.astype(np.float32), (0, 0), 1.0)

    # 4. The matte and the back layer at the layer size.
    picture = _resized(image, size, cv2.INTER_AREA)

    def at_layer(values: np.ndarray, interpolation=cv2.INTER_LINEAR) -> np.ndarray:
        return _resized(values.astype(np.float32), size, interpolation)

    dist_near_l, r1_l = at_layer(dist_near) * k, at_layer(r1) * k
    r_front_l, r_hole_l = at_layer(r_front) * k, at_layer(r_hole) * k
    near_l = at_layer(near_side) > 0.5
    zone_l = at_layer(zone, cv2.INTER_NEAREST) > 0
    far_l = zone_l & ~near_l
    # The outline may move only near the depth edge; elsewhere in and beyond the zone the front is opaque.
    movable = zone_l & (dist_near_l < r_front_l)
    matte = snap_matte(picture, near_l | ~zone_l, movable)
    # The front turns opaque again at the far end of its band, where both layers agree.
    back_again = _smoothstep((dist_near_l - r_front_l) / np.maximum(r_hole_l - r_front_l, 1.0))
    alpha = np.where(far_l, np.maximum(matte, back_again), np.where(near_l, matte, 1.0)).astype(np.float32)
    # What the matte holds (the near object and its edge) removed, plus a margin so no colour
    # of the near object leaks into the fill, and filled from far pixels only (not from the near
    # object's inside either, beyond the zone).
    hole = (matte > 0.004) & (near_l | (far_l & (dist_near_l < r_hole_l)))
    spare = max(1, math.ceil(margin * g))
    nearer = at_layer(d >= (depth_near + depth_far) / 2) > 0.5
    known = ~_dilate(hole | (nearer & ~far_l), spare)
    if not known.any() or not hole.any():
        return None
    # The object's trace beside the matte cleared first: the fill copies none of it either.
    trace = EdgeTrace(picture, hole, alpha, None if hair is None else at_layer(hair, cv2.INTER_NEAREST) > 0.5)
    source = picture.copy()
    traced = trace.clear(source, trace.beside, hugging=True)
    behind = source.copy()
    reveal = float(np.max(r1_l[hole], initial=0.0)) + 2 * spare  # as deep as any move can show
    behind[hole] = fill_behind(source, hole, known, band=reveal)
    unmix_edge(picture, np.where(hole, alpha, 0.0), behind)
    trace.clear(behind, trace.soft)

    # 5. At the canvas's size: the photo where the back is not filled, the front from the photo.
    canvas = (width, height)
    alpha = np.clip(_resized(alpha, canvas), 0.0, 1.0)
    filled = (_resized((hole | traced).astype(np.float32), canvas) > 0.5).astype(np.uint8)
    back = cv2.cvtColor(image, cv2.COLOR_RGB2RGBA)
    ys, xs = np.nonzero(filled)
    shown = _resized(behind, canvas)[ys, xs]
    back[ys, xs, :3] = shown
    # The front must be able to add what the photo has over the back: where the back is brighter
    # in a channel than the photo, the front needs at least that much opacity (else frames near
    # the start would differ from the photo there).
    photo = image[ys, xs]
    brighter = (photo < np.maximum(shown, 1)).any(axis=1)  # the pixels with any need
    ys, xs, shown, photo = ys[brighter], xs[brighter], shown[brighter], photo[brighter]
    need = np.max(1.0 - photo.astype(np.float32) / np.maximum(shown, 1.0, dtype=np.float32), axis=1)
    alpha[ys, xs] = np.maximum(alpha[ys, xs], np.clip(need, 0.0, 1.0))
    # Nearly opaque is opaque: a trace of the back that no one could see is not worth compositing.
    alpha[alpha > OPAQUE] = 1.0
    alpha_u8 = np.round(alpha * 255.0).astype(np.uint8)
    front = np.empty_like(back)
    compose_front(image, back, see_through(alpha_u8), front)
    return Layers(front=front, back=back, front_depth=front_depth, back_depth=back_depth, filled=filled)
