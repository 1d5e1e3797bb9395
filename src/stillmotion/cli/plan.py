"""stillmotion plan PHOTO|VIDEO [options] [--json] [--explain]: print the plan the director makes for a
photo (nothing is rendered), or the plan a video made by stillmotion carries."""

from __future__ import annotations

import sys
from pathlib import Path

from .options import ANALYSIS_OPTIONS, PLAN_OPTIONS, add_options, option_values


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("plan", help="print the plan for a photo (without rendering), or a video's own plan",
                                   description=__doc__)
    parser.add_argument("photo", metavar="PHOTO|VIDEO", help="the photo, or a video made by stillmotion (.mp4, .webm, .gif)")
    add_options(parser, PLAN_OPTIONS + ANALYSIS_OPTIONS)
    parser.add_argument("--json", action="store_true", help="print the plan as JSON (for `stillmotion render`)")
    parser.add_argument("--explain", action="store_true",
                        help="say in plain words which words led to what, and what was ignored and why "
                             "(on stderr with --json, so the JSON stays clean)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from ..api import make_plan, read_plan
    from ..errors import PlanError

    options = option_values(args, PLAN_OPTIONS + ANALYSIS_OPTIONS)
    if is_video(args.photo):
        if options:
            raise PlanError(f"{args.photo}: a video's plan is printed as it is; options apply when planning a photo "
                            f"(render the video with `stillmotion render {args.photo}` to change its sound)")
        plan = read_plan(args.photo)
    else:
        plan = make_plan(args.photo, **options)
    if args.json:
        print(plan.to_json())
    else:
        print(summary(plan))
    if args.explain:
        out = sys.stderr if args.json else sys.stdout
        print(explain(plan), file=out)
    return 0


def is_video(path: str) -> bool:
    """A video made by stillmotion: .mp4 or .webm, or a .gif that carries a plan (else a GIF is a photo)."""
    from ..provenance import PLAN_TAG, read_tags

    suffix = Path(path).suffix.lower()
    if suffix in (".mp4", ".webm"):
        return True
    return suffix == ".gif" and Path(path).is_file() and PLAN_TAG in read_tags(path)


def summary(plan) -> str:
    c = plan.canvas
    effects = ", ".join(_effect_words(e) for e in plan.effects) or "none"
    lines = [
        f"photo:    {plan.photo}",
        f"canvas:   {c.aspect} at {c.resolution}p, {c.fps} fps, {c.duration:g} s{', loop' if plan.loop else ''}",
        f"camera:   {plan.camera.type} (strength {plan.camera.strength:g})",
        f"effects:  {effects}",
        f"sound:    {_sound_words(plan.audio)}",
    ]
    if plan.unsupported:
        lines.append("not possible on the CPU: " + "; ".join(u.phrase for u in plan.unsupported))
    return "\n".join(lines)


def explain(plan) -> str:
    """The director's notes as a short bulleted list, prompt first."""
    head = f'why (prompt: "{plan.prompt}"):' if plan.prompt.strip() else "why (no prompt):"
    lines = plan.explanation or ["nothing to explain: defaults were used"]
    return "\n".join([head] + [f"- {line}" for line in lines])


def _sound_words(audio) -> str:
    what = {"auto": "from the effects", "none": "none", "model": "the neural model's own"}.get(audio.mode, audio.file)
    return what if audio.volume == 1 or audio.mode == "none" else f"{what} (volume {audio.volume:g})"


def _effect_words(effect) -> str:
    extra = [effect.style.replace("_", " ")] if effect.style else []
    if effect.region and effect.region.name:
        extra.append(f"on {effect.region.name}")
    extra.append(f"{effect.strength:g}")
    return f"{effect.type} ({', '.join(extra)})"
