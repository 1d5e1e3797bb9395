"""The command line's flags, made from the option schema (stillmotion.options), and their reading.

A command lists the options it takes by name; flags, types, ranges, choices and help come from
the schema, so `-d 0` is refused with the same words as the studio's form and a manifest cell.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import OptionError
from ..options import Option, option

# What the commands that make a plan (animate, plan, batch) take, and what the engine takes.
PLAN_OPTIONS = ("prompt", "duration", "aspect", "resolution", "fps", "seed", "loop", "camera", "strength", "fit",
                "audio", "audio_volume", "semantic", "depth")
AUDIO_OPTIONS = ("audio", "audio_volume")  # what `render` may change in a plan
ENGINE_OPTIONS = ("engine", "model", "low_vram")
# The analysis's choices that only animate and plan take (batch and the studio use "auto").
ANALYSIS_OPTIONS = ("segmentation",)

# The commands' own flags that a library error may ask for (see StillmotionError.fix).
COMMAND_FLAGS = {"force": ("--force", None), "output": ("-o", "OUT"), "jobs": ("-j", "N"), "photo": ("--photo", "PHOTO")}


def argument_type(opt: Option):
    """An argparse type: the option's own parser, its one-line reason as argparse's message."""

    def parse(text: str) -> Any:
        try:
            value = opt.parse(text)
        except OptionError as exc:
            raise argparse.ArgumentTypeError(exc.reason) from None
        if value is None:
            if opt.kind is str and opt.default == "":
                return ""  # an empty text is a value here: `-p ""` is the empty prompt
            raise argparse.ArgumentTypeError("give a value")
        return value

    parse.__name__ = opt.name  # argparse names the type in some of its messages
    return parse


def add_flag(parser: argparse.ArgumentParser, opt: Option, **overrides: Any) -> None:
    """One option as a flag. Not given, it is None (the library's default applies) unless overridden."""
    help_text = opt.describe().replace("%", "%%")
    if opt.kind is bool:
        settings = dict(action="store_true", default=None, help=help_text)
    else:
        metavar = opt.metavar or ("{" + ",".join(map(str, opt.choices)) + "}" if opt.choices else opt.name.upper())
        settings = dict(type=argument_type(opt), metavar=metavar, default=None, help=help_text)
    settings.update(overrides)
    if opt.off_flags:  # yes, no, or not given: two flags that exclude each other
        group = parser.add_mutually_exclusive_group()
        group.add_argument(*opt.flags, dest=opt.name, **{**settings, "action": "store_const", "const": True})
        group.add_argument(*opt.off_flags, dest=opt.name, action="store_const", const=False,
                           help=f"the opposite of {opt.flags[-1]}")
        return
    parser.add_argument(*opt.flags, dest=opt.name, **settings)


def add_options(parser: argparse.ArgumentParser, names: tuple[str, ...]) -> None:
    for name in names:
        add_flag(parser, option(name))


def option_values(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, Any]:
    """The options given on the command line, by name (those not given are left out)."""
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def flag_for(name: str, value: Any = None) -> str:
    """How to ask for an option's value on the command line: '--force', '-r 720', '-o OUT'."""
    if name in COMMAND_FLAGS:
        flag, metavar = COMMAND_FLAGS[name]
    else:
        opt = option(name)
        flag, metavar = opt.flags[0], (None if opt.kind is bool else opt.metavar or name.upper())
    if value is False and name not in COMMAND_FLAGS and option(name).off_flags:
        return option(name).off_flags[0]
    if value is True or metavar is None:
        return flag
    return f"{flag} {metavar if value is None else value}"


def add_output_flags(parser: argparse.ArgumentParser) -> None:
    """-o and --force, for the commands that write one video."""
    from ..encode import FORMATS

    extensions = ", ".join(f.extension for f in FORMATS.values())
    parser.add_argument("-o", "--output", help=f"video file, its format from the extension: {extensions} (default: next to the photo)")
    parser.add_argument("--force", action="store_true", help="overwrite the output if it exists")
