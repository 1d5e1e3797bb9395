"""Reading a prompt without any model: words, stems, typos, phrases, clauses, scopes.

parse(prompt) returns what the sentence asks for as Intents (an effect, a grade, a camera
move, an action the CPU cannot do), each with the words that led to it, its modifiers
(strength, speed, direction) and whether it was negated. Deciding what to do with them,
given the photo, is the planner's job (__init__.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..effects.registry import EFFECT_TYPES, descriptor
from . import vocabulary as V
from .realwords import REAL_WORDS

_GAP_WORDS = {"the", "a", "an", "her", "his", "their", "its", "my", "is", "are", "of", "to", "some", "this", "that"}
# Motion verbs that carry no choice of their own ("clouds drifting"): not reported as ignored.
_MOTION_WORDS = ("drifting", "moving", "flowing", "falling", "rising", "rolling", "blowing", "passing", "floating",
                 "going", "coming", "swirling", "curling", "glowing", "lit", "drift", "flow", "float", "movement",
                 "motion", "gently", "lighting", "dancing")
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


def _is_face(value: str) -> bool:
    """A face effect type (blink, smile, ...), not "faces", which stands for all of them."""
    return value in EFFECT_TYPES and descriptor(value).family == "face"


# --- words -------------------------------------------------------------------------------
_IRREGULAR = {
    "leaves": "leaf", "leafs": "leaf", "skies": "sky", "flies": "fly", "fell": "fall", "fallen": "fall",
    "blew": "blow", "blown": "blow", "ran": "run", "swam": "swim", "flew": "fly", "rode": "ride", "drove": "drive",
    "lit": "light", "dove": "dive", "its": "its", "this": "this", "was": "was", "has": "has", "is": "is",
    "his": "his", "does": "do", "goes": "go", "news": "news", "lens": "lens", "always": "always", "towards": "toward",
    "rays": "ray", "glass": "glass", "grass": "grass", "moss": "moss", "dress": "dress", "less": "less",
}


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A crude, consistent stem: "raining", "rains", "rainy" -> "rain"; "rising", "rise" -> "ris".

    Only consistency matters (the vocabulary goes through the same function), not linguistics.
    """
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    w = word
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("ily") and len(w) > 5:
        w = w[:-3] + "y"
    elif w.endswith("ly") and len(w) > 5:
        w = w[:-2]
    elif w.endswith("ing") and len(w) > 5:
        w = _undouble(w[:-3])
    elif w.endswith("ed") and len(w) > 4:
        w = _undouble(w[:-2])
    elif w.endswith(("ches", "shes", "sses", "xes", "zes")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        w = w[:-1]
    if w.endswith("y") and len(w) > 4:
        w = _undouble(w[:-1])
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


@lru_cache(maxsize=16)
def _stems(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(stem(w) for w in words)


def _undouble(w: str) -> str:
    if len(w) >= 3 and w[-1] == w[-2] and w[-1] not in "lsz":
        return w[:-1]
    return w


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count 1), stopping early past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def normalise(text: str) -> str:
    """Lower case, plain quotes, contractions spelled out, hyphens as spaces."""
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    t = re.sub(r"\bb\s*&\s*w\b", "bw", t)
    t = t.replace("&", " and ")
    t = re.sub(r"\bcan't\b|\bcannot\b", "can not", t)
    t = re.sub(r"\bwon't\b", "will not", t)
    t = re.sub(r"n't\b", " not", t)
    t = re.sub(r"\b(dont|doesnt|didnt|isnt|arent|shouldnt|wont)\b",
               lambda m: {"wont": "will"}.get(m.group(1), m.group(1)[:-2]) + " not", t)
    t = re.sub(r"'s\b", " is", t)
    t = re.sub(r"'(re|ll|ve|d|m)\b", "", t)
    t = re.sub(r"[-_]", " ", t)
    t = re.sub(r"(\d+)\.(\d+)", r"\1p\2", t)  # "2.5" stays one token ("2p5"), not a clause break
    return t


@dataclass
class Token:
    text: str  # normalised (and typo-corrected) word, or a punctuation mark
    stem: str
    corrected_from: str | None = None
    used: bool = False  # consumed by a phrase, a camera move or a modifier

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()


def tokenize(text: str) -> list[Token]:
    return [Token(t, stem(t)) for t in re.findall(r"[a-z0-9]+|[.,;:!?()/\"]", normalise(text))]


# --- the phrase tables, compiled once on first use --------------------------------------
@dataclass(frozen=True)
class Meaning:
    kind: str  # effect | weak | grade | camera | unsupported
    value: str
    strength: float | None = None


@dataclass(frozen=True)
class Pattern:
    parts: tuple[tuple[bool, str], ...]  # (exact?, word or stem)
    meaning: Meaning


@dataclass
class Lexicon:
    patterns: dict[str, list[Pattern]]  # first key (stem or exact word) -> patterns
    surface: set[str]  # every word the tables contain, as written
    stems: set[str]
    typo_targets: dict[str, list[str]]  # first letter -> content words a typo may stand for


def _pattern(phrase: str, meaning_kind: str, value: str) -> Pattern:
    strength = None
    if ":" in phrase:
        phrase, s = phrase.rsplit(":", 1)
        strength = float(s)
    exact = phrase.startswith("=")
    words = [t.text for t in tokenize(phrase.lstrip("="))]
    parts = tuple((exact, w if exact else stem(w)) for w in words)
    return Pattern(parts, Meaning(meaning_kind, value, strength))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    tables = [
        ("effect", V.EFFECT_PHRASES), ("weak", V.WEAK_PHRASES), ("grade", V.GRADE_PHRASES),
        ("camera", V.CAMERA_PHRASES), ("unsupported", V.UNSUPPORTED_PHRASES),
    ]
    patterns: dict[str, list[Pattern]] = {}
    surface: set[str] = set()
    content: set[str] = set()
    for kind, table in tables:
        for value, phrases in table.items():
            for phrase in phrases:
                p = _pattern(phrase, kind, value)
                patterns.setdefault(p.parts[0][1], []).append(p)
                for w in phrase.split(":")[0].lstrip("=").split():
                    w = normalise(w).strip()
                    surface.add(w)
                    if len(p.parts) == 1 or w not in V.FILLER_WORDS:
                        content.add(w)
    for ps in patterns.values():
        ps.sort(key=lambda p: (-len(p.parts), not p.parts[0][0]))  # longest first, exact before stem
    modifiers = set(V.INTENSITY_WORDS) | set(V.SPEED_WORDS) | set(V.CAMERA_VERBS) | set(V.DIRECTION_WORDS)
    content |= {w for w in modifiers if len(w) >= 4}
    surface |= modifiers | set(V.NEGATIONS) | set(V.BOOSTERS) | set(V.CAMERA_NOUNS) | set(V.FREEZE_WORDS)
    surface |= set(V.VAGUE_WORDS) | set(V.CLAUSE_WORDS) | set(V.SCOPE_ENDS)
    targets: dict[str, list[str]] = {}
    for w in content:
        if w.isalpha() and len(w) >= 3 and w not in V.COMMON_WORDS:
            targets.setdefault(w[0], []).append(w)
    stems = {stem(w) for w in surface}
    return Lexicon(patterns, surface, stems, targets)


def correct_typo(word: str) -> str | None:
    """The vocabulary word a misspelt word most likely is, or None.

    Careful with short words: length 4 allows only a swap of two letters ("rian"), 5 to 7 one
    edit ("snoww", "hevily"), 8 and more two edits; the first letter must agree, common English
    words are never corrected, and a tie between two candidates means no correction.
    """
    lex = lexicon()
    if len(word) < 4 or not word.isalpha() or word in V.COMMON_WORDS or word in V.FILLER_WORDS or word in REAL_WORDS:
        return None
    if word in lex.surface or stem(word) in lex.stems:
        return None
    if word[-1] == word[-2] and word[:-1] in lex.surface and word[:-1] not in V.FILLER_WORDS:
        return word[:-1]  # "fogg", "snoww"
    limit = 1 if len(word) <= 7 else 2
    best: list[tuple[int, str]] = []
    for cand in lex.typo_targets.get(word[0], ()):
        if len(word) == 4 and (len(cand) != 4 or sorted(cand) != sorted(word)):
            continue
        d = edit_distance(word, cand, limit)
        if d <= limit:
            best.append((d, cand))
    if not best:
        return None
    best.sort()
    if len(best) > 1 and best[0][0] == best[1][0] and stem(best[0][1]) != stem(best[1][1]):
        return None  # ambiguous: better to ignore than to guess
    return best[0][1]


# --- parsing -----------------------------------------------------------------------------
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

    def clause_text(self, index: int) -> str:
        start, end = self.clauses[index]
        return _join(self.tokens[start:end])

    def span_text(self, start: int, end: int) -> str:
        return _join(self.tokens[start:end])


def _join(tokens: list[Token]) -> str:
    return re.sub(r"(\d)p(\d)", r"\1.\2", " ".join(t.text for t in tokens if t.is_word))


def parse(prompt: str) -> Parsed:
    tokens = tokenize(prompt)
    corrections = []
    for tok in tokens:
        fixed = correct_typo(tok.text)
        if fixed:
            corrections.append((tok.text, fixed))
            tok.corrected_from, tok.text, tok.stem = tok.text, fixed, stem(fixed)

    intents = _match_phrases(tokens)
    clause_of, clauses = _clauses(tokens)
    for it in intents:
        it.clause = clause_of[it.start]
    intents += _camera_verbs(tokens, clause_of, intents)
    intents.sort(key=lambda it: it.start)
    _drop_weak(intents, tokens)
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
        if tok.text in V.VAGUE_WORDS or tok.stem in _stems(V.VAGUE_WORDS):
            vague.append(tok.text)
        elif tok.stem in _stems(_MOTION_WORDS):
            continue
        elif tok.text not in V.FILLER_WORDS and tok.text not in V.NEGATIONS and tok.text not in V.CLAUSE_WORDS \
                and tok.text not in V.BOOSTERS and tok.text not in V.CAMERA_NOUNS and tok.text not in V.SCOPE_ENDS:
            ignored.append(tok.corrected_from or tok.text)
    return Parsed(prompt, tokens, intents, clauses, corrections, ignored, loose, vague, still)


def _match_phrases(tokens: list[Token]) -> list[Intent]:
    """Longest phrase first at each position; small words ("the", "her") may sit between."""
    lex = lexicon()
    found: list[Intent] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        best: list[tuple[int, Pattern]] = []
        candidates = lex.patterns.get(tok.stem, []) + lex.patterns.get(tok.text, [])
        for pat in sorted(candidates, key=lambda p: (-len(p.parts), not p.parts[0][0])):
            end = _match_at(tokens, i, pat)
            if end is None:
                continue
            if not best or len(pat.parts) > len(best[0][1].parts):
                best = [(end, pat)]
            elif len(pat.parts) == len(best[0][1].parts) and end == best[0][0] and pat.parts[0][0] == best[0][1].parts[0][0]:
                best.append((end, pat))  # one phrase, several meanings ("thunderstorm": rain and lightning)
        if not best:
            i += 1
            continue
        end = best[0][0]
        for t in tokens[i:end]:
            t.used = True
        seen = set()
        for _, pat in best:
            m = pat.meaning
            if (m.kind, m.value) not in seen:
                seen.add((m.kind, m.value))
                found.append(Intent(m.kind, m.value, _join(tokens[i:end]), i, end, 0, strength=m.strength))
        i = end
    return found


def _match_at(tokens: list[Token], i: int, pat: Pattern) -> int | None:
    j, gaps = i, 0
    for k, (exact, word) in enumerate(pat.parts):
        while True:
            if j >= len(tokens):
                return None
            tok = tokens[j]
            if (tok.text == word) if exact else (tok.stem == word or tok.text == word):
                j += 1
                break
            if k > 0 and gaps < 2 and tok.text in _GAP_WORDS:
                gaps += 1
                j += 1
                continue
            return None
    return j


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
        found.append(Intent("camera", move, _join(tokens[start:end]), start, end, clause))
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
                found.append(Intent("camera", move, _join(tokens[i:j + 1]), i, j + 1, clause))
                break
    return found


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
                words = _join(tokens[first:max(it.end for it in hits)])
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
                    intents.append(Intent("camera", "static", _join(tokens[s:e]), s, e, clause))
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
                    target.negated, target.negated_by = True, _join(tokens[target.start:i + 1])
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
            hits = [j for j in range(i + 1, end) if tokens[j].stem in _stems(_MOTION_NOUNS)]
            if hits:
                for t in tokens[i:hits[-1] + 1]:
                    t.used = True
                return _join(tokens[i:hits[-1] + 1])
        elif tok.text in V.FREEZE_WORDS:
            before = [j for j in range(i) if clause_of[j] == clause and tokens[j].text in _EVERYTHING]
            if before:
                for t in tokens[before[0]:i + 1]:
                    t.used = True
                return _join(tokens[before[0]:i + 1])
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
            target.modifiers.append((which, _join(tokens[i:end]), value))
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
    for it in intents:
        j = it.start - 1
        while j >= 0 and tokens[j].text in _GAP_WORDS:
            j -= 1
        if it.kind == "effect" and _names_a_place(it.value) and j >= 0 and tokens[j].text in _PLACE_WORDS and any(
                o.clause == it.clause and o is not it and o.kind in ("effect", "camera") and o.start < it.start
                for o in intents):
            it.kind = "weak"
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
    for it in intents:
        if id(it) not in kept_ids:
            for tok in tokens[it.start:it.end]:
                tok.used = False  # free again: "light" of "light rain" is then read as an intensity
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
        while j > 0 and tokens[j - 1].text in _GAP_WORDS:
            j -= 1
        return j in ends  # a thing, right before the verb, is what moves

    intents[:] = [it for it in intents if not figurative(it)]
