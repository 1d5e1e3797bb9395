"""stillmotion animate PHOTO [options] [-o OUT]: photo (and sentence) in, video out."""

from __future__ import annotations

import sys

from .options import ANALYSIS_OPTIONS, ENGINE_OPTIONS, PLAN_OPTIONS, add_options, add_output_flags, option_values
from .progressbar import ProgressBar


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("animate", help="turn a photo into a video", description=__doc__)
    parser.add_argument("photo", help="the photo: JPEG, PNG, WebP, TIFF, BMP or HEIC")
    add_options(parser, PLAN_OPTIONS + ANALYSIS_OPTIONS)
    add_output_flags(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_options(parser, ENGINE_OPTIONS)
    parser.set_defaults(run=run)


def run(args) -> int:
    from ..api import animate

    bar = None if args.quiet else ProgressBar()
    try:
        out = animate(args.photo, args.output, force=args.force, progress=bar,
                      **option_values(args, PLAN_OPTIONS + ANALYSIS_OPTIONS + ENGINE_OPTIONS))
    finally:
        if bar:
            bar.close()
    print(out)
    if not args.quiet and not args.segmentation and not args.depth:
        # After the video, not before: a run that fails shows its error alone.
        from ..analysis.models import missing_hint

        hint = missing_hint()
        if hint:
            print(f"stillmotion: hint: {hint}", file=sys.stderr)
    return 0
