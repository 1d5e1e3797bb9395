"""The studio's job store: one SQLite file plus folders under the data directory.

Every state change is one short transaction, so a job accepted (committed) is never lost,
whatever happens to the processes afterwards. Layout of the data directory:

    jobs.db            the jobs (WAL mode: readers never wait for the writer)
    uploads/<id>.<ext>  uploaded photos, under generated names only
    uploads/<id>-audio.<ext>  a job's own music or ambience, if it brought one
    thumbs/<id>.jpg     small previews for the gallery
    videos/<id>.<fmt>   finished videos

Writes from a worker carry the worker's claim token: after a restart has taken a job
back (new token), a stale worker can no longer change it.

Store.open() is the server's way in: it refuses, in one line, a job store it cannot trust
(empty, damaged, or missing beside the files of earlier jobs) instead of starting a fresh,
empty one over it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from ..errors import StudioError

STATUSES = ("queued", "running", "done", "failed", "cancelled")
FINAL = ("done", "failed", "cancelled")
MAX_ATTEMPTS = 2  # a job interrupted by a restart runs again once, then is marked failed
READERS = 4  # read connections kept open for every thread to share

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
# Columns added since the first studio, each with its type: a store made before gets them at open.
_ADDED = {
    "audio": "TEXT",  # the job's own audio file (an upload), or NULL
    "photo_sha256": "TEXT",  # the photo's content hash: finds a plan's photo among the uploads
}
_INDEXES = "CREATE INDEX IF NOT EXISTS jobs_photo ON jobs(photo_sha256, seq);"


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
    audio: str | None = None
    photo_sha256: str | None = None

    @property
    def final(self) -> bool:
        return self.status in FINAL


def new_job_id() -> str:
    return secrets.token_hex(8)


class Store:
    """Jobs in SQLite. Safe to use from many threads and processes: writes open a connection each,
    reads share a few kept-open ones."""

    def __init__(self, data_dir: str | Path, *, read_only: bool = False):
        self.root = Path(data_dir)
        self.db_path = self.root / "jobs.db"
        # A read-only store is opened as immutable: SQLite cannot make the WAL's shared-memory file there.
        self._db = _Connections(self.db_path, immutable=read_only)
        if read_only:
            return
        for sub in ("uploads", "thumbs", "videos", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        with self._db.write() as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'jobs'").fetchone() is None:
                db.execute("PRAGMA journal_mode=WAL")  # kept in the file: set once, with the table
                db.executescript(_SCHEMA)
            have = {row["name"] for row in db.execute("PRAGMA table_info(jobs)")}
            for column, kind in _ADDED.items():
                if column not in have:
                    db.execute(f"ALTER TABLE jobs ADD COLUMN {column} {kind}")
            db.execute(_INDEXES)

    @classmethod
    def open(cls, data_dir: str | Path) -> Store:
        """The server's store, checked: one clear line (StudioError) rather than a store that would lie."""
        root = Path(data_dir)
        db_path = root / "jobs.db"
        if db_path.exists() and db_path.stat().st_size == 0:
            raise StudioError(f"{db_path}: the job store is an empty file (0 bytes), so every job would seem gone; "
                              "restore it from a backup, or remove it to start with no jobs")
        if not db_path.exists():
            left = [p for sub in ("uploads", "videos") if (root / sub).is_dir() for p in (root / sub).iterdir()]
            if left:
                raise StudioError(f"{root}: holds {len(left)} file(s) of earlier jobs but no job store (jobs.db); "
                                  "restore jobs.db, or choose an empty folder")
        # Served read-only (Studio says so) where nothing can be written: the folder or the store.
        read_only = db_path.exists() and not (os.access(root, os.W_OK) and os.access(db_path, os.W_OK))
        try:
            store = cls(root, read_only=read_only)
            with store._read() as db:
                verdict = db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise StudioError(f"{db_path}: not a usable job store ({exc}); restore it from a backup, "
                              "or move it away to start with no jobs") from None
        if verdict != "ok":
            store.close()
            raise StudioError(f"{db_path}: the job store is damaged ({verdict}); restore it from a backup, "
                              "or move it away to start with no jobs")
        return store

    def writable(self) -> str | None:
        """None when jobs can be recorded and files stored; else why not, in words."""
        probe = self.root / "tmp" / f".probe-{secrets.token_hex(4)}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            return f"{self.root}: files cannot be written there ({exc.strerror})"
        try:
            with self._write():
                pass
        except sqlite3.Error as exc:
            return f"{self.db_path}: jobs cannot be recorded ({exc})"
        return None

    def close(self) -> None:
        self._db.close()

    # --- plumbing ------------------------------------------------------------------------
    def _read(self):
        """A shared read connection, for one call (`with self._read() as db:`)."""
        return self._db.read()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken up front (BEGIN IMMEDIATE) so two workers never claim one job."""
        with self._db.write() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def upload_path(self, job_id: str, ext: str) -> Path:
        return self.root / "uploads" / f"{job_id}{ext}"

    def audio_path(self, job_id: str, ext: str) -> Path:
        return self.root / "uploads" / f"{job_id}-audio{ext}"

    def thumb_path(self, job_id: str) -> Path:
        return self.root / "thumbs" / f"{job_id}.jpg"

    def video_path(self, job_id: str, fmt: str) -> Path:
        return self.root / "videos" / f"{job_id}.{fmt}"

    # --- the API side ----------------------------------------------------------------------
    def create(self, job_id: str, *, photo: Path, prompt: str, options: dict, plan: dict | None, fmt: str,
               audio: Path | None = None, photo_sha256: str | None = None) -> Job:
        """Record a queued job. Once this returns, the job is committed and owns its photo (and audio file)."""
        created = time.time()
        audio_text = str(audio) if audio else None
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO jobs (id, status, created, prompt, options, plan, format, photo, audio, photo_sha256) "
                "VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)",
                (job_id, created, prompt, json.dumps(options), json.dumps(plan) if plan else None, fmt, str(photo), audio_text,
                 photo_sha256),
            )
        # Built here, not read back: a failed read after the commit must not look like a failed create.
        return Job(id=job_id, status="queued", progress=0.0, stage="", error=None, created=created, started=None,
                   finished=None, prompt=prompt, options=options, plan=plan, format=fmt, photo=str(photo), video=None,
                   cancel=False, attempts=0, seq=cursor.lastrowid, audio=audio_text, photo_sha256=photo_sha256)

    def get(self, job_id: str) -> Job | None:
        with self._read() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def list(self, *, limit: int, offset: int) -> tuple[list[Job], int]:
        """Jobs newest first, and the total count."""
        with self._read() as db:
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
        for path in (Path(job.photo), self.thumb_path(job.id), Path(job.video) if job.video else None,
                     Path(job.audio) if job.audio else None):
            if path is not None:
                path.unlink(missing_ok=True)
        return True

    def with_photo(self, sha256: str) -> Job | None:
        """The newest job whose photo has this content hash and is still stored (a plan's photo_sha256
        finds its photo among the uploads). Jobs stored before hashes were recorded are hashed once, here."""
        with self._read() as db:
            unhashed = db.execute("SELECT id, photo FROM jobs WHERE photo_sha256 IS NULL").fetchall()
        for row in unhashed:
            try:
                with open(row["photo"], "rb") as stream:
                    digest = hashlib.file_digest(stream, "sha256").hexdigest()
            except OSError:
                digest = ""  # gone: recorded as such, never hashed again
            with self._write() as db:
                db.execute("UPDATE jobs SET photo_sha256=? WHERE id=?", (digest, row["id"]))
        with self._read() as db:
            rows = db.execute("SELECT * FROM jobs WHERE photo_sha256=? ORDER BY seq DESC", (sha256,)).fetchall()
        return next((job for job in map(_job, rows) if Path(job.photo).is_file()), None)

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
        """Partial files a killed process left: uploads in flight, videos and thumbnails being written (.part)."""
        for path in (self.root / "tmp").iterdir():
            path.unlink(missing_ok=True)
        for sub in ("videos", "thumbs"):
            for path in (self.root / sub).glob(".*.part"):
                path.unlink(missing_ok=True)

    def remove_orphans(self) -> list[str]:
        """At start-up: photos, thumbnails and videos no job refers to (left by a failure between
        storing a file and recording its job, or by a crash) are removed. Returns their names.

        Matched by name inside the data folder, so a folder that was moved keeps its files."""
        with self._read() as db:
            rows = db.execute("SELECT id, photo, video, audio FROM jobs").fetchall()
        kept = {Path(r[key]).name for r in rows for key in ("photo", "video", "audio") if r[key]}
        kept |= {self.thumb_path(r["id"]).name for r in rows}
        removed = []
        for sub in ("uploads", "thumbs", "videos"):
            for path in (self.root / sub).iterdir():
                if path.is_file() and not path.name.startswith(".") and path.name not in kept:
                    path.unlink(missing_ok=True)
                    removed.append(f"{sub}/{path.name}")
        return removed

    def remove_partial_video(self, job_id: str) -> None:
        """The half-written video of a job whose worker was killed (the encoder's .part file)."""
        for path in (self.root / "videos").glob(f".{job_id}.*.part"):
            path.unlink(missing_ok=True)

    def fail_worker_jobs(self, pid: int, reason: str) -> list[str]:
        """A worker process died: its running job fails with the reason (a crash would repeat), or is
        cancelled where that was asked (the pool stops a worker that does not stop by itself)."""
        now = time.time()
        with self._write() as db:
            rows = db.execute("SELECT id FROM jobs WHERE status='running' AND worker_pid=?", (pid,)).fetchall()
            db.execute("UPDATE jobs SET status='cancelled', finished=?, claim=NULL, stage='', error='cancelled' "
                       "WHERE status='running' AND worker_pid=? AND cancel=1", (now, pid))
            db.execute("UPDATE jobs SET status='failed', finished=?, claim=NULL, stage='', error=? "
                       "WHERE status='running' AND worker_pid=?", (now, reason, pid))
        for row in rows:
            self.remove_partial_video(row["id"])
        return [r["id"] for r in rows]

    def cancelling(self) -> list[tuple[str, int | None]]:
        """(job id, worker pid) of the running jobs asked to stop."""
        with self._read() as db:
            rows = db.execute("SELECT id, worker_pid FROM jobs WHERE status='running' AND cancel=1").fetchall()
        return [(r["id"], r["worker_pid"]) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._read() as db:
            rows = db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
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
        with self._db.write() as db:
            db.execute("UPDATE jobs SET progress=?, stage=? WHERE id=? AND claim=?", (progress, stage, job.id, job.claim))
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


class _Connections:
    """A store's connections in one process, a fixed number of them: READERS read connections that
    every thread shares (a thread waits for a free one; a read takes a fraction of a millisecond),
    and one write connection, taken in turn (SQLite lets one writer in at a time anyway).

    Not one per thread, nor one per call: SQLite keeps a closed connection's file descriptors open
    while another connection to the same file is open (closing them would drop that one's locks),
    so both left descriptors behind, as many as threads or concurrent calls had ever been."""

    def __init__(self, db_path: Path, immutable: bool = False):
        self.db_path, self.immutable = db_path, immutable
        self._idle: list[sqlite3.Connection] = []
        self._readers = threading.BoundedSemaphore(READERS)
        self._lock = threading.Lock()  # guards _idle
        self._writer: sqlite3.Connection | None = None
        self._writing = threading.Lock()

    def _open(self) -> sqlite3.Connection:
        if self.immutable:  # read-only media: no locks, no shared-memory file
            db = sqlite3.connect(f"{self.db_path.absolute().as_uri()}?immutable=1", uri=True, check_same_thread=False)
        else:
            db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across process crashes
        db.row_factory = sqlite3.Row
        return db

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._readers:
            with self._lock:
                db = self._idle.pop() if self._idle else None
            db = db or self._open()
            try:
                yield db
            except BaseException:
                db.close()  # a connection in an unknown state is not handed on
                raise
            with self._lock:
                self._idle.append(db)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with self._writing:
            if self._writer is None:
                self._writer = self._open()
            try:
                yield self._writer
            except sqlite3.Error:
                if self._writer.in_transaction:
                    self._writer.close()  # cannot be rolled back (the disk is gone?): start afresh next time
                    self._writer = None
                raise

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        with self._writing:
            writer, self._writer = self._writer, None
        for db in [*idle, *([writer] if writer else [])]:
            db.close()


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
        # Absent from a read-only store made before they were added (it cannot be given them).
        audio=row["audio"] if "audio" in row.keys() else None,
        photo_sha256=row["photo_sha256"] if "photo_sha256" in row.keys() else None,
    )
