"""Demo city: the second Open311 jurisdiction, `offenbach.de`, with its own categories and requests.

The Open311 server (`open311.py`) hosts several jurisdictions; a service belongs to the one named in
`open311_service_jurisdiction` (unlisted services are Leipzig's). This module seeds Offenbach's demo
categories and a few demo requests once, after the Leipzig seed. It has no endpoints of its own.
All of it is demo data.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from fastapi import APIRouter

from leipzig_app.sandbox.context import SandboxContext

JURISDICTION = "offenbach.de"
SCHEMA: list[str] = []

#: (code, name, description, group, keywords, type, agency, attributes [(code, datatype, required, text,
#: datatype description, [(key, name)])])
_SERVICES = [
    ("of-wilder-muell", "Wilder Müll", "Abgelegter Sperrmüll, Säcke oder Bauschutt auf öffentlichen Flächen.",
     "Sauberkeit", "Müll,Sperrmüll,Ablagerung,Dreck", "realtime", "ESO Offenbacher Dienste (Demo)",
     [("art", "singlevaluelist", True, "Was liegt dort?", "",
       [("sperrmuell", "Sperrmüll"), ("saecke", "Müllsäcke"), ("bauschutt", "Bauschutt")])]),
    ("of-strassenschaden", "Straßenschaden", "Schlaglöcher und Schäden an Fahrbahn oder Gehweg.",
     "Straße und Verkehr", "Straße,Loch,Gehweg,Schlagloch", "realtime", "Amt für Mobilität (Demo)", []),
    ("of-beleuchtung", "Straßenbeleuchtung", "Laterne dunkel oder defekt.", "Straße und Verkehr",
     "Licht,Laterne,Lampe", "realtime", "Stadtwerke Offenbach (Demo)", []),
    ("of-gruenflaeche", "Grünflächen und Spielplätze", "Schäden an Spielgeräten, Bänken oder Bäumen.",
     "Grün", "Park,Spielplatz,Baum,Bank", "batch", "Amt für Umwelt, Energie und Mobilität (Demo)", []),
]  # fmt: skip

#: (code, description, lat, long, address, status, notes, days after 2026-11-02)
_REQUESTS = [
    ("of-wilder-muell", "Matratzen und Säcke neben dem Glascontainer.", 50.1055, 8.7624,
     "Frankfurter Straße 40, 63065 Offenbach am Main", "open", "Eingegangen.", 1),
    ("of-strassenschaden", "Tiefes Schlagloch vor der Ampel.", 50.0987, 8.7761,
     "Mühlheimer Straße 120, 63075 Offenbach am Main", "closed", "Ausgebessert. Vielen Dank!", 3),
]  # fmt: skip


def seed(ctx: SandboxContext) -> None:
    with ctx.db() as conn:
        if conn.execute("SELECT 1 FROM sandbox_meta WHERE key = 'open311_offenbach_seeded'").fetchone():
            return
        for sort, (code, name, desc, grp, kw, kind, agency, attrs) in enumerate(_SERVICES, start=1000):
            conn.execute(
                "INSERT INTO open311_services (code, name, description, grp, keywords, type, agency, sort) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (code, name, desc, grp, kw, kind, agency, sort),
            )
            conn.execute(
                "INSERT INTO open311_service_jurisdiction (code, jurisdiction) VALUES (?, ?)",
                (code, JURISDICTION),
            )
            for order, (a_code, datatype, required, a_desc, dt_desc, values) in enumerate(attrs, start=1):
                conn.execute(
                    "INSERT INTO open311_attributes (service_code, code, datatype, required, description, "
                    "datatype_description, ord, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (code, a_code, datatype, int(required), a_desc, dt_desc, order,
                     json.dumps([{"key": k, "name": n} for k, n in values], ensure_ascii=False)),
                )  # fmt: skip
        base = datetime.fromisoformat("2026-11-02T09:00:00+00:00")
        for number, (code, desc, lat, long, address, status, notes, days) in enumerate(_REQUESTS):
            at = (base + timedelta(days=days, hours=number)).isoformat(timespec="seconds")
            conn.execute(
                "INSERT INTO open311_requests (id, token, service_code, description, lat, long, address, "
                "email, attributes, media_url, status, status_notes, service_notice, requested_at, "
                "updated_at, expected_at, visible_at) VALUES (?, NULL, ?, ?, ?, ?, ?, NULL, '{}', '', ?, ?, "
                "'Demodaten', ?, ?, NULL, ?)",
                (str(300101 + number), code, desc, lat, long, address, status, notes, at, at, at),
            )
        conn.execute("INSERT INTO sandbox_meta (key, value) VALUES ('open311_offenbach_seeded', '1')")


def create_router(ctx: SandboxContext) -> APIRouter:
    return APIRouter()
