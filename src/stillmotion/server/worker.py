"""Render workers: separate processes that take jobs from the store and run the library on them.

A WorkerPool (a thread in the server) keeps `workers` processes alive. A process that dies
(a crash, the out-of-memory killer) fails only its own job, with a reason, and is replaced:
the server itself never runs a render, nor decodes a photo. A job asked to stop stops at the
library's next progress call; one that does not within CANCEL_GRACE_S (a long analysis calls
none) has its process killed, so a DELETE takes effect within 2 s in any stage. Workers and the
planning process die with the server (PR_SET_PDEATHSIG for the workers, and a parent check in
both), so after a `kill -9` nothing runs in the background while a new server runs the
interrupted job again. A worker that cannot reach the job store (a full disk) waits and tries
again, ever more slowly, instead of crashing in a loop.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path

from .faults import describe
from .store import Job, Store

log = logging.getLogger("stillmotion.server")

POLL_S = 0.3  # how often an idle worker looks for a queued job
WRITE_EVERY_S = 0.2  # progress written (and the cancel flag read) at most this often
PREPARE_STAGES = {"load": 0.02, "analyse": 0.05, "plan": 0.08}  # share of the bar before rendering
SUPERVISE_S = 0.25  # how often the pool looks at its processes and at jobs asked to stop
CANCEL_GRACE_S = 0.75  # a job asked to stop that is still running after this has its process killed
BACKOFF_S = (0.5, 30.0)  # a worker that cannot reach the store waits from 0.5 s, doubling, up to 30 s
THUMB_SIDE = 480  # long side of the gallery's thumbnails
STORE_ERRORS = (sqlite3.Error, OSError)


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
        try:
            self._stop_asked = self.store.set_progress(self.job, round(self.fraction, 4), self.stage)
        except STORE_ERRORS as exc:  # progress is not worth a render: carry on, the pool still sees a DELETE
            log.warning("job %s: progress not recorded (%s)", self.job.id, exc)


def run_job(store: Store, job: Job, stop: threading.Event, parent_pid: int | None = None) -> str:
    """Plan (unless the job brought one) and render one job; record the outcome. Returns the status."""
    from ..api import prepare, render
    from ..errors import Cancelled, StillmotionError
    from ..options import DIRECT, RENDER, by_stage
    from ..plan import Plan

    tracker = JobTracker(store, job, stop, parent_pid)
    options = by_stage(job.options)  # the director's options, and the engine's for render()
    if job.audio:  # the options name the job's audio upload; the director takes its path
        options[DIRECT]["audio"] = job.audio
    photo = analysis = None  # a client's plan: render() loads the photo as `render plan.json` does

    def finish(status: str, **fields) -> str:
        return status if _retrying(stop, f"job {job.id}", store.finish, job, status, **fields) else "running"

    try:
        make_thumbnail(Path(job.photo), store.thumb_path(job.id))  # the first decode: a broken photo fails here
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
            return "queued" if _retrying(stop, f"job {job.id}", store.requeue, job) else "running"
        return finish("cancelled", error="cancelled")
    except StillmotionError as exc:
        # The server's paths are nobody's business: "the photo", "the audio file", the rest relative.
        message = str(exc).replace(job.photo, "the photo")
        if job.audio:
            message = message.replace(job.audio, "the audio file")
        message = message.replace(f"{store.root}{os.sep}", "")
        return finish("failed", error=message)
    except MemoryError:
        return finish("failed", error="out of memory; try a smaller resolution or a shorter clip")
    except STORE_ERRORS as exc:  # the store (or the disk) failed under us: say so, in words
        known = describe(exc)
        return finish("failed", error=known[1] if known else f"the render could not be stored ({exc})")
    except Exception as exc:  # a bug in the library fails this job, not the worker
        traceback.print_exc()
        return finish("failed", error=f"internal error while rendering ({exc.__class__.__name__}: {exc})")
    return finish("done", video=output)


def _retrying(stop: threading.Event, what: str, call, *args, **kwargs) -> bool:
    """call(*args), tried again with a back-off while the store cannot be written (a full disk), so
    an outcome is not lost to a passing fault. False when the worker is told to stop first: the
    job then stays 'running', and the next start runs it again."""
    for wait in _backoff():
        try:
            call(*args, **kwargs)
            return True
        except STORE_ERRORS as exc:
            log.warning("%s: not recorded yet (%s); trying again in %.1f s", what, exc, wait)
            if stop.wait(wait):
                return False
    return False


def _backoff():
    """Waits between tries: BACKOFF_S[0], doubling, then BACKOFF_S[1] for ever."""
    wait = BACKOFF_S[0]
    while True:
        yield wait
        wait = min(wait * 2, BACKOFF_S[1])


def make_thumbnail(photo: Path, thumb: Path) -> None:
    """The gallery's small JPEG of a job's photo, made once by the worker that takes the job (the
    server never decodes photos). A photo that cannot be read raises PhotoError: the job fails
    in words. A thumbnail that cannot be written (a full disk) is only logged."""
    import cv2

    from ..photo import load_photo

    if thumb.exists():
        return
    small = load_photo(photo, max_side=THUMB_SIDE).pixels  # large JPEGs decode at 1/8 scale
    part = thumb.with_name(f".{thumb.name}.part")
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 82])
    try:
        part.write_bytes(data.tobytes())
        os.replace(part, thumb)
    except OSError as exc:
        part.unlink(missing_ok=True)
        log.warning("%s: thumbnail not written (%s)", thumb.name, exc.strerror)


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


def _watch_parent(parent_pid: int) -> None:
    """Exit as soon as the server is gone (checked twice a second), whatever this process is busy with."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="stillmotion-parent-watch", daemon=True).start()


def worker_main(data_dir: str, parent_pid: int) -> None:
    """The loop of one worker process: claim, render, repeat, until SIGTERM or the server dies."""
    _die_with_parent(parent_pid)
    _watch_parent(parent_pid)
    try:
        os.nice(10)  # renders yield the CPU to the API, so status calls stay fast
    except OSError:
        pass
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which stops us cleanly
    import stillmotion.api  # noqa: F401  (imported once up front, so the first job starts as fast as the rest)

    take_jobs(lambda: Store(data_dir), stop, parent_pid)


def take_jobs(open_store, stop: threading.Event, parent_pid: int | None = None) -> None:
    """Claim a job, run it, repeat, until `stop` (or the parent is gone). A store that cannot be
    opened or written (a full disk, a read-only folder) is tried again after a growing wait,
    never in a tight loop of crashes."""
    store, waits = None, _backoff()
    while not stop.is_set() and (parent_pid is None or os.getppid() == parent_pid):
        try:
            store = store or open_store()
            job = store.claim(os.getpid())
        except STORE_ERRORS as exc:
            wait = next(waits)
            log.warning("worker %s: cannot take a job (%s); trying again in %.1f s", os.getpid(), exc, wait)
            stop.wait(wait)
            continue
        waits = _backoff()
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

    def _spawn(self) -> subprocess.Popen:
        command = [sys.executable, "-m", "stillmotion.server.worker", "--data", self.data_dir, "--parent", str(os.getpid())]
        return subprocess.Popen(command)

    def _supervise(self) -> None:
        self.processes = [self._spawn() for _ in range(self.count)]
        asked: dict[str, float] = {}  # job id -> when the pool first saw it asked to stop
        while not self._stopping.wait(SUPERVISE_S):
            try:
                self._stop_cancelled(asked)
                self._replace_dead()
            except STORE_ERRORS as exc:  # the store is unreachable for now: look again at the next turn
                log.warning("worker pool: cannot read the job store (%s)", exc)
        self._shutdown()

    def _stop_cancelled(self, asked: dict[str, float]) -> None:
        """Kill the process of a job asked to stop that has not stopped by itself within CANCEL_GRACE_S
        (an analysis runs long without a progress call); _replace_dead records it as cancelled."""
        now = time.monotonic()
        cancelling = dict(self.store.cancelling())
        for job_id in set(asked) - set(cancelling):
            del asked[job_id]
        for job_id, pid in cancelling.items():
            first = asked.setdefault(job_id, now)
            process = next((p for p in self.processes if p.pid == pid), None)
            if process is None or now - first < CANCEL_GRACE_S or process.poll() is not None:
                continue
            current = self.store.get(job_id)  # still that process's job? (it may have just ended and taken another)
            if current is not None and current.status == "running" and current.worker_pid == pid:
                log.warning("job %s: still running %.1f s after it was cancelled; stopping its worker %s", job_id, now - first, pid)
                process.kill()
                process.wait()

    def _replace_dead(self) -> None:
        for index, process in enumerate(self.processes):
            code = process.poll()
            if code is None:
                continue
            how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            ended = self.store.fail_worker_jobs(
                process.pid, f"the render process stopped unexpectedly ({how}); the server is fine: try again, smaller or shorter"
            )
            log.warning("worker %s stopped (%s); its jobs: %s; starting a new one", process.pid, how, ended or "none")
            self.restarts += 1
            self.processes[index] = self._spawn()

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
    """The planning process, kept warm: POST /api/plan's analysis and planning, and the
    reading of uploads the server must not parse itself (an audio file's header and first
    samples, a video's embedded plan: FFmpeg's parsers face hostile files there, not here).

    Like renders, none of it runs inside the server: if a task crashes the process, the request
    fails with a clear message and the next one gets a fresh process.
    """

    def __init__(self):
        self._pool = None
        self._lock = threading.Lock()

    def plan(self, photo_path: str, prompt: str, options: dict, timeout_s: float = 300) -> dict:
        """The plan as a dict; raises the library's error (PhotoError, PlanError, ...) or StudioError
        (the process died)."""
        return self.call(_plan_in_child, photo_path, prompt, options, timeout_s=timeout_s, doing="planning")

    def check_audio(self, path: str, timeout_s: float = 30) -> None:
        """An audio file the soundtrack can use (AudioError, one line, if not): its header and its
        first samples, read by PyAV as the render will read them."""
        self.call(_probe_audio, path, timeout_s=timeout_s, doing="reading the audio file")

    def video_plan(self, path: str, timeout_s: float = 30) -> dict:
        """The plan embedded in a stillmotion video, as a dict (PlanError when it has none): its
        container metadata only, no frame is decoded."""
        return self.call(_plan_of_video, path, timeout_s=timeout_s, doing="reading the video")

    def call(self, task, *args, timeout_s: float, doing: str):
        """task(*args) in the helper process. A StillmotionError raised there is raised here as it
        was; StudioError when the process died or took longer than timeout_s."""
        from ..errors import StudioError

        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=_planner_init,
                                                 initargs=(os.getpid(),))
            pool = self._pool
        try:
            return pool.submit(task, *args).result(timeout=timeout_s)
        except BrokenProcessPool:
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            raise StudioError(f"the planning process stopped unexpectedly ({doing}); the server is fine: try again") from None
        except TimeoutError:
            raise StudioError(f"{doing} took longer than {timeout_s:g} s; try a smaller file") from None

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _planner_init(parent_pid: int) -> None:
    # Not PR_SET_PDEATHSIG: it follows the thread that started us, one of the server's pool threads,
    # which retire when idle. A parent check follows the server itself.
    _watch_parent(parent_pid)
    try:
        os.nice(5)
    except OSError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the server, which closes us


def _plan_in_child(photo_path: str, prompt: str, options: dict) -> dict:
    from ..api import prepare

    plan, _, _ = prepare(photo_path, prompt, **options)  # as a job would start, without rendering
    return plan.to_dict()


def _probe_audio(path: str) -> None:
    from ..audio.userfile import probe

    probe(path)


def _plan_of_video(path: str) -> dict:
    from ..api import read_plan

    return read_plan(path).to_dict()


def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="a stillmotion studio worker (started by `stillmotion serve`)")
    parser.add_argument("--data", required=True)
    parser.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(format="stillmotion: %(levelname)s: %(message)s", level=logging.WARNING)  # as the server's lines
    worker_main(args.data, args.parent)


if __name__ == "__main__":
    _main()
