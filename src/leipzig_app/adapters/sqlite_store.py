"""The app's local SQLite database: one file in the data folder, versioned migrations per component.

Each adapter that keeps data declares its own `Migrations("component", [step1, step2, ...])`; the
composition root opens the database with all of them. A component's applied version is recorded in
`schema_versions`, so features evolve independently and a step runs exactly once. All pending steps of
one opening run in a single transaction: the database is either fully migrated or left as it was (and a
first start pays for one disk sync, not one per step).
Steps are append-only: never edit a released step, add a new one.

Connections are opened per unit of work (`with db.transaction() as conn:`) and serialised by a lock, so the
asyncio UI thread, background sync tasks and tests can share one `Database` safely. WAL mode keeps readers
from blocking the writer and makes a killed process lose nothing that was committed.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from leipzig_app.domain.errors import AppError


class StorageError(AppError):
    key = "error.storage"


@dataclass(frozen=True)
class Migrations:
    component: str
    steps: Sequence[str]


_BOOTSTRAP = """
CREATE TABLE IF NOT EXISTS schema_versions (
    component TEXT PRIMARY KEY,
    version INTEGER NOT NULL
)
"""


class Database:
    """A SQLite file with migrations applied; hands out short-lived connections."""

    def __init__(self, path: Path, migrations: Iterable[Migrations] = ()):
        self.path = Path(path)
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._lock:
                conn = self._connect()
                try:
                    conn.execute("PRAGMA journal_mode = WAL")  # outside a transaction, or SQLite refuses
                finally:
                    conn.close()
            with self.transaction() as conn:
                conn.execute(_BOOTSTRAP)
                for migration in migrations:
                    self._migrate(conn, migration)
        except sqlite3.DatabaseError as error:
            raise StorageError(f"the local database {self.path} cannot be used: {error}") from None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection inside BEGIN IMMEDIATE ... COMMIT (rolled back on error), closed afterwards."""
        with self._lock:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                conn.close()

    def version(self, component: str) -> int:
        with self.transaction() as conn:
            row = conn.execute(
                "SELECT version FROM schema_versions WHERE component = ?", (component,)
            ).fetchone()
        return int(row["version"]) if row else 0

    def migrate(self, migration: Migrations) -> int:
        """Apply the component's pending steps in one transaction; returns the version reached."""
        with self.transaction() as conn:
            return self._migrate(conn, migration)

    def _migrate(self, conn: sqlite3.Connection, migration: Migrations) -> int:
        row = conn.execute(
            "SELECT version FROM schema_versions WHERE component = ?", (migration.component,)
        ).fetchone()
        current = int(row["version"]) if row else 0
        if current > len(migration.steps):
            raise StorageError(
                f"the database has {migration.component} schema version {current}, newer than this app "
                f"knows ({len(migration.steps)}): update the app"
            )
        for step in migration.steps[current:]:
            for statement in _split_statements(step):
                conn.execute(statement)
        if len(migration.steps) != current:
            conn.execute(
                "INSERT INTO schema_versions (component, version) VALUES (?, ?) "
                "ON CONFLICT(component) DO UPDATE SET version = excluded.version",
                (migration.component, len(migration.steps)),
            )
        return len(migration.steps)


def _split_statements(script: str) -> list[str]:
    """Split a migration step into statements (sqlite3.execute runs one at a time, executescript commits)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
