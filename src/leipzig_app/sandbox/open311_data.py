"""The demo city's Open311 data: tables, deterministic demo categories and requests, and the rules that
change a request's status over time.

Every request gets a plan of status updates when it is created (checked after minutes, closed after days);
the plan is applied lazily whenever requests are read, using the demo city's clock, so statuses change
over time without a background thread. Testers change them at once through `/demo/open311/...`.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from leipzig_app.sandbox.context import SandboxContext

API_KEY = "demo-open311-key"
JURISDICTION = "leipzig.de"

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
    """CREATE TABLE IF NOT EXISTS open311_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)""",
]

_LIST = "singlevaluelist"
_MULTI = "multivaluelist"

#: (code, name, description, group, keywords, type, agency, attributes)
_SERVICES: list[tuple[str, str, str, str, str, str, str, list[tuple[Any, ...]]]] = [
    (
        "schlagloch",
        "Schlagloch oder Straßenschaden",
        "Löcher, Risse und Absenkungen in Fahrbahn oder Gehweg.",
        "Straße und Verkehr",
        "Straße,Loch,Gehweg,Radweg,Belag",
        "realtime",
        "Verkehrs- und Tiefbauamt",
        [
            (
                "lage",
                _LIST,
                True,
                "Wo ist der Schaden?",
                "",
                [("fahrbahn", "Fahrbahn"), ("gehweg", "Gehweg"), ("radweg", "Radweg")],
            ),
            ("groesse_cm", "number", False, "Ungefährer Durchmesser in cm", "Zahl, z. B. 30", []),
            ("gefahr", _LIST, True, "Besteht akute Unfallgefahr?", "", [("ja", "Ja"), ("nein", "Nein")]),
        ],
    ),
    (
        "strassenlaterne",
        "Straßenbeleuchtung defekt",
        "Laterne dunkel, flackert oder brennt am Tag.",
        "Straße und Verkehr",
        "Licht,Laterne,Lampe,dunkel",
        "realtime",
        "Verkehrs- und Tiefbauamt",
        [
            ("mastnummer", "string", False, "Nummer am Mast (falls lesbar)", "z. B. 12-345", []),
            (
                "fehlerbild",
                _LIST,
                True,
                "Was ist los?",
                "",
                [("aus", "Leuchtet nicht"), ("flackert", "Flackert"), ("tag", "Brennt am Tag")],
            ),
            ("seit", "datetime", False, "Seit wann?", "Datum, z. B. 2026-11-20", []),
        ],
    ),
    (
        "ampel",
        "Ampelstörung",
        "Ampel ausgefallen, blinkt gelb oder Taster ohne Funktion.",
        "Straße und Verkehr",
        "Ampel,Signal,Lichtsignalanlage,Taster",
        "realtime",
        "Verkehrs- und Tiefbauamt",
        [],
    ),
    (
        "muell",
        "Illegale Müllablagerung",
        "Sperrmüll, Säcke oder Bauschutt im öffentlichen Raum.",
        "Sauberkeit",
        "Müll,Abfall,Sperrmüll,Dreck,Ablagerung",
        "realtime",
        "Amt für Umweltschutz",
        [
            (
                "art",
                _MULTI,
                True,
                "Was liegt dort?",
                "Mehrfachauswahl",
                [
                    ("sperrmuell", "Sperrmüll"),
                    ("saecke", "Müllsäcke"),
                    ("bauschutt", "Bauschutt"),
                    ("elektro", "Elektrogeräte"),
                    ("reifen", "Reifen"),
                ],
            ),
            ("menge", "number", False, "Ungefähre Menge in Kubikmetern", "Zahl, z. B. 1,5", []),
            ("hinweise", "text", False, "Hinweise zum Verursacher", "", []),
        ],
    ),
    (
        "graffiti",
        "Graffiti und Schmierereien",
        "Beschmierte öffentliche Gebäude, Brücken oder Anlagen.",
        "Sauberkeit",
        "Graffiti,Schmiererei,Sprayer,Farbe",
        "batch",
        "Amt für Stadtgrün und Gewässer",
        [
            (
                "flaeche",
                _LIST,
                False,
                "Größe der Fläche",
                "",
                [("klein", "bis 1 m²"), ("mittel", "1-5 m²"), ("gross", "über 5 m²")],
            ),
            (
                "anstoessig",
                _LIST,
                True,
                "Ist der Inhalt beleidigend oder verfassungsfeindlich?",
                "",
                [("ja", "Ja"), ("nein", "Nein")],
            ),
        ],
    ),
    (
        "papierkorb",
        "Papierkorb voll oder defekt",
        "Überfüllte oder beschädigte Papierkörbe.",
        "Sauberkeit",
        "Papierkorb,Mülleimer,voll",
        "realtime",
        "Stadtreinigung Leipzig",
        [],
    ),
    (
        "baum",
        "Baum oder Ast beschädigt",
        "Abgebrochene Äste, umgestürzte oder kranke Bäume.",
        "Stadtgrün",
        "Baum,Ast,Grün,Sturm",
        "realtime",
        "Amt für Stadtgrün und Gewässer",
        [("blockiert", _LIST, True, "Ist ein Weg blockiert?", "", [("ja", "Ja"), ("nein", "Nein")])],
    ),
    (
        "spielplatz",
        "Spielplatz: Gerät beschädigt",
        "Beschädigte Spielgeräte, Glasscherben, Sand verschmutzt.",
        "Stadtgrün",
        "Spielplatz,Schaukel,Rutsche,Kinder,Scherben",
        "realtime",
        "Amt für Stadtgrün und Gewässer",
        [
            ("geraet", "string", True, "Welches Gerät?", "z. B. Schaukel", []),
            ("beobachtet", "datetime", False, "Wann beobachtet?", "Datum und Uhrzeit", []),
        ],
    ),
]

_SEED_REQUESTS = [
    # (service, description, lat, long, address, status, notes, days after 2026-11-02)
    (
        "schlagloch",
        "Tiefes Schlagloch in der rechten Fahrspur vor Hausnummer 12.",
        51.3406,
        12.3747,
        "Markt 12, 04109 Leipzig",
        "open",
        "Schaden ist aufgenommen, Reparatur geplant.",
        0,
    ),
    (
        "strassenlaterne",
        "Laterne vor dem Eingang leuchtet seit Tagen nicht.",
        51.3397,
        12.3731,
        "Thomaskirchhof 20, 04109 Leipzig",
        "open",
        "",
        1,
    ),
    (
        "muell",
        "Mehrere Müllsäcke und ein alter Sessel am Straßenrand.",
        51.3280,
        12.3890,
        "Karl-Liebknecht-Straße 100, 04275 Leipzig",
        "closed",
        "Abgeholt. Danke für Ihren Hinweis.",
        2,
    ),
    (
        "baum",
        "Großer Ast liegt quer über dem Radweg.",
        51.3450,
        12.3600,
        "Clara-Zetkin-Park, 04107 Leipzig",
        "closed",
        "Ast wurde entfernt.",
        3,
    ),
    (
        "graffiti",
        "Schmierereien an der Brückenwand, ca. 3 m breit.",
        51.3380,
        12.3930,
        "Prager Straße 2, 04103 Leipzig",
        "open",
        "An die Graffitibeseitigung weitergegeben.",
        4,
    ),
    (
        "papierkorb",
        "Papierkorb an der Haltestelle quillt über.",
        51.3449,
        12.3810,
        "Hauptbahnhof Westseite, 04109 Leipzig",
        "open",
        "",
        5,
    ),
    (
        "spielplatz",
        "Kette der Schaukel ist gerissen.",
        51.3530,
        12.3950,
        "Spielplatz Stannebeinplatz, 04347 Leipzig",
        "open",
        "",
        6,
    ),
    (
        "ampel",
        "Fußgängerampel zeigt dauerhaft Rot.",
        51.3330,
        12.3800,
        "Roßplatz / Grünewaldstraße, 04103 Leipzig",
        "open",
        "Techniker ist informiert.",
        7,
    ),
]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def seed(ctx: SandboxContext) -> None:
    with ctx.db() as conn:
        if conn.execute("SELECT 1 FROM sandbox_meta WHERE key = 'open311_seeded'").fetchone():
            return
        for sort, (code, name, desc, grp, kw, kind, agency, attrs) in enumerate(_SERVICES):
            conn.execute(
                "INSERT INTO open311_services VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (code, name, desc, grp, kw, kind, agency, sort),
            )
            for order, (a_code, datatype, required, a_desc, dt_desc, values) in enumerate(attrs, start=1):
                conn.execute(
                    "INSERT INTO open311_attributes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        code, a_code, datatype, int(required), a_desc, dt_desc, order,
                        json.dumps([{"key": k, "name": n} for k, n in values], ensure_ascii=False),
                    ),
                )  # fmt: skip
        base = datetime.fromisoformat("2026-11-02T08:00:00+00:00")
        for number, (code, desc, lat, long, address, status, notes, days) in enumerate(_SEED_REQUESTS):
            at = iso(base + timedelta(days=days, hours=number))
            conn.execute(
                "INSERT INTO open311_requests (id, token, service_code, description, lat, long, address, "
                "email, attributes, media_url, status, status_notes, service_notice, requested_at, "
                "updated_at, expected_at, visible_at) VALUES (?, NULL, ?, ?, ?, ?, ?, NULL, '{}', '', ?, ?, "
                "'Demodaten', ?, ?, NULL, ?)",
                (str(100101 + number), code, desc, lat, long, address, status, notes, at, at, at),
            )
        conn.execute("INSERT INTO sandbox_meta (key, value) VALUES ('open311_seeded', '1')")


# --- settings (fault injection, idempotency, batch processing) -------------------------------------------

DEFAULT_SETTINGS: dict[str, Any] = {
    "honour_idempotency": True,
    "batch_delay_seconds": 60.0,
    "check_after_seconds": 600.0,
    "close_after_seconds": 172800.0,
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


def services(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute("SELECT * FROM open311_services ORDER BY sort").fetchall()
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


def service_row(conn: sqlite3.Connection, code: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM open311_services WHERE code = ?", (code,)
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
