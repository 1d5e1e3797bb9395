"""stillmotion batch INPUT -o OUTDIR [options]: a folder (or a CSV/JSONL manifest) of photos into videos.

Resumable: each video is named after its photo and a hash of its plan, and a finished one is
skipped on a re-run. The report (JSONL) says what became of each item. Exit status: 0 when
nothing failed, 1 when an item failed, 130 when interrupted.
"""

from __future__ import annotations

import argparse


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("use at least 1 job")
    return value


def add_parser(subparsers) -> None:
    from ..cli.options import add_plan_options
    from ..engines.cli import add_engine_options

    parser = subparsers.add_parser(
        "batch", help="animate a folder or a manifest of photos", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", help="a folder of photos (searched recursively) or a manifest: .csv with a header or .jsonl, "
                        "with a 'photo' column and optionally 'prompt', 'format', 'depth' and any plan option")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder for the videos (made if missing)")
    add_plan_options(parser)
    add_engine_options(parser)
    parser.add_argument("--format", choices=("mp4", "webm", "gif"), default="mp4", help="video format (default mp4)")
    parser.add_argument("-j", "--jobs", type=_jobs, help="videos made at once on this machine (default: one per CPU)")
    parser.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                        help="run on Ray: no ADDRESS starts a local Ray, 'auto' joins this machine's cluster, "
                        "ray://HOST:PORT connects to a remote one (photos and OUTDIR must be on a shared path)")
    parser.add_argument("--report", metavar="FILE", help="the JSONL report (default OUTDIR/report.jsonl)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress, only the summary on failure")
    parser.set_defaults(run=run)


def run(args) -> int:
    import sys

    from ..cli.options import plan_options
    from ..engines.cli import engine_options
    from .jobs import Defaults
    from .runner import run_batch

    if args.ray is not None and args.jobs is not None:
        print("stillmotion: note: --jobs applies to the local pool; Ray schedules one task per CPU", file=sys.stderr)
    engine = {k: v for k, v in engine_options(args).items() if v not in (None, False, "cpu")}
    defaults = Defaults(prompt=args.prompt, options=plan_options(args), depth=args.depth, format=args.format, engine=engine)
    summary = run_batch(
        args.input, args.output, defaults,
        jobs=args.jobs, use_ray=args.ray is not None, ray_address=args.ray or None,
        report=args.report, quiet=args.quiet,
    )
    if args.quiet and (summary.failed or summary.interrupted):
        print(f"stillmotion batch: {summary.line()}; report: {summary.report}", file=sys.stderr)
    if summary.interrupted:
        return 130
    return 1 if summary.failed else 0
