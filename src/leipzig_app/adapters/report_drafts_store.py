"""Report drafts in the local SQLite database (component "report_drafts"), their photos as files.

A draft is what the resident has written so far in the "Melden" wizard: a JSON state (category, answers,
description, place, contact, step) in one row per city and slot, and the photos as files in
`<data>/report-drafts/<city>/<slot>/<sha256>.jpg`. A store is opened for one city profile and sees only
that city's drafts (a draft holds the city's categories and is sent to the city it was written for).
Only photos that were already privacy-processed (EXIF gone, faces and plates blurred) are handed to this
store; originals never reach the disk.

Photo files are named by their content, so saving the draft on every keystroke writes no photo twice.
New files are written atomically (temporary file, then rename) *before* the row that names them is
committed; files the committed row no longer names are removed afterwards. A process killed at any point
leaves a row whose photos all exist; a leftover file or folder is removed at a later start (once it is
older than `LEFTOVER_MIN_AGE`, so a save running at that moment keeps its fresh files).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from leipzig_app.adapters.sqlite_store import Database, Migrations, StorageError

MIGRATIONS = Migrations(
    "report_drafts",
    [
        """
        CREATE TABLE report_drafts (
            city TEXT NOT NULL,
            slot TEXT NOT NULL,
            state TEXT NOT NULL,
            photos TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (city, slot)
        );
        """,
    ],
)

#: A file or folder no row names is removed at start once it is this old.
LEFTOVER_MIN_AGE = timedelta(minutes=10)
#: Cities and slots become folder names: letters, digits, "-" and "_" only (the outbox's ids are hex UUIDs).
_SLOT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _check_slot(slot: str) -> str:
    if not _SLOT.match(slot):
        raise StorageError(f"not a valid draft slot: {slot!r}")
    return slot


def _old(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except OSError:
        return False


def _photo_name(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32] + ".jpg"


class SqliteReportDraftStore:
    """Implements the `ReportDraftStore` port of `services/report_drafts.py`."""

    def __init__(self, db: Database, folder: Path, *, city: str):
        self._db = db
        self.city = _check_slot(city)
        self.folder = Path(folder) / self.city
        self.folder.mkdir(parents=True, exist_ok=True)
        self._remove_leftovers()

    def _names(self) -> dict[str, list[str]]:
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT slot, photos FROM report_drafts WHERE city = ?", (self.city,)
            ).fetchall()
        return {row["slot"]: list(json.loads(row["photos"])) for row in rows}

    def _remove_leftovers(self) -> None:
        """Folders without a row and files no row names (a save or delete interrupted by a kill)."""
        known = self._names()
        cutoff = time.time() - LEFTOVER_MIN_AGE.total_seconds()
        for entry in self.folder.iterdir():
            if not entry.is_dir() or entry.name not in known:
                if _old(entry, cutoff):
                    _remove(entry)
                continue
            wanted = set(known[entry.name])
            for file in entry.iterdir():
                if file.name not in wanted and _old(file, cutoff):
                    _remove(file)

    def save(self, slot: str, state: Mapping[str, Any], photos: Sequence[bytes]) -> None:
        """Keep the draft (replacing the slot's previous one); photos first, then the row."""
        folder = self.folder / _check_slot(slot)
        names = [_photo_name(data) for data in photos]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in zip(names, photos, strict=True):
                target = folder / name
                if target.exists():
                    continue
                temporary = folder / f".{name}.part"
                temporary.write_bytes(data)
                os.replace(temporary, target)
        except OSError as error:
            raise StorageError(f"cannot keep the draft's photos in {folder}: {error.strerror}") from None
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO report_drafts (city, slot, state, photos, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(city, slot) DO UPDATE SET state = excluded.state, photos = excluded.photos, "
                "updated_at = excluded.updated_at",
                (
                    self.city,
                    slot,
                    json.dumps(dict(state), ensure_ascii=False),
                    json.dumps(names),
                    datetime.now(UTC).isoformat(),
                ),
            )
        wanted = set(names)
        for file in folder.iterdir():
            if file.name not in wanted:
                _remove(file)

    def load(self, slot: str) -> tuple[dict[str, Any], list[bytes]] | None:
        """The slot's state and photos, or None when there is no draft (or its photos are gone)."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT state, photos FROM report_drafts WHERE city = ? AND slot = ?",
                (self.city, _check_slot(slot)),
            ).fetchone()
        if row is None:
            return None
        try:
            state = json.loads(row["state"])
            names = json.loads(row["photos"])
        except json.JSONDecodeError as error:
            raise StorageError(f"the saved draft {slot} cannot be read: {error}") from None
        try:
            photos = [(self.folder / slot / name).read_bytes() for name in names]
        except OSError as error:
            raise StorageError(f"a photo of the saved draft {slot} is missing: {error.strerror}") from None
        if not isinstance(state, dict):
            raise StorageError(f"the saved draft {slot} is not a JSON object")
        return state, photos

    def slots(self) -> list[str]:
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT slot FROM report_drafts WHERE city = ? ORDER BY updated_at", (self.city,)
            ).fetchall()
        return [row["slot"] for row in rows]

    def delete(self, slot: str) -> None:
        """Forget the draft: the row first (so a kill never leaves a row without photos), then the files."""
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM report_drafts WHERE city = ? AND slot = ?", (self.city, _check_slot(slot))
            )
        _remove(self.folder / slot)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
