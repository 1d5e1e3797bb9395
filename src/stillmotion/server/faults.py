"""What went wrong on the server's side, in one sentence and an HTTP status.

A full disk, a read-only data folder or a damaged job store are not bugs: they get a status
that says so (507, 503, 500) and a sentence that says what to do, for the client and the log.
Anything else is a bug, answered 500 with the error's name (the log has the traceback).
"""

from __future__ import annotations

import errno
import sqlite3

DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


def describe(exc: BaseException) -> tuple[int, str] | None:
    """(status, sentence) for a known server-side fault; None for anything else (a bug)."""
    if isinstance(exc, sqlite3.Error):
        code = _sqlite_code(exc)
        if code == sqlite3.SQLITE_FULL:
            return disk_full()
        if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM):
            return 503, f"the studio's job store cannot be written ({exc}); ask whoever runs it to check the data folder"
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return 503, "the studio's job store is busy; try again in a moment"
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return 500, "the studio's job store is damaged; ask whoever runs it to restore it"
        if code == sqlite3.SQLITE_IOERR:
            return 503, f"the studio's job store could not be read or written ({exc}); try again in a moment"
        return None
    if isinstance(exc, OSError):
        if exc.errno in DISK_FULL:
            return disk_full()
        if exc.errno in READ_ONLY:
            return 503, f"the studio cannot write to its data folder ({exc.strerror}); ask whoever runs it to check it"
        if exc.errno == errno.EMFILE:
            return 503, "the studio has too many files open; try again in a moment"
    if isinstance(exc, MemoryError):
        return 503, "the studio is out of memory; try again in a moment"
    return None


def disk_full() -> tuple[int, str]:
    return 507, "the studio's disk is full: nothing was stored; free some space (or delete old videos) and try again"


def _sqlite_code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code (SQLITE_FULL, SQLITE_READONLY, ...); -1 when unknown."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if code is not None else -1
