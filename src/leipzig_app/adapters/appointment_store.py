"""The resident's bookings ("Meine Termine") in the local database, component "appointments".

The booking's process id and auth key are not stored here but in the `SecretStore`.

Every booking belongs to the city profile it was made in (`city`, the profile id): a store is opened for
one city and lists, refreshes and cancels only that city's bookings, whose process ids only that city's
server knows. Bookings kept before rows carried a city (schema version 2) are claimed by the first city
the store is opened for after the update, that is the profile active then.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from leipzig_app.adapters.sqlite_store import Database, Migrations
from leipzig_app.domain.appointments import AppointmentRecord, BookingState

MIGRATIONS = Migrations(
    "appointments",
    [
        """
        CREATE TABLE appointments (
            id TEXT PRIMARY KEY,
            office_id TEXT NOT NULL,
            office_name TEXT NOT NULL,
            office_address TEXT NOT NULL,
            service_ids TEXT NOT NULL,
            service_names TEXT NOT NULL,
            service_counts TEXT NOT NULL,
            start TEXT NOT NULL,
            state TEXT NOT NULL,
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            telephone TEXT NOT NULL,
            reserved_until TEXT,
            created_at TEXT
        );
        """,
        # The booking a rescheduled one replaces (cancelled once the new one is confirmed).
        "ALTER TABLE appointments ADD COLUMN replaces TEXT;",
        # 3: the city profile a booking was made in (NULL: kept before, claimed by the first city opened).
        "ALTER TABLE appointments ADD COLUMN city TEXT;",
    ],
)


class SqliteAppointmentStore:
    """Implements the `AppointmentStore` port."""

    def __init__(self, db: Database, *, city: str):
        if not city:
            raise ValueError("the bookings store needs the id of the city profile it serves")
        self._db = db
        self.city = city
        with self._db.transaction() as conn:
            conn.execute("UPDATE appointments SET city = ? WHERE city IS NULL", (city,))

    def list(self) -> list[AppointmentRecord]:
        with self._db.transaction() as conn:
            rows = conn.execute("SELECT * FROM appointments WHERE city = ?", (self.city,)).fetchall()
        return sorted((_record(r) for r in rows), key=lambda r: r.start.timestamp())

    def get(self, record_id: str) -> AppointmentRecord | None:
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM appointments WHERE id = ? AND city = ?", (record_id, self.city)
            ).fetchone()
        return _record(row) if row else None

    def save(self, record: AppointmentRecord) -> None:
        values = (
            record.id,
            record.office_id,
            record.office_name,
            record.office_address,
            json.dumps(record.service_ids),
            json.dumps(record.service_names, ensure_ascii=False),
            json.dumps(record.service_counts),
            record.start.isoformat(),
            record.state.value,
            record.name,
            record.email,
            record.telephone,
            record.reserved_until.isoformat() if record.reserved_until else None,
            record.created_at.isoformat() if record.created_at else None,
            record.replaces,
            self.city,
        )
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO appointments (id, office_id, office_name, office_address, "
                "service_ids, service_names, service_counts, start, state, name, email, telephone, "
                "reserved_until, created_at, replaces, city) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )

    def delete(self, record_id: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM appointments WHERE id = ? AND city = ?", (record_id, self.city))


def _record(row: sqlite3.Row) -> AppointmentRecord:
    return AppointmentRecord(
        id=row["id"],
        office_id=row["office_id"],
        office_name=row["office_name"],
        office_address=row["office_address"],
        service_ids=tuple(json.loads(row["service_ids"])),
        service_names=tuple(json.loads(row["service_names"])),
        service_counts=tuple(int(c) for c in json.loads(row["service_counts"])),
        start=datetime.fromisoformat(row["start"]),
        state=BookingState(row["state"]),
        name=row["name"],
        email=row["email"],
        telephone=row["telephone"],
        reserved_until=datetime.fromisoformat(row["reserved_until"]) if row["reserved_until"] else None,
        created_at=datetime.fromisoformat(row["created_at"]) if row["created_at"] else None,
        replaces=row["replaces"],
    )
