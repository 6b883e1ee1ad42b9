"""What every part of the demo city shares: its data folder, its SQLite file, its public base URL, a clock.

Each standard the demo city speaks lives in its own module under `leipzig_app.sandbox` and exposes:

- `SCHEMA: list[str]`: SQL statements creating its tables (idempotent: `CREATE TABLE IF NOT EXISTS`),
- `seed(ctx: SandboxContext) -> None`: deterministic demo data, run once after the tables exist, guarded
  so that a restart keeps what testers did,
- `create_router(ctx: SandboxContext) -> fastapi.APIRouter`: its endpoints.

`server.py` lists those modules and mounts them; nothing else in the demo city knows about the others.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SandboxContext:
    """Shared state of one running demo city."""

    data_dir: Path
    base_url: str = ""
    clock: Callable[[], datetime] = _utc_now
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "sandbox.sqlite3"

    def now(self) -> datetime:
        """The demo city's time (timezone-aware UTC); tests may replace the clock."""
        return self.clock()

    @contextmanager
    def db(self) -> Iterator[sqlite3.Connection]:
        """A connection in a transaction: committed on success, rolled back on error, always closed.

        Writes are serialised with a lock so that concurrent requests never see `database is locked`.
        """
        with self._lock:
            conn = sqlite3.connect(self.db_path, timeout=10)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            try:
                yield conn
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            finally:
                conn.close()
