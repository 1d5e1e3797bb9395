"""The catalogue of effect types: one descriptor per type, and the lazy lookup of its class.

A descriptor is plain data, read by everyone who needs to know about an effect without
running it: the plan (its list of types and families), the director (where an effect goes,
whether a direction steers it, how to describe it), the neural engine (words for its prompt)
and the tests (one contract test per registered type). The class itself is imported only when
a plan uses it. This module imports nothing from the package, so the plan can read it.

Adding an effect: one file in its family's folder, one descriptor below, one phrase list in
director/vocabulary.py, and rows in the prompt suite (tests/prompts/suite.jsonl).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

# Where in a frame's composition a family runs: scene and face motion in photo (canvas) space,
# before the camera; atmosphere and light in screen space, after it.
FAMILIES = ("scene", "atmosphere", "light", "face")
BEFORE_CAMERA = ("scene", "face")


@dataclass(frozen=True)
class Descriptor:
    """What the rest of the package knows about one effect type."""

    type: str
    family: str  # one of FAMILIES
    target: str  # "module:Class", relative to stillmotion.effects
    # The analysis regions it grounds on, in order of preference; None: the whole frame will do.
    # A list without None means the effect needs one of those regions to exist.
    places: tuple[str | None, ...] = (None,)
    steerable: bool = False  # a direction word ("clouds drifting left") steers it
    place_noun: bool = False  # its words also name a place ("on the water", "from the fire")
    prompt: str = ""  # how the neural engine's prompt describes it
    meanings: tuple[str, ...] = ()  # plain sentences for matching wording by meaning
    extra: str | None = None  # the install extra it needs ("faces"), None when always available


DESCRIPTORS: tuple[Descriptor, ...] = (
    # --- scene: the photo's own pixels move ------------------------------------------------
    Descriptor("water", "scene", "scene.water:Water", places=("water",), steerable=True, place_noun=True,
               prompt="the water ripples and flows",
               meanings=("water flowing", "the sea moving", "waves rolling onto the beach", "a river streaming past")),
    Descriptor("clouds", "scene", "scene.clouds:Clouds", places=("sky",), steerable=True, place_noun=True,
               prompt="clouds drift across the sky",
               meanings=("clouds drifting across the sky", "the sky moving", "clouds passing overhead")),
    Descriptor("foliage", "scene", "scene.foliage:Foliage", places=("foliage",), steerable=True, place_noun=True,
               prompt="leaves and branches sway in the breeze",
               meanings=("leaves moving in the wind", "trees swaying in the breeze", "grass blowing")),
    Descriptor("fire", "scene", "scene.fire:Fire", places=("fire", "light"), place_noun=True,
               prompt="flames flicker and dance",
               meanings=("flames burning", "a fire crackling", "a burning candle flame")),
    Descriptor("hair", "scene", "scene.hair:Hair", places=("subject",), steerable=True,
               prompt="hair moves softly in the wind", meanings=("hair blowing in the wind", "her hair moving")),
    # --- atmosphere: drawn over the scene, in depth ------------------------------------------
    Descriptor("rain", "atmosphere", "atmosphere.rain:Rain", steerable=True, prompt="rain falls steadily",
               meanings=("rain falling", "a rainy day", "water pouring down from the sky", "a storm with rain")),
    Descriptor("snow", "atmosphere", "atmosphere.snow:Snow", steerable=True, prompt="snow falls softly",
               meanings=("snow falling", "snowflakes drifting down", "a winter snowfall")),
    Descriptor("fog", "atmosphere", "atmosphere.fog:Fog", steerable=True, prompt="fog drifts through the scene",
               meanings=("fog drifting", "mist in the air", "a hazy atmosphere")),
    Descriptor("steam", "atmosphere", "atmosphere.steam:Steam", places=("steam_source", None), steerable=True,
               place_noun=True, prompt="steam rises and curls",
               meanings=("steam rising from a hot drink", "vapour rising", "a steaming cup")),
    Descriptor("smoke", "atmosphere", "atmosphere.smoke:Smoke", places=("steam_source", "fire", None), steerable=True,
               place_noun=True, prompt="smoke rises and drifts",
               meanings=("smoke rising", "smoke curling upward", "smoke from a chimney")),
    Descriptor("sparkle", "atmosphere", "atmosphere.sparkle:Sparkle", places=("light", "water", None), steerable=True,
               prompt="small sparkles glint",
               meanings=("things sparkling and glittering", "twinkling stars", "glints of light")),
    Descriptor("dust", "atmosphere", "atmosphere.dust:Dust", steerable=True, prompt="dust motes float in the light",
               meanings=("dust floating in the air", "particles drifting in a sunbeam")),
    Descriptor("petals", "atmosphere", "atmosphere.petals:Petals", steerable=True, prompt="petals drift through the air",
               meanings=("petals falling", "leaves falling from the trees", "cherry blossoms drifting down")),
    # --- light: the scene's light changes -----------------------------------------------------
    Descriptor("flicker", "light", "light.flicker:Flicker", places=("light", None), prompt="the lights flicker",
               meanings=("lights flickering", "a neon sign buzzing", "a flickering candle")),
    Descriptor("light_sweep", "light", "light.light_sweep:LightSweep", places=("subject", None), steerable=True,
               prompt="light sweeps slowly across the scene",
               meanings=("a shine sweeping across a surface", "a reflection gliding over the glass")),
    Descriptor("lightning", "light", "light.lightning:Lightning", prompt="lightning flashes in the distance",
               meanings=("lightning flashing", "a thunderstorm with lightning bolts")),
    Descriptor("light_rays", "light", "light.light_rays:LightRays", places=("light", "sky", None), steerable=True,
               prompt="rays of light shine through",
               meanings=("sun rays shining through", "beams of light streaming in")),
    Descriptor("grade", "light", "light.grade:Grade"),
    # --- face: a person's face moves ----------------------------------------------------------
    Descriptor("blink", "face", "face.blink:Blink", prompt="the person blinks naturally", extra="faces",
               meanings=("the eyes blink", "she blinks her eyes")),
    Descriptor("smile", "face", "face.smile:Smile", prompt="the person smiles softly", extra="faces",
               meanings=("the person smiles", "a happy smile appears")),
    Descriptor("breathe", "face", "face.breathe:Breathe", prompt="the person breathes calmly", extra="faces",
               meanings=("the person breathes", "chest rising and falling with breath")),
    Descriptor("head_turn", "face", "face.head_turn:HeadTurn", steerable=True, prompt="the person turns their head slightly",
               extra="faces", meanings=("the head turns slightly", "she turns her head to look")),
)

_BY_TYPE = {d.type: d for d in DESCRIPTORS}
# Types in family order (scene, atmosphere, light, face): the order effects are listed in a plan.
EFFECT_TYPES: tuple[str, ...] = tuple(d.type for family in FAMILIES for d in DESCRIPTORS if d.family == family)


def descriptor(effect_type: str) -> Descriptor:
    """The descriptor of a registered type (KeyError for an unknown one: plans are validated first)."""
    return _BY_TYPE[effect_type]


def types_in(family: str) -> tuple[str, ...]:
    return tuple(d.type for d in DESCRIPTORS if d.family == family)


def effect_class(effect_type: str) -> type:
    """The Effect subclass of a type, imported on first use."""
    module_name, _, class_name = descriptor(effect_type).target.partition(":")
    return getattr(importlib.import_module(f"{__package__}.{module_name}"), class_name)
