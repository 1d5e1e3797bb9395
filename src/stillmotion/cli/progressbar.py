"""A small progress bar on stderr, for the CLI (quiet when stderr is not a terminal)."""

from __future__ import annotations

import sys
import time

from ..progress import Progress


class ProgressBar:
    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.interactive = self.stream.isatty()
        self._started = time.monotonic()
        self._last_stage = None
        self._last_draw = 0.0

    def __call__(self, event: Progress) -> None:
        now = time.monotonic()
        if event.stage != self._last_stage:
            if self._last_stage is not None and self.interactive:
                self.stream.write("\n")
            self._last_stage = event.stage
            self._stage_started = now
        if not self.interactive:
            return
        finished = event.done >= event.total
        if not finished and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        filled = round(self.width * event.fraction)
        elapsed = now - self._stage_started
        eta = elapsed / event.fraction - elapsed if 0 < event.fraction < 1 else 0.0
        tail = f"{event.done}/{event.total}" if event.total > 1 else ""
        timing = f"{elapsed:5.1f}s" + (f" eta {eta:4.1f}s" if eta else "")
        self.stream.write(f"\r{event.stage:<8} [{'#' * filled}{'.' * (self.width - filled)}] {tail} {timing}  ")
        self.stream.flush()

    def close(self) -> None:
        if self.interactive and self._last_stage is not None:
            self.stream.write("\n")
            self.stream.flush()
