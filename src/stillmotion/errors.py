"""Errors that carry a one-line message meant for the user.

Each error also subclasses the builtin it resembles (as PyAV does), so callers
can catch either `StillmotionError` or the ordinary `ValueError`/`OSError`/`LookupError`.

Library messages say what is wrong in the library's words and never name a shell's flags.
Where changing an option avoids the error, the error lists it in `fix` (option names as in
stillmotion.options, each with the value to try, or None for "another value"); each shell
words that its own way: the CLI as flags (`--force`, `-r 720`), the studio as form fields.
"""

from __future__ import annotations

from typing import Any


class StillmotionError(Exception):
    """Base class: str(error) is a complete, one-line explanation for the user."""

    def __init__(self, message: str = "", *, fix: tuple[tuple[str, Any], ...] = ()):
        super().__init__(message)
        self.fix = tuple(fix)  # ((option name, value to try or None), ...); kept when pickled


class PhotoError(StillmotionError, ValueError):
    """The photo cannot be used: missing, empty, not an image, truncated or too large."""


class PlanError(StillmotionError, ValueError):
    """A plan (or an option that becomes part of one) is invalid."""


class OptionError(PlanError):
    """An option's value is of the wrong type, out of range or not one of its choices."""

    def __init__(self, option: str, reason: str):
        super().__init__(f"{option}: {reason}")
        self.option = option
        self.reason = reason  # the message without the option's name: shells put their own name first

    def __reduce__(self):  # two positional arguments: rebuilt in another process as it was made
        return type(self), (self.option, self.reason), self.__dict__


class OutputError(StillmotionError, OSError):
    """The output cannot be written where asked: its folder is missing, it is a folder, no permission."""


class OutputExists(OutputError, FileExistsError):
    """The output file exists and overwriting was not asked for."""


class OutputFormatError(OutputError, ValueError):
    """The output's extension names no video format this library writes."""


class AudioError(StillmotionError, ValueError):
    """An audio file cannot be used for the soundtrack: missing, not audio, or undecodable."""


class EncodeError(StillmotionError, RuntimeError):
    """The video encoder failed."""


class MissingDependency(StillmotionError, ImportError):
    """An optional dependency is not installed; the message says what to install."""


class ModelNotFound(StillmotionError, LookupError):
    """A model file or cache entry was not found where it was looked for."""


class DownloadError(StillmotionError, ConnectionError):
    """A model could not be downloaded (no network, offline mode, unknown repository)."""


class BatchInputError(StillmotionError, ValueError):
    """The batch input (folder or manifest) cannot be used as a whole."""


class StudioError(StillmotionError, RuntimeError):
    """The studio's own machinery failed: the server did not start, a helper process died."""


class Cancelled(StillmotionError):
    """The work was cancelled by the caller (Ctrl-C, a cancel callback, a DELETE)."""


class ModelError(StillmotionError, RuntimeError):
    """The neural model cannot run as asked: out of GPU memory, or a pipeline that lacks an argument it needs."""


def missing(package: str, *, extra: str | None = None, needed_for: str = "", pip: str | None = None) -> MissingDependency:
    """The error to raise when an optional import fails, with the line that installs it:

        try:
            import fastapi
        except ImportError:
            raise missing("fastapi", extra="server", needed_for="the studio") from None

    extra: the stillmotion extra that pulls it in; pip: another install line (for packages no
    extra can carry, such as mediapipe without its dependencies).
    """
    install = pip or (f"pip install 'stillmotion[{extra}]'" if extra else f"pip install {package}")
    who = needed_for or "this feature"
    error = MissingDependency(f"{who} needs {package}: {install}")
    error.name = package  # ImportError's own attribute: which module is missing
    error.install = install
    return error
