"""steam: semi-transparent wisps that rise from a source, widen, thin, curl and fade.

The source is the plan's region, else the analysis' "steam_source" region (a cup's liquid, a
vent, a chimney top). A region that cannot be a source (a whole wall, the sky, the top edge of
the frame) or no source at all draws nothing: steam is never painted onto a wall
(kit/plume.plume_sources says why; `self.reason` keeps it). Each source gets a plume
(kit/plume.Plume: advected, curl-distorted noise in a column that widens and fades with height)
computed on a low-resolution grid (about 480 pixels wide) in its box only, seen through the
camera, upsampled and composited once, toward the colour of the scene's light: steam is the
light's colour, a little below the brightest tones, so it shows lighter against dark walls and
a touch darker against a bright sky. Its opacity stays well below 1: no opaque core.
Strength sets the density; speed the rise; direction left/right a draught.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Effect
from ..kit.blend import Blender, alpha_bbox
from ..kit.image import low_scale, low_size
from ..kit.plume import Plume, PlumeLook, Source, plume_sources
from ..kit.screen import ScreenMap
from ..regions import effect_mask

DRAUGHT = {"left": -0.35, "right": 0.35}
OPTICAL_DEPTH = 2.5  # how quickly opacity saturates with the plume's density


class Steam(Effect):
    look = PlumeLook(reach=3.5, min_reach=0.12, max_reach=0.6, base_width=0.42, spread=1.8, rise=0.3,
                     turbulence=0.55, meander=0.35, fade_from=0.45)
    # Peak opacity at strength 0 and its growth with strength (well below 1: no opaque core).
    opacity = (0.28, 0.4)
    brightness = 0.9  # the vapour's colour, as a share of the scene's light

    def __init__(self, spec, scene, index):
        rng = scene.rng(index)
        super().__init__(spec, scene, index)
        self.scale = low_scale(scene)
        lw, lh = low_size(scene)
        self.low = (lw, lh)
        source_mask = cv2.resize(effect_mask(spec, scene, "steam_source"), (lw, lh), interpolation=cv2.INTER_AREA)
        sky = scene.mask_at_canvas("sky")
        sources, self.reason = plume_sources(source_mask, sky)
        draught = DRAUGHT.get(spec.direction, rng.uniform(-0.06, 0.06))
        self.plumes = [p for p in (Plume(_start(s), self.look, (lw, lh), rng, scene.duration, scene.plan.loop, spec.speed, draught)
                                   for s in sources) if not p.empty]
        if sources and not self.plumes:
            self.reason = "the source is at the very edge of the frame: no room for a plume"
        self.peak = self.opacity[0] + self.opacity[1] * spec.strength
        self.colour = self._colour(scene)
        self.canvas_low = np.zeros((lh, lw), np.float32)
        self.blender = Blender()

    def _colour(self, scene) -> tuple[float, float, float]:
        """The light the vapour scatters: the scene's bright tones, overall and around the plumes."""
        image = scene.image
        overall = _bright_tone(image)
        if not self.plumes:
            return tuple(float(c) for c in overall * self.brightness)
        x0 = min(p.box[0] for p in self.plumes)
        y0 = min(p.box[1] for p in self.plumes)
        x1 = max(p.box[2] for p in self.plumes)
        y1 = max(p.box[3] for p in self.plumes)
        s = 1.0 / self.scale
        around = image[int(y0 * s):max(int(y1 * s), int(y0 * s) + 1), int(x0 * s):max(int(x1 * s), int(x0 * s) + 1)]
        local = _bright_tone(around) if around.size else overall
        return tuple(float(c) for c in np.clip((0.5 * overall + 0.5 * local) * self.brightness, 0, 255))

    def draw(self, frame, t, amount, view):
        if not self.plumes:
            return
        self.canvas_low.fill(0.0)
        for plume in self.plumes:
            x0, y0, x1, y1 = plume.box
            roi = self.canvas_low[y0:y1, x0:x1]
            np.maximum(roi, plume.density(t), out=roi)
        # Opacity saturates with density (a thick wisp hides more, never all): at most `peak`.
        alpha_low = (1.0 - np.exp(-OPTICAL_DEPTH * self.canvas_low)) * (self.peak * amount / (1.0 - np.exp(-OPTICAL_DEPTH)))
        screen = ScreenMap(view, self.scene)
        alpha_low = screen.field(alpha_low, self.scale, border=cv2.BORDER_CONSTANT)
        h, w = frame.shape[:2]
        alpha = self.blender.upsample(alpha_low, (w, h))
        box = alpha_bbox(alpha)
        if box is None:
            return
        bx0, by0, bx1, by1 = box
        self.blender.composite(frame[by0:by1, bx0:bx1], self.colour, alpha[by0:by1, bx0:bx1])


def _start(source: Source) -> Source:
    """Where the plume leaves its source: the middle of a flat source (a liquid's surface seen from
    above, a vent), the top of an upright one (a chimney, a candle, a spout drawn whole)."""
    if source.height > 0.8 * source.width:
        return Source(x=source.x, y=source.top + 0.1 * source.height, width=source.width, height=0.2 * source.height, top=source.top)
    return source


def _bright_tone(image: np.ndarray) -> np.ndarray:
    """The mean colour of an image's brightest tenth (its light), as float RGB."""
    pixels = image.reshape(-1, 3)
    if len(pixels) > 40000:
        pixels = pixels[:: len(pixels) // 40000]
    pixels = pixels.astype(np.float32)
    lum = pixels @ np.float32([0.299, 0.587, 0.114])
    return pixels[lum >= np.percentile(lum, 90)].mean(axis=0)
