"""Shared machinery of the screen-space effects (atmosphere and light).

What lives here, and why:
- `envelope`: how strongly an effect shows at time t. Every effect eases in from 0 at its
  start (so frame 0 is the photo) and, when the plan loops or the effect has an `end`, eases
  out again, so the last frame flows into the first. Effects scale their visible amount by it.
- `FallTracks`: particles (rain, snow, petals) that travel along one direction and wrap. Their
  positions are a pure function of t and periodic over the clip: each particle's travel length
  is chosen so that it completes a whole number of trips in the clip's duration.
- `periodic_signal`, `looped_scroll`: periodic noise in time, for loops without a seam.
- `ScreenMap`: keeps atmosphere attached to the scene when the camera moves. It maps canvas
  points to screen points (an affine fit of the camera's backward map, per depth), warps
  low-resolution canvas fields onto the screen, and samples the on-screen depth.
- `Blender`: uint8 blends with cv2 into preallocated buffers (no full-frame float math per frame).
- `region_mask`: the scene helper's shared region lookup (motion/regions.py) for an Effect.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

SUBPIXEL = 4  # fractional bits for cv2 drawing: smooth motion of slow particles
ONE = 1 << SUBPIXEL


# --- time ------------------------------------------------------------------------------------

def smoothstep(x: float) -> float:
    """Quintic ease 0..1 with zero slope and curvature at both ends (the loop seam stays small)."""
    x = min(max(x, 0.0), 1.0)
    return x * x * x * (x * (6.0 * x - 15.0) + 10.0)


def envelope(spec, scene, t: float, ramp: float | None = None) -> float:
    """0..1 amount of an effect at time t: eases in from `start`, out before `end` (or the loop point).

    At t = 0 (and at t = start) it is exactly 0, so the frame is left unchanged.
    """
    duration = scene.duration
    if ramp is None:
        ramp = min(1.0, 0.15 * duration)
    ramp = max(ramp, 1e-3)
    start = spec.start
    if t <= start:
        return 0.0
    amount = smoothstep((t - start) / ramp)
    end = spec.end if spec.end is not None else (duration if scene.plan.loop else None)
    if end is not None:
        amount *= smoothstep((min(end, duration) - t) / ramp)
    return amount


def whole_cycles(rate: float, period: float, minimum: int = 1) -> int:
    """The whole number of cycles closest to rate (per second) over period seconds: periodic motion."""
    return max(minimum, int(round(rate * period)))


def periodic_signal(rng: np.random.Generator, period: float, low_hz: float, high_hz: float, terms: int = 6):
    """A random smooth signal s(t) in about -1..1, exactly periodic over `period` (integer frequencies)."""
    cycles = rng.integers(max(1, round(low_hz * period)), max(2, round(high_hz * period)) + 1, size=terms)
    phases = rng.uniform(0, 2 * np.pi, size=terms)
    weights = 1.0 / np.sqrt(cycles.astype(np.float64))
    weights = weights / weights.sum()
    omega = 2 * np.pi * cycles / period

    def signal(t: float) -> float:
        return float(np.sum(weights * np.sin(omega * t + phases)) * 1.6)

    return signal


def looped_scroll(t: float, period: float, velocity: float, loop: bool) -> tuple[float, float, float]:
    """Offsets and weight for a texture scrolled at `velocity`, seamless over `period` when looping.

    Returns (offset_a, offset_b, weight_b): sample the texture at both offsets and mix them.
    Looping uses two phases cross-faded (at t = 0 phase a, at t = period phase b, which equals
    phase a at 0): the Eulerian-motion trick, so any scroll speed loops.
    """
    if not loop:
        return velocity * t, 0.0, 0.0
    u = (t % period) / period
    return velocity * t, velocity * (t - period), u


# --- noise -------------------------------------------------------------------------------------

def tileable_noise(rng: np.random.Generator, shape: tuple[int, int], scale: float, stretch: float = 1.0) -> np.ndarray:
    """Smooth noise that tiles (wraps at its edges), float32 about 0..1, blobs about `scale` pixels wide.

    stretch > 1 elongates the blobs vertically (wisps), < 1 horizontally (banks of mist).
    """
    h, w = shape
    fy = np.fft.fftfreq(h)[:, None] * stretch
    fx = np.fft.rfftfreq(w)[None, :]
    f = np.sqrt(fx * fx + fy * fy)
    cutoff = 1.0 / max(scale, 1.0)
    amplitude = np.exp(-(f / cutoff) ** 2) / np.maximum(f, 1.0 / max(h, w)) ** 0.6
    amplitude[0, 0] = 0.0
    spectrum = amplitude * (rng.standard_normal(amplitude.shape) + 1j * rng.standard_normal(amplitude.shape))
    noise = np.fft.irfft2(spectrum, s=(h, w))
    noise = (noise - noise.mean()) / (noise.std() + 1e-9)
    return np.clip(0.5 + noise / 5.0, 0.0, 1.0).astype(np.float32)


def low_scale(scene) -> float:
    """Scale of the low-resolution working grids: about 480 pixels on the long side, at most half size."""
    w, h = scene.size
    return min(0.5, 480.0 / max(w, h))


def low_size(scene) -> tuple[int, int]:
    s = low_scale(scene)
    w, h = scene.size
    return max(2, round(w * s)), max(2, round(h * s))


def luminance(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0


# --- regions -----------------------------------------------------------------------------------

def region_mask(spec, scene, default_name: str | None) -> np.ndarray:
    """Canvas-size float32 mask of where an effect applies: the shared region helper
    (its region or the named default, minus its freeze region, never over a face)."""
    from .regions import effect_mask

    return effect_mask(spec, scene, default_name)


class Freeze:
    """The spec's freeze region for effects that cover everything (rain, snow, fog, petals):
    where it is, they do not show. `visible(xy)` tests canvas points; `low` is a low-res keep map."""

    def __init__(self, spec, scene):
        self.keep = None
        if spec.freeze is not None:
            from .regions import region_mask as shared

            frozen = shared(spec.freeze, scene, None, protect_faces=False)
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


def has_area(mask: np.ndarray | None, fraction: float = 0.0005) -> bool:
    return mask is not None and float((mask > 0.3).mean()) > fraction


def bright_spots(image: np.ndarray, count: int, rng: np.random.Generator, mask: np.ndarray | None = None,
                 min_distance: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Small bright spots of an image (highlights, glints, lamps): (N x 2 xy, N strength 0..1).

    A spot is a local maximum of the white top-hat of the luminance: bright compared with its
    surroundings and small, so a white wall does not count but a glint on it does.
    """
    lum = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (15, 15))
    tophat = cv2.morphologyEx(lum, cv2.MORPH_TOPHAT, kernel).astype(np.float32)
    score = tophat * (lum.astype(np.float32) / 255.0) ** 2
    if mask is not None:
        score *= np.clip(mask, 0, 1)
    peaks = score == cv2.dilate(score, np.ones((2 * min_distance + 1,) * 2, np.uint8))
    ys, xs = np.nonzero(peaks & (score > max(4.0, np.percentile(score, 99.0) * 0.5)))
    if len(xs) == 0:
        return np.zeros((0, 2), np.float32), np.zeros(0, np.float32)
    values = score[ys, xs]
    order = np.argsort(-values)[: count * 3]
    xs, ys, values = xs[order], ys[order], values[order]
    if len(xs) > count:  # keep the brightest, with a little seeded variety
        keep = np.sort(rng.choice(len(xs), size=count, replace=False, p=values / values.sum()))
        xs, ys, values = xs[keep], ys[keep], values[keep]
    return np.stack([xs, ys], 1).astype(np.float32), (values / values.max()).astype(np.float32)


# --- particles ---------------------------------------------------------------------------------

class FallTracks:
    """Particles travelling along one direction (down, with wind) that wrap, periodic over the clip.

    A particle's coordinate along its path is s(t) = (phase * L + v * t) mod L, L being its travel
    length (at least the screen plus margins). When looping, L is chosen so that v * period is a
    whole number of L (and particles too slow for one trip per clip are sped up to one).
    Positions are canvas pixels; sway adds periodic sideways motion.
    """

    def __init__(self, rng: np.random.Generator, count: int, size: tuple[int, int], speed: np.ndarray,
                 wind: float, period: float, margin: float, sway: np.ndarray | None = None,
                 sway_hz: float = 0.3, upward: bool = False, loop: bool = True):
        w, h = size
        self.count = count
        self.wind = wind
        self.upward = upward
        self.margin = margin
        self.speed = speed.astype(np.float64)
        span = h + 2 * margin
        if loop:
            # A whole number of trips per clip; a particle too slow for one trip is sped up to one.
            trips = np.maximum(1, np.floor(self.speed * period / span))
            self.speed = np.maximum(self.speed, span / period)
            self.length = self.speed * period / trips  # >= span: some particles wait off-screen
        else:
            self.length = np.full(count, span)
        self.phase = rng.random(count)
        reach = abs(wind) * span
        self.x0 = rng.uniform(-margin - (reach if wind > 0 else 0), w + margin + (reach if wind < 0 else 0), count)
        self.sway = np.zeros(count) if sway is None else sway
        cycles = rng.integers(max(1, round(sway_hz * period * 0.6)), max(2, round(sway_hz * period * 1.4)) + 1, count)
        self.sway_omega = 2 * np.pi * cycles / period
        self.sway_phase = rng.uniform(0, 2 * np.pi, count)
        self.height = h

    def positions(self, t: float) -> tuple[np.ndarray, np.ndarray]:
        s = np.mod(self.phase * self.length + self.speed * t, self.length) - self.margin
        y = (self.height - s) if self.upward else s
        x = self.x0 + self.wind * s + self.sway * np.sin(self.sway_omega * t + self.sway_phase)
        return x, y

    def direction(self) -> tuple[float, float]:
        """Unit vector of travel on screen (for streak tails)."""
        dy = -1.0 if self.upward else 1.0
        n = math.hypot(self.wind, 1.0)
        return self.wind / n, dy / n


def fixed_point(xy: np.ndarray) -> np.ndarray:
    """Float pixel coordinates as int32 with SUBPIXEL fractional bits, for cv2 drawing with shift."""
    return np.round(xy * ONE).astype(np.int32)


def draw_dots(mask: np.ndarray, xy: np.ndarray, value: float, diameter: int) -> None:
    """Round anti-aliased dots, all in one cv2 call (zero-length lines with round caps).

    At least 2 pixels wide: a 1-pixel anti-aliased zero-length line draws almost nothing."""
    if len(xy) == 0 or value <= 0:
        return
    p = fixed_point(xy)
    segments = np.stack([p, p], 1)
    cv2.polylines(mask, segments, False, float(value), max(2, int(diameter)), cv2.LINE_AA, SUBPIXEL)


def draw_segments(mask: np.ndarray, a: np.ndarray, b: np.ndarray, value, thickness: int) -> None:
    """Anti-aliased line segments a[i] -> b[i], in one cv2 call."""
    if len(a) == 0:
        return
    segments = np.stack([fixed_point(a), fixed_point(b)], 1)
    cv2.polylines(mask, segments, False, value, max(1, int(thickness)), cv2.LINE_AA, SUBPIXEL)


# --- camera ----------------------------------------------------------------------------------

class ScreenMap:
    """Where the scene is on screen this frame (from the renderer's View; identity when view is None)."""

    def __init__(self, view, scene):
        self.view = view
        self.scene = scene
        self.size = scene.size
        self._fits = None
        self._maps: dict[float, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def depth(self) -> np.ndarray:
        return self.scene.depth if self.view is None else self.view.depth

    def depth_at(self, xy: np.ndarray) -> np.ndarray:
        """On-screen nearness at screen points (nearest pixel, clamped to the frame)."""
        depth = self.depth
        h, w = depth.shape
        xs = np.clip(np.round(xy[:, 0]).astype(np.intp), 0, w - 1)
        ys = np.clip(np.round(xy[:, 1]).astype(np.intp), 0, h - 1)
        return depth[ys, xs]

    def depth_low(self, size: tuple[int, int]) -> np.ndarray:
        """On-screen nearness at a low resolution (cheap: strided pick, then resize)."""
        depth = self.depth
        step = max(1, depth.shape[1] // (2 * size[0]))
        return cv2.resize(np.ascontiguousarray(depth[::step, ::step]), size, interpolation=cv2.INTER_AREA)

    def field(self, canvas_low: np.ndarray, scale: float, border: int = cv2.BORDER_REFLECT, value=0.0) -> np.ndarray:
        """A low-resolution canvas field (at `scale` of the canvas) as seen on screen, at the map's resolution.

        Outside the canvas it is reflected (border) or `value` (with cv2.BORDER_CONSTANT)."""
        if self.view is None:
            return canvas_low
        maps = self._maps.get(scale)
        if maps is None:
            m = self.view.screen_to_canvas
            maps = (np.ascontiguousarray(m[..., 0] * scale, np.float32), np.ascontiguousarray(m[..., 1] * scale, np.float32))
            self._maps[scale] = maps
        return cv2.remap(canvas_low, maps[0], maps[1], cv2.INTER_LINEAR, borderMode=border, borderValue=value)

    def points(self, xy: np.ndarray, nearness: np.ndarray | float | None = None) -> np.ndarray:
        """Canvas points (N x 2) to screen points, moved as the camera moves scene points at that nearness."""
        if self.view is None or len(xy) == 0:
            return xy
        far, near, d_far, d_near = self._affines()
        if nearness is None:
            w = 0.5
        else:
            w = np.clip((np.asarray(nearness, np.float64) - d_far) / max(d_near - d_far, 1e-3), 0.0, 1.0)
            w = w[:, None] if np.ndim(w) else w
        ones = np.ones((len(xy), 1))
        homogeneous = np.hstack([xy, ones])
        return (homogeneous @ far) * (1 - w) + (homogeneous @ near) * w

    def place(self, tracks, t: float, nearness: np.ndarray, freeze, margin: float):
        """Particles of `tracks` at time t: their canvas and screen positions, and which are visible
        (on screen within `margin` pixels, not behind what the depth shows there, not frozen)."""
        x, y = tracks.positions(t)
        canvas_xy = np.stack([x, y], 1)
        xy = self.points(canvas_xy, nearness)
        w, h = self.size
        on_screen = (xy[:, 0] > -margin) & (xy[:, 0] < w + margin) & (xy[:, 1] > -margin) & (xy[:, 1] < h + margin)
        visible = on_screen & (self.depth_at(xy) <= nearness + 0.1) & freeze.visible(canvas_xy)
        return canvas_xy, xy, visible

    def _affines(self):
        """Least-squares affine maps canvas -> screen for the far and the near part of the scene."""
        if self._fits is not None:
            return self._fits
        view = self.view
        m = view.screen_to_canvas
        mh, mw = m.shape[:2]
        step = max(1, int(math.sqrt(mh * mw / 4000)))
        jj, ii = np.mgrid[0:mh:step, 0:mw:step]
        canvas = m[jj, ii].reshape(-1, 2).astype(np.float64)
        screen = np.stack([(ii + 0.5) / view.map_scale - 0.5, (jj + 0.5) / view.map_scale - 0.5], -1).reshape(-1, 2)
        depth = view.depth
        dh, dw = depth.shape
        d = depth[np.clip(screen[:, 1].round().astype(int), 0, dh - 1), np.clip(screen[:, 0].round().astype(int), 0, dw - 1)]
        w, h = self.size
        inside = (canvas[:, 0] >= 0) & (canvas[:, 0] < w) & (canvas[:, 1] >= 0) & (canvas[:, 1] < h)
        if inside.sum() < 12:
            inside[:] = True
        canvas, screen, d = canvas[inside], screen[inside], d[inside]
        lo, hi = np.quantile(d, [0.3, 0.7])

        def fit(select):
            if select.sum() < 6:
                select = np.ones_like(select)
            a = np.hstack([canvas[select], np.ones((int(select.sum()), 1))])
            solution, *_ = np.linalg.lstsq(a, screen[select], rcond=None)
            return solution, float(d[select].mean())

        far, d_far = fit(d <= lo)
        near, d_near = fit(d >= hi)
        self._fits = (far, near, d_far, d_near)
        return self._fits


# --- blending --------------------------------------------------------------------------------

class Blender:
    """uint8 blends with cv2 into reused buffers (no per-frame allocation of full frames)."""

    def __init__(self):
        self._buffers: dict[tuple, np.ndarray] = {}

    def buffer(self, name: str, shape: tuple, dtype=np.uint8) -> np.ndarray:
        key = (name, shape, np.dtype(dtype).str)
        buf = self._buffers.get(key)
        if buf is None:
            buf = self._buffers[key] = np.empty(shape, dtype)
        return buf

    def _alpha3(self, alpha: np.ndarray, tint=None) -> np.ndarray:
        a3 = self.buffer("a3", alpha.shape + (3,))
        cv2.merge((alpha, alpha, alpha), dst=a3)
        if tint is not None:
            cv2.multiply(a3, (float(tint[0]), float(tint[1]), float(tint[2]), 0.0), dst=a3, scale=1 / 255)
        return a3

    def lighten(self, frame: np.ndarray, alpha: np.ndarray, tint=None) -> None:
        """Screen blend toward white (or tint, 0..255 per channel): frame += (255 - frame) * alpha/255."""
        a3 = self._alpha3(alpha, tint)
        tmp = self.buffer("tmp", frame.shape)
        cv2.bitwise_not(frame, dst=tmp)
        cv2.multiply(tmp, a3, dst=tmp, scale=1 / 255)
        cv2.add(frame, tmp, dst=frame)

    def composite(self, frame: np.ndarray, color, alpha: np.ndarray) -> None:
        """Paint color (a 3-tuple, or an image like frame) over frame with coverage alpha (uint8)."""
        a3 = self._alpha3(alpha)
        tmp = self.buffer("tmp", frame.shape)
        if isinstance(color, np.ndarray):
            cv2.multiply(color, a3, dst=tmp, scale=1 / 255)
        else:
            cv2.multiply(a3, (float(color[0]), float(color[1]), float(color[2]), 0.0), dst=tmp, scale=1 / 255)
        cv2.bitwise_not(a3, dst=a3)
        cv2.multiply(frame, a3, dst=frame, scale=1 / 255)
        cv2.add(frame, tmp, dst=frame)

    def gain(self, frame: np.ndarray, gain_low: np.ndarray, add_low: np.ndarray | None = None) -> None:
        """frame = frame * gain + add, from low-resolution float maps (h x w x 3; gain 1 = unchanged).

        The maps are encoded as uint8 at low resolution (gain 128 = 1.0) and upsampled, so the
        full-frame work is one resize and one cv2.multiply (plus one add).
        """
        h, w = frame.shape[:2]
        g8 = np.clip(gain_low * 128.0 + 0.5, 0, 255).astype(np.uint8)
        full = self.buffer("gain", frame.shape)
        cv2.resize(g8, (w, h), dst=full, interpolation=cv2.INTER_LINEAR)
        cv2.multiply(frame, full, dst=frame, scale=1 / 128)
        if add_low is not None:
            a8 = np.clip(add_low + 0.5, 0, 255).astype(np.uint8)
            cv2.resize(a8, (w, h), dst=full, interpolation=cv2.INTER_LINEAR)
            cv2.add(frame, full, dst=frame)

    def upsample(self, low: np.ndarray, size: tuple[int, int], name: str = "up") -> np.ndarray:
        """A low-resolution 0..1 float map as a full-size uint8 alpha (reused buffer)."""
        w, h = size
        a8 = np.clip(low * 255.0 + 0.5, 0, 255).astype(np.uint8)
        out = self.buffer(name, (h, w))
        cv2.resize(a8, (w, h), dst=out, interpolation=cv2.INTER_LINEAR)
        return out


def alpha_bbox(alpha: np.ndarray, pad: int = 2) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) around the non-zero part of a uint8 map, or None when it is empty."""
    x, y, w, h = cv2.boundingRect(alpha)
    if w == 0 or h == 0:
        return None
    H, W = alpha.shape[:2]
    return max(0, x - pad), max(0, y - pad), min(W, x + w + pad), min(H, y + h + pad)
