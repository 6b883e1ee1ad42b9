"""An exclusive, non-blocking lock on a file, held by one owner at a time across threads and processes.

The operating system releases it when its owner's process ends in any way (also when it is killed), so a
lock found free means that no running owner is inside what it guards. Each `FileLock` opens the file on
its own, so two owners in the same process exclude each other too: `flock` on POSIX systems (Linux,
Android, macOS, iOS) treats separately opened descriptions independently, and `msvcrt.locking` on Windows
locks per handle.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from leipzig_app.adapters.sqlite_store import StorageError


class FileLock:
    """`try_acquire()` takes the lock or says at once that another owner has it; `release()` gives it back."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd: int | None = None
        self._guard = threading.Lock()

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        """True when this owner holds the lock now (also when it held it already)."""
        with self._guard:
            if self._fd is not None:
                return True
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as error:
                raise StorageError(f"cannot open the lock file {self.path}: {error.strerror}") from None
            if not _lock(fd):
                os.close(fd)
                return False
            self._fd = fd
            return True

    def release(self) -> None:
        with self._guard:
            fd, self._fd = self._fd, None
        if fd is not None:
            _unlock(fd)
            os.close(fd)


if sys.platform == "win32":  # pragma: no cover - the desktop build for Windows
    import msvcrt

    def _lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
