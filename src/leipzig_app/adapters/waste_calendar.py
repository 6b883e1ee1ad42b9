"""Waste collection calendars over HTTP: the city's iCalendar feed and street index in, an .ics file out.

The feed is RFC 5545 with all-day VEVENTs: DTSTART is the day, LOCATION the district, CATEGORIES (or else
SUMMARY) the bin type. A VEVENT is one collection or, with RRULE/RDATE, a series ("every other Tuesday,
26 times"); series are expanded (recurring-ical-events) with their EXDATEs and with RECURRENCE-ID overrides
(a collection moved after a holiday). Cancelled collections (STATUS:CANCELLED, of a whole event or of one
occurrence) are left out. Only collections from a year back to two years ahead are kept, so an endless
series stays finite. Events without a day, district or bin type are skipped and counted, never guessed.
The street index is JSON `{"districts": [{"name": "...", "streets": ["..."]}]}`. The export is an .ics
file for the resident's own calendar app, with an alarm for every stored reminder.
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


#: The collections kept from a feed: a year back (the calendar shows what is ahead) to two years ahead.
KEEP_BEFORE = timedelta(days=366)
KEEP_AFTER = timedelta(days=731)


def parse_feed(text: str, *, today: date | None = None) -> tuple[list[Collection], int]:
    """Collections in an iCalendar text around `today` (default: the current day), series expanded, and how
    many events were skipped (`InvalidResponseError`: not iCalendar)."""
    import icalendar
    import recurring_ical_events

    try:
        calendar = icalendar.Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError) as error:
        raise InvalidResponseError(f"{WHAT}: not an iCalendar file ({error})") from None
    skipped = 0
    kept = []
    for component in calendar.subcomponents:
        if component.name == "VEVENT" and (
            _day(component) is None or not _location(component) or not _bin_type(component)
        ):
            skipped += 1
            continue
        kept.append(component)
    calendar.subcomponents = kept
    today = today or date.today()
    try:
        occurrences = list(
            recurring_ical_events.of(calendar, skip_bad_series=True).between(
                today - KEEP_BEFORE, today + KEEP_AFTER
            )
        )
    except (recurring_ical_events.InvalidCalendar, ValueError, TypeError) as error:
        raise InvalidResponseError(f"{WHAT}: a recurring collection cannot be read ({error})") from None
    collections: list[Collection] = []
    for event in occurrences:
        day = _day(event)
        if day is None or str(event.get("STATUS") or "").strip().upper() == "CANCELLED":
            continue
        collections.append(Collection(day=day, bin_type=_bin_type(event), district=_location(event)))
    collections.sort(key=lambda c: (c.day, c.district, c.bin_type))
    return collections, skipped


def _day(event: Any) -> date | None:
    day = getattr(event.get("DTSTART"), "dt", None)
    if isinstance(day, datetime):
        return day.date()
    return day if isinstance(day, date) else None


def _location(event: Any) -> str:
    return str(event.get("LOCATION") or "").strip()


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

    def parse(self, text: str, today: date | None = None) -> tuple[list[Collection], int]:
        return parse_feed(text, today=today)

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
