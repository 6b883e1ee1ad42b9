"""Deterministic demo data of the Open311 demo city: categories in three groups with questions of every
datatype (one batch service), and a few requests around the city centre, dated November 2026."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from leipzig_app.sandbox.context import SandboxContext
from leipzig_app.sandbox.open311_data import iso

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
