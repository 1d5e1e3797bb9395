"""stillmotion batch INPUT -o OUTDIR [options]: a folder (or a CSV/JSONL manifest) of photos into videos.

Resumable: each video is named after its photo and a hash of its plan, and a finished one is
skipped on a re-run. The report (JSONL) says what became of each item. Exit status: 0 when
nothing failed, 1 when an item failed, 130 when interrupted.
"""

from __future__ import annotations

import argparse

from ..cli.options import ENGINE_OPTIONS, PLAN_OPTIONS, add_flag, add_options, option_values
from ..options import CLI, SETTING, Option, option
from .inputs import manifest_columns

# Videos made at once on this machine: a setting of the batch, not an option of a video.
JOBS = Option("jobs", int, "videos made at once on this machine", SETTING, frozenset({CLI}), low=1,
              default_text="one per CPU", flags=("-j", "--jobs"), metavar="N")


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "batch", help="animate a folder or a manifest of photos", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", help="a folder of photos (searched recursively) or a manifest: .csv with a header or .jsonl, "
                        "with a 'photo' column and optionally any of the columns "
                        + ", ".join(repr(name) for name in manifest_columns()[1:]))
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="folder for the videos (made if missing)")
    add_options(parser, PLAN_OPTIONS)
    add_options(parser, ENGINE_OPTIONS)
    add_flag(parser, option("format"))
    add_flag(parser, JOBS)
    parser.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                        help="run on Ray: no ADDRESS starts a local Ray, 'auto' joins this machine's cluster, "
                        "ray://HOST:PORT connects to a remote one (photos and OUTDIR must be on a shared path)")
    parser.add_argument("--report", metavar="FILE", help="the JSONL report (default OUTDIR/report.jsonl)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress, only the summary on failure")
    parser.set_defaults(run=run)


def run(args) -> int:
    import sys

    from .jobs import Defaults
    from .runner import run_batch

    if args.ray is not None and args.jobs is not None:
        print("stillmotion: note: --jobs applies to the local pool; Ray schedules one task per CPU", file=sys.stderr)
    defaults = Defaults.from_options(option_values(args, PLAN_OPTIONS + ENGINE_OPTIONS + ("format",)))
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
