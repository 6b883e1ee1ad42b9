"""A running app's lease in its data folder: who is still running among the copies sharing that folder.

Two copies of the app can run on one data folder at once (two desktop windows, a desktop app and
`leipzig-app --web`). Each takes a lease when it is wired: an exclusive `FileLock` on `<folder>/<owner>.lock`,
`<owner>` a random token new for every start, held until the app closes. The operating system frees the
lock when the process ends in any way (also when it is killed), so another copy can tell a running owner
(the lock cannot be taken) from one that is gone (it can, or the file no longer exists).

Lock files of owners that are gone are removed: all of them when a lease is taken, and each one a look at
its owner finds gone. The app's own file goes when it closes. Implements the `HoldOwners` port.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import sys
from pathlib import Path

from leipzig_app.adapters.file_lock import FileLock
from leipzig_app.adapters.sqlite_store import StorageError

SUFFIX = ".lock"
_TOKEN = re.compile(r"[0-9a-f]{32}")


def new_owner() -> str:
    """A fresh owner token (32 hex digits), also a safe file name on every platform."""
    return secrets.token_hex(16)


class ProcessLease:
    """This running app's lease in `folder`, taken at once; `is_alive` looks at another owner's lease."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._remove_gone()
        while True:
            owner = new_owner()
            lock = FileLock(self._path(owner))
            # Another copy's clean-up may take and remove a new file between its creation and the lock (it
            # looks like a gone owner's then): a lock on a file no one else can find is no lease.
            if lock.try_acquire() and lock.path.exists():
                break
            lock.release()  # pragma: no cover - that narrow race: draw another token
        self.owner = owner
        self._lock = lock

    def _path(self, owner: str) -> Path:
        return self.folder / f"{owner}{SUFFIX}"

    @property
    def held(self) -> bool:
        return self._lock.held

    def is_alive(self, owner: str) -> bool:
        """True while the app that took `owner`'s lease runs (this app's own included).

        Anything that is not a token this adapter hands out names no running app. Raises `StorageError`
        when the lock file cannot be opened.
        """
        if owner == self.owner:
            return self._lock.held
        if not _TOKEN.fullmatch(owner):
            return False
        path = self._path(owner)
        if not path.exists():
            return False
        probe = FileLock(path)
        if not probe.try_acquire():
            return True
        _remove(probe)
        return False

    def close(self) -> None:
        """End the lease: its file goes, then the lock (another copy finds this owner gone either way)."""
        if self._lock.held:
            _remove(self._lock)

    def _remove_gone(self) -> None:
        """Remove the lock files of every owner that no longer runs (a crash or kill leaves them)."""
        try:
            found = [p for p in self.folder.glob(f"*{SUFFIX}") if _TOKEN.fullmatch(p.stem)]
        except OSError:
            return
        for path in found:
            probe = FileLock(path)
            try:
                free = probe.try_acquire()
            except StorageError:
                continue
            if free:
                _remove(probe)


def _remove(lock: FileLock) -> None:
    """Remove a held lock's file, then release it: no one can be running under it meanwhile."""
    with contextlib.suppress(OSError):
        lock.path.unlink(missing_ok=True)
    lock.release()
    if sys.platform == "win32":  # pragma: no cover - Windows removes no file that is still open
        with contextlib.suppress(OSError):
            lock.path.unlink(missing_ok=True)
