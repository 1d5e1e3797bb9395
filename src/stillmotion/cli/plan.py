"""stillmotion plan PHOTO [options] [--json]: print the plan the director makes (nothing is rendered)."""

from __future__ import annotations

from .options import add_plan_options, plan_options


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("plan", help="print the plan for a photo, without rendering", description=__doc__)
    parser.add_argument("photo", help="the photo")
    add_plan_options(parser)
    parser.add_argument("--json", action="store_true", help="print the plan as JSON (for `stillmotion render`)")
    parser.add_argument("--explain", action="store_true", help="say in plain words why the plan is what it is")
    parser.set_defaults(run=run)


def run(args) -> int:
    from ..api import make_plan

    plan = make_plan(args.photo, args.prompt, depth=args.depth, **plan_options(args))
    if args.json:
        print(plan.to_json())
    else:
        print(summary(plan))
    if args.explain:
        for line in plan.explanation or ["nothing to explain: defaults were used"]:
            print(f"- {line}")
    return 0


def summary(plan) -> str:
    c = plan.canvas
    effects = ", ".join(e.type for e in plan.effects) or "none"
    lines = [
        f"photo:    {plan.photo}",
        f"canvas:   {c.aspect} at {c.resolution}p, {c.fps} fps, {c.duration:g} s{', loop' if plan.loop else ''}",
        f"camera:   {plan.camera.type} (strength {plan.camera.strength:g})",
        f"effects:  {effects}",
    ]
    if plan.unsupported:
        lines.append("not possible on the CPU: " + "; ".join(u.phrase for u in plan.unsupported))
    return "\n".join(lines)
