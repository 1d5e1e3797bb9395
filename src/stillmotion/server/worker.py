"""Render workers: separate processes that take jobs from the store and run the library on them.

A WorkerPool (a thread in the server) keeps `workers` processes alive. A process that dies
(a crash, the out-of-memory killer) fails only its own job, with a reason, and is replaced:
the server itself never runs a render. Workers die with the server (PR_SET_PDEATHSIG, and a
parent check), so after a `kill -9` nothing renders in the background while a new server
runs the interrupted job again.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

from .store import Job, Store

log = logging.getLogger("stillmotion.server")

POLL_S = 0.3  # how often an idle worker looks for a queued job
WRITE_EVERY_S = 0.2  # progress written (and the cancel flag read) at most this often
PREPARE_STAGES = {"load": 0.02, "analyse": 0.05, "plan": 0.08}  # share of the bar before rendering


class JobTracker:
    """The library's progress callback and cancel check for one job, backed by the store."""

    def __init__(self, store: Store, job: Job, stop: threading.Event, parent_pid: int | None):
        self.store, self.job, self.stop, self.parent_pid = store, job, stop, parent_pid
        self.fraction = 0.0
        self.stage = ""
        self._last_write = 0.0
        self._stop_asked = False
        self.planned = False  # set once the plan exists: a later "load" or "analyse" is render set-up

    def progress(self, event) -> None:
        stage = event.stage
        if stage in PREPARE_STAGES:
            fraction = PREPARE_STAGES[stage]
            if self.planned:
                stage = "prepare"
        else:  # the render (and encode) stages fill the rest of the bar
            fraction = 0.1 + 0.89 * event.fraction
        self.fraction = max(self.fraction, min(fraction, 0.99))  # never moves backwards
        stage_changed = stage != self.stage
        self.stage = stage
        self._sync(force=stage_changed)

    def cancelled(self) -> bool:
        if self.stop.is_set() or (self.parent_pid is not None and os.getppid() != self.parent_pid):
            return True
        self._sync(force=False)
        return self._stop_asked

    def _sync(self, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < WRITE_EVERY_S:
            return
        self._last_write = now
        self._stop_asked = self.store.set_progress(self.job, round(self.fraction, 4), self.stage)


def run_job(store: Store, job: Job, stop: threading.Event, parent_pid: int | None = None) -> str:
    """Plan (unless the job brought one) and render one job; record the outcome. Returns the status."""
    from ..api import prepare, render
    from ..errors import Cancelled, StillmotionError
    from ..options import DIRECT, RENDER, by_stage
    from ..plan import Plan

    tracker = JobTracker(store, job, stop, parent_pid)
    options = by_stage(job.options)  # the director's options, and the engine's for render()
    photo = analysis = None  # a client's plan: render() loads the photo as `render plan.json` does
    try:
        if job.plan is not None:
            plan = Plan.from_dict(job.plan)
        else:
            plan, photo, analysis = prepare(job.photo, job.prompt, progress=tracker.progress, cancel=tracker.cancelled,
                                            **options[DIRECT])
            store.set_plan(job, plan.to_dict())
        tracker.planned = True
        output = store.video_path(job.id, job.format)
        render(plan, output, photo=photo, analysis=analysis, force=True, progress=tracker.progress,
               cancel=tracker.cancelled, **options[RENDER])
    except Cancelled:
        if stop.is_set():  # the server is shutting down: give the job back for the next start
            store.requeue(job)
            return "queued"
        store.finish(job, "cancelled", error="cancelled")
        return "cancelled"
    except StillmotionError as exc:
        store.finish(job, "failed", error=str(exc))
        return "failed"
    except MemoryError:
        store.finish(job, "failed", error="out of memory; try a smaller resolution or a shorter clip")
        return "failed"
    except Exception as exc:  # a bug in the library fails this job, not the worker
        traceback.print_exc()
        store.finish(job, "failed", error=f"internal error while rendering ({exc.__class__.__name__}: {exc})")
        return "failed"
    store.finish(job, "done", video=output)
    return "done"


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to kill this process when the server dies, so no render outlives it."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)


def worker_main(data_dir: str, parent_pid: int) -> None:
    """The loop of one worker process: claim, render, repeat, until SIGTERM or the server dies."""
    _die_with_parent(parent_pid)
    try:
        os.nice(10)  # renders yield the CPU to the API, so status calls stay fast
    except OSError:
        pass
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops us cleanly
    store = Store(data_dir)
    import stillmotion.api  # noqa: F401  (imported once up front, so the first job starts as fast as the rest)

    while not stop.is_set() and os.getppid() == parent_pid:
        job = store.claim(os.getpid())
        if job is None:
            stop.wait(POLL_S)
            continue
        run_job(store, job, stop, parent_pid)


class WorkerPool:
    """Keeps `count` worker processes alive; replaces one that dies and fails its job."""

    def __init__(self, data_dir: str | Path, count: int, store: Store | None = None):
        self.data_dir = str(data_dir)
        self.count = count
        self.store = store or Store(data_dir)
        self.processes: list[subprocess.Popen] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.restarts = 0

    def start(self) -> None:
        # The processes are started from this thread: PR_SET_PDEATHSIG follows the thread that forked.
        self._thread = threading.Thread(target=self._supervise, name="stillmotion-workers", daemon=True)
        self._thread.start()

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def _spawn(self) -> subprocess.Popen:
        command = [sys.executable, "-m", "stillmotion.server.worker", "--data", self.data_dir, "--parent", str(os.getpid())]
        return subprocess.Popen(command)

    def _supervise(self) -> None:
        self.processes = [self._spawn() for _ in range(self.count)]
        while not self._stopping.wait(0.25):
            for index, process in enumerate(self.processes):
                code = process.poll()
                if code is None:
                    continue
                how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
                failed = self.store.fail_worker_jobs(
                    process.pid, f"the render process stopped unexpectedly ({how}); the server is fine: try again, smaller or shorter"
                )
                log.warning("worker %s stopped (%s); failed jobs: %s; starting a new one", process.pid, how, failed or "none")
                self.restarts += 1
                self.processes[index] = self._spawn()
        self._shutdown()

    def _shutdown(self, grace_s: float = 10.0) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()  # SIGTERM: the worker cancels its render and requeues the job
        deadline = time.monotonic() + grace_s
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


class Planner:
    """POST /api/plan's analysis and planning, in one kept-warm child process.

    Like renders, planning never runs inside the server: if the analysis crashes the process,
    the request fails with a clear message and the next one gets a fresh process.
    """

    def __init__(self):
        self._pool = None
        self._lock = threading.Lock()

    def plan(self, photo_path: str, prompt: str, options: dict, timeout_s: float = 300) -> dict:
        """The plan as a dict; raises PlanError (bad options) or StudioError (the process died)."""
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool
        from multiprocessing import get_context

        from ..errors import PlanError, StudioError

        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=_planner_init)
            pool = self._pool
        try:
            plan, error = pool.submit(_plan_in_child, photo_path, prompt, options).result(timeout=timeout_s)
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            raise StudioError("the planning process stopped unexpectedly; the server is fine: try again") from None
        if error is not None:
            raise PlanError(error)
        return plan

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _planner_init() -> None:
    try:
        os.nice(5)
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which closes us


def _plan_in_child(photo_path: str, prompt: str, options: dict) -> tuple[dict | None, str | None]:
    from ..api import prepare
    from ..errors import StillmotionError

    try:
        plan, _, _ = prepare(photo_path, prompt, **options)  # as a job would start, without rendering
        return plan.to_dict(), None
    except StillmotionError as exc:
        return None, str(exc)


def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="a stillmotion studio worker (started by `stillmotion serve`)")
    parser.add_argument("--data", required=True)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    worker_main(args.data, args.parent)


if __name__ == "__main__":
    _main()
