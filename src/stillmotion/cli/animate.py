"""stillmotion animate PHOTO [options] [-o OUT]: photo (and sentence) in, video out."""

from __future__ import annotations


from .options import add_plan_options, plan_options
from ..engines.cli import add_engine_options, engine_options
from .progressbar import ProgressBar


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("animate", help="turn a photo into a video", description=__doc__)
    parser.add_argument("photo", help="the photo: JPEG, PNG, WebP, TIFF, BMP or HEIC")
    add_plan_options(parser)
    parser.add_argument("-o", "--output", help="video file: .mp4, .webm or .gif (default: next to the photo)")
    parser.add_argument("--force", action="store_true", help="overwrite the output if it exists")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_engine_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from ..api import animate

    bar = None if args.quiet else ProgressBar()
    try:
        out = animate(args.photo, args.output, args.prompt, force=args.force, depth=args.depth, progress=bar, **engine_options(args), **plan_options(args))
    finally:
        if bar:
            bar.close()
    print(out)
    return 0
