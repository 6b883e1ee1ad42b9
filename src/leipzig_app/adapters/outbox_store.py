"""The durable outbox in the local SQLite database (component "outbox"), photos in the data folder.

Implements the `OutboxStore` port. Photos are written to `<data>/outbox/<item id>/<n>.jpg` (atomically,
through a temporary file) *before* the row that names them is committed, so a killed app never leaves a
row pointing at a missing photo; a folder without a row is removed on the next start. Each state change is
one committed transaction (WAL mode), written before the network call it precedes: a process killed at
any point finds on restart exactly what was decided before it died. A small key/value cache keeps the
city's categories and definitions for reporting offline.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import Any

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
    ],
)

_COLUMNS = (
    "id", "idempotency_key", "state", "draft", "photos", "created_at", "attempts", "next_attempt_at",
    "first_attempt_at", "uncertain", "error_key", "error_params", "error_detail", "service_request_id",
    "token", "service_notice", "status", "status_notes", "status_updated_at", "sent_at",
)  # fmt: skip


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
    """Outbox items in SQLite, their photos as files below `folder`."""

    def __init__(self, db: Database, folder: Path):
        self._db = db
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._remove_orphans()

    def _remove_orphans(self) -> None:
        known = {item.id for item in self.items()}
        for entry in self.folder.iterdir():
            if entry.is_dir() and entry.name not in known:
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
        placeholders = ", ".join("?" * len(_COLUMNS))
        with self._db.transaction() as conn:
            conn.execute(
                f"INSERT INTO outbox_items ({', '.join(_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
                self._row(stored),
            )
        return stored

    def save(self, item: OutboxItem) -> None:
        assignments = ", ".join(f"{c} = ?" for c in _COLUMNS[1:])
        with self._db.transaction() as conn:
            conn.execute(
                f"UPDATE outbox_items SET {assignments} WHERE id = ?",  # noqa: S608
                (*self._row(item)[1:], item.id),
            )

    def get(self, item_id: str) -> OutboxItem | None:
        with self._db.transaction() as conn:
            row = conn.execute("SELECT * FROM outbox_items WHERE id = ?", (item_id,)).fetchone()
        return self._item(row) if row else None

    def items(self) -> list[OutboxItem]:
        with self._db.transaction() as conn:
            rows = conn.execute("SELECT * FROM outbox_items ORDER BY created_at, id").fetchall()
        return [self._item(row) for row in rows]

    def photo(self, item: OutboxItem, name: str) -> bytes:
        path = self.folder / item.id / name
        try:
            return path.read_bytes()
        except OSError as error:
            raise StorageError(f"the report's photo {path} is missing: {error.strerror}") from None

    def delete(self, item_id: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM outbox_items WHERE id = ?", (item_id,))
        shutil.rmtree(self.folder / item_id, ignore_errors=True)

    def cache_get(self, key: str) -> object | None:
        with self._db.transaction() as conn:
            row = conn.execute("SELECT value FROM report_cache WHERE key = ?", (key,)).fetchone()
        return json.loads(row["value"]) if row else None

    def cache_set(self, key: str, value: object) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO report_cache (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False, default=str)),
            )
