"""Settings kept in the local database (language, theme, city profile, text size, easy language)."""

from __future__ import annotations

import json
from typing import Any

from leipzig_app.adapters.sqlite_store import Database, Migrations

MIGRATIONS = Migrations(
    "settings",
    [
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    ],
)


class SqliteSettingsStore:
    """Implements the `SettingsStore` port: JSON values by key."""

    def __init__(self, db: Database):
        self._db = db

    def get(self, key: str, default: Any = None) -> Any:
        with self._db.transaction() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row["value"])
        except json.JSONDecodeError:
            return default

    def set(self, key: str, value: Any) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )

    def all(self) -> dict[str, Any]:
        with self._db.transaction() as conn:
            rows = conn.execute("SELECT key, value FROM settings").fetchall()
        return {row["key"]: json.loads(row["value"]) for row in rows}
