"""The durable outbox in the local SQLite database (component "outbox"), photos in the data folder.

Implements the `OutboxStore` port. Photos are written to `<data>/outbox/<item id>/<n>.jpg` (atomically,
through a temporary file) *before* the row that names them is committed, so a killed app never leaves a
row pointing at a missing photo; a folder without a row is removed at a later start (once it is older
than `ORPHAN_MIN_AGE`). Each state change is one committed transaction (WAL mode), written before the
network call it precedes: a process killed at any point finds on restart exactly what was decided before
it died. A small key/value cache keeps the city's categories and definitions for reporting offline.

Every row belongs to one city profile (`city`, the profile id). A store is opened for one city and sees,
sends and lists only that city's reports and cache entries; the other cities' rows stay untouched until
their city is active again. Reports kept before rows carried a city (schema version 1) are claimed by the
first city the outbox is opened for after the update, that is the profile active then: for a resident
who never switched cities, the city they were written for. The old shared cache is dropped (its city is
unknown; it refills the next time the categories are online).

One sender per city at a time, across pages, services and processes: the sender lock is a file lock
(`<folder>/.sending-<city>.lock`) that the operating system frees when its holder ends, also when killed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from leipzig_app.adapters.file_lock import FileLock
from leipzig_app.adapters.sqlite_store import Database, Migrations, StorageError
from leipzig_app.domain.outbox import OutboxItem, OutboxState
from leipzig_app.domain.reports import Location, ReportDraft

MIGRATIONS = Migrations(
    "outbox",
    [
        """
        CREATE TABLE outbox_items (
            id TEXT PRIMARY KEY,
            idempotency_key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL,
            draft TEXT NOT NULL,
            photos TEXT NOT NULL,
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            first_attempt_at TEXT,
            uncertain INTEGER NOT NULL DEFAULT 0,
            error_key TEXT,
            error_params TEXT NOT NULL DEFAULT '{}',
            error_detail TEXT NOT NULL DEFAULT '',
            service_request_id TEXT,
            token TEXT,
            service_notice TEXT,
            status TEXT,
            status_notes TEXT NOT NULL DEFAULT '',
            status_updated_at TEXT,
            sent_at TEXT
        );
        CREATE INDEX outbox_items_due ON outbox_items (state, next_attempt_at);
        CREATE TABLE report_cache (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
        # 2: every report and cache entry belongs to a city profile. NULL marks a report kept before
        # (claimed by the first city that opens the outbox, see `SqliteOutboxStore`).
        """
        ALTER TABLE outbox_items ADD COLUMN city TEXT;
        CREATE INDEX outbox_items_city ON outbox_items (city, state, next_attempt_at);
        DROP TABLE report_cache;
        CREATE TABLE report_cache (
            city TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (city, key)
        );
        """,
    ],
)

#: A photo folder without a row is removed at start once it is this old.
ORPHAN_MIN_AGE = timedelta(minutes=10)

_COLUMNS = (
    "id", "idempotency_key", "state", "draft", "photos", "created_at", "attempts", "next_attempt_at",
    "first_attempt_at", "uncertain", "error_key", "error_params", "error_detail", "service_request_id",
    "token", "service_notice", "status", "status_notes", "status_updated_at", "sent_at",
)  # fmt: skip


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return time.time()


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _draft_json(draft: ReportDraft) -> str:
    data = asdict(draft)
    data["attributes"] = {k: list(v) for k, v in draft.attributes.items()}
    return json.dumps(data, ensure_ascii=False)


def _draft_from(text: str) -> ReportDraft:
    data = json.loads(text)
    return ReportDraft(
        service_code=data["service_code"],
        service_name=data.get("service_name", ""),
        location=Location(**data["location"]),
        description=data["description"],
        attributes={k: tuple(v) for k, v in data.get("attributes", {}).items()},
        email=data.get("email"),
    )


class SqliteOutboxStore:
    """One city's outbox items in SQLite, their photos as files below `folder` (shared by all cities)."""

    def __init__(self, db: Database, folder: Path, *, city: str):
        if not city:
            raise ValueError("the outbox needs the id of the city profile it serves")
        self._db = db
        self.city = city
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        # a profile id is a file name on every platform only after hashing (case, reserved names)
        digest = hashlib.sha256(city.encode()).hexdigest()[:16]
        self.sender_lock = FileLock(self.folder / f".sending-{digest}.lock")
        self._claim_unassigned()
        self._remove_orphans()

    def _claim_unassigned(self) -> None:
        with self._db.transaction() as conn:
            conn.execute("UPDATE outbox_items SET city = ? WHERE city IS NULL", (self.city,))

    def _remove_orphans(self) -> None:
        # Every city's rows count: another city's waiting report keeps its photos. A young folder may
        # belong to a report being added right now (photos are written before its row), so it stays.
        with self._db.transaction() as conn:
            known = {row["id"] for row in conn.execute("SELECT id FROM outbox_items")}
        cutoff = time.time() - ORPHAN_MIN_AGE.total_seconds()
        for entry in self.folder.iterdir():
            if entry.is_dir() and entry.name not in known and _mtime(entry) < cutoff:
                shutil.rmtree(entry, ignore_errors=True)

    def _row(self, item: OutboxItem) -> tuple[Any, ...]:
        return (
            item.id, item.idempotency_key, item.state.value, _draft_json(item.draft), json.dumps(item.photos),
            _dt(item.created_at), item.attempts, _dt(item.next_attempt_at), _dt(item.first_attempt_at),
            int(item.uncertain), item.error_key, json.dumps(dict(item.error_params), default=str),
            item.error_detail, item.service_request_id, item.token, item.service_notice, item.status,
            item.status_notes, _dt(item.status_updated_at), _dt(item.sent_at),
        )  # fmt: skip

    @staticmethod
    def _item(row: sqlite3.Row) -> OutboxItem:
        return OutboxItem(
            id=row["id"],
            idempotency_key=row["idempotency_key"],
            state=OutboxState(row["state"]),
            draft=_draft_from(row["draft"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            photos=tuple(json.loads(row["photos"])),
            attempts=row["attempts"],
            next_attempt_at=_parse_dt(row["next_attempt_at"]),
            first_attempt_at=_parse_dt(row["first_attempt_at"]),
            uncertain=bool(row["uncertain"]),
            error_key=row["error_key"],
            error_params=json.loads(row["error_params"]),
            error_detail=row["error_detail"],
            service_request_id=row["service_request_id"],
            token=row["token"],
            service_notice=row["service_notice"],
            status=row["status"],
            status_notes=row["status_notes"],
            status_updated_at=_parse_dt(row["status_updated_at"]),
            sent_at=_parse_dt(row["sent_at"]),
        )

    def add(self, item: OutboxItem, photos: Sequence[bytes]) -> OutboxItem:
        folder = self.folder / item.id
        names = []
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for number, data in enumerate(photos, start=1):
                name = f"{number}.jpg"
                temporary = folder / f".{name}.part"
                temporary.write_bytes(data)
                os.replace(temporary, folder / name)
                names.append(name)
        except OSError as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise StorageError(f"cannot keep the report's photos in {folder}: {error.strerror}") from None
        stored = replace(item, photos=tuple(names))
        placeholders = ", ".join("?" * (len(_COLUMNS) + 1))
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO outbox_items ({', '.join(_COLUMNS)}, city) VALUES ({placeholders})",  # noqa: S608
                (*self._row(stored), self.city),
            )
        return stored

    def save(self, item: OutboxItem) -> None:
        assignments = ", ".join(f"{c} = ?" for c in _COLUMNS[1:])
        with self._db.transaction() as conn:
            conn.execute(
                f"UPDATE outbox_items SET {assignments} WHERE id = ? AND city = ?",  # noqa: S608
                (*self._row(item)[1:], item.id, self.city),
            )

    def get(self, item_id: str) -> OutboxItem | None:
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM outbox_items WHERE id = ? AND city = ?", (item_id, self.city)
            ).fetchone()
        return self._item(row) if row else None

    def items(self) -> list[OutboxItem]:
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM outbox_items WHERE city = ? ORDER BY created_at, id", (self.city,)
            ).fetchall()
        return [self._item(row) for row in rows]

    def photo(self, item: OutboxItem, name: str) -> bytes:
        path = self.folder / item.id / name
        try:
            return path.read_bytes()
        except OSError as error:
            raise StorageError(f"the report's photo {path} is missing: {error.strerror}") from None

    def delete(self, item_id: str) -> None:
        with self._db.transaction() as conn:
            deleted = conn.execute(
                "DELETE FROM outbox_items WHERE id = ? AND city = ?", (item_id, self.city)
            ).rowcount
        if deleted:
            shutil.rmtree(self.folder / item_id, ignore_errors=True)

    def try_lock_sending(self) -> bool:
        return self.sender_lock.try_acquire()

    def unlock_sending(self) -> None:
        self.sender_lock.release()

    def cache_get(self, key: str) -> object | None:
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT value FROM report_cache WHERE city = ? AND key = ?", (self.city, key)
            ).fetchone()
        return json.loads(row["value"]) if row else None

    def cache_set(self, key: str, value: object) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO report_cache (city, key, value) VALUES (?, ?, ?) "
                "ON CONFLICT(city, key) DO UPDATE SET value = excluded.value",
                (self.city, key, json.dumps(value, ensure_ascii=False, default=str)),
            )
