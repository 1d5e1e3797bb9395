"""stillmotion render PLAN.json [-o OUT]: render a saved (and perhaps edited) plan."""

from __future__ import annotations

from pathlib import Path

from .options import ENGINE_OPTIONS, add_options, add_output_flags, option_values
from .progressbar import ProgressBar


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("render", help="render a plan made by `stillmotion plan --json`", description=__doc__)
    parser.add_argument("plan", help="the plan, a JSON file")
    add_output_flags(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_options(parser, ENGINE_OPTIONS)
    parser.set_defaults(run=run)


def run(args) -> int:
    from ..api import render
    from ..encode import default_output
    from ..plan import Plan

    plan = Plan.load(args.plan)
    output = args.output or default_output(Path(plan.photo))
    bar = None if args.quiet else ProgressBar()
    try:
        out = render(plan, output, force=args.force, progress=bar, **option_values(args, ENGINE_OPTIONS))
    finally:
        if bar:
            bar.close()
    print(out)
    return 0
