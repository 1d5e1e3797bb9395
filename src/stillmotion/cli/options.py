"""Flags shared by every command that makes a plan (animate, plan, batch), and their reading."""

from __future__ import annotations

import argparse

from ..plan import ASPECTS, CAMERA_TYPES, FPS_CHOICES, RESOLUTIONS


def _duration(text: str) -> float:
    try:
        value = float(text.rstrip("s"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 1 <= value <= 60:
        raise argparse.ArgumentTypeError(f"{value:g} s is out of range; use 1 to 60 seconds")
    return value


def _unit(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{value:g} is out of range; use 0 to 1")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"{value} is out of range; use 0 to {2**32 - 1}")
    return value


def add_plan_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-p", "--prompt", default="", help="what should move, in your words")
    parser.add_argument("-d", "--duration", type=_duration, help="seconds, 1 to 60 (default 10)")
    parser.add_argument("-a", "--aspect", choices=ASPECTS, help="frame shape (default: the photo's own)")
    parser.add_argument("-r", "--resolution", type=int, choices=RESOLUTIONS, metavar="SHORT_SIDE",
                        help=f"short side in pixels: {', '.join(map(str, RESOLUTIONS))} (default: up to 1080)")
    parser.add_argument("--fps", type=int, choices=FPS_CHOICES, help="frames per second (default 30)")
    parser.add_argument("--seed", type=_seed, help="seed for the random parts (default 0)")
    parser.add_argument("--loop", action="store_true", default=None, help="make the last frame flow into the first")
    parser.add_argument("--camera", choices=CAMERA_TYPES, metavar="TYPE", help=f"camera move: {', '.join(CAMERA_TYPES)}")
    parser.add_argument("--strength", type=_unit, help="camera motion strength, 0 to 1 (default 0.5)")
    parser.add_argument("--fit", choices=("crop", "blur"), help="other aspect than the photo: crop around the subject, or blur (whole photo over a blurred background)")
    parser.add_argument("--depth", default="auto", help="depth: auto, classical, onnx (from the model cache), or the path of a Depth Anything V2 ONNX file")


def plan_options(args: argparse.Namespace) -> dict:
    """The director's options from parsed flags (None = director's choice)."""
    return {
        "duration": args.duration, "aspect": args.aspect, "resolution": args.resolution, "fps": args.fps,
        "seed": args.seed, "loop": args.loop, "camera": args.camera, "strength": args.strength, "fit": args.fit,
    }
