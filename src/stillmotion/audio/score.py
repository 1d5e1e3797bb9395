"""Which sounds a plan makes: one bed per sound-making effect (winds share one).

Effects with no sound of their own stay silent: smoke, sparkle, dust, light sweeps and rays, the
grade, hair and every face effect (a portrait is silent unless room tone is asked for). A
flicker the prompt calls a flame (a candle) does not hum. Adding a sound for an effect type:
one builder in beds/, one entry in SOUNDS.
"""

from __future__ import annotations

from .bed import Bed, Context
from .beds.fire import fire, steam
from .beds.neon import neon
from .beds.rain import rain
from .beds.thunder import thunder
from .beds.water import water
from .beds.wind import WINDS, air, room_tone, wind
from .clock import Clock
from .reading import Reader, is_flame
from .settings import AudioSettings

SOUNDS = {
    "rain": rain,
    "water": water,
    "fire": fire,
    "steam": steam,
    "flicker": neon,
    "lightning": thunder,  # and a storm wind, below
    "clouds": air,
}


def beds_for(plan, analysis=None, settings: AudioSettings | None = None) -> list[Bed]:
    settings = settings or AudioSettings()
    ctx = Context(plan=plan, clock=Clock.for_plan(plan), reader=Reader(plan, analysis), settings=settings)
    beds: list[Bed] = []
    winds = []
    for index, effect in enumerate(plan.effects):
        if effect.strength <= 0:
            continue
        if effect.type in WINDS:
            winds.append((effect, index))
        if effect.type == "flicker" and is_flame(plan):
            continue
        build = SOUNDS.get(effect.type)
        bed = build(ctx, effect, index) if build else None
        if bed is not None:
            beds.append(bed)
    if winds:
        beds.append(wind(ctx, winds))
    if not beds and settings.room_tone:
        beds.append(room_tone(ctx))
    return beds


def makes_sound(plan, settings: AudioSettings | None = None) -> bool:
    """Whether "auto" gives this plan a soundtrack (cheap: builds no sound)."""
    settings = settings or AudioSettings()
    if settings.mode in ("none", "model"):  # model: the engine brings its own sound
        return False
    if settings.mode == "file" or settings.room_tone:
        return True
    for effect in plan.effects:
        if effect.strength <= 0:
            continue
        if effect.type in WINDS or (effect.type in SOUNDS and not (effect.type == "flicker" and is_flame(plan))):
            return True
    return False
