"""The studio's job store: one SQLite file plus folders under the data directory.

Every state change is one short transaction, so a job accepted (committed) is never lost,
whatever happens to the processes afterwards. Layout of the data directory:

    jobs.db            the jobs (WAL mode: readers never wait for the writer)
    uploads/<id>.<ext>  uploaded photos, under generated names only
    thumbs/<id>.jpg     small previews for the gallery
    videos/<id>.<fmt>   finished videos

Writes from a worker carry the worker's claim token: after a restart has taken a job
back (new token), a stale worker can no longer change it.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

STATUSES = ("queued", "running", "done", "failed", "cancelled")
FINAL = ("done", "failed", "cancelled")
MAX_ATTEMPTS = 2  # a job interrupted by a restart runs again once, then is marked failed

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    stage TEXT NOT NULL DEFAULT '',
    error TEXT,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    prompt TEXT NOT NULL DEFAULT '',
    options TEXT NOT NULL DEFAULT '{}',
    plan TEXT,
    format TEXT NOT NULL DEFAULT 'mp4',
    photo TEXT NOT NULL,
    video TEXT,
    cancel INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    claim TEXT,
    worker_pid INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, seq);
"""


@dataclass
class Job:
    id: str
    status: str
    progress: float
    stage: str
    error: str | None
    created: float
    started: float | None
    finished: float | None
    prompt: str
    options: dict[str, Any]
    plan: dict[str, Any] | None
    format: str
    photo: str
    video: str | None
    cancel: bool
    attempts: int
    claim: str | None = None
    worker_pid: int | None = None
    seq: int = 0

    @property
    def final(self) -> bool:
        return self.status in FINAL


def new_job_id() -> str:
    return secrets.token_hex(8)


class Store:
    """Jobs in SQLite. Safe to use from many threads and processes: one connection per call."""

    def __init__(self, data_dir: str | Path):
        self.root = Path(data_dir)
        for sub in ("uploads", "thumbs", "videos", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.db_path = self.root / "jobs.db"
        self._local = threading.local()  # one read connection per thread, kept open
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    # --- plumbing ------------------------------------------------------------------------
    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across process crashes
        try:
            yield db
        finally:
            db.close()

    def _reader(self) -> sqlite3.Connection:
        """This thread's read connection: status calls skip opening the database each time."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None, check_same_thread=True)
            db.row_factory = sqlite3.Row
            self._local.db = db
        return db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken up front (BEGIN IMMEDIATE) so two workers never claim one job."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def upload_path(self, job_id: str, ext: str) -> Path:
        return self.root / "uploads" / f"{job_id}{ext}"

    def thumb_path(self, job_id: str) -> Path:
        return self.root / "thumbs" / f"{job_id}.jpg"

    def video_path(self, job_id: str, fmt: str) -> Path:
        return self.root / "videos" / f"{job_id}.{fmt}"

    # --- the API side ----------------------------------------------------------------------
    def create(self, job_id: str, *, photo: Path, prompt: str, options: dict, plan: dict | None, fmt: str) -> Job:
        with self._write() as db:
            db.execute(
                "INSERT INTO jobs (id, status, created, prompt, options, plan, format, photo) VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)",
                (job_id, time.time(), prompt, json.dumps(options), json.dumps(plan) if plan else None, fmt, str(photo)),
            )
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        row = self._reader().execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def list(self, *, limit: int, offset: int) -> tuple[list[Job], int]:
        """Jobs newest first, and the total count."""
        db = self._reader()
        rows = db.execute("SELECT * FROM jobs ORDER BY seq DESC LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        total = db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
        return [_job(r) for r in rows], total

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued job at once; ask a running one to stop (its worker sees the flag)."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET status = 'cancelled', finished = ?, stage = '', error = 'cancelled before it started' "
                "WHERE id = ? AND status = 'queued'",
                (time.time(), job_id),
            )
            db.execute("UPDATE jobs SET cancel = 1 WHERE id = ? AND status = 'running'", (job_id,))
        return self.get(job_id)

    def delete(self, job_id: str) -> bool:
        """Remove a finished job and its files. Returns False if it is not finished (or unknown)."""
        with self._write() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None or row["status"] not in FINAL:
                return False
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
        job = _job(row)
        for path in (Path(job.photo), self.thumb_path(job.id), Path(job.video) if job.video else None):
            if path is not None:
                path.unlink(missing_ok=True)
        return True

    def recover(self) -> list[str]:
        """At start-up: jobs left 'running' by a dead server run again, or fail after MAX_ATTEMPTS."""
        now = time.time()
        with self._write() as db:
            rows = db.execute("SELECT id, attempts, cancel FROM jobs WHERE status = 'running'").fetchall()
            for row in rows:
                if row["cancel"]:
                    db.execute("UPDATE jobs SET status='cancelled', finished=?, claim=NULL, stage='', error='cancelled' WHERE id=?",
                               (now, row["id"]))
                elif row["attempts"] >= MAX_ATTEMPTS:
                    reason = f"interrupted {row['attempts']} times (the server stopped during the render); not retried"
                    db.execute("UPDATE jobs SET status='failed', finished=?, claim=NULL, stage='', error=? WHERE id=?",
                               (now, reason, row["id"]))
                else:
                    db.execute(
                        "UPDATE jobs SET status='queued', progress=0, stage='', claim=NULL, worker_pid=NULL, "
                        "error='interrupted by a server restart; queued again' WHERE id=?",
                        (row["id"],),
                    )
        self._remove_leftovers()
        return [r["id"] for r in rows]

    def _remove_leftovers(self) -> None:
        """Partial files a killed process left: uploads in flight, videos being encoded (.part)."""
        for path in (self.root / "tmp").iterdir():
            path.unlink(missing_ok=True)
        for path in (self.root / "videos").glob(".*.part"):
            path.unlink(missing_ok=True)

    def fail_worker_jobs(self, pid: int, reason: str) -> list[str]:
        """A worker process died: its running job fails with the reason (a crash would repeat)."""
        with self._write() as db:
            rows = db.execute("SELECT id FROM jobs WHERE status='running' AND worker_pid=?", (pid,)).fetchall()
            db.execute(
                "UPDATE jobs SET status='failed', finished=?, claim=NULL, stage='', error=? WHERE status='running' AND worker_pid=?",
                (time.time(), reason, pid),
            )
        return [r["id"] for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self._reader().execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        return {status: n for status, n in rows}

    # --- the worker side -----------------------------------------------------------------
    def claim(self, pid: int) -> Job | None:
        """Take the oldest queued job (atomically) and mark it running under a fresh claim token."""
        token = secrets.token_hex(8)
        with self._write() as db:
            row = db.execute("SELECT id FROM jobs WHERE status='queued' ORDER BY seq LIMIT 1").fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET status='running', started=?, progress=0, stage='starting', claim=?, worker_pid=?, "
                "attempts=attempts+1 WHERE id=?",
                (time.time(), token, pid, row["id"]),
            )
        return self.get(row["id"])

    def set_progress(self, job: Job, progress: float, stage: str) -> bool:
        """Record progress; returns True if the job was asked to stop (or was taken from this worker)."""
        with self._connect() as db:
            db.execute("UPDATE jobs SET progress=?, stage=? WHERE id=? AND claim=?", (progress, stage, job.id, job.claim))
            row = db.execute("SELECT cancel, claim FROM jobs WHERE id=?", (job.id,)).fetchone()
        return row is None or bool(row["cancel"]) or row["claim"] != job.claim

    def should_stop(self, job: Job) -> bool:
        with self._connect() as db:
            row = db.execute("SELECT cancel, claim FROM jobs WHERE id=?", (job.id,)).fetchone()
        return row is None or bool(row["cancel"]) or row["claim"] != job.claim

    def set_plan(self, job: Job, plan: dict) -> None:
        with self._write() as db:
            db.execute("UPDATE jobs SET plan=? WHERE id=? AND claim=?", (json.dumps(plan), job.id, job.claim))

    def finish(self, job: Job, status: str, *, video: Path | None = None, error: str | None = None) -> None:
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET status=?, finished=?, video=?, error=COALESCE(?, error), claim=NULL, stage='', "
                "progress=CASE WHEN ?='done' THEN 1 ELSE progress END WHERE id=? AND claim=?",
                (status, time.time(), str(video) if video else None, error, status, job.id, job.claim),
            )

    def requeue(self, job: Job) -> None:
        """Give a job back untouched (graceful shutdown): it does not count as an attempt."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET status='queued', progress=0, stage='', claim=NULL, worker_pid=NULL, "
                "attempts=MAX(attempts-1, 0) WHERE id=? AND claim=?",
                (job.id, job.claim),
            )


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        status=row["status"],
        progress=row["progress"],
        stage=row["stage"],
        error=row["error"],
        created=row["created"],
        started=row["started"],
        finished=row["finished"],
        prompt=row["prompt"],
        options=json.loads(row["options"] or "{}"),
        plan=json.loads(row["plan"]) if row["plan"] else None,
        format=row["format"],
        photo=row["photo"],
        video=row["video"],
        cancel=bool(row["cancel"]),
        attempts=row["attempts"],
        claim=row["claim"],
        worker_pid=row["worker_pid"],
        seq=row["seq"],
    )
