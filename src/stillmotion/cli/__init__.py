"""The `stillmotion` command: a thin shell over the library.

Each subcommand is one module with `add_parser(subparsers)` and `run(args) -> int`.
Errors the user can fix print one line on stderr and exit 1, with the flags that avoid them
where the library names options to change; Ctrl-C exits 130 and leaves no file.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

# Subcommand name -> module. Add a line here to add a command.
COMMANDS = {
    "animate": "stillmotion.cli.animate",
    "plan": "stillmotion.cli.plan",
    "render": "stillmotion.cli.render",
    "serve": "stillmotion.server.cli",
    "batch": "stillmotion.batch.cli",
    "models": "stillmotion.engines.cli",
}


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(prog="stillmotion", description="Turn a still photo into a short living video.")
    parser.add_argument("--version", action="version", version=f"stillmotion {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMANDS.values():
        module = importlib.import_module(module_name)
        module.add_parser(subparsers)
    return parser


class _OneLine(logging.Formatter):
    """'stillmotion: warning: ...' on one line, like the error messages."""

    def format(self, record: logging.LogRecord) -> str:
        return f"stillmotion: {record.levelname.lower()}: {record.getMessage()}"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (tests and shells may swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def main(argv: list[str] | None = None) -> int:
    from ..errors import Cancelled, StillmotionError

    parser = build_parser()
    args = parser.parse_args(argv)
    # Library warnings (e.g. an effect this version cannot render yet) reach the user as one line each.
    logger = logging.getLogger("stillmotion")
    if not any(isinstance(h.formatter, _OneLine) for h in logger.handlers):  # main() may run many times in-process
        handler = _StderrHandler()
        handler.setFormatter(_OneLine())
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
    try:
        return args.run(args) or 0
    except Cancelled:
        print("stillmotion: cancelled; no output written", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("\nstillmotion: interrupted; no output written", file=sys.stderr)
        return 130
    except StillmotionError as exc:
        print(f"stillmotion: error: {exc}{with_flags(exc.fix)}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"stillmotion: error: out of memory; try a smaller resolution{with_flags([('resolution', 720)])}", file=sys.stderr)
        return 1


def with_flags(fix) -> str:
    """' (--force or -o OUT)': the flags for the options a library error says would avoid it."""
    from .options import flag_for

    return f" ({' or '.join(flag_for(name, value) for name, value in fix)})" if fix else ""


if __name__ == "__main__":
    sys.exit(main())
