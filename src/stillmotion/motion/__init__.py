"""Effect registry: effect type name -> "module:Class", imported only when a plan uses it.

Adding an effect means: one module here, one entry below, one test, one vocabulary entry
in the director. Types of the plan vocabulary not listed here are skipped by the renderer
with a visible warning naming them.
"""

from __future__ import annotations

import importlib

REGISTRY: dict[str, str] = {
    "rain": "stillmotion.motion.rain:Rain",
    "snow": "stillmotion.motion.snow:Snow",
    "petals": "stillmotion.motion.petals:Petals",
    "dust": "stillmotion.motion.dust:Dust",
    "fog": "stillmotion.motion.fog:Fog",
    "steam": "stillmotion.motion.steam:Steam",
    "smoke": "stillmotion.motion.steam:Smoke",
    "sparkle": "stillmotion.motion.sparkle:Sparkle",
    "flicker": "stillmotion.motion.light:Flicker",
    "light_sweep": "stillmotion.motion.light:LightSweep",
    "lightning": "stillmotion.motion.lightning:Lightning",
    "light_rays": "stillmotion.motion.rays:LightRays",
    "grade": "stillmotion.motion.grade:Grade",
    "water": "stillmotion.motion.water:Water",
    "clouds": "stillmotion.motion.clouds:Clouds",
    "foliage": "stillmotion.motion.foliage:Foliage",
    "fire": "stillmotion.motion.fire:Fire",
    "hair": "stillmotion.motion.hair:Hair",
    "blink": "stillmotion.motion.face:Blink",
    "smile": "stillmotion.motion.face:Smile",
    "breathe": "stillmotion.motion.face:Breathe",
    "head_turn": "stillmotion.motion.face:HeadTurn",
}


def is_implemented(effect_type: str) -> bool:
    return effect_type in REGISTRY


def renderer_class(effect_type: str):
    """The EffectRenderer class for a type (imported lazily), or None if not implemented yet."""
    target = REGISTRY.get(effect_type)
    if target is None:
        return None
    module_name, _, class_name = target.partition(":")
    return getattr(importlib.import_module(module_name), class_name)
