"""Running a batch: the input read into items, the items run (local process pool, one process, or Ray),
the report written as each finishes, one progress bar, and a summary.

Interruptions: Ctrl-C (or SIGTERM) asks the items in flight to stop through the library's cancel
check; nothing half-written survives, because the library renders to a temporary name and renames
only a complete file. Everything finished before stays, and a re-run skips it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import cv2

from ..encode import FORMATS
from ..errors import OutputError
from .inputs import read_input
from .jobs import Defaults, Item, Report, Result, make_items, process_item

STALE_PART_SECONDS = 120  # a live encoder writes far more often than this


@dataclass
class Summary:
    total: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {"done": 0, "skipped": 0, "failed": 0, "cancelled": 0})
    not_photos: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    failures: list[Result] = field(default_factory=list)
    report: Path | None = None

    @property
    def failed(self) -> bool:
        return self.counts["failed"] > 0

    def line(self) -> str:
        c = self.counts
        text = f"{c['done']} done, {c['skipped']} skipped, {c['failed']} failed"
        if c["cancelled"]:
            text += f", {c['cancelled']} cancelled"
        if self.not_photos:
            text += f" ({self.not_photos} non-photo file{'s' if self.not_photos != 1 else ''} skipped)"
        left = self.total - sum(c.values())
        if left > 0:
            text += f"; {left} not started"
        return f"{text} in {_duration(self.seconds)}"


def default_jobs() -> int:
    """One worker per CPU this process may use (cgroup/affinity aware where the OS says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def run_batch(
    input_path: str | Path,
    outdir: str | Path,
    defaults: Defaults | None = None,
    *,
    jobs: int | None = None,
    ray_address: str | None = None,
    use_ray: bool = False,
    report: str | Path | None = None,
    stream=None,
    quiet: bool = False,
) -> Summary:
    """Process a folder or manifest into outdir. Returns the summary; the report is written as items finish."""
    started = time.monotonic()
    outdir = Path(outdir).resolve()
    sources, ignored = read_input(input_path, exclude=outdir)
    items = make_items(sources, defaults or Defaults())
    report_path = Path(report) if report else outdir / "report.jsonl"
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        rep = Report(report_path)
    except OSError as exc:
        raise OutputError(f"{exc.filename or outdir}: cannot write there ({exc.strerror})") from None
    remove_stale_parts(outdir)
    summary = Summary(total=len(items), not_photos=len(ignored), report=report_path)
    bar = BatchProgress(len(items), stream=stream, quiet=quiet)
    todo, duplicates = _unique(items)

    with rep:
        for skipped in ignored:
            rep.write(Result(skipped.path, None, "skipped", skipped.reason))

        def on_result(result: Result) -> None:
            rep.write(result)
            summary.counts[result.status] = summary.counts.get(result.status, 0) + 1
            if result.status == "failed":
                summary.failures.append(result)
            bar.update(result)

        for result in duplicates:
            on_result(result)
        with _sigterm_as_interrupt():
            if use_ray:
                from .ray_runner import run_ray

                summary.interrupted = run_ray(todo, outdir, on_result, address=ray_address)
            else:
                summary.interrupted = run_local(todo, outdir, on_result, jobs=jobs or default_jobs())
    summary.seconds = time.monotonic() - started
    bar.close(summary)
    return summary


def run_local(items: list[Item], outdir: Path, on_result: Callable[[Result], None], *, jobs: int) -> bool:
    """Run items in a process pool of `jobs` workers (in this process when jobs is 1). True if interrupted."""
    if jobs <= 1 or len(items) <= 1:
        return _run_inline(items, outdir, on_result)
    ctx = multiprocessing.get_context("spawn")  # no fork of a threaded parent; workers live for the whole batch
    stop = ctx.Event()
    reported: set[int] = set()

    def report(result: Result) -> None:
        reported.add(result.index)
        on_result(result)

    workers = min(jobs, len(items))
    # Share the CPUs among the workers: N workers x N OpenCV threads each only fight for the cores.
    threads = max(1, default_jobs() // workers)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(stop, threads))
    futures = {pool.submit(_work, item, outdir): item for item in items}
    try:
        for future in as_completed(futures):
            report(_outcome(future, futures[future]))
        return False
    except KeyboardInterrupt:
        stop.set()  # items in flight stop at their next frame; their temporary files are removed
        for future in futures:
            future.cancel()
        for future, item in futures.items():
            if not future.cancelled() and item.index not in reported:
                report(_outcome(future, item))
        return True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_inline(items: list[Item], outdir: Path, on_result: Callable[[Result], None]) -> bool:
    for item in items:
        try:
            result = process_item(item, outdir)
        except KeyboardInterrupt:
            # The render was unwound (its temporary file removed) before this point.
            on_result(Result(item.shown, None, "cancelled", "interrupted before the video was finished", 0.0, item.index))
            return True
        on_result(result)
    return False


def _outcome(future, item: Item) -> Result:
    try:
        return future.result()
    except BrokenProcessPool:
        # A worker was killed (out of memory, a crash in native code): the items it held fail.
        return Result(item.shown, None, "failed", "the worker process died (killed, or out of memory?)", 0.0, item.index)


_stop_event = None


def _init_worker(stop, threads: int) -> None:
    global _stop_event
    _stop_event = stop
    cv2.setNumThreads(threads)  # results do not depend on it; only the contention does
    # Ctrl-C reaches the whole process group; the parent decides, workers stop through the cancel check.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _work(item: Item, outdir: Path) -> Result:
    return process_item(item, outdir, cancel=_stop_event.is_set if _stop_event is not None else None)


def _unique(items: list[Item]) -> tuple[list[Item], list[Result]]:
    """The same photo with the same options twice makes the same video: run it once."""
    seen: dict[tuple, Item] = {}
    todo, duplicates = [], []
    for item in items:
        key = (str(item.photo.resolve()), item.prompt, tuple(sorted(item.options.items())), item.depth, item.format)
        if item.error is None and key in seen:
            duplicates.append(Result(item.shown, None, "skipped", f"same photo and options as {seen[key].shown}", 0.0, item.index))
            continue
        seen.setdefault(key, item)
        todo.append(item)
    return todo, duplicates


def remove_stale_parts(outdir: Path) -> int:
    """Delete temporary video files a killed run left behind (not those another run is writing now)."""
    removed = 0
    now = time.time()
    for fmt in FORMATS.values():
        for path in outdir.glob(f"**/.*{fmt.extension}.part"):  # the writers' temporary names
            try:
                if now - path.stat().st_mtime > STALE_PART_SECONDS:
                    path.unlink()
                    removed += 1
            except OSError:
                pass  # gone already, or not ours to remove
    return removed


class _sigterm_as_interrupt:
    """Treat SIGTERM (a kill, a scheduler's stop) like Ctrl-C: stop cleanly, keep what is finished."""

    def __enter__(self):
        self._previous = None
        try:
            self._previous = signal.signal(signal.SIGTERM, self._raise)
        except ValueError:
            pass  # not the main thread: leave signals alone
        return self

    @staticmethod
    def _raise(signum, frame):
        raise KeyboardInterrupt

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)


class BatchProgress:
    """One overall bar on stderr: items finished of total, done/skipped/failed, ETA. A line per item when not a terminal."""

    def __init__(self, total: int, stream=None, quiet: bool = False, width: int = 24):
        self.total = total
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.width = width
        self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.counts = {"done": 0, "skipped": 0, "failed": 0, "cancelled": 0}
        self.started = time.monotonic()
        self.worked = 0  # items that needed work (not skipped): the ETA is based on these
        self.work_seconds = 0.0

    @property
    def finished(self) -> int:
        return sum(self.counts.values())

    def eta(self) -> float | None:
        """Seconds left, from the pace so far (skips are nearly free and would make it too hopeful)."""
        if self.worked == 0:
            return None
        elapsed = time.monotonic() - self.started
        return elapsed / self.worked * (self.total - self.finished)

    def update(self, result: Result) -> None:
        self.counts[result.status] = self.counts.get(result.status, 0) + 1
        if result.status != "skipped":
            self.worked += 1
        if self.quiet:
            return
        if self.interactive:
            self._draw()
        else:
            why = f": {result.error}" if result.error and result.status != "skipped" else ""
            self.stream.write(f"[{self.finished}/{self.total}] {result.status} {result.input}{why}\n")
            self.stream.flush()

    def _draw(self) -> None:
        fraction = self.finished / self.total if self.total else 1.0
        filled = round(self.width * fraction)
        c = self.counts
        eta = self.eta()
        tail = f" eta {_duration(eta)}" if eta is not None and self.finished < self.total else ""
        self.stream.write(
            f"\rbatch [{'#' * filled}{'.' * (self.width - filled)}] {self.finished}/{self.total} "
            f"done {c['done']} skipped {c['skipped']} failed {c['failed']}{tail}   "
        )
        self.stream.flush()

    def close(self, summary: Summary) -> None:
        if self.quiet:
            return
        if self.interactive and self.finished:
            self.stream.write("\n")
        for failure in summary.failures[:20]:
            self.stream.write(f"failed: {failure.input}: {failure.error}\n")
        if len(summary.failures) > 20:
            self.stream.write(f"... and {len(summary.failures) - 20} more failures (see the report)\n")
        self.stream.write(f"batch: {summary.line()}; report: {summary.report}\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
