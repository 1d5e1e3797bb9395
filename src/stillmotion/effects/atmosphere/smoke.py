"""smoke: the steam plume's behaviour (see steam.py), as smoke: it reaches higher, spreads wider
and drifts longer, and it absorbs light: grey with a touch of brown, about half the scene's light,
so it shows lighter against dark walls and clearly darker against a bright sky."""

from __future__ import annotations

from ..kit.plume import PlumeLook
from .steam import Steam


class Smoke(Steam):
    look = PlumeLook(reach=6.0, min_reach=0.25, max_reach=0.7, base_width=0.45, spread=3.2, rise=0.16,
                     turbulence=0.7, meander=0.5, fade_from=0.25)
    opacity = (0.26, 0.4)
    brightness = 0.5

    def _colour(self, scene):
        r, g, b = super()._colour(scene)
        grey = (r + g + b) / 3.0
        # Mostly grey (smoke absorbs and scatters all colours), a little of the light's tint, a touch brown.
        return (0.7 * grey + 0.3 * r) * 1.0, (0.7 * grey + 0.3 * g) * 0.96, (0.7 * grey + 0.3 * b) * 0.9
