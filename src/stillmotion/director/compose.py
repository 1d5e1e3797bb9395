"""The planner: a photo's analysis, a sentence and options become a Plan.

    plan = direct(photo, analysis, "heavy rain, neon flickering, slow push in")

Steps: 1. read the sentence (reading.parse: phrases, typos, clauses, negation, modifiers;
optionally semantic.py for clauses the word tables do not cover), 2. look at the photo
(grounding.photo_facts: faces, sky, water, light, brightness -> a kind), 3. place each effect
where it belongs or say why not, 4. fill an empty or vague prompt with the kind's defaults,
5. canvas, crop and camera target as the foundation did. Every decision leaves a line in
plan.explanation.
"""

from __future__ import annotations

from statistics import mean
from typing import Any

import numpy as np

from ..analysis.types import Analysis
from ..canvas import MAX_ASPECT, CanvasMap, aspect_ratio, crop_around
from ..effects.registry import EFFECT_TYPES, descriptor, types_in
from ..errors import PlanError
from ..plan import DIRECTIONS, MAX_PROMPT, RESOLUTIONS, Camera, Canvas, Effect, Plan, Unsupported, _validated
from ..yesno import env_flag
from . import vocabulary as V
from .defaults import DEFAULT_CAMERA, default_effects
from .grounding import PhotoFacts, photo_facts, place
from .reading import Intent, Parsed, parse, steerable, water_sound

# Options a caller (CLI, studio, batch) may pass to direct(); None means "director's choice".
OPTION_NAMES = ("duration", "aspect", "resolution", "fps", "seed", "loop", "camera", "strength", "fit", "semantic",
                "audio", "audio_volume")
NEUTRAL_STRENGTH = 0.5
_PHRASE_LEADS = {"with", "while", "as", "then", "and", "also", "plus", "but"}


def direct(photo, analysis: Analysis, prompt: str = "", **options: Any) -> Plan:
    """Make the plan for a photo: canvas, crop around the subject, camera move and effects."""
    unknown = set(options) - set(OPTION_NAMES)
    if unknown:
        raise PlanError(f"unknown option(s) {', '.join(sorted(unknown))}; allowed: {', '.join(OPTION_NAMES)}")
    given = {k: v for k, v in options.items() if v is not None}
    prompt = prompt or ""
    if not isinstance(prompt, str):
        raise PlanError(f"prompt must be text, not {type(prompt).__name__}")
    if len(prompt) > MAX_PROMPT:
        raise PlanError(f"prompt is too long ({len(prompt)} characters); say it in at most {MAX_PROMPT}")
    explanation: list[str] = []

    # 1. canvas and crop (foundation behaviour)
    canvas_fields = {k: given[k] for k in ("duration", "aspect", "fps", "fit") if k in given}
    resolution = given.get("resolution") or default_resolution(photo.size)
    canvas = _validated(Canvas, {**canvas_fields, "resolution": resolution})
    if canvas.resolution > min(photo.size):
        explanation.append(
            f"resolution {canvas.resolution} is above the photo's own short side ({min(photo.size)} px): the photo is upscaled"
        )
    focus = subject_focus(analysis)
    if canvas.aspect != "original" and canvas.fit == "crop":
        canvas.crop = crop_around(photo.size, aspect_ratio(canvas, photo.size), focus)
        explanation.append(f"cropped to {canvas.aspect} around the subject")
    elif canvas.aspect == "original" and aspect_ratio(canvas, photo.size) != photo.size[0] / photo.size[1]:
        canvas.crop = crop_around(photo.size, aspect_ratio(canvas, photo.size), focus)
        longest = f"{MAX_ASPECT:g}:1" if photo.size[0] > photo.size[1] else f"1:{MAX_ASPECT:g}"
        explanation.append(f"the photo is longer than {longest}, the longest a video frame can be: cropped to {longest} around the subject")

    # 2. the sentence and the photo
    parsed = parse(prompt)
    if _semantic_wanted(given.get("semantic")):
        from .semantic import add_semantic_intents

        explanation += add_semantic_intents(parsed)
    facts = photo_facts(photo, analysis)
    explanation.append(f"the photo looks like {facts.describe()}")
    explanation += [f"the analysis: {note}" for note in analysis.notes]
    for wrong, right in parsed.corrections:
        explanation.append(f'read "{wrong}" as "{right}" (typo)')

    # 3. effects, camera and what cannot be done
    effects, camera_type, camera_strength = _compose(parsed, facts, given, explanation, canvas.duration)
    unsupported = _unsupported(parsed, explanation)
    in_phrases = {w for u in unsupported for w in u.phrase.split()}
    ignored = [w for w in parsed.ignored if w not in in_phrases]
    if ignored:
        words = ", ".join(dict.fromkeys(ignored))
        explanation.append(f"ignored: {words} (not words the director acts on)")

    # The renderer reads the target in canvas coordinates: with fit "blur" the photo sits inside a fill.
    camera = Camera(type=camera_type, strength=camera_strength, target=CanvasMap.for_plan(canvas, photo.size).point(focus))
    if parsed.sound:
        explanation.append(f'"{parsed.sound_words}": ' + ("no soundtrack" if parsed.sound == "none" else "a soundtrack from the effects"))
    plan = Plan(
        photo=str(photo.path) if photo.path else "array",
        photo_sha256=photo.sha256,
        prompt=prompt,
        depth=analysis.depth_source,
        segmentation=analysis.segmentation_source,
        seed=given.get("seed", 0),
        loop=bool(given.get("loop", False)),
        canvas=canvas,
        camera=camera,
        effects=effects,
        unsupported=unsupported,
        audio=_audio(parsed, prompt, effects),
        explanation=explanation,
    )
    # Given audio options win over the words ("silent" with --audio song.mp3 plays the song).
    return plan.with_audio(given.get("audio"), given.get("audio_volume")) if {"audio", "audio_volume"} & set(given) else plan


def _audio(parsed: Parsed, prompt: str, effects: list[Effect]) -> dict:
    """The soundtrack the words ask for: silence or not, and the water's sound."""
    audio = {"mode": parsed.sound} if parsed.sound else {}
    water = water_sound(prompt) if any(e.type == "water" for e in effects) else None
    return {**audio, "water": water} if water else audio


def _semantic_wanted(option: Any) -> bool:
    if option is not None:
        return bool(option)
    return env_flag("STILLMOTION_SEMANTIC")


# --- effects and camera --------------------------------------------------------------------
def _compose(parsed: Parsed, facts: PhotoFacts, given: dict, explanation: list[str], duration: float):
    _expand_faces(parsed)
    asked = [it for it in parsed.intents if it.kind in ("effect", "grade") and not it.negated]
    cameras = [it for it in parsed.intents if it.kind == "camera"]
    excluded = {it.value for it in parsed.intents if it.kind == "effect" and it.negated}
    negations: dict[str, list[str]] = {}
    for it in parsed.intents:
        if it.negated and it.kind in ("effect", "grade"):
            negations.setdefault(it.negated_by, []).append(_name(it))
    for words, names in negations.items():
        explanation.append(f'"{words}": {", ".join(dict.fromkeys(names))} excluded, as asked')

    # Effects asked for, one per type (the strongest wording wins), placed in the photo.
    effects: dict[str, Effect] = {}
    sources: dict[str, list[str]] = {}
    grades = [it for it in asked if it.kind == "grade"]
    for it in asked:
        if it.kind == "grade":
            continue
        if it.value in excluded:
            continue
        effect = _effect_from(it, duration)
        sources.setdefault(it.value, []).append(_describe(it))
        old = effects.get(it.value)
        if old is None or effect.strength > old.strength:
            effects[it.value] = effect if old is None else effect.model_copy(update={"direction": effect.direction or old.direction})
    if grades:
        style = min((g.value for g in grades), key=V.GRADE_PRIORITY.index)
        chosen = next(g for g in grades if g.value == style)
        effects["grade"] = _effect_from(chosen, duration).model_copy(update={"style": style})
        sources["grade"] = [_describe(chosen)]
        others = sorted({g.value for g in grades} - {style})
        if others:
            explanation.append(f"one look per clip: {style.replace('_', ' ')} chosen over {', '.join(others)}")

    intents_of: dict[str, list[Intent]] = {}
    for it in asked:
        intents_of.setdefault("grade" if it.kind == "grade" else it.value, []).append(it)
    for etype, effect in effects.items():
        style = _style(etype, intents_of.get(etype, []))
        if style and effect.style is None:
            effects[etype] = effect.model_copy(update={"style": style})
    placed = _place_all(effects, sources, facts, explanation, intents_of)

    # Vague or empty: the photo's own defaults (minus what was excluded).
    motion = [e for e in placed if e.type != "grade"]
    camera_asked = [c for c in cameras if not c.negated]
    moves = [c for c in camera_asked if c.value != "static"]
    if parsed.still:
        explanation.append(f'"{parsed.still}": everything not asked for stays still (no default motion, '
                           f'{"no camera move" if not moves else "only the camera move asked"})')
    elif not motion and not moves:
        placed += _defaults(parsed, facts, excluded, explanation, with_camera=not cameras)

    camera_type, camera_strength = _camera(cameras, facts, given, parsed, explanation)
    placed.sort(key=lambda e: EFFECT_TYPES.index(e.type))  # the registry's order: scene, atmosphere, light, face
    return placed, camera_type, camera_strength


def _expand_faces(parsed: Parsed) -> None:
    """"faces" stands for the face effects: all of them when excluded, the quiet two when asked."""
    expanded = []
    for it in parsed.intents:
        if it.value != "faces":
            expanded.append(it)
            continue
        for etype in (types_in("face") if it.negated else ("blink", "breathe")):
            expanded.append(Intent(it.kind, etype, it.words, it.start, it.end, it.clause, it.strength,
                                   it.negated, it.weak, it.negated_by, list(it.modifiers)))
    parsed.intents[:] = expanded


def _effect_from(it: Intent, duration: float) -> Effect:
    strengths = [v for _, v in it.modifier("strength")]
    speeds = [v for _, v in it.modifier("speed")]
    directions = [v for _, v in it.modifier("direction")]
    if not directions:
        directions = [V.DIRECTION_WORDS[w] for w in it.words.split() if V.DIRECTION_WORDS.get(w) in DIRECTIONS
                      and V.DIRECTION_WORDS[w] in ("left", "right", "up", "down")]
    strength = mean(strengths) if strengths else (it.strength if it.strength is not None else NEUTRAL_STRENGTH)
    fields: dict[str, Any] = {"type": it.value if it.kind == "effect" else "grade", "strength": round(strength, 3)}
    if speeds:
        fields["speed"] = round(min(4.0, max(0.05, mean(speeds))), 3)
    if directions and steerable(it.value):
        fields["direction"] = directions[-1]
    timing = {kind: value for kind, _, value in it.modifiers if kind in ("start", "end", "start_s", "end_s")}
    if timing:
        fields.update(_timed(timing, duration))
    return Effect(**fields)


def _timed(timing: dict, duration: float) -> dict:
    """Start and end from "at the end" (a share of the clip) or "after 3 seconds" (seconds)."""
    start = timing.get("start_s", duration * timing["start"] if "start" in timing else 0.0)
    end = timing.get("end_s", duration * timing["end"] if "end" in timing else None)
    start = round(min(max(0.0, start), duration * 0.9), 2)
    if end is not None:
        end = round(min(max(end, start + 0.5), duration), 2)
        if end >= duration:
            end = None
    return {"start": start, "end": end}


def _style(etype: str, intents: list[Intent]) -> str | None:
    """The look the words of an effect ask for ("starry sparkle": "stars"), or None."""
    words = {w for it in intents for w in it.words.split()}
    for style, style_words in V.EFFECT_STYLE_WORDS.get(etype, {}).items():
        if words & set(style_words):
            return style
    return None


def _describe(it: Intent) -> str:
    """The words behind an effect: '"rain" + "heavy", "falling"'."""
    mods = [f'"{w}"' for _, w, _ in it.modifiers]
    return f'"{it.words}"' + (f" + {', '.join(mods)}" if mods else "")


def _name(it: Intent) -> str:
    return f"{it.value.replace('_', ' ')} look" if it.kind == "grade" else it.value


def _origin(etype: str, intents: list[Intent] | None) -> str:
    """Why the strength is what it is, in a few words."""
    if not intents:
        return ""
    if any(it.modifier("strength") for it in intents):
        return ""
    if any(it.strength is not None for it in intents):
        return " (the word itself)"
    return " (default)"


def _place_all(effects: dict[str, Effect], sources: dict[str, list[str]], facts: PhotoFacts,
               explanation: list[str], intents_of: dict[str, list[Intent]]) -> list[Effect]:
    placed: list[Effect] = []
    for etype, effect in effects.items():
        why = " and ".join(sources.get(etype, []))
        where = place(etype, facts, asked=True, where=_named_place(intents_of.get(etype, [])))
        if where.keep:
            placed.append(effect.model_copy(update={"region": where.region}))
            style = f" ({effect.style.replace('_', ' ')})" if effect.style else ""
            speed = f", speed {effect.speed:g}" if effect.speed != 1.0 else ""
            direction = f", heading {effect.direction}" if effect.direction else ""
            if effect.start or effect.end:
                direction += f", from {effect.start:g} s" + (f" to {effect.end:g} s" if effect.end else " to the end")
            explanation.append(f"{why} -> {etype}{style}, strength {effect.strength:g}{_origin(etype, intents_of.get(etype))}"
                               f"{speed}{direction}, {where.note}")
        elif where.instead and where.instead not in effects:
            instead = place(where.instead, facts)
            placed.append(effect.model_copy(update={"type": where.instead, "region": instead.region, "direction": None}))
            explanation.append(f"{why}: {where.note} ({where.instead}, strength {effect.strength:g})")
        else:
            explanation.append(f"{why} asks for {etype}, but {where.note}: left out")
    return placed


def _named_place(intents: list[Intent]) -> str | None:
    """The region a sentence names for an effect ("glints on the water": water; "over the
    clouds": sky), from the named thing's own place."""
    for it in intents:
        if it.place in EFFECT_TYPES:
            region = descriptor(it.place).places[0]
            if region is not None:
                return region
    return None


def _defaults(parsed: Parsed, facts: PhotoFacts, excluded: set[str], explanation: list[str], *, with_camera: bool):
    scale, speed = _loose(parsed)
    chosen, unseen = [], []
    for etype, strength in default_effects(facts):
        if etype in excluded:
            continue
        where = place(etype, facts)
        if where.keep and where.dim:
            unseen.append(f"{etype} ({where.note.split('; but ')[-1]})")
        if not where.keep or where.dim:
            continue  # nothing for it here, or it would show nothing (flicker on white highlights in daylight)
        fields: dict[str, Any] = {"type": etype, "strength": round(min(1.0, strength * scale), 3), "region": where.region}
        if speed is not None:
            fields["speed"] = speed
        chosen.append(Effect(**fields))
    what = "an empty prompt" if not parsed.prompt.strip() else (
        "a prompt that names no motion" if not parsed.vague else f'a vague prompt ("{" ".join(parsed.vague)}")')
    names = ", ".join(e.type for e in chosen) or "no effects"
    cam = f" and {DEFAULT_CAMERA[facts.kind][2]}" if with_camera else ""
    skipped = sorted(excluded & {t for t, _ in default_effects(facts)})
    skip = f" (without {', '.join(skipped)}, as asked)" if skipped else ""
    explanation.append(f"{what} on {facts.describe().split(' (')[0]} gets its defaults: {names}{cam}{skip}")
    if unseen:
        explanation.append(f"left out of the defaults: {'; '.join(unseen)}")
    if scale != 1.0 or speed is not None:
        explanation.append(f"the general wording scales them: strength x{scale:g}" + (f", speed {speed:g}" if speed else ""))
    return chosen


def _loose(parsed: Parsed) -> tuple[float, float | None]:
    """Modifiers that name no thing ("subtle", "slowly") scale the defaults."""
    strengths = [v for k, _, v in parsed.loose_modifiers if k == "strength"]
    speeds = [v for k, _, v in parsed.loose_modifiers if k == "speed"]
    scale = mean(strengths) / NEUTRAL_STRENGTH if strengths else 1.0
    return round(scale, 3), (round(mean(speeds), 3) if speeds else None)


def _camera(cameras: list[Intent], facts: PhotoFacts, given: dict, parsed: Parsed, explanation: list[str]):
    positive = [c for c in cameras if not c.negated and c.value != "static"]
    static = [c for c in cameras if c.value == "static" or c.negated]
    kind_type, kind_strength, kind_words = DEFAULT_CAMERA[facts.kind]
    if positive:
        chosen = positive[0]
        ctype = "ken_burns" if chosen.value == "any" else chosen.value
        strengths = [v for _, v in chosen.modifier("strength")]
        # The camera has no speed of its own: a slow move is a smaller one over the same time.
        strengths += [min(0.95, max(0.1, 0.5 * v ** 0.8)) for _, v in chosen.modifier("speed")]
        strength = round(mean(strengths), 3) if strengths else NEUTRAL_STRENGTH
        mods = ", ".join(f'"{w}"' for _, w, _ in chosen.modifiers)
        explanation.append(f'"{chosen.words}" -> camera {ctype}, strength {strength:g}' + (f" ({mods})" if mods else ""))
        ignored = [c.words for c in positive[1:] if c.value != chosen.value]
        if ignored:
            explanation.append(f"one camera move per clip: ignored {', '.join(repr(w) for w in ignored)}")
    elif static:
        ctype, strength = "static", 0.0
        explanation.append(f'"{static[0].words}" -> camera static')
    elif parsed.still:
        ctype, strength = "static", 0.0
    else:
        scale, speed = _loose(parsed)
        strength = kind_strength * scale * (speed ** 0.5 if speed else 1.0)
        ctype, strength = kind_type, round(min(0.95, strength), 3)
        explanation.append(f"no camera move asked: {kind_words} ({ctype}, strength {strength:g}), the default for "
                           f"{facts.describe().split(' (')[0]}")
    if "camera" in given:
        if given["camera"] != ctype:
            explanation.append(f"camera {given['camera']} from the options replaces {ctype}")
            if not positive:
                # The default's strength was chosen for the default's move (or is 0 for a still camera):
                # the move asked for by name gets the neutral strength unless the words set one.
                strength = NEUTRAL_STRENGTH
        ctype = given["camera"]
    if "strength" in given:
        strength = given["strength"]
    return ctype, float(min(1.0, max(0.0, strength)))


def _unsupported(parsed: Parsed, explanation: list[str]) -> list[Unsupported]:
    """Actions the CPU cannot fake: kept with their phrase (the clause around the action word)."""
    result: list[Unsupported] = []
    for clause in sorted({it.clause for it in parsed.intents if it.kind == "unsupported" and not it.negated}):
        start, end = parsed.clauses[clause]
        others = [it for it in parsed.intents if it.clause == clause and it.kind != "unsupported"]
        actions = [it for it in parsed.intents if it.clause == clause and it.kind == "unsupported" and not it.negated]
        first, last = actions[0].start, actions[-1].end
        lo = max([it.end for it in others if it.end <= first] + [start])
        hi = min([it.start for it in others if it.start >= last] + [end])
        while lo < hi and parsed.tokens[lo].text in _PHRASE_LEADS:
            lo += 1  # "with birds flying" -> "birds flying"
        phrase = parsed.span_text(lo, hi)
        if phrase and phrase not in {u.phrase for u in result}:
            result.append(Unsupported(phrase=phrase, note=V.UNSUPPORTED_NOTE))
            explanation.append(f'not possible on the CPU: "{phrase}" ({V.UNSUPPORTED_NOTE}); the rest is still done')
    for it in parsed.intents:
        if it.kind == "unsupported" and it.negated:
            explanation.append(f'"{it.negated_by}": nothing to do (excluded)')
    return result


# --- foundation helpers ---------------------------------------------------------------------
def default_resolution(photo_size: tuple[int, int]) -> int:
    """The largest standard resolution the photo supports, up to 1080; 480 for small photos."""
    short = min(photo_size)
    fitting = [r for r in RESOLUTIONS if r <= min(short, 1080)]
    return max(fitting) if fitting else RESOLUTIONS[0]


def subject_focus(analysis: Analysis) -> tuple[float, float]:
    """Where the subject is (normalised photo coordinates): faces first, then the subject mask."""
    if analysis.faces:
        x, y, w, h = max(analysis.faces, key=lambda f: f.box[2] * f.box[3]).box
        return x + w / 2, y + h / 2
    weights = analysis.subject
    total = float(weights.sum())
    if total < 1e-3 * weights.size:
        return 0.5, 0.5
    h, w = weights.shape
    # Weighted centre from the row and column sums: the same value as with full coordinate grids,
    # without allocating two photo-sized arrays.
    cx = float(weights.sum(axis=0, dtype=np.float64) @ np.arange(w, dtype=np.float64))
    cy = float(weights.sum(axis=1, dtype=np.float64) @ np.arange(h, dtype=np.float64))
    return cx / total / w, cy / total / h
