"""Director benchmark: how well and how fast prompts become plans.

    python benchmarks/bench_director.py [--semantic] [--photos DIR]

Prints, measured in this run:
1. the prompt suite (tests/prompts/suite.jsonl): share fully right, precision/recall per effect type;
2. held-out prompts (tests/prompts/holdout.jsonl): share fully right;
   recall of effect types on held-out paraphrases (tests/prompts/paraphrases.jsonl, not tuned on),
   for a naive baseline (the effect's own name appears in the prompt), the lexical director, and
   with --semantic the lexical director plus the sentence embedder;
3. milliseconds per prompt (and the embedder's load time);
4. with --photos: the plan an empty prompt gets on every photo in the folder.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("director_suite", ROOT / "tests" / "prompts" / "evaluate.py")
suite = importlib.util.module_from_spec(_spec)
sys.modules["director_suite"] = suite
_spec.loader.exec_module(suite)

from stillmotion.director import direct  # noqa: E402
from stillmotion.plan import EFFECT_TYPES  # noqa: E402


def naive(prompt: str) -> set[str]:
    """Baseline: an effect type is asked for when its own name (or plural) is a word of the prompt."""
    words = set(re.findall(r"[a-z_]+", prompt.lower()))
    return {t for t in EFFECT_TYPES if t in words or t + "s" in words or t.rstrip("s") in words}


def recall(cases, planner) -> tuple[float, float]:
    """(recall of expected effect types, share of prompts with every expected type found)."""
    hit = total = complete = 0
    for case in cases:
        got = planner(case)
        want = set(case.effects)
        hit += len(got & want)
        total += len(want)
        complete += want <= got
    return hit / max(1, total), complete / max(1, len(cases))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--semantic", action="store_true", help="also measure with the sentence embedder")
    parser.add_argument("--photos", type=Path, help="a folder of photos: plan an empty prompt on each")
    args = parser.parse_args()
    inputs = {kind: suite.synthetic(kind) for kind in suite.KINDS}

    def lexical(case):
        photo, analysis = inputs[case.photo]
        return {e.type for e in direct(photo, analysis, case.prompt, semantic=False).effects}

    cases = suite.load_suite()
    start = time.perf_counter()
    failures, table = suite.run_suite(cases, semantic=False)
    per_prompt = (time.perf_counter() - start) / len(cases) * 1000
    print(f"prompt suite: {len(cases) - len(failures)}/{len(cases)} fully right "
          f"({1 - len(failures) / len(cases):.1%}), {per_prompt:.2f} ms per prompt (lexical)")
    print(suite.format_table(table))
    for case, wrong in failures:
        print(f"  wrong: {case.prompt!r} ({case.photo}): {'; '.join(wrong)}")

    for name in ("holdout.jsonl", "holdout2.jsonl", "holdout3.jsonl"):
        fresh = suite.load_suite(name)
        fresh_failures, _ = suite.run_suite(fresh, semantic=False)
        print(f"\nheld-out prompts with full expectations ({name}): {len(fresh) - len(fresh_failures)}/{len(fresh)} "
              "fully right (lexical)")
        for case, wrong in fresh_failures:
            print(f"  wrong: {case.prompt!r} ({case.photo}): {'; '.join(wrong)}")

    held = suite.load_suite("paraphrases.jsonl")
    base_r, base_c = recall(held, lambda c: naive(c.prompt))
    lex_r, lex_c = recall(held, lexical)
    print(f"\nheld-out paraphrases ({len(held)} prompts): effect recall / prompts complete")
    print(f"  naive name match   {base_r:.2f} / {base_c:.2f}")
    print(f"  lexical director   {lex_r:.2f} / {lex_c:.2f}   ({lex_r / max(base_r, 1e-9):.1f}x the baseline's recall)")
    suite_base, _ = recall(cases, lambda c: naive(c.prompt))
    suite_lex, _ = recall(cases, lexical)
    print(f"  (on the suite: naive {suite_base:.2f}, lexical {suite_lex:.2f})")

    if args.semantic:
        from stillmotion.director import semantic

        start = time.perf_counter()
        semantic.load()
        load_s = time.perf_counter() - start

        def with_semantic(case):
            photo, analysis = inputs[case.photo]
            return {e.type for e in direct(photo, analysis, case.prompt, semantic=True).effects}

        start = time.perf_counter()
        sem_r, sem_c = recall(held, with_semantic)
        sem_ms = (time.perf_counter() - start) / len(held) * 1000
        print(f"  lexical + semantic {sem_r:.2f} / {sem_c:.2f}   ({sem_r / max(lex_r, 1e-9):.2f}x lexical recall; "
              f"{sem_ms:.1f} ms per prompt after a {load_s:.1f} s load)")
        start = time.perf_counter()
        failures_s, _ = suite.run_suite(cases, semantic=True)
        sem_suite_ms = (time.perf_counter() - start) / len(cases) * 1000
        print(f"  suite with semantic: {len(cases) - len(failures_s)}/{len(cases)} fully right, "
              f"{sem_suite_ms:.1f} ms per prompt")
        for case, wrong in failures_s:
            print(f"    wrong with semantic: {case.prompt!r} ({case.photo}): {'; '.join(wrong)}")

    if args.photos:
        from stillmotion.analysis import analyse
        from stillmotion.photo import load_photo

        print(f"\nempty prompt on each photo in {args.photos}:")
        for path in sorted(args.photos.iterdir()):
            if path.suffix.lower() not in (".jpg", ".jpeg", ".png"):
                continue
            start = time.perf_counter()
            photo = load_photo(path, max_side=1024)
            analysis = analyse(photo)
            analysed = time.perf_counter() - start
            start = time.perf_counter()
            plan = direct(photo, analysis, "")
            ms = (time.perf_counter() - start) * 1000
            kind = next((line for line in plan.explanation if line.startswith("the photo looks like")), "")
            effects = ", ".join(f"{e.type}@{e.region.name if e.region else 'all'}" for e in plan.effects) or "none"
            print(f"  {path.name:36} {plan.camera.type:9} {effects:40} {ms:5.1f} ms (analysis {analysed:.1f} s)  "
                  f"{kind.removeprefix('the photo looks like ')}")


if __name__ == "__main__":
    main()
