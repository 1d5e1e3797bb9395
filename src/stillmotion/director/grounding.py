"""What kind of photo this is, and where in it each effect belongs (from the Analysis only)."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ..analysis.lights import any_light_glows
from ..analysis.plumes import plume_sources
from ..analysis.types import Analysis
from ..effects.registry import descriptor
from ..plan import Region

# A region counts as present above this mean mask value (soft masks: roughly the area share).
MIN_COVERAGE = {"sky": 0.03, "water": 0.02, "foliage": 0.03, "light": 0.001, "fire": 0.002,
                "steam_source": 0.0005, "subject": 0.02}
REGION_NAMES = tuple(MIN_COVERAGE)
# Regions the analysis may offer as candidates it was unsure of ("water_unsure"): used only when
# a sentence asks for them, never for an empty prompt.
UNSURE_NAMES = ("water", "foliage", "sky")
WEAK_COVERAGE = 0.002  # a named region this small is still used when asked for by name
# Effects that rise from something: without a plausible source in the photo (analysis/plumes.py:
# compact, below the sky, with room above) they are left out (issue 14).
NEEDS_SOURCE = {"steam": ("steam_source",), "smoke": ("steam_source", "fire")}
# Effects that only light up what can glow (analysis/lights.py): without such a light they show nothing.
NEEDS_GLOW = ("flicker",)
# Clouds drift the sky's own pixels: a black, plain sky (space, a clear night) has nothing to drift.
# Measured on the shared photos: the lunar sky is 8 grey levels bright with 4 of spread; the
# plainest daylight and dusk skies are 50+ bright (a clear blue sky still changes shade as it drifts).
BLACK_SKY_LEVEL, PLAIN_SKY_SPREAD = 30.0, 6.0
MIN_FACE_AREA = 0.0015  # smaller faces are too small to animate (the renderer leaves them still)
PORTRAIT_FACE_AREA = 0.01
NIGHT_BRIGHTNESS = 0.25

KIND_WORDS = {
    "portrait": "a portrait", "group": "a group photo", "landscape": "a landscape",
    "night": "a night scene", "still_life": "a still life", "scene": "a scene",
}


@dataclass
class PhotoFacts:
    kind: str
    faces: int
    coverage: dict[str, float | None] = field(default_factory=dict)  # None: the analysis has no such map
    brightness: float = 0.5
    face_area: float = 0.0
    unsure: dict[str, float] = field(default_factory=dict)  # coverage of the analysis's unsure candidates
    photo: object = field(default=None, repr=False)  # for the questions asked only when an effect needs them
    analysis: Analysis | None = field(default=None, repr=False)
    _asked: dict = field(default_factory=dict, repr=False)

    def plume(self, name: str) -> str | None:
        """Whether a plume can rise from a source region: "" when it can, else why not; None
        when the analysis has no such map. Asked once, when steam or smoke is placed."""
        if ("plume", name) not in self._asked:
            mask = None if self.analysis is None else self.analysis.mask(name)
            known = mask is not None and mask.size
            self._asked["plume", name] = plume_sources(mask, self.analysis.sky)[1] if known else None
        return self._asked["plume", name]

    def glowing(self) -> bool | None:
        """Whether a light could glow and flicker (None: not known), judged on a small copy of
        the photo with the flicker effect's own rule. Asked once, when flicker is placed."""
        if "glowing" not in self._asked:
            pixels = getattr(self.photo, "pixels", None)
            if pixels is None or pixels.size == 0 or self.analysis is None:
                self._asked["glowing"] = None
            else:
                step = max(1, int(max(pixels.shape[:2]) / 960))  # a cheap first reduction of a large photo
                self._asked["glowing"] = any_light_glows(np.ascontiguousarray(pixels[::step, ::step]),
                                                         self.analysis.mask("light"))
        return self._asked["glowing"]

    def black_sky(self) -> bool | None:
        """Whether the sky is black and plain, so drifting it shows nothing (None: not known)."""
        if "black_sky" not in self._asked:
            pixels = getattr(self.photo, "pixels", None)
            sky = None if self.analysis is None else self.analysis.mask("sky")
            answer = None
            if pixels is not None and pixels.size and sky is not None and sky.size:
                # At 256 px wide, blurred (grain is not cloud), away from the sky's edge.
                width = 256
                size = (width, max(1, round(pixels.shape[0] * width / pixels.shape[1])))
                grey = cv2.cvtColor(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
                grey = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), 1.5)
                inside = cv2.resize(sky.astype(np.float32), size, interpolation=cv2.INTER_AREA) > 0.5
                inside = cv2.erode(inside.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
                values = grey[inside]
                if values.size:
                    answer = float(values.mean()) < BLACK_SKY_LEVEL and float(values.std()) < PLAIN_SKY_SPREAD
            self._asked["black_sky"] = answer
        return self._asked["black_sky"]

    def has(self, name: str) -> bool:
        value = self.coverage.get(name)
        return value is not None and value >= MIN_COVERAGE.get(name, 0.01)

    def known(self, name: str) -> bool:
        return self.coverage.get(name) is not None

    def weak(self, name: str) -> bool:
        """Found, but too little to count as present (used only when asked for by name)."""
        value = self.coverage.get(name)
        return value is not None and WEAK_COVERAGE <= value < MIN_COVERAGE.get(name, 0.01)

    def share(self, name: str) -> str:
        value = self.coverage.get(name) or 0.0
        return f"{value * 100:.0f}%" if value >= 0.01 else "under 1%"

    def describe(self) -> str:
        parts = []
        if self.faces:
            parts.append(f"{self.faces} face{'s' if self.faces > 1 else ''}")
        for name in ("sky", "water", "foliage", "light", "fire", "steam_source"):
            if self.has(name):
                parts.append(f"{name.replace('_', ' ')} {self.share(name)}")
        if self.kind == "night":
            parts.append(f"dark (brightness {self.brightness:.2f})")
        return f"{KIND_WORDS[self.kind]} ({', '.join(parts) or 'no faces, sky, water or light sources found'})"


def photo_facts(photo, analysis: Analysis) -> PhotoFacts:
    coverage: dict[str, float | None] = {}
    for name in REGION_NAMES:
        mask = analysis.mask(name)
        coverage[name] = None if mask is None or mask.size == 0 else float(np.mean(mask))
    faces = [f for f in analysis.faces if f.box[2] * f.box[3] >= MIN_FACE_AREA]
    face_area = max((f.box[2] * f.box[3] for f in faces), default=0.0)
    brightness = _brightness(photo)
    unsure = {}
    for name in UNSURE_NAMES:
        mask = analysis.regions.get(f"{name}_unsure")
        if mask is not None and mask.size:
            unsure[name] = float(np.mean(mask))
    facts = PhotoFacts("scene", len(faces), coverage, brightness, face_area, unsure, photo, analysis)
    facts.kind = _kind(facts)
    return facts


def _brightness(photo) -> float:
    """Mean luma (0..1) from a sparse sample of the pixels: cheap and enough to tell night."""
    pixels = getattr(photo, "pixels", None)
    if pixels is None or pixels.size == 0:
        return 0.5
    step = max(1, int(max(pixels.shape[:2]) / 64))
    sample = pixels[::step, ::step].astype(np.float32)
    luma = sample[..., 0] * 0.299 + sample[..., 1] * 0.587 + sample[..., 2] * 0.114
    return float(luma.mean() / 255.0)


def _kind(f: PhotoFacts) -> str:
    if f.faces >= 2:
        return "group"
    if f.faces == 1 and f.face_area >= PORTRAIT_FACE_AREA:
        return "portrait"
    if f.brightness < NIGHT_BRIGHTNESS and (f.has("light") or not f.known("light")):
        return "night"
    if f.has("sky") or f.has("water"):
        return "landscape"
    # A still life is a subject with no outdoors around it; without region maps (no region
    # finder) that cannot be told, so the honest answer is "nothing specific".
    if f.has("steam_source") or f.has("fire") or (f.has("subject") and f.known("foliage") and not f.has("foliage")):
        return "still_life"
    return "scene"


WHERE = {"water": "on the water", "sky": "in the sky", "foliage": "on the trees and plants", "fire": "on the fire",
         "light": "on the light sources and highlights", "subject": "on the subject",
         "steam_source": "from the steam source"}
RISES_FROM = {"steam_source": "from the steam source", "fire": "from the fire"}


@dataclass
class Placement:
    keep: bool
    region: Region | None
    note: str
    instead: str | None = None  # another effect type to use instead (nearest honest thing)
    dim: bool = False  # kept when asked, but it will show nothing (an empty prompt leaves it out)


def place(effect_type: str, facts: PhotoFacts, *, asked: bool = False, where: str | None = None) -> Placement:
    """Where an effect goes in this photo, or why it cannot go anywhere (and what instead).

    asked: the sentence asks for it, so a region the analysis found only weakly (or was unsure
    of) is used, with a note; an empty prompt's defaults never are. where: a place the sentence
    names for it ("glistening on the water"): the effect goes there, not to its usual place.
    """
    return _with_visibility(effect_type, _place(effect_type, facts, asked, where), facts)


def _place(effect_type: str, facts: PhotoFacts, asked: bool, where: str | None) -> Placement:
    about = descriptor(effect_type)
    if effect_type in NEEDS_SOURCE:
        return _place_plume(effect_type, facts, where)
    if where is not None and about.family != "face":
        return _place_named(effect_type, where, facts)
    if about.family == "face":
        if facts.faces:
            who = "the face" if facts.faces == 1 else f"each of the {facts.faces} faces"
            return Placement(True, None, f"on {who}")
        return Placement(False, None, "no face was found in the photo (face detection may be unavailable)")
    if effect_type == "hair":
        if facts.faces:
            return Placement(True, Region(name="subject") if facts.has("subject") else None, "on the hair near the face")
        return Placement(False, None, "no face, so no hair to move")
    # The regions to try, in order (the effect's descriptor); None: the whole frame will do.
    places = about.places
    for name in places:
        if name is None:
            return Placement(True, None, "over the whole frame")
        if facts.has(name):
            return Placement(True, Region(name=name), f"{WHERE.get(name, 'on ' + name)} ({facts.share(name)} of the photo)")
    name = places[0]
    if asked and name is not None:
        found = _weakly(name, facts)
        if found is not None:
            return found
    if not facts.known(name):
        if facts.kind not in ("portrait", "group"):
            return Placement(True, None, f"the analysis has no {name.replace('_', ' ')} map, so the renderer chooses where")
        # No map to ask, but a portrait is mostly a person: assume the scene element is not there.
    if effect_type == "foliage" and facts.faces:
        return Placement(False, None, "no trees or grass in the photo: the breeze moves the hair instead", instead="hair")
    if effect_type == "fire" and facts.has("light"):
        return Placement(True, Region(name="light"), "no fire found: the flames flicker on the brightest light sources")
    missing = {"water": "no water", "clouds": "no sky", "foliage": "no trees, grass or plants", "fire": "no fire or flame"}
    what = missing.get(effect_type, "nowhere for it")
    if not facts.known(name):
        return Placement(False, None, f"{what} is known in this {facts.kind} (the analysis has no {name} map)")
    return Placement(False, None, f"the photo shows {what}")


def _place_plume(effect_type: str, facts: PhotoFacts, where: str | None) -> Placement:
    """Steam and smoke: from the first source region a plume can rise from (or the one the
    sentence names), else left out with the reason (a wall-sized "source", one in the sky)."""
    names = (where,) if where in NEEDS_SOURCE[effect_type] else NEEDS_SOURCE[effect_type]
    known = [n for n in names if facts.plume(n) is not None]  # the source maps the analysis has
    if not known:
        return Placement(True, None, "the analysis has no source map, so the renderer chooses where")
    for name in known:
        if facts.plume(name) == "" and facts.coverage.get(name):
            return Placement(True, Region(name=name), f"{RISES_FROM[name]} ({facts.share(name)} of the photo)")
    reasons = list(dict.fromkeys(facts.plume(n) for n in known))
    telling = [r for r in reasons if not r.startswith("no source")] or reasons  # "in the sky" says more than "none"
    return Placement(False, None, f"{'; '.join(telling)} (a plume would hang in the air)")


def _with_visibility(effect_type: str, found: Placement, facts: PhotoFacts) -> Placement:
    """An effect placed where it will show nothing (flicker where nothing can glow, clouds in a
    black sky): kept when asked, with a note; an empty prompt leaves it out (dim)."""
    if not found.keep:
        return found
    if effect_type == "clouds" and found.region is not None and found.region.name == "sky" and facts.black_sky():
        return Placement(True, found.region, f"{found.note}; but the sky is black and plain, so drifting it will "
                                              "show nothing", dim=True)
    if effect_type not in NEEDS_GLOW or facts.glowing() is not False:
        return found  # not flicker, something glows, or not known
    light = "in this daylight" if facts.brightness >= NIGHT_BRIGHTNESS else "here"
    return Placement(True, found.region, f"{found.note}; but {light} no bright spot is a lamp or a coloured light, "
                                          "so it will show nothing", dim=True)


def _weakly(name: str, facts: PhotoFacts) -> Placement | None:
    """A region asked for by name that the analysis found only weakly, or was unsure of."""
    words = name.replace("_", " ")
    if facts.weak(name):
        return Placement(True, Region(name=name), f"{WHERE.get(name, 'on ' + words)}: the analysis found only a little "
                                                   f"{words} ({facts.share(name)} of the photo); used as asked")
    if facts.unsure.get(name, 0.0) >= MIN_COVERAGE.get(name, 0.01):
        return Placement(True, Region(name=f"{name}_unsure"),
                         f"{WHERE.get(name, 'on ' + words)}: the analysis was not sure this is {words} "
                         f"({facts.unsure[name] * 100:.0f}% of the photo); the likeliest place, used as asked")
    return None


def _place_named(effect_type: str, where: str, facts: PhotoFacts) -> Placement:
    """An effect on the place the sentence names ("sparkles on the water"), or left out."""
    if facts.has(where):
        return Placement(True, Region(name=where), f"{WHERE.get(where, 'on ' + where)} as asked ({facts.share(where)} of the photo)")
    found = _weakly(where, facts)
    if found is not None:
        return found
    if not facts.known(where):
        return Placement(True, None, f"the analysis has no {where.replace('_', ' ')} map, so the renderer chooses where")
    return Placement(False, None, f"the sentence puts it {WHERE.get(where, 'on ' + where)}, and the photo shows none")
