"""Progress reporting and cancellation, shared by every engine and every shell (CLI, studio, batch)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .errors import Cancelled


@dataclass(frozen=True)
class Progress:
    """One progress event: stage ("load", "analyse", "plan", "render"), units done of total."""

    stage: str
    done: int
    total: int

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


ProgressCallback = Callable[[Progress], None]
CancelCheck = Callable[[], bool]


class Reporter:
    """Sends progress to an optional callback and raises Cancelled when the cancel check says so."""

    def __init__(self, callback: ProgressCallback | None = None, cancel: CancelCheck | None = None):
        self._callback = callback
        self._cancel = cancel

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.check()
        if self._callback is not None:
            self._callback(Progress(stage, done, total))

    def check(self) -> None:
        if self._cancel is not None and self._cancel():
            raise Cancelled("cancelled")
