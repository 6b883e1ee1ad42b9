"""Demo city: waste collection calendars as iCalendar feeds, one per demo jurisdiction (demo data).

`GET /abfall/{city}/abfuhrkalender.ics` is an RFC 5545 calendar with one all-day event per collection:
LOCATION is the district, CATEGORIES and SUMMARY the bin type (Restabfall, Bioabfall, Gelbe Tonne,
Papier). `GET /abfall/{city}/strassen.json` maps streets to districts. Cities: `leipzig`, `offenbach`.

The plan is a fixed rule, so the same day always gives the same calendar: each district has its weekdays;
Bioabfall comes weekly, Restabfall and Gelbe Tonne fortnightly in alternate weeks, Papier every four weeks.
A collection on 25/26 December or 1 January moves to the next working day, as real plans do. The feed
covers four weeks back to half a year ahead of the demo city's clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Response

from leipzig_app.sandbox.context import SandboxContext

BERLIN = ZoneInfo("Europe/Berlin")
BINS = ("Restabfall", "Bioabfall", "Gelbe Tonne", "Papier")
_HOLIDAYS = ((12, 25), (12, 26), (1, 1))

#: city -> (calendar name, [(district, [streets])]); every name and street is demo data.
CITIES: dict[str, tuple[str, list[tuple[str, list[str]]]]] = {
    "leipzig": ("Abfuhrkalender Demo-Stadt Leipzig", [
        ("Mitte", ["Augustusplatz", "Grimmaische Straße", "Karl-Tauchnitz-Straße", "Petersstraße"]),
        ("Nord", ["Georg-Schumann-Straße", "Lindenthaler Straße", "Max-Liebermann-Straße"]),
        ("Ost", ["Eisenbahnstraße", "Hermann-Liebmann-Straße", "Wurzner Straße"]),
        ("Süd", ["Karl-Liebknecht-Straße", "Kochstraße", "Bornaische Straße"]),
        ("West", ["Stuttgarter Allee", "Lützner Straße", "Ratzelstraße"]),
        ("Alt-West", ["Georg-Schwarz-Straße", "Merseburger Straße"]),
    ]),
    "offenbach": ("Abfuhrkalender Demo-Stadt Offenbach am Main", [
        ("Innenstadt", ["Frankfurter Straße", "Kaiserstraße", "Herrnstraße"]),
        ("Bürgel", ["Offenbacher Straße", "Langstraße"]),
        ("Bieber", ["Aschaffenburger Straße", "Seligenstädter Straße"]),
        ("Rumpenheim", ["Schloßgartenstraße", "Rumpenheimer Straße"]),
        ("Tempelsee", ["Mühlheimer Straße", "Tempelseestraße"]),
    ]),
}  # fmt: skip

SCHEMA: list[str] = []
DISCOVERY = [{"type": "icalendar-waste", "path": f"/abfall/{city}/abfuhrkalender.ics"} for city in CITIES]


def collections(city: str, today: date) -> list[tuple[date, str, str]]:
    """(day, district, bin type) for the demo plan around `today`, in order."""
    start = today - timedelta(days=today.weekday() + 28)
    end = today + timedelta(days=183)
    result = []
    for index, (district, _) in enumerate(CITIES[city][1]):
        day = start
        while day <= end:
            week = day.isocalendar().week
            weekday = day.weekday()
            plan = []
            if weekday == index % 5:
                plan.append("Bioabfall")
                plan.append("Restabfall" if week % 2 == index % 2 else "Gelbe Tonne")
            if weekday == (index + 2) % 5 and week % 4 == index % 4:
                plan.append("Papier")
            for bin_type in plan:
                result.append((_shift(day), district, bin_type))
            day += timedelta(days=1)
    return sorted(result, key=lambda r: (r[0], r[1], BINS.index(r[2])))


def _shift(day: date) -> date:
    while (day.month, day.day) in _HOLIDAYS or day.weekday() == 6:
        day += timedelta(days=1)
    return day


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics(city: str, now: datetime) -> str:
    name, _ = CITIES[city]
    today = now.astimezone(BERLIN).date()
    stamp = now.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Demo-Stadt//Abfuhrkalender (Demodaten)//DE",
        "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(name)}",
        "X-WR-TIMEZONE:Europe/Berlin",
    ]  # fmt: skip
    for day, district, bin_type in collections(city, today):
        slug = "".join(ch if ch.isalnum() else "-" for ch in f"{district}-{bin_type}".casefold())
        lines += [
            "BEGIN:VEVENT",
            f"UID:{day:%Y%m%d}-{slug}@abfall.{city}.demo",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(bin_type)}",
            f"CATEGORIES:{_escape(bin_type)}",
            f"LOCATION:{_escape(district)}",
            "DESCRIPTION:Demodaten: Bitte stellen Sie die Tonne bis 6 Uhr bereit.",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _city(city: str) -> str:
    if city not in CITIES:
        raise HTTPException(404, f"Unbekannte Stadt; bekannt: {', '.join(CITIES)}")
    return city


def create_router(ctx: SandboxContext) -> APIRouter:
    router = APIRouter()

    @router.get("/abfall/{city}/abfuhrkalender.ics")
    def calendar(city: str) -> Response:
        body = ics(_city(city), ctx.now())
        return Response(body, media_type="text/calendar; charset=utf-8")

    @router.get("/abfall/{city}/strassen.json")
    def streets(city: str) -> dict[str, Any]:
        _, districts = CITIES[_city(city)]
        return {
            "demo": True,
            "districts": [{"name": name, "streets": list(streets)} for name, streets in districts],
        }

    return router
