"""Reading a prompt without any model: the multi-pass parser.

parse(prompt) returns what the sentence asks for as Intents (an effect, a grade, a camera
move, an action the CPU cannot do), each with the words that led to it, its modifiers
(strength, speed, direction) and whether it was negated. The passes, in order: phrases
(words.py), clauses, camera verbs, weak nouns, negation and "keep X still", waving hands,
timing, modifiers, flow verbs. Deciding what to do with the intents, given the photo, is the
planner's job (compose.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..effects.registry import EFFECT_TYPES, descriptor
from . import vocabulary as V
from .words import GAP_WORDS, Token, correct_typo, join_words, match_phrases, normalise, stem, stems, tokenize

# Motion verbs that carry no choice of their own ("clouds drifting"): not reported as ignored.
_MOTION_WORDS = ("drifting", "moving", "flowing", "falling", "rising", "rolling", "blowing", "passing", "floating",
                 "going", "coming", "swirling", "curling", "glowing", "lit", "drift", "flow", "float", "movement",
                 "motion", "gently", "lighting", "dancing")
# Prepositions before a place ("sparkles on the water"), and words before "pan" that make it a pan.
_PLACE_WORDS = {"on", "over", "across", "through", "above", "under", "in", "into", "onto", "near", "by", "from",
                "behind", "along", "at", "around", "upon", "beneath", "below", "against"}
_NOUN_BEFORE = {"a", "the", "frying", "hot", "my", "this", "that", "sauce", "cooking", "iron", "steaming", "an"}


def steerable(value: str) -> bool:
    """Whether a direction word steers this effect type ("clouds drifting left")."""
    return value in EFFECT_TYPES and descriptor(value).steerable


def _names_a_place(value: str) -> bool:
    """Effect types whose words also name a place ("on the water", "from the fire"); the others
    stay effects after a preposition."""
    return value in EFFECT_TYPES and descriptor(value).place_noun


def _stays_on_the_person(value: str) -> bool:
    """Effects that move a part of a person (a blink, the hair): a place after them is a cause
    ("her hair moves in the breeze"), not where they go."""
    return value in EFFECT_TYPES and (descriptor(value).family == "face" or descriptor(value).places == ("subject",))


def _is_face(value: str) -> bool:
    """A face effect type (blink, smile, ...), not "faces", which stands for all of them."""
    return value in EFFECT_TYPES and descriptor(value).family == "face"


# --- what a sentence asks for ---------------------------------------------------------------
@dataclass
class Intent:
    kind: str  # effect | weak | grade | camera | unsupported
    value: str  # effect type, grade style, camera type ("any" = unspecified move), action
    words: str  # the words that led to it
    start: int
    end: int  # token span [start, end)
    clause: int
    strength: float | None = None  # from the phrase itself ("drizzle")
    negated: bool = False
    weak: bool = False  # from a weak noun alone ("the sky"): the embedder may read the clause better
    negated_by: str = ""  # the words that negated it ("no rain", "keep the sky still")
    modifiers: list[tuple[str, str, float | str]] = field(default_factory=list)  # (kind, words, value)
    place: str | None = None  # a place named after a preposition ("sparkles on the water": "water")

    def modifier(self, kind: str) -> list[tuple[str, float | str]]:
        return [(w, v) for k, w, v in self.modifiers if k == kind]


@dataclass
class Parsed:
    prompt: str
    tokens: list[Token]
    intents: list[Intent]
    clauses: list[tuple[int, int]]  # token spans
    corrections: list[tuple[str, str]]
    ignored: list[str]
    loose_modifiers: list[tuple[str, str, float | str]]  # modifiers in clauses that ask for nothing
    vague: list[str]  # words like "move", "alive"
    still: str = ""  # the words that asked for everything else to stay still ("nothing else moves")
    sound: str = ""  # the soundtrack the words ask for: "none" ("silent", "no sound"), "auto" ("with sound"), or ""
    sound_words: str = ""

    def span_text(self, start: int, end: int) -> str:
        return join_words(self.tokens[start:end])


# --- the passes ------------------------------------------------------------------------------
def parse(prompt: str) -> Parsed:
    """Read a prompt: every pass below, in order, over one list of tokens and intents."""
    tokens = tokenize(prompt)
    corrections = []
    for tok in tokens:
        fixed = correct_typo(tok.text)
        if fixed:
            corrections.append((tok.text, fixed))
            tok.corrected_from, tok.text, tok.stem = tok.text, fixed, stem(fixed)

    intents = [Intent(m.kind, m.value, join_words(tokens[match.start:match.end]), match.start, match.end, 0,
                      strength=m.strength)
               for match in match_phrases(tokens) for m in match.meanings]
    clause_of, clauses = _clauses(tokens)
    for it in intents:
        it.clause = clause_of[it.start]
    intents += _camera_verbs(tokens, clause_of, intents)
    intents.sort(key=lambda it: it.start)
    _drop_weak(intents, tokens)
    sound, sound_words = _sound(tokens)
    _negations(tokens, clause_of, intents)
    still = _still_all(tokens, clause_of)
    _wave_gestures(tokens, intents)
    _timing(tokens, clause_of, intents)
    loose = _modifiers(tokens, clause_of, intents)
    _drop_flow_verbs(intents, tokens)

    vague, ignored = [], []
    for tok in tokens:
        if tok.used or not tok.is_word:
            continue
        if tok.text in V.VAGUE_WORDS or tok.stem in stems(V.VAGUE_WORDS):
            vague.append(tok.text)
        elif tok.stem in stems(_MOTION_WORDS):
            continue
        elif tok.text not in V.FILLER_WORDS and tok.text not in V.NEGATIONS and tok.text not in V.CLAUSE_WORDS \
                and tok.text not in V.BOOSTERS and tok.text not in V.CAMERA_NOUNS and tok.text not in V.SCOPE_ENDS:
            ignored.append(tok.corrected_from or tok.text)
    return Parsed(prompt, tokens, intents, clauses, corrections, ignored, loose, vague, still, sound, sound_words)


def _clauses(tokens: list[Token]) -> tuple[list[int], list[tuple[int, int]]]:
    """Clause index of every token: punctuation and words like "and", "but", "while" split."""
    clause_of, spans, current, start = [], [], 0, 0
    for i, tok in enumerate(tokens):
        boundary = not tok.used and (not tok.is_word and tok.text not in "\"()" or tok.text in V.CLAUSE_WORDS)
        if boundary and i > start:
            spans.append((start, i))
            current += 1
            start = i + 1
        elif boundary:
            start = i + 1
        clause_of.append(current)
    spans.append((start, len(tokens)))
    return clause_of, spans


def _direction_of(tok: Token) -> str | None:
    return V.DIRECTION_WORDS.get(tok.text) or V.DIRECTION_WORDS.get(tok.stem)


def _camera_verbs(tokens: list[Token], clause_of: list[int], intents: list[Intent]) -> list[Intent]:
    """Camera verbs ("zoom", "pan", "tilt") read with the direction word near them."""
    found = []
    has_noun = {clause_of[i] for i, t in enumerate(tokens) if t.text in V.CAMERA_NOUNS or t.stem in V.CAMERA_NOUNS}
    effect_clauses = {it.clause for it in intents if it.kind in ("effect", "weak")}
    for i, tok in enumerate(tokens):
        if tok.used or not tok.is_word:
            continue
        verb = tok.stem if tok.stem in V.CAMERA_VERBS else tok.text if tok.text in V.CAMERA_VERBS else None
        if verb is None:
            continue
        clause = clause_of[i]
        if verb in V.CAMERA_VERBS_NEED_NOUN and clause not in has_noun:
            continue
        if verb == "pan" and i > 0 and tokens[i - 1].text in _NOUN_BEFORE and clause in effect_clauses:
            continue  # "steam rising from a pan"
        table = V.CAMERA_VERBS[verb]
        move, used = table.get(None), [i]
        for j in list(range(i + 1, min(len(tokens), i + 7))) + [i - 1]:
            if j < 0 or clause_of[j] != clause or tokens[j].used:
                continue
            d = _direction_of(tokens[j])
            if d is not None and d in table:
                move = table[d]
                used.append(j)
                if j > 0 and tokens[j - 1].text == "from":
                    continue  # "from left to right": where it goes, not where it starts
                break
        if move is None:
            move = "any"
        for j in used:
            tokens[j].used = True
        start, end = min(used), max(used) + 1
        found.append(Intent("camera", move, join_words(tokens[start:end]), start, end, clause))
    # "the camera goes left": a camera noun with a direction, no verb.
    for i, tok in enumerate(tokens):
        if tok.used or tok.text not in V.CAMERA_NOUNS:
            continue
        clause = clause_of[i]
        if any(it.kind == "camera" and it.clause == clause for it in intents + found):
            continue
        for j in range(i + 1, min(len(tokens), i + 5)):
            if clause_of[j] != clause or tokens[j].used:
                continue
            d = _direction_of(tokens[j])
            move = {"left": "pan_left", "right": "pan_right", "up": "tilt_up", "down": "tilt_down",
                    "in": "dolly_in", "out": "dolly_out"}.get(d or "")
            if move:
                tok.used = tokens[j].used = True
                found.append(Intent("camera", move, join_words(tokens[i:j + 1]), i, j + 1, clause))
                break
    return found


def _sound(tokens: list[Token]) -> tuple[str, str]:
    """What the words say about the soundtrack (the first that says anything), and those words:
    "none" for "silent", "mute", "no sound", "without audio"; "auto" for "with the sound of rain"."""
    for i, tok in enumerate(tokens):
        if tok.used or not tok.is_word:
            continue
        if tok.text in V.SILENCE_WORDS:
            tok.used = True
            return "none", tok.text
        if tok.text in V.SOUND_WORDS:
            start = i
            while start > 0 and i - start < 2 and tokens[start - 1].text in ("no", "not", "without", "with", "the", "any"):
                start -= 1
            words = tokens[start : i + 2 if i + 1 < len(tokens) and tokens[i + 1].text == "of" else i + 1]
            for word in words:
                word.used = True
            silent = any(word.text in ("no", "not", "without") for word in words)
            return ("none" if silent else "auto"), join_words(words)
    return "", ""


def water_sound(prompt: str) -> str | None:
    """The water's sound the words name ("stream", "surf", "lapping"), or None: the first place
    named decides, else the first motion word."""
    text = prompt.lower()
    for table in (V.WATER_SOUND_PLACES, V.WATER_SOUND_MOTION):
        found = [(hit.start(), kind) for kind, words in table.items() if (hit := re.search(rf"\b(?:{words})\b", text))]
        if found:
            return min(found)[1]
    return None


def _negations(tokens: list[Token], clause_of: list[int], intents: list[Intent]) -> None:
    """"no X", "without X", "not X": X negated until the clause or the scope ends.
    "keep X still" / "X stays frozen": X (the nearest thing before the word) negated."""
    for i, tok in enumerate(tokens):
        if tok.used:
            continue
        if tok.text in V.NEGATIONS:
            clause = clause_of[i]
            end = next((j for j in range(i + 1, len(tokens))
                        if clause_of[j] != clause or tokens[j].text in V.SCOPE_ENDS), len(tokens))
            hits = [it for it in intents if i < it.start < end and not it.negated]
            hit = bool(hits)
            if hits:
                first = i - 1 if i > 0 and tokens[i - 1].text in _AUXILIARIES else i  # "do not", "should not"
                words = join_words(tokens[first:max(it.end for it in hits)])
                for it in hits:
                    it.negated, it.negated_by = True, words
            if not hit:
                # "the camera should not move": a camera noun negated with "move"
                nouns = [j for j in range(len(tokens)) if clause_of[j] == clause and tokens[j].text in V.CAMERA_NOUNS]
                if nouns:
                    tok.used = True
                    for j in nouns:
                        tokens[j].used = True
                    s, e = min(nouns + [i]), max(nouns + [i]) + 1
                    intents.append(Intent("camera", "static", join_words(tokens[s:e]), s, e, clause))
                    intents.sort(key=lambda it: it.start)
                    continue
            tok.used = tok.used or hit
        elif tok.text in V.FREEZE_WORDS:
            clause = clause_of[i]
            before = [it for it in intents if it.clause == clause and it.end <= i and it.kind != "unsupported"]
            if before and not (tok.text == "still" and i + 1 < len(tokens) and clause_of[i + 1] == clause
                               and tokens[i + 1].is_word and not tokens[i + 1].used and
                               tokens[i + 1].text not in V.FILLER_WORDS):
                target = before[-1]
                if target.kind == "camera":
                    target.value = "static"
                else:
                    target.negated, target.negated_by = True, join_words(tokens[target.start:i + 1])
                tok.used = True


_AUXILIARIES = {"do", "does", "did", "should", "must", "will", "can", "could", "would", "may"}
_MOTION_NOUNS = ("move", "moves", "moving", "motion", "movement", "movements", "animate", "animation", "animated")
_EVERYTHING = ("everything", "all", "rest", "else", "whole", "anything")


def _still_all(tokens: list[Token], clause_of: list[int]) -> str:
    """"nothing (else) should move", "no movement", "keep everything else frozen": the words, or ""."""
    for i, tok in enumerate(tokens):
        if tok.used:
            continue
        clause = clause_of[i]
        if tok.text in V.NEGATIONS:
            end = next((j for j in range(i + 1, len(tokens))
                        if clause_of[j] != clause or tokens[j].text in V.SCOPE_ENDS), len(tokens))
            hits = [j for j in range(i + 1, end) if tokens[j].stem in stems(_MOTION_NOUNS)]
            if hits:
                for t in tokens[i:hits[-1] + 1]:
                    t.used = True
                return join_words(tokens[i:hits[-1] + 1])
        elif tok.text in V.FREEZE_WORDS:
            before = [j for j in range(i) if clause_of[j] == clause and tokens[j].text in _EVERYTHING]
            if before:
                for t in tokens[before[0]:i + 1]:
                    t.used = True
                return join_words(tokens[before[0]:i + 1])
    return ""


# People who can wave a hand ("she waves"), as opposed to the sea ("the waves").
_PERSON_WORDS = {"he", "she", "they", "i", "we", "you", "everyone", "everybody", "someone", "person", "man", "woman",
                 "girl", "boy", "child", "kid", "kids", "baby", "mom", "dad", "mother", "father", "grandma", "grandpa",
                 "grandmother", "grandfather", "bride", "groom", "couple", "people", "family", "friend", "friends",
                 "lady", "guy", "children", "men", "women", "player", "crowd", "son", "daughter", "sister", "brother"}
_WAVE_BEFORE = {"a", "the", "big", "huge", "giant", "small", "gentle", "ocean", "sea", "one", "each", "every", "tidal",
                "rolling", "crashing", "breaking", "single", "another", "perfect", "that", "this", "some", "little",
                "massive", "heat", "light", "slow", "soft", "calm"}


def _wave_gestures(tokens: list[Token], intents: list[Intent]) -> None:
    """"she waves", "smile and wave": a hand waving (unsupported), not water."""
    person_action = any(_is_face(it.value) or it.kind == "unsupported"
                        for it in intents)
    for it in intents:
        if it.value != "water" or it.words not in ("wave", "waves") or it.negated:
            continue
        prev = tokens[it.start - 1].text if it.start > 0 else None
        if prev in _PERSON_WORDS or (it.words == "wave" and prev not in _WAVE_BEFORE and person_action):
            it.kind, it.value = "unsupported", "wave hand"


def _seconds(text: str) -> float | None:
    m = re.fullmatch(r"(\d+)(?:p(\d+))?(s|sec|secs)?", text)
    if not m:
        return None
    return float(f"{m.group(1)}.{m.group(2) or 0}")


@lru_cache(maxsize=1)
def _timing_patterns() -> list[tuple[list[str], str, float]]:
    return sorted(((normalise(k).split(), *v) for k, v in V.TIMING_PHRASES.items()), key=lambda p: -len(p[0]))


def _timing(tokens: list[Token], clause_of: list[int], intents: list[Intent]) -> None:
    """"lightning at the end", "snow after 3 seconds", "rain for the first 4 s": start and end.

    Values: ("start"|"end", share of the clip) or ("start_s"|"end_s", seconds)."""
    i = 0
    while i < len(tokens):
        found = None
        for words, which, share in _timing_patterns():
            span = tokens[i:i + len(words)]
            if [t.text for t in span] == words and not any(t.used for t in span):
                found = (i + len(words), which, share)
                break
        if found is None and tokens[i].text in V.START_WORDS + V.END_WORDS and not tokens[i].used:
            j = i + 1
            while j < len(tokens) and tokens[j].text in ("the", "first", "at", "about", "around", "a"):
                j += 1
            seconds = _seconds(tokens[j].text) if j < len(tokens) else None
            if seconds is not None:
                end = j + 1 + (j + 1 < len(tokens) and tokens[j + 1].text in V.SECOND_WORDS)
                kind = "start_s" if tokens[i].text in V.START_WORDS else "end_s"
                found = (end, kind, seconds)
        if found is None:
            i += 1
            continue
        end, which, value = found
        clause = clause_of[i]
        candidates = [it for it in intents if it.clause == clause and it.kind in ("effect", "weak", "grade")]
        if candidates:
            target = min(candidates, key=lambda it: abs(it.start - i))
            target.modifiers.append((which, join_words(tokens[i:end]), value))
            for t in tokens[i:end]:
                t.used = True
        i = end


def _modifiers(tokens: list[Token], clause_of: list[int], intents: list[Intent]) -> list:
    """Intensity, speed and direction words attach to the nearest thing asked for in their clause."""
    loose = []
    boost = 0
    for i, tok in enumerate(tokens):
        if tok.used or not tok.is_word:
            continue
        if tok.text in V.BOOSTERS:
            boost += 1
            continue
        kind, value = None, None
        if tok.text in V.INTENSITY_WORDS:
            kind, value = "strength", V.INTENSITY_WORDS[tok.text]
            for _ in range(boost):
                value = min(1.0, max(0.05, 0.5 + (value - 0.5) * 1.3))
        elif tok.text in V.SPEED_WORDS:
            kind, value = "speed", V.SPEED_WORDS[tok.text]
            for _ in range(boost):
                value = min(4.0, value * 1.4) if value > 1 else max(0.1, value / 1.4)
        elif _direction_of(tok) in V.MOTION_DIRECTIONS:
            kind, value = "direction", _direction_of(tok)
        words = " ".join(t.text for t in tokens[max(0, i - boost):i + 1])
        boost = 0
        if kind is None:
            continue
        clause = clause_of[i]
        candidates = [it for it in intents if it.clause == clause and it.kind in ("effect", "weak", "grade", "camera")]
        if kind == "direction":
            candidates = [it for it in candidates if steerable(it.value)]
        if not candidates:
            if not any(it.clause == clause for it in intents):
                loose.append((kind, words, value))
                tok.used = True
            continue

        def distance(it: Intent) -> tuple[int, int]:
            d = it.start - i if it.start > i else i - it.end + 1
            return d, 0 if it.start > i else 1  # ties: the thing after ("heavy rain")

        target = min(candidates, key=distance)
        target.modifiers.append((kind, words, value))
        tok.used = True
    return loose


# One-word looks that are often just adjectives ("a warm hug", "cold rain"): a look only alone.
GRADE_ADJECTIVES = {"warm", "warmer", "cool", "cold", "icy", "golden", "dramatic", "cinematic", "teal", "cozy"}


def _drop_weak(intents: list[Intent], tokens: list[Token]) -> None:
    """Weak nouns ("sky", "trees", "wind") stand back when their clause asks for something else,
    and so does a place named after a preposition ("sparkles on the water", "fog over the lake")."""
    places = set()  # the places read as where another effect goes: their words were read
    for it in intents:
        j = it.start - 1
        while j >= 0 and tokens[j].text in GAP_WORDS:
            j -= 1
        before = [o for o in intents if o.clause == it.clause and o is not it and o.kind in ("effect", "camera")
                  and o.start < it.start]
        if it.kind in ("effect", "weak") and _names_a_place(it.value) and j >= 0 and tokens[j].text in _PLACE_WORDS and before:
            it.kind = "weak"
            if before[-1].kind == "effect" and before[-1].place is None:
                if not _stays_on_the_person(before[-1].value):
                    before[-1].place = it.value  # "glistening on the water", "sparkles on the sea": on the water
                places.add(id(it))
    for k, it in enumerate(intents[:-1]):
        # "the sea sparkles", "the lake shimmering": the place and the light on it are both asked for
        nxt = intents[k + 1]
        if (it.kind == "weak" and _names_a_place(it.value) and nxt.kind == "effect" and nxt.clause == it.clause
                and nxt.value in ("sparkle", "flicker", "light_sweep") and nxt.start - it.end <= 1):
            it.kind = "effect"
    first_weak: dict[int, str] = {}
    for it in intents:
        if it.kind == "weak":
            first_weak.setdefault(it.clause, it.value)
    strong = {it.clause for it in intents if it.kind in ("effect", "camera", "unsupported")}
    kept = [it for it in intents if not (it.kind == "weak" and it.clause in strong)
            and not (it.kind == "weak" and first_weak.get(it.clause) != it.value)  # "lamps glow": the lamps
            and not (it.kind == "grade" and it.words in GRADE_ADJECTIVES and it.clause in strong)]
    kept_ids = {id(it) for it in kept}
    read = {i for it in kept for i in range(it.start, it.end)}  # still read by an intent that stays
    for it in intents:
        if id(it) not in kept_ids and id(it) not in places:
            for i in range(it.start, it.end):
                if i not in read:
                    tokens[i].used = False  # free again: "light" of "light rain" is then read as an intensity
    for it in kept:
        if it.kind == "weak":
            it.kind, it.weak = "effect", True
    intents[:] = kept


def _drop_flow_verbs(intents: list[Intent], tokens: list[Token]) -> None:
    """"the river runs" is water, not someone running; "the flame dances" is fire, not a dancer."""
    water = {it.clause for it in intents if it.value == "water"}
    ends = {it.end: it for it in intents if it.kind == "effect" and not _is_face(it.value) and it.value != "faces"}

    def figurative(it: Intent) -> bool:
        if it.kind != "unsupported" or it.words.split()[-1] not in V.FLOW_VERBS + V.FIGURATIVE_VERBS:
            return False
        if it.clause in water and it.words.split()[-1] in V.FLOW_VERBS:
            return True
        j = it.start
        while j > 0 and tokens[j - 1].text in GAP_WORDS:
            j -= 1
        return j in ends  # a thing, right before the verb, is what moves

    intents[:] = [it for it in intents if not figurative(it)]
