"""`SecretStore` for desktop and web: a private JSON file (mode 0600) in the app's data folder.

Phones keep secrets in the platform's secure storage (Keychain, Keystore) through flet-secure-storage,
which needs a running Flet page; this file-based store is what the desktop and web builds (and the command
line) use. It keeps secrets out of the SQLite database and out of backups of it, readable only by the
user's own account. It is not encrypted: anyone who can read the user's files can read it, exactly like
a browser's cookie jar. Writes go to a temporary file that replaces the old one, so a crash never leaves a
half-written file and a reader always sees a whole one.

Two copies of the app can run on one data folder (two desktop windows, a desktop app and web mode), so
every change (read, change, write back) holds an exclusive lock on `secrets.json.lock` beside the file:
across processes (`FileLock`), not only across threads, so neither copy writes back a file that misses
what the other has just added.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from leipzig_app.adapters.file_lock import FileLock
from leipzig_app.domain.errors import AppError

FILE_NAME = "secrets.json"
LOCK_NAME = FILE_NAME + ".lock"
#: How long a change waits for another process's change of the file (each takes milliseconds).
LOCK_TIMEOUT = 10.0


class SecretStoreError(AppError):
    key = "error.storage"


class FileSecretStore:
    """Implements the `SecretStore` port with one 0600 JSON file."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / FILE_NAME
        self._lock = threading.Lock()
        self._file_lock = FileLock(Path(folder) / LOCK_NAME)

    @contextlib.contextmanager
    def _changing(self) -> Iterator[dict[str, str]]:
        """The file's entries to change in place, written back when the block ends without an error; no
        other thread or process changes the file meanwhile."""
        with self._lock:
            try:
                taken = self._file_lock.acquire(LOCK_TIMEOUT)
            except AppError as error:
                raise SecretStoreError(f"the secret store {self.path} cannot be locked: {error}") from None
            if not taken:
                raise SecretStoreError(f"the secret store {self.path} stays locked by another process")
            try:
                data = self._read()
                before = dict(data)
                yield data
                if data != before:
                    self._write(data)
            finally:
                self._file_lock.release()

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            raise SecretStoreError(
                f"the secret store {self.path} cannot be read: {type(error).__name__}"
            ) from None
        if not isinstance(data, dict):
            raise SecretStoreError(f"the secret store {self.path} is damaged")
        return {str(k): str(v) for k, v in data.items()}

    def _write(self, data: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(OSError):  # not every file system knows modes (Windows)
                os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except OSError as error:
            raise SecretStoreError(
                f"the secret store {self.path} cannot be written: {error.strerror}"
            ) from None

    # Asynchronous like the port (secure storage on phones is); the tiny file needs no thread.
    async def get(self, name: str) -> str | None:
        with self._lock:
            return self._read().get(name)

    async def set(self, name: str, value: str) -> None:
        with self._changing() as data:
            data[name] = value

    async def names(self, prefix: str = "") -> list[str]:
        """The names of the entries that begin with `prefix` (to find what an earlier run left)."""
        with self._lock:
            return sorted(name for name in self._read() if name.startswith(prefix))

    async def delete(self, name: str) -> None:
        with self._changing() as data:
            data.pop(name, None)
