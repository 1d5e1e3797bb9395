"""One studio per data folder: an exclusive lock on DATA/studio.lock, held while the studio runs.

Two servers on one folder would each take the other's in-flight uploads for leftovers and remove
them. The lock is an flock(2): the kernel releases it when the holder dies, even by `kill -9`,
so a stale lock file never blocks a restart. Worker processes do not inherit it.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from ..errors import StudioError

LOCK_NAME = "studio.lock"


class DataLock:
    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise StudioError naming the process that holds it. A folder where no lock
        file can be made (read-only) is left unlocked: no server can change anything there anyway."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                return
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise StudioError(f"{self.path.parent}: another studio (process {holder}) is using this data folder; "
                              "stop it, or choose another folder") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock; the file stays (removing it would race a new holder)
            self._fd = None
