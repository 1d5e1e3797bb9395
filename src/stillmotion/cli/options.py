"""Flags shared by every command that makes a plan (animate, plan, batch), and their reading."""

from __future__ import annotations

import argparse

from ..plan import ASPECTS, CAMERA_TYPES, FPS_CHOICES, RESOLUTIONS


def ranged(kind: type, low: float, high: float, unit: str = "", *, noun: str | None = None, low_open: bool = False):
    """An argparse type: a number of `kind` in [low, high] (or (low, high] with low_open), with
    one-line messages that say what was wrong and what is allowed."""
    noun = noun or ("whole number" if kind is int else "number")

    def parse(text: str):
        try:
            value = kind(text.strip().removesuffix(unit.strip()) if unit else text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {noun}") from None
        too_low = value <= low if low_open else value < low
        if too_low or value > high:
            bounds = f"more than {low:g} and at most {high:g}" if low_open else f"{low:g} to {high:g}"
            raise argparse.ArgumentTypeError(f"{value:g}{unit} is out of range; use {bounds}{unit}")
        return value

    return parse


_duration = ranged(float, 1, 60, " s", noun="number of seconds")
_unit = ranged(float, 0, 1)
_seed = ranged(int, 0, 2**32 - 1)


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
