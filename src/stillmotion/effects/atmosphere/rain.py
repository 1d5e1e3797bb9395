"""rain: falling streaks that take the scene's light, drawn in depth, with haze, splashes and sheen.

A raindrop is a tiny lens: it shows the light around it, not a grey of its own. Each streak is
composited toward the light a drop would carry there (kit: one uint8 blend with a colour map):
the scene's ambient light, plus the glow of nearby light sources. So streaks are bright where
they cross dark areas and light sources, and nearly vanish against a bright sky. A streak's
length is its speed on screen times the exposure (half a frame, the 180-degree shutter). Each
drop has a nearness z (0 far .. 1 at the lens): near drops fall faster on screen, so they are
longer, and are thicker, softer (drawn at half size and blurred) and fewer. A drop is hidden
where the scene on screen is nearer than it (rain falls behind a near person or wall).
Heavy rain also veils the distance (haze and contrast loss growing with depth), splashes where
it hits the ground (small crowns) and wets it (a soft, blurred reflection of the lights above);
both need the analysis' "ground" region: without one there is no splash on a wall. Rain of
any weight rings the water. Light rain stays light: fewer, fainter drops, none of that.
Strength sets all of it; speed the fall rate; direction left/right the wind.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender, add_map, gain_map
from ..kit.image import has_area, low_scale, low_size, luminance
from ..kit.screen import ScreenMap
from ..kit.tracks import FallTracks, draw_segments
from ..regions import Freeze, effect_mask, off_faces
from ..timing import smoothstep, whole_cycles

WIND = {"left": -0.28, "right": 0.28}
HEAVY = 0.55  # from this strength on: haze, splashes on the ground, a wet sheen


class Rain(Effect):
    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        w, h = scene.size
        self.size = (w, h)
        strength = spec.strength
        self.heavy = float(smoothstep(HEAVY - 0.15, 1.0, strength))  # 0 for light rain
        area = w * h / (1920 * 1080)
        count = max(60, int((300 + 5500 * strength * strength) * area))  # calmer for the encoder when light
        # Nearness of each drop: 0 (as far as the farthest scene) .. 1.25 (in front of the nearest
        # object); more far drops than near ones, as in a real volume of rain seen through a lens.
        self.z = (1.2 * rng.random(count) ** 1.5).astype(np.float64)
        near = np.minimum(self.z / 1.2, 1.0)
        speed = (0.9 + 2.8 * near) * h * spec.speed * rng.uniform(0.85, 1.15, count)
        exposure = 0.5 / scene.fps
        self.length = speed * exposure + 3.0 * h / 1080
        wind = WIND.get(spec.direction, rng.choice([-1, 1]) * rng.uniform(0.04, 0.12))
        self.tracks = FallTracks(rng, count, (w, h), speed, wind, scene.duration, loop=scene.plan.loop,
                                 margin=float(self.length.max()) + 4)
        px = h / 1080
        self.layers = [  # (selection, opacity 0..255, thickness)
            (near < 0.35, 70 + 90 * strength, 1),
            ((near >= 0.35) & (near < 0.8), 80 + 110 * strength, max(1, round(1.4 * px))),
            (near >= 0.8, 60 + 70 * strength, max(2, round(3.0 * px))),  # near: soft, out of focus
        ]
        self.mask = np.zeros((h, w), np.uint8)
        self.soft = np.zeros(((h + 1) // 2, (w + 1) // 2), np.uint8)
        self.soft_full = np.zeros((h, w), np.uint8)
        self.blender = Blender()
        self.freeze = Freeze(spec, scene)
        self.keep = self.freeze.low(low_size(scene))
        camera = scene.plan.camera
        self.still_camera = camera.type == "static" or camera.strength <= 0
        self.scale = low_scale(scene)
        self.low = low_size(scene)
        self.light_low = self._drop_light(scene)
        self.light = cv2.resize(self.light_low, (w, h), interpolation=cv2.INTER_LINEAR)
        # Rain darkens and flattens the light a little (overcast).
        self.dim = 0.06 + 0.12 * strength
        self.ground = self._ground(scene)
        # The haze is the scene's average light scattered back (dim at night, grey by day).
        self.haze_colour = np.float32(np.clip(1.1 * scene.image.reshape(-1, 3)[::97].mean(axis=0), 0, 255))
        self.sheen_low = self._sheen(scene) if self.heavy > 0 else None
        self._veil_full = None  # the full-size veil of a still camera at full amount, made on first use
        self._splashes(rng, scene, strength)

    # --- the light a drop shows ---------------------------------------------------------------
    def _drop_light(self, scene) -> np.ndarray:
        """Low-resolution colour map (uint8) of the light a drop shows there: the ambient light of the
        scene (a drop refracts a wide cone around it) and the glow of light sources near it."""
        lw, lh = self.low
        small = cv2.resize(scene.image, (lw, lh), interpolation=cv2.INTER_AREA).astype(np.float32)
        lum = luminance(small.astype(np.uint8))
        # Ambient: a drop refracts a wide cone of the scene, mostly the sky and lit surfaces: about
        # the scene's bright tones, a little below them. So a streak barely shows against a bright
        # sky (a touch darker) and shows bright against anything darker than that light.
        bright = small.reshape(-1, 3)[lum.ravel() >= np.percentile(lum, 85)].mean(axis=0)
        self.ambient = np.clip(0.9 * bright, 0, 255)
        # Light sources: the analysis' lights, else the brightest small things; their glow spreads wide.
        sources = scene.mask_at_canvas("light")
        sources = cv2.resize(sources, (lw, lh), interpolation=cv2.INTER_AREA) if sources is not None else np.zeros((lh, lw), np.float32)
        sources = np.maximum(sources, smoothstep(0.85, 0.98, lum, np.float32) * (lum - cv2.GaussianBlur(lum, (0, 0), lw / 40) > 0.15))
        glow = cv2.GaussianBlur(small * sources[..., None], (0, 0), max(2.0, 0.035 * lw))
        glow *= 2.5 / max(float(cv2.GaussianBlur(sources, (0, 0), max(2.0, 0.035 * lw)).max()), 1e-3) ** 0.5
        light = self.ambient[None, None, :] + glow
        # In front of something brighter than that light (a bright sky, a sunlit wall), a drop shows
        # about what is behind and around it: never darker than the broad background there.
        broad = cv2.GaussianBlur(small, (0, 0), max(2.0, 0.03 * lw))
        return np.clip(np.maximum(light, 0.97 * broad), 0, 255).astype(np.uint8)

    # --- where rain lands ---------------------------------------------------------------------
    def _ground(self, scene) -> np.ndarray | None:
        """Where rain hits the ground: the analysis' "ground" region (road, pavement, field, floor),
        without faces. None when the analysis has none: splashes on a wall would be worse than none."""
        ground = scene.mask_at_canvas("ground")
        if ground is None or not has_area(ground, 0.01):
            return None
        return off_faces(np.clip(ground, 0, 1).astype(np.float32), scene)

    def _sheen(self, scene) -> np.ndarray | None:
        """A wet ground's reflection of the lights above it: each light smeared down into a soft
        vertical streak on the ground (low-resolution colour map, added to the frame)."""
        if self.ground is None:
            return None
        lw, lh = self.low
        ground = cv2.resize(self.ground, (lw, lh), interpolation=cv2.INTER_AREA)
        lights = np.clip(self.light_low.astype(np.float32) - self.ambient[None, None, :], 0, 255)
        if lights.max() < 20:
            return None
        # Reflections run down from where each light is, long and soft (a wet, rough surface).
        kernel = np.zeros((int(0.5 * lh) | 1, 1), np.float32)
        kernel[kernel.shape[0] // 2:] = np.exp(-np.linspace(0, 3, kernel.shape[0] - kernel.shape[0] // 2))[:, None]
        streaks = cv2.filter2D(lights, -1, kernel / kernel.sum(), borderType=cv2.BORDER_CONSTANT)
        streaks = cv2.GaussianBlur(streaks, (0, 0), max(1.0, 0.004 * lw), max(2.0, 0.02 * lh))
        return (streaks * (0.9 * self.heavy) * ground[..., None]).astype(np.float32)

    def _splashes(self, rng, scene, strength):
        """Rings where rain hits the water, small crowns where heavy rain hits the ground."""
        w, h = self.size
        self.splash_xy = np.zeros((0, 2))
        water = effect_mask(self.spec.model_copy(update={"region": None}), scene, "water")
        picks = []
        if has_area(water, 0.01) and strength >= 0.25:
            picks.append((water, int((40 + 200 * strength) * w * h / (1920 * 1080)), True))
        if self.heavy > 0 and self.ground is not None:
            picks.append((self.ground, int(220 * self.heavy * w * h / (1920 * 1080)), False))
        xy, ring = [], []
        for where, count, on_water in picks:
            ys, xs = np.nonzero(where > 0.5)
            if len(xs) == 0 or count <= 0:
                continue
            pick = rng.integers(0, len(xs), count)
            points = np.stack([xs[pick], ys[pick]], 1).astype(np.float64)
            points = points[np.broadcast_to(self.freeze.visible(points), (len(points),))]
            xy.append(points)
            ring.append(np.full(len(points), on_water))
        if not xy:
            return
        self.splash_xy = np.concatenate(xy)
        self.splash_ring = np.concatenate(ring)
        count = len(self.splash_xy)
        ix = self.splash_xy.astype(int)
        self.splash_near = scene.depth[ix[:, 1], ix[:, 0]].astype(np.float64)
        period = scene.duration
        cycles = rng.integers(whole_cycles(0.6 * self.spec.speed, period), whole_cycles(1.4 * self.spec.speed, period) + 1, count)
        self.splash_rate = cycles / period
        self.splash_phase = rng.random(count)
        # Nearer splashes are bigger (perspective).
        self.splash_radius = (2.0 + 10.0 * self.splash_near) * h / 1080
        self.splash_thickness = max(1, round(h / 1080))
        ring = np.linspace(0, 2 * np.pi, 14)
        self.ring = np.stack([np.cos(ring), 0.3 * np.sin(ring)], 1)
        # A crown: a few droplets thrown up and out in a fan.
        self.crown = np.array([[-1.0, -0.9], [-0.45, -1.3], [0.0, -1.45], [0.45, -1.3], [1.0, -0.9]])

    # --- per frame ------------------------------------------------------------------------------
    def draw(self, frame, t, amount, view):
        screen = ScreenMap(view, self.scene)
        self._veil(frame, amount, screen)
        mask = self.mask
        mask.fill(0)
        x, y = self.tracks.positions(t)
        dx, dy = self.tracks.direction()
        head = np.stack([x, y], 1)
        tail = head - np.stack([dx * self.length, dy * self.length], 1)
        unfrozen = self.freeze.visible((head + tail) * 0.5)
        head = screen.points(head, self.z)
        tail = screen.points(tail, self.z)
        w, h = self.size
        middle = (head + tail) * 0.5
        on_screen = (middle[:, 0] > -50) & (middle[:, 0] < w + 50) & (middle[:, 1] > -self.length) & (middle[:, 1] < h + self.length)
        # A drop is hidden where the scene is nearer than the drop (it falls behind that object).
        visible = on_screen & unfrozen & (screen.depth_at(middle) <= self.z + 0.03)
        for select, opacity, thickness in self.layers[:-1]:
            s = visible & select
            draw_segments(mask, head[s], tail[s], float(opacity * amount), thickness)
        # The nearest drops are out of focus: drawn at half size, blurred, merged (soft streaks).
        select, opacity, thickness = self.layers[-1]
        s = visible & select
        self.soft.fill(0)
        draw_segments(self.soft, head[s] * 0.5, tail[s] * 0.5, float(opacity * amount), max(1, thickness // 2))
        cv2.GaussianBlur(self.soft, (0, 0), 1.2, dst=self.soft)
        cv2.resize(self.soft, (w, h), dst=self.soft_full, interpolation=cv2.INTER_LINEAR)
        cv2.max(mask, self.soft_full, dst=mask)
        self._draw_splashes(mask, t, amount, screen)
        self.blender.composite(frame, self._light_on_screen(screen), mask)

    def _light_on_screen(self, screen) -> np.ndarray:
        """The drop-light map where the scene is on screen this frame (lights move with the camera)."""
        if screen.view is None or self.still_camera:
            return self.light
        w, h = self.size
        moved = screen.field(self.light_low, self.scale)
        out = self.blender.buffer("light", (h, w, 3))
        cv2.resize(moved, (w, h), dst=out, interpolation=cv2.INTER_LINEAR)
        return out

    def _veil(self, frame, amount, screen) -> None:
        """The overcast dimming; for heavy rain also haze growing with distance and the wet sheen."""
        dim = self.dim * amount
        if self.heavy <= 0:
            cv2.convertScaleAbs(frame, dst=frame, alpha=1.0 - dim, beta=6.0 * dim)
            return
        if self.still_camera and amount >= 1.0:  # the same veil every frame: made full-size once
            if self._veil_full is None:
                gain, add = self._veil_maps(1.0, screen)
                h, w = frame.shape[:2]
                self._veil_full = (cv2.resize(gain_map(gain), (w, h), interpolation=cv2.INTER_LINEAR),
                                   cv2.resize(add_map(add), (w, h), interpolation=cv2.INTER_LINEAR))
            cv2.multiply(frame, self._veil_full[0], dst=frame, scale=1 / 128)
            cv2.add(frame, self._veil_full[1], dst=frame)
            return
        self.blender.gain(frame, *self._veil_maps(amount, screen))

    def _veil_maps(self, amount, screen) -> tuple[np.ndarray, np.ndarray]:
        """Low-resolution gain and add maps of the veil at this amount."""
        dim = self.dim * amount
        lw, lh = self.low
        distance = np.clip(1.0 - screen.depth_low((lw, lh)), 0.0, 1.0)
        haze = (0.32 * self.heavy * amount) * distance ** 1.5  # a veil, denser far away
        if self.keep is not None:  # the frozen part keeps only the overall dimming
            haze = haze * self.keep
        gain = np.repeat(((1.0 - dim) * (1.0 - haze))[..., None], 3, axis=2)
        add = haze[..., None] * self.haze_colour[None, None, :] + 6.0 * dim
        if self.sheen_low is not None:
            sheen = self.sheen_low if self.still_camera else cv2.resize(
                screen.field(self.sheen_low, self.scale, cv2.BORDER_CONSTANT), (lw, lh), interpolation=cv2.INTER_LINEAR)
            add = add + sheen * (amount if self.keep is None else amount * self.keep[..., None])
        return gain, add

    def _draw_splashes(self, mask, t, amount, screen):
        if len(self.splash_xy) == 0:
            return
        age = np.mod(self.splash_phase + self.splash_rate * t, 1.0)
        live = age < 0.22
        if not live.any():
            return
        grow = age[live] / 0.22
        centre = screen.points(self.splash_xy[live], self.splash_near[live])
        radius = self.splash_radius[live] * (0.3 + grow)
        ring = self.splash_ring[live]
        fade = (1.0 - grow)
        if ring.any():  # rings spreading on the water
            rings = centre[ring, None, :] + self.ring[None, :, :] * radius[ring, None, None]
            for select, value in ((fade[ring] > 0.5, 150), (fade[ring] <= 0.5, 75)):
                if select.any():
                    pts = np.round(rings[select] * 16).astype(np.int32)
                    cv2.polylines(mask, pts, False, float(value * amount), self.splash_thickness, cv2.LINE_AA, 4)
        crown = ~ring
        if crown.any():  # droplets thrown up and out, falling back
            c, r, f = centre[crown], radius[crown], fade[crown]
            lift = (4.0 * grow[crown] * (1.0 - grow[crown]))[:, None]  # up, then down again
            tips = c[:, None, :] + self.crown[None, :, :] * np.stack([r, r * lift[:, 0]], 1)[:, None, :]
            dots = tips.reshape(-1, 2)
            value = float(160 * amount)
            strong = np.repeat(f > 0.4, len(self.crown))
            for select, level in ((strong, value), (~strong, 0.5 * value)):
                if select.any():
                    p = np.round(dots[select] * 16).astype(np.int32)
                    cv2.polylines(mask, np.stack([p, p], 1), False, level, max(2, self.splash_thickness + 1), cv2.LINE_AA, 4)
