"""The services hub's local data: the resident's waste district, reminders and the last good feed.

The feed is kept so that the collection days stay readable offline; it is replaced only by a feed that
parsed. The library card number is NOT kept here (see `card_store.py`).
"""

from __future__ import annotations

import json
from datetime import datetime, time

from leipzig_app.adapters.sqlite_store import Database, Migrations
from leipzig_app.domain.waste import Reminder

MIGRATIONS = Migrations(
    "hub",
    [
        """
        CREATE TABLE hub_values (
            city TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (city, key)
        );
        CREATE TABLE hub_waste_reminders (
            city TEXT NOT NULL,
            bin_type TEXT NOT NULL,
            days_before INTEGER NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (city, bin_type)
        );
        CREATE TABLE hub_waste_feed (
            city TEXT NOT NULL,
            url TEXT NOT NULL,
            body TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            PRIMARY KEY (city)
        );
        """,
    ],
)


class SqliteHubStore:
    """Implements the `HubStore` port; every row belongs to one city profile (switching keeps both)."""

    def __init__(self, db: Database, city: str):
        self._db = db
        self.city = city

    def get_value(self, key: str) -> str | None:
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT value FROM hub_values WHERE city = ? AND key = ?", (self.city, key)
            ).fetchone()
        return None if row is None else str(json.loads(row["value"]))

    def set_value(self, key: str, value: str | None) -> None:
        with self._db.transaction() as conn:
            if value is None:
                conn.execute("DELETE FROM hub_values WHERE city = ? AND key = ?", (self.city, key))
            else:
                conn.execute(
                    "INSERT INTO hub_values (city, key, value) VALUES (?, ?, ?) "
                    "ON CONFLICT(city, key) DO UPDATE SET value = excluded.value",
                    (self.city, key, json.dumps(value)),
                )

    def reminders(self) -> list[Reminder]:
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM hub_waste_reminders WHERE city = ? ORDER BY bin_type", (self.city,)
            ).fetchall()
        return [Reminder(r["bin_type"], int(r["days_before"]), time.fromisoformat(r["at"])) for r in rows]

    def save_reminder(self, reminder: Reminder) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO hub_waste_reminders (city, bin_type, days_before, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(city, bin_type) DO UPDATE SET days_before = excluded.days_before, "
                "at = excluded.at",
                (self.city, reminder.bin_type, reminder.days_before, reminder.at.strftime("%H:%M")),
            )

    def delete_reminder(self, bin_type: str) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM hub_waste_reminders WHERE city = ? AND bin_type = ?", (self.city, bin_type)
            )

    def cached_feed(self) -> tuple[str, datetime] | None:
        # Keyed by city, not URL: the demo city's port (part of the URL) changes with every start.
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT body, fetched_at FROM hub_waste_feed WHERE city = ?", (self.city,)
            ).fetchone()
        return None if row is None else (row["body"], datetime.fromisoformat(row["fetched_at"]))

    def save_feed(self, url: str, body: str, fetched_at: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO hub_waste_feed (city, url, body, fetched_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(city) DO UPDATE SET url = excluded.url, body = excluded.body, "
                "fetched_at = excluded.fetched_at",
                (self.city, url, body, fetched_at.isoformat()),
            )
