"""stillmotion render PLAN.json [-o OUT]: render a saved (and perhaps edited) plan."""

from __future__ import annotations

from pathlib import Path

from ..engines.cli import add_engine_options, engine_options
from .progressbar import ProgressBar


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("render", help="render a plan made by `stillmotion plan --json`", description=__doc__)
    parser.add_argument("plan", help="the plan, a JSON file")
    parser.add_argument("-o", "--output", help="video file: .mp4, .webm or .gif (default: next to the photo)")
    parser.add_argument("--force", action="store_true", help="overwrite the output if it exists")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_engine_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from ..api import render
    from ..encode import default_output
    from ..plan import Plan

    plan = Plan.load(args.plan)
    output = args.output or default_output(Path(plan.photo))
    bar = None if args.quiet else ProgressBar()
    try:
        out = render(plan, output, force=args.force, progress=bar, **engine_options(args))
    finally:
        if bar:
            bar.close()
    print(out)
    return 0
