"""Errors that carry a one-line message meant for the user.

Each error also subclasses the builtin it resembles (as PyAV does), so callers
can catch either `StillmotionError` or the ordinary `ValueError`/`LookupError`.
"""


class StillmotionError(Exception):
    """Base class: str(error) is a complete, one-line explanation for the user."""


class PhotoError(StillmotionError, ValueError):
    """The photo cannot be used: missing, empty, not an image, truncated or too large."""


class PlanError(StillmotionError, ValueError):
    """A plan (or an option that becomes part of one) is invalid."""


class OutputError(StillmotionError, FileExistsError):
    """The output path cannot be written (exists without --force, bad extension, ...)."""


class EncodeError(StillmotionError, RuntimeError):
    """The video encoder failed."""


class MissingDependency(StillmotionError, ImportError):
    """An optional dependency is not installed; the message says what to install."""


class ModelNotFound(StillmotionError, LookupError):
    """A model file or cache entry was not found where it was looked for."""


class Cancelled(StillmotionError):
    """The work was cancelled by the caller (Ctrl-C, a cancel callback, a DELETE)."""


class ModelError(StillmotionError, RuntimeError):
    """The neural model cannot run as asked: out of GPU memory, or a pipeline that lacks an argument it needs."""
