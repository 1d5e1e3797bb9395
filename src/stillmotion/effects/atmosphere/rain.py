"""rain: falling streaks with depth, drawn behind near objects, optional splashes.

Each drop has a nearness z (0 far .. 1 at the lens). Near drops are longer (more motion blur),
faster, thicker and softer (drawn at half size and blurred); far drops are short, thin and faint. A drop is hidden where the
scene on screen is nearer than the drop (rain falls behind a near person or wall), so depth
shows. All streaks of a layer are one cv2.polylines call into a mask, then one screen blend.
Splashes (small expanding rings) appear on the water region, or on the ground when the rain
is heavy. Strength sets the number of drops and the scene's slight darkening; speed the fall rate;
direction left/right the wind.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender
from ..kit.image import has_area
from ..kit.screen import ScreenMap
from ..kit.tracks import FallTracks, draw_segments
from ..regions import Freeze, effect_mask
from ..timing import whole_cycles

WIND = {"left": -0.28, "right": 0.28}


class Rain(Effect):
    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        w, h = scene.size
        self.size = (w, h)
        strength = spec.strength
        area = w * h / (1920 * 1080)
        count = max(60, int((400 + 2800 * strength) * area))  # ~1,800 at the default 0.5: calmer for the encoder
        # Nearness of each drop: 0 (as far as the farthest scene) .. 1.25 (in front of the nearest
        # object); more far drops than near ones, as in a real volume of rain seen through a lens.
        self.z = (1.2 * rng.random(count) ** 1.5).astype(np.float64)
        near = np.minimum(self.z / 1.2, 1.0)
        speed = (0.9 + 2.8 * near) * h * spec.speed * rng.uniform(0.85, 1.15, count)
        self.length = (0.02 + 0.07 * near ** 2) * h * rng.uniform(0.8, 1.2, count)
        wind = WIND.get(spec.direction, rng.choice([-1, 1]) * rng.uniform(0.04, 0.12))
        self.tracks = FallTracks(rng, count, (w, h), speed, wind, scene.duration, loop=scene.plan.loop, margin=float(self.length.max()) + 4)
        px = h / 1080
        self.layers = [  # (selection, intensity 0..255, thickness)
            (near < 0.35, 80 + 50 * strength, 1),
            ((near >= 0.35) & (near < 0.8), 100 + 60 * strength, max(1, round(1.4 * px))),
            (near >= 0.8, 100 + 50 * strength, max(2, round(3.0 * px))),  # near: soft, out of focus
        ]
        self.mask = np.zeros((h, w), np.uint8)
        self.soft = np.zeros(((h + 1) // 2, (w + 1) // 2), np.uint8)
        self.soft_full = np.zeros((h, w), np.uint8)
        self.blender = Blender()
        self.freeze = Freeze(spec, scene)
        # Rain darkens and flattens the light a little (overcast): a gentle LUT, eased in.
        self.dim = 0.10 + 0.14 * strength
        self._splashes(rng, scene, strength)

    def _splashes(self, rng, scene, strength):
        w, h = self.size
        water = effect_mask(self.spec.model_copy(update={"region": None}), scene, "water")
        if has_area(water, 0.01):
            where = water
        elif strength >= 0.6:  # heavy rain: splashes on the ground near the bottom of the frame
            sky = scene.mask_at_canvas("sky")
            where = np.zeros((h, w), np.float32)
            where[int(h * 0.75):] = 1.0
            if sky is not None:
                where *= 1.0 - np.clip(sky, 0, 1)
        else:
            self.splash_xy = np.zeros((0, 2))
            return
        count = int((40 + 160 * strength) * w * h / (1920 * 1080))
        ys, xs = np.nonzero(where > 0.5)
        if len(xs) == 0:
            self.splash_xy = np.zeros((0, 2))
            return
        pick = rng.integers(0, len(xs), count)
        pick = pick[np.broadcast_to(self.freeze.visible(np.stack([xs[pick], ys[pick]], 1).astype(np.float64)), pick.shape)]
        count = len(pick)
        self.splash_xy = np.stack([xs[pick], ys[pick]], 1).astype(np.float64)
        self.splash_near = scene.depth[ys[pick], xs[pick]].astype(np.float64)
        period = scene.duration
        cycles = rng.integers(whole_cycles(0.6 * self.spec.speed, period), whole_cycles(1.4 * self.spec.speed, period) + 1, count)
        self.splash_rate = cycles / period
        self.splash_phase = rng.random(count)
        # Nearer splashes are bigger (perspective).
        self.splash_radius = (3.0 + 12.0 * self.splash_near) * h / 1080
        self.splash_thickness = max(1, round(h / 1080))
        ring = np.linspace(0, 2 * np.pi, 14)
        self.ring = np.stack([np.cos(ring), 0.35 * np.sin(ring)], 1)

    def draw(self, frame, t, amount, view):
        screen = ScreenMap(view, self.scene)
        if self.dim > 0:
            scale = 1.0 - self.dim * amount
            cv2.convertScaleAbs(frame, dst=frame, alpha=scale, beta=6.0 * self.dim * amount)
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
        for select, intensity, thickness in self.layers[:-1]:
            s = visible & select
            draw_segments(mask, head[s], tail[s], float(intensity * amount), thickness)
        # The nearest drops are out of focus: drawn at half size, blurred, merged (soft streaks).
        select, intensity, thickness = self.layers[-1]
        s = visible & select
        self.soft.fill(0)
        draw_segments(self.soft, head[s] * 0.5, tail[s] * 0.5, float(intensity * amount), max(1, thickness // 2))
        cv2.GaussianBlur(self.soft, (0, 0), 1.2, dst=self.soft)
        cv2.resize(self.soft, (w, h), dst=self.soft_full, interpolation=cv2.INTER_LINEAR)
        cv2.max(mask, self.soft_full, dst=mask)
        self._draw_splashes(mask, t, amount, screen)
        self.blender.lighten(frame, mask, (225, 232, 255))

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
        rings = centre[:, None, :] + self.ring[None, :, :] * radius[:, None, None]
        fresh = grow < 0.5
        for select, value in ((fresh, 150), (~fresh, 75)):
            if select.any():
                pts = np.round(rings[select] * 16).astype(np.int32)
                cv2.polylines(mask, pts, False, float(value * amount), self.splash_thickness, cv2.LINE_AA, 4)
