"""Word tools for reading prompts: normalising, tokens, stems, typo fixing, phrase matching.

Everything here works on single words or on the vocabulary's phrase tables; nothing knows
about clauses, negation or what a phrase is for. reading.py builds the parser on top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import vocabulary as V
from .realwords import REAL_WORDS

# Small words that may sit inside a phrase ("turn her head", "rays of the light").
GAP_WORDS = {"the", "a", "an", "her", "his", "their", "its", "my", "is", "are", "of", "to", "some", "this", "that"}


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
def stems(words: tuple[str, ...]) -> frozenset[str]:
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


def join_words(tokens: list[Token]) -> str:
    """The words of a token span as text ("2p5" back to "2.5"), punctuation left out."""
    return re.sub(r"(\d)p(\d)", r"\1.\2", " ".join(t.text for t in tokens if t.is_word))


# --- phrase matching ---------------------------------------------------------------------
@dataclass
class PhraseMatch:
    start: int
    end: int  # token span [start, end)
    meanings: list[Meaning]  # one phrase may mean several things ("thunderstorm": rain and lightning)


def match_phrases(tokens: list[Token]) -> list[PhraseMatch]:
    """The vocabulary's phrases in the tokens, left to right, longest first at each position;
    small words ("the", "her") may sit between a phrase's words. Matched tokens are marked used."""
    lex = lexicon()
    found: list[PhraseMatch] = []
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
        meanings: list[Meaning] = []
        for _, pat in best:
            if all((m.kind, m.value) != (pat.meaning.kind, pat.meaning.value) for m in meanings):
                meanings.append(pat.meaning)
        found.append(PhraseMatch(i, end, meanings))
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
            if k > 0 and gaps < 2 and tok.text in GAP_WORDS:
                gaps += 1
                j += 1
                continue
            return None
    return j
