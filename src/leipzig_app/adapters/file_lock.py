"""An exclusive lock on a file, held by one owner at a time across threads and processes.

`try_acquire()` never waits; `acquire(timeout)` waits up to a limit (for a short read-modify-write of a
file that several processes change, such as the secret store).

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
import time
from pathlib import Path

from leipzig_app.adapters.sqlite_store import StorageError


class FileLock:
    """`try_acquire()` takes the lock or says at once that another owner has it, `acquire(timeout)` waits for
    it up to `timeout` seconds; `release()` gives it back."""

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

    def acquire(self, timeout: float) -> bool:
        """Wait until this owner holds the lock, at most `timeout` seconds; False when another owner kept it
        that long. Polls with short pauses, the same way on every platform."""
        deadline = time.monotonic() + timeout
        pause = 0.001
        while not self.try_acquire():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.02)
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
