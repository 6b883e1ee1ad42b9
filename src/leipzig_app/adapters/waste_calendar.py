"""Waste collection calendars over HTTP: the city's iCalendar feed and street index in, an .ics file out.

The feed is RFC 5545 with one all-day VEVENT per collection: DTSTART is the day, LOCATION the district,
CATEGORIES (or else SUMMARY) the bin type. Events without a day or district are skipped and counted, never
guessed. The street index is JSON `{"districts": [{"name": "...", "streets": ["..."]}]}`. The export is an
.ics file for the resident's own calendar app, with an alarm for every stored reminder.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from leipzig_app.adapters.http import guarded, json_body
from leipzig_app.domain.errors import InvalidResponseError, ServerError
from leipzig_app.domain.waste import Collection, District, Reminder

WHAT = "waste calendar"
MAX_BYTES = 5 * 1024 * 1024


def parse_feed(text: str) -> tuple[list[Collection], int]:
    """Collections in an iCalendar text and how many events were skipped (`InvalidResponseError`: no iCal)."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as error:
        raise InvalidResponseError(f"{WHAT}: not an iCalendar file ({error})") from None
    collections: list[Collection] = []
    skipped = 0
    for event in calendar.walk("VEVENT"):
        start = event.get("DTSTART")
        location = str(event.get("LOCATION") or "").strip()
        bin_type = _bin_type(event)
        day = getattr(start, "dt", None)
        if isinstance(day, datetime):
            day = day.date()
        if not isinstance(day, date) or not location or not bin_type:
            skipped += 1
            continue
        collections.append(Collection(day=day, bin_type=bin_type, district=location))
    return collections, skipped


def _bin_type(event: Any) -> str:
    categories = event.get("CATEGORIES")
    for item in categories if isinstance(categories, list) else [categories]:
        cats = getattr(item, "cats", None)
        if cats:
            return str(cats[0]).strip()
    return str(event.get("SUMMARY") or "").strip()


def parse_streets(body: Any) -> list[District]:
    if not isinstance(body, dict) or not isinstance(body.get("districts"), list):
        raise InvalidResponseError(f"{WHAT}: the street index has no 'districts' list")
    districts = []
    for item in body["districts"]:
        name = item.get("name") if isinstance(item, dict) else None
        streets = item.get("streets", []) if isinstance(item, dict) else None
        if not isinstance(name, str) or not isinstance(streets, list):
            raise InvalidResponseError(f"{WHAT}: a district needs a name and a list of streets")
        districts.append(District(name=name, streets=tuple(str(s) for s in streets)))
    return districts


class WasteCalendarClient:
    """Implements the `WasteCalendarSource` port over the shared AsyncClient."""

    def __init__(self, client: httpx.AsyncClient, feed_url: str, streets_url: str | None = None):
        self._client = client
        self.feed_url = feed_url
        self.streets_url = streets_url

    async def _get(self, url: str) -> httpx.Response:
        response = await guarded(lambda: self._client.get(url), what=WHAT)
        if response.status_code >= 400:
            raise ServerError(f"{WHAT}: HTTP {response.status_code}", status=response.status_code)
        if len(response.content) > MAX_BYTES:
            raise InvalidResponseError(f"{WHAT}: answer larger than {MAX_BYTES} bytes")
        return response

    async def fetch_feed(self) -> str:
        """The feed's text (`parse` it before keeping it)."""
        response = await self._get(self.feed_url)
        try:
            return response.content.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidResponseError(f"{WHAT}: the feed is not UTF-8") from None

    def parse(self, text: str) -> tuple[list[Collection], int]:
        return parse_feed(text)

    async def fetch_districts(self) -> list[District]:
        if not self.streets_url:
            return []
        return parse_streets(json_body(await self._get(self.streets_url), what=WHAT))


class IcsWasteExporter:
    """Implements the `WasteExporter` port: an .ics of the coming collections with reminder alarms."""

    def __init__(self, *, uid_domain: str = "leipzig-app.de"):
        self.uid_domain = uid_domain

    def export(
        self, collections: Sequence[Collection], reminders: Sequence[Reminder], *, name: str, stamp: datetime
    ) -> bytes:
        import icalendar

        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Leipzig App//Abfuhrkalender//DE")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", name)
        by_bin = {r.bin_type: r for r in reminders}
        for c in collections:
            event = icalendar.Event()
            event.add("uid", f"{c.day.isoformat()}-{_slug(c.bin_type)}-{_slug(c.district)}@{self.uid_domain}")
            event.add("dtstamp", stamp)
            event.add("dtstart", c.day)
            event.add("dtend", c.day + timedelta(days=1))
            event.add("summary", c.bin_type)
            event.add("location", c.district)
            event.add("categories", [c.bin_type])
            event.add("transp", "TRANSPARENT")
            reminder = by_bin.get(c.bin_type)
            if reminder is not None:
                alarm = icalendar.Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", c.bin_type)
                # Relative to the all-day event's start (midnight): N days before, at the chosen time.
                offset = timedelta(hours=reminder.at.hour, minutes=reminder.at.minute)
                alarm.add("trigger", offset - timedelta(days=reminder.days_before))
                event.add_component(alarm)
            calendar.add_component(event)
        data: bytes = calendar.to_ical()
        return data


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.casefold()).strip("-")
