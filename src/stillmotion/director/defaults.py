"""What an empty or vague prompt gets, by kind of photo. Subtle on purpose."""

from __future__ import annotations

from .grounding import PhotoFacts

# (effect type, strength) per kind; effects whose region the photo lacks are left out later.
DEFAULT_EFFECTS: dict[str, list[tuple[str, float]]] = {
    "portrait": [("blink", 0.5), ("breathe", 0.3)],
    "group": [("blink", 0.4), ("breathe", 0.25)],
    "landscape": [("water", 0.5), ("clouds", 0.4), ("foliage", 0.3)],
    "night": [("flicker", 0.4)],
    "still_life": [],  # steam if there is a cup, else a light sweep: see default_effects()
    "scene": [("water", 0.5), ("clouds", 0.4), ("foliage", 0.3)],  # what of these it has (window boxes, a garden)
}
# (camera type, strength, in words)
DEFAULT_CAMERA: dict[str, tuple[str, float, str]] = {
    "portrait": ("dolly_in", 0.2, "a slight push in"),
    "group": ("dolly_in", 0.15, "a slight push in"),
    "landscape": ("ken_burns", 0.3, "a slow drift"),
    "night": ("dolly_in", 0.25, "a slow push in"),
    "still_life": ("dolly_in", 0.2, "a slow push in"),
    "scene": ("ken_burns", 0.3, "a slow drift"),
}


def default_effects(facts: PhotoFacts) -> list[tuple[str, float]]:
    effects = list(DEFAULT_EFFECTS[facts.kind])
    if facts.kind in ("landscape", "scene"):
        effects = [(t, s) for t, s in effects if facts.has({"water": "water", "clouds": "sky", "foliage": "foliage"}[t])]
    elif facts.kind == "still_life":
        rises = facts.has("steam_source") and facts.plume("steam_source") == ""
        effects = [("steam", 0.4)] if rises else [("light_sweep", 0.35)]
    elif facts.kind == "night" and facts.has("water"):
        effects.append(("water", 0.4))
    return effects
