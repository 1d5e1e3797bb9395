"""stillmotion render PLAN.json|VIDEO [-o OUT] [--photo PHOTO]: render a saved (and perhaps edited) plan, or
render a video made by stillmotion again from the plan it carries.

A video's plan names its photo by file name and content hash: the photo is looked for next to
the video and in the current folder unless --photo gives it, and another photo is refused.
"""

from __future__ import annotations

from pathlib import Path

from .options import AUDIO_OPTIONS, ENGINE_OPTIONS, add_options, add_output_flags, option_values
from .progressbar import ProgressBar


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("render", help="render a plan made by `stillmotion plan --json`, or a video's own plan",
                                   description=__doc__)
    parser.add_argument("plan", metavar="PLAN|VIDEO", help="the plan, a JSON file, or a video made by stillmotion")
    add_output_flags(parser)
    parser.add_argument("--photo", help="the photo the plan was made from (default: the plan's, found by its name)")
    add_options(parser, AUDIO_OPTIONS)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_options(parser, ENGINE_OPTIONS)
    parser.set_defaults(run=run)


def run(args) -> int:
    from ..api import load_plan_photo, read_plan, render
    from ..encode import default_output
    from ..plan import Plan
    from .plan import is_video

    source = Path(args.plan)
    if is_video(args.plan):
        plan, search = read_plan(source), (source.parent, Path.cwd())
    else:
        plan, search = Plan.load(source), ()
    sound = option_values(args, AUDIO_OPTIONS)
    if sound:
        plan = plan.with_audio(sound.get("audio"), sound.get("audio_volume"))
    photo = load_plan_photo(plan, args.photo, search=search)
    output = args.output or default_output(photo.path)
    bar = None if args.quiet else ProgressBar()
    try:
        out = render(plan, output, photo=photo, force=args.force, progress=bar, **option_values(args, ENGINE_OPTIONS))
    finally:
        if bar:
            bar.close()
    print(out)
    return 0
