"""The prompt suite: synthetic photos of each kind, and scoring of the director's plans.

Shared by tests/test_director_suite.py and benchmarks/bench_director.py (imported by path).
Each line of suite.jsonl: prompt, photo kind (default "rich"), the exact set of effect types
the plan must have, optionally the camera type, the unsupported phrases (keywords that must
appear in plan.unsupported; [] when none may be there; absent: none may be there either) and
effect types that must not appear.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from stillmotion.analysis.types import Analysis, Face
from stillmotion.photo import photo_from_array
from stillmotion.plan import EFFECT_TYPES  # noqa: F401  (the suite test checks names against it)

HERE = Path(__file__).parent
H, W = 48, 64
KINDS = ("rich", "portrait", "group", "landscape", "night", "still_life_cup", "still_life", "scene")


def synthetic(kind: str):
    """(photo, analysis) of a kind, built from numpy masks and Face boxes."""
    z = np.zeros((H, W), np.float32)
    sky, water, foliage, light, fire, steam, subject = (z.copy() for _ in range(7))
    faces: list[Face] = []
    level = 140
    if kind in ("rich", "landscape"):
        sky[:16] = 1
        water[32:] = 1
        foliage[16:24, :20] = 1
    if kind == "rich":
        light[4:6, 50:54] = 1
        fire[40:44, 50:54] = 1
        steam[36:38, 30:34] = 1
        subject[18:40, 24:40] = 1
        faces = [Face((0.45, 0.40, 0.06, 0.08))]  # a small face: a person in the landscape
    if kind == "portrait":
        subject[8:, 16:48] = 1
        faces = [Face((0.38, 0.15, 0.25, 0.35))]
    if kind == "group":
        subject[10:, 4:60] = 1
        faces = [Face((0.1 + 0.3 * i, 0.2, 0.12, 0.16)) for i in range(3)]
    if kind == "night":
        light[8:12, 10:30] = 1
        level = 30
    if kind in ("still_life_cup", "still_life"):
        subject[20:44, 20:44] = 1
    if kind == "still_life_cup":
        steam[18:21, 26:36] = 1
    pixels = np.full((H, W, 3), level, np.uint8)
    # What the masks mark is in the pixels too: lamps glow white at night, the rich daylight
    # photo's light is a pink neon sign and its fire orange (the director asks whether they glow).
    pixels[light > 0] = (250, 250, 235) if kind == "night" else (255, 90, 230)
    pixels[fire > 0] = (255, 150, 40)
    regions = {"water": water, "foliage": foliage, "light": light, "fire": fire, "steam_source": steam}
    analysis = Analysis(depth=z.copy(), subject=subject, sky=sky, faces=faces, regions=regions)
    return photo_from_array(pixels, kind), analysis


@dataclass
class Case:
    prompt: str
    photo: str = "rich"
    effects: list[str] = field(default_factory=list)
    camera: str | None = None
    unsupported: list[str] = field(default_factory=list)
    not_: list[str] = field(default_factory=list)
    source: str = ""


def load_suite(name: str = "suite.jsonl") -> list[Case]:
    cases = []
    for line in (HERE / name).read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            d["not_"] = d.pop("not", [])
            cases.append(Case(**d))
    return cases


def problems(case: Case, plan) -> list[str]:
    """What is wrong with a plan for a case ([] when fully right)."""
    got = [e.type for e in plan.effects]
    wrong = []
    if sorted(set(got)) != sorted(set(case.effects)):
        wrong.append(f"effects {sorted(set(got))} != {sorted(set(case.effects))}")
    bad = set(got) & set(case.not_)
    if bad:
        wrong.append(f"must not have {sorted(bad)}")
    if case.camera and plan.camera.type != case.camera:
        wrong.append(f"camera {plan.camera.type} != {case.camera}")
    phrases = " | ".join(u.phrase for u in plan.unsupported)
    for key in case.unsupported:
        if key not in phrases:
            wrong.append(f"unsupported lacks {key!r} (got {phrases!r})")
    if not case.unsupported and plan.unsupported:
        wrong.append(f"unexpected unsupported {phrases!r}")
    return wrong


def run_suite(cases: list[Case], **options):
    """Plan every case; returns (failures, per-type precision/recall table, plans)."""
    from stillmotion.director import direct

    inputs = {kind: synthetic(kind) for kind in KINDS}
    failures, tp, fp, fn = [], Counter(), Counter(), Counter()
    for case in cases:
        photo, analysis = inputs[case.photo]
        plan = direct(photo, analysis, case.prompt, **options)
        got, want = {e.type for e in plan.effects}, set(case.effects)
        for t in got & want:
            tp[t] += 1
        for t in got - want:
            fp[t] += 1
        for t in want - got:
            fn[t] += 1
        wrong = problems(case, plan)
        if wrong:
            failures.append((case, wrong))
    table = {}
    for t in sorted(set(tp) | set(fp) | set(fn)):
        precision = tp[t] / (tp[t] + fp[t]) if tp[t] + fp[t] else 1.0
        recall = tp[t] / (tp[t] + fn[t]) if tp[t] + fn[t] else 1.0
        table[t] = (precision, recall, tp[t] + fn[t])
    return failures, table


def format_table(table) -> str:
    lines = [f"{'effect':12} {'precision':>9} {'recall':>7} {'cases':>6}"]
    for t, (p, r, n) in table.items():
        lines.append(f"{t:12} {p:9.2f} {r:7.2f} {n:6d}")
    return "\n".join(lines)
