"""The prompt suite (tests/prompts/suite.jsonl): at least 200 prompts as users write them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from stillmotion.director import vocabulary
from stillmotion.effects.registry import DESCRIPTORS
from stillmotion.plan import GRADE_STYLES

_spec = importlib.util.spec_from_file_location("director_suite", Path(__file__).parent / "prompts" / "evaluate.py")
suite = importlib.util.module_from_spec(_spec)
sys.modules["director_suite"] = suite
_spec.loader.exec_module(suite)

ISSUE_EXAMPLES = [
    "Heavy rain falling, neon lights flickering, steam rising from the street vents",
    "soft golden hour lighting, camera zooms in slowly, slight leaf movement",
    "a blink, a slight head turn, a smile",
    "drizzle", "downpour", "it's pouring", "pan to the right", "tilt up to the sky", "no rain",
    "raining hevily", "snoww", "", "make it move", "bring him back to life",
    "a gentle kiss", "a warm group hug", "flex bicep to show muscle", "the skateboarder lands the trick",
    "the couple leans in for a gentle kiss", "heavy rain, neon flickering, steam rising from the vents",
    "clouds drifting, slow push in",
]


def test_suite_is_large_and_complete():
    cases = suite.load_suite()
    assert len(cases) >= 200
    prompts = {c.prompt for c in cases}
    missing = [p for p in ISSUE_EXAMPLES if p not in prompts]
    assert not missing, missing
    for case in cases:
        assert set(case.effects) <= set(suite.EFFECT_TYPES), case
        assert case.photo in suite.KINDS, case


def test_suite_at_least_95_percent_fully_right():
    cases = suite.load_suite()
    failures, table = suite.run_suite(cases)
    right = len(cases) - len(failures)
    print(f"\nprompt suite: {right}/{len(cases)} fully right ({right / len(cases):.1%})")
    print(suite.format_table(table))
    for case, wrong in failures:
        print(f"  wrong: {case.prompt!r} on {case.photo}: {'; '.join(wrong)}")
    assert right / len(cases) >= 0.95


def test_every_registered_effect_has_words_and_suite_rows():
    """Adding an effect means a phrase list and prompt-suite rows too: a type without them would
    be in plans only by accident. The grade's words are its looks' phrase lists."""
    cases = suite.load_suite()
    for d in DESCRIPTORS:
        if d.type == "grade":
            assert all(vocabulary.GRADE_PHRASES.get(style) for style in GRADE_STYLES), "a look without phrases"
        else:
            assert vocabulary.EFFECT_PHRASES.get(d.type), f"{d.type} has no phrase list in vocabulary.EFFECT_PHRASES"
        assert any(d.type in case.effects for case in cases), f"no prompt-suite row expects {d.type}"
    assert set(vocabulary.EFFECT_PHRASES) <= {d.type for d in DESCRIPTORS}, "phrases for an unregistered effect"
