"""The demo city's Open311 data: tables, settings, reading services and requests, and the rules that
change a request's status over time (the demo categories and requests are in `open311_seed.py`).

Every request gets a plan of status updates when it is created (checked after minutes, closed after days);
the plan is applied lazily whenever requests are read, using the demo city's clock, so statuses change
over time without a background thread. Testers change them at once through `/demo/open311/...`.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

API_KEY = "demo-open311-key"
JURISDICTION = "leipzig.de"
#: Jurisdictions this demo server hosts; the first is the default when a client sends none.
JURISDICTIONS = (JURISDICTION, "offenbach.de")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS open311_services (
        code TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL, grp TEXT NOT NULL,
        keywords TEXT NOT NULL, type TEXT NOT NULL, agency TEXT NOT NULL, sort INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS open311_attributes (
        service_code TEXT NOT NULL, code TEXT NOT NULL, datatype TEXT NOT NULL, required INTEGER NOT NULL,
        description TEXT NOT NULL, datatype_description TEXT NOT NULL, ord INTEGER NOT NULL,
        vals TEXT NOT NULL, PRIMARY KEY (service_code, code))""",
    """CREATE TABLE IF NOT EXISTS open311_requests (
        id TEXT PRIMARY KEY, token TEXT UNIQUE, service_code TEXT NOT NULL, description TEXT NOT NULL,
        lat REAL, long REAL, address TEXT NOT NULL, email TEXT, attributes TEXT NOT NULL,
        media_url TEXT NOT NULL, status TEXT NOT NULL, status_notes TEXT NOT NULL,
        service_notice TEXT NOT NULL, requested_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        expected_at TEXT, visible_at TEXT NOT NULL, idempotency_key TEXT UNIQUE)""",
    """CREATE TABLE IF NOT EXISTS open311_updates (
        id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, due_at TEXT NOT NULL, status TEXT NOT NULL,
        notes TEXT NOT NULL, applied INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS open311_idempotency (
        key TEXT PRIMARY KEY, status INTEGER NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL)""",
    # What each stored Idempotency-Key was sent with: the same key with another request is refused (422).
    """CREATE TABLE IF NOT EXISTS open311_idempotency_payload (
        key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS open311_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
    # Services of the other jurisdictions (open311_offenbach.py); a service not listed is JURISDICTION's.
    """CREATE TABLE IF NOT EXISTS open311_service_jurisdiction (
        code TEXT PRIMARY KEY, jurisdiction TEXT NOT NULL)""",
]


#: SQL condition on a request `r`: its service belongs to a jurisdiction; parameters (JURISDICTION, wanted).
REQUEST_IN_JURISDICTION = (
    "COALESCE((SELECT j.jurisdiction FROM open311_service_jurisdiction j "
    "WHERE j.code = r.service_code), ?) = ?"
)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- settings (fault injection, idempotency, batch processing) -------------------------------------------

DEFAULT_SETTINGS: dict[str, Any] = {
    "honour_idempotency": True,
    "batch_delay_seconds": 60.0,
    "check_after_seconds": 600.0,
    "close_after_seconds": 172800.0,
    # 0: JSON and XML; 404, 406 or 415: every `.json` URL answers that (an XML-only server).
    "refuse_json": 0,
}


def get_setting(conn: sqlite3.Connection, key: str) -> Any:
    row = conn.execute("SELECT value FROM open311_settings WHERE key = ?", (key,)).fetchone()
    return json.loads(row["value"]) if row else DEFAULT_SETTINGS.get(key)


def set_setting(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute(
        "INSERT INTO open311_settings (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value)),
    )


# --- services -------------------------------------------------------------------------------------------


def services(conn: sqlite3.Connection, jurisdiction: str = JURISDICTION) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT s.* FROM open311_services s LEFT JOIN open311_service_jurisdiction j ON j.code = s.code "
        "WHERE COALESCE(j.jurisdiction, ?) = ? ORDER BY s.sort",
        (JURISDICTION, jurisdiction),
    ).fetchall()
    with_attrs = {
        r["service_code"] for r in conn.execute("SELECT DISTINCT service_code FROM open311_attributes")
    }
    return [
        {
            "service_code": r["code"],
            "service_name": r["name"],
            "description": r["description"],
            "metadata": r["code"] in with_attrs,
            "type": r["type"],
            "keywords": r["keywords"],
            "group": r["grp"],
        }
        for r in rows
    ]


def service_row(conn: sqlite3.Connection, code: str, jurisdiction: str = JURISDICTION) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT s.* FROM open311_services s LEFT JOIN open311_service_jurisdiction j ON j.code = s.code "
        "WHERE s.code = ? AND COALESCE(j.jurisdiction, ?) = ?",
        (code, JURISDICTION, jurisdiction),
    ).fetchone()
    return row


def attributes(conn: sqlite3.Connection, code: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT * FROM open311_attributes WHERE service_code = ? ORDER BY ord", (code,)
    ).fetchall()
    return [
        {
            "variable": True,
            "code": r["code"],
            "datatype": r["datatype"],
            "required": bool(r["required"]),
            "datatype_description": r["datatype_description"],
            "order": r["ord"],
            "description": r["description"],
            "values": json.loads(r["vals"]),
        }
        for r in rows
    ]


# --- requests -------------------------------------------------------------------------------------------


def apply_due_updates(conn: sqlite3.Connection, now: datetime) -> None:
    """Apply every planned status update whose time has come (statuses change over time)."""
    due = conn.execute(
        "SELECT * FROM open311_updates WHERE applied = 0 AND due_at <= ? ORDER BY due_at, id", (iso(now),)
    ).fetchall()
    for update in due:
        conn.execute(
            "UPDATE open311_requests SET status = ?, status_notes = ?, updated_at = ? WHERE id = ?",
            (update["status"], update["notes"], update["due_at"], update["request_id"]),
        )
        conn.execute("UPDATE open311_updates SET applied = 1 WHERE id = ?", (update["id"],))


def plan_updates(conn: sqlite3.Connection, request_id: str, agency: str, now: datetime) -> None:
    check = float(get_setting(conn, "check_after_seconds"))
    close = float(get_setting(conn, "close_after_seconds"))
    for delay, status, notes in (
        (check, "open", f"Geprüft und an {agency} weitergeleitet."),
        (close, "closed", "Erledigt. Vielen Dank für Ihre Meldung."),
    ):
        conn.execute(
            "INSERT INTO open311_updates (request_id, due_at, status, notes) VALUES (?, ?, ?, ?)",
            (request_id, iso(now + timedelta(seconds=delay)), status, notes),
        )


def next_request_id(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT MAX(CAST(id AS INTEGER)) AS m FROM open311_requests").fetchone()
    return str(max(int(row["m"] or 0), 200000) + 1)


def request_json(row: sqlite3.Row, base_url: str) -> dict[str, Any]:
    media = row["media_url"]
    if media and media.startswith("/"):
        media = base_url + media
    return {
        "service_request_id": row["id"],
        "status": row["status"],
        "status_notes": row["status_notes"],
        "service_name": row["name"],
        "service_code": row["service_code"],
        "description": row["description"],
        "agency_responsible": row["agency"],
        "service_notice": row["service_notice"],
        "requested_datetime": row["requested_at"],
        "updated_datetime": row["updated_at"],
        "expected_datetime": row["expected_at"],
        "address": row["address"],
        "address_id": None,
        "zipcode": None,
        "lat": row["lat"],
        "long": row["long"],
        "media_url": media,
    }


REQUEST_SELECT = (
    "SELECT r.*, s.name AS name, s.agency AS agency FROM open311_requests r "
    "JOIN open311_services s ON s.code = r.service_code"
)
