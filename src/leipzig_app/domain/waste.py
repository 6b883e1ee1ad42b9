"""Waste collection: the rules of the calendar, independent of where the dates come from.

A city publishes collection days as an iCalendar feed (one all-day event per bin type, district and day;
the district in LOCATION, the bin type in CATEGORIES or SUMMARY) and, optionally, a street index that maps
streets to districts. The resident picks a district or a street; the app shows the next collection per
bin type and keeps reminders ("the evening before at 18:00") that go into the exported calendar as alarms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol

from leipzig_app.domain.errors import AppError

MAX_DAYS_BEFORE = 7


@dataclass(frozen=True)
class Collection:
    day: date
    bin_type: str
    district: str


@dataclass(frozen=True)
class District:
    name: str
    streets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reminder:
    """Remind `days_before` days before a collection of `bin_type`, at `at` local time."""

    bin_type: str
    days_before: int = 1
    at: time = time(18, 0)

    def moment(self, collection_day: date) -> datetime:
        return datetime.combine(collection_day - timedelta(days=self.days_before), self.at)


class WasteError(AppError):
    key = "hub.waste.error"


def check_reminder(reminder: Reminder, bin_types: Sequence[str]) -> Reminder:
    if reminder.bin_type not in bin_types:
        raise WasteError(f"unknown bin type {reminder.bin_type}", key="hub.waste.unknown_bin")
    if not 0 <= reminder.days_before <= MAX_DAYS_BEFORE:
        raise WasteError(
            "reminder too early", key="hub.waste.reminder_range", params={"max": MAX_DAYS_BEFORE}
        )
    return reminder


def districts_of(collections: Iterable[Collection], index: Sequence[District] = ()) -> list[District]:
    """The districts to choose from: the street index's, plus any the feed names that the index lacks."""
    known = {d.name: d for d in index}
    for c in collections:
        known.setdefault(c.district, District(c.district))
    return sorted(known.values(), key=lambda d: d.name.casefold())


def find_district(choice: str, districts: Sequence[District]) -> District | None:
    """The district for a district name or a street (case and "str."/"straße" spelling ignored)."""
    wanted = _street_key(choice)
    for district in districts:
        if _street_key(district.name) == wanted:
            return district
    for district in districts:
        if any(_street_key(s) == wanted for s in district.streets):
            return district
    return None


def search_streets(query: str, districts: Sequence[District], limit: int = 20) -> list[tuple[str, str]]:
    """(street, district) pairs whose street contains the query, for the street picker."""
    wanted = _street_key(query)
    if len(wanted) < 2:
        return []
    hits = [(s, d.name) for d in districts for s in d.streets if wanted in _street_key(s)]
    return sorted(hits, key=lambda h: (not _street_key(h[0]).startswith(wanted), h[0].casefold()))[:limit]


def bin_types_of(collections: Iterable[Collection], preferred: Sequence[str] = ()) -> list[str]:
    """Bin types in the profile's order; types the profile does not list follow alphabetically."""
    seen = {c.bin_type for c in collections}
    ordered = [b for b in preferred if b in seen or not seen]
    return ordered + sorted((seen - set(preferred)), key=str.casefold)


def next_collections(
    collections: Iterable[Collection], district: str, today: date, bin_types: Sequence[str] = ()
) -> list[Collection]:
    """The next collection (today or later) per bin type in the district, soonest first."""
    nearest: dict[str, Collection] = {}
    for c in collections:
        if c.district != district or c.day < today:
            continue
        if bin_types and c.bin_type not in bin_types:
            continue
        current = nearest.get(c.bin_type)
        if current is None or c.day < current.day:
            nearest[c.bin_type] = c
    return sorted(nearest.values(), key=lambda c: (c.day, c.bin_type))


def upcoming(
    collections: Iterable[Collection], district: str, today: date, days: int = 60
) -> list[Collection]:
    """Every collection in the district from today on for `days` days, in order."""
    end = today + timedelta(days=days)
    return sorted(
        (c for c in collections if c.district == district and today <= c.day <= end),
        key=lambda c: (c.day, c.bin_type),
    )


def reminder_moments(
    collections: Iterable[Collection], district: str, reminders: Sequence[Reminder], now: datetime
) -> list[tuple[datetime, Collection]]:
    """When each reminder fires next (after `now`, local time), one per bin type, soonest first."""
    result = []
    for reminder in reminders:
        candidates = sorted(
            (reminder.moment(c.day), c)
            for c in collections
            if c.district == district and c.bin_type == reminder.bin_type
        )
        for moment, c in candidates:
            if moment > now:
                result.append((moment, c))
                break
    return sorted(result, key=lambda pair: pair[0])


def active_reminders(
    collections: Iterable[Collection], district: str, reminders: Sequence[Reminder], now: datetime
) -> list[tuple[datetime, Collection]]:
    """Reminders that have gone off and whose collection is still ahead (today or later), one per bin type:
    the earliest such collection. Soonest collection first."""
    result = []
    for reminder in reminders:
        for c in sorted(
            (c for c in collections if c.district == district and c.bin_type == reminder.bin_type),
            key=lambda c: c.day,
        ):
            if c.day >= now.date() and reminder.moment(c.day) <= now:
                result.append((reminder.moment(c.day), c))
                break
    return sorted(result, key=lambda pair: (pair[1].day, pair[1].bin_type))


def _street_key(text: str) -> str:
    key = " ".join(text.casefold().split())
    for long, short in (("straße", "str."), ("strasse", "str.")):
        key = key.replace(long, short)
    return key


# --- ports ----------------------------------------------------------------------------------------------


class WasteCalendarSource(Protocol):
    feed_url: str

    async def fetch_feed(self) -> str: ...

    def parse(self, text: str, today: date | None = None) -> tuple[list[Collection], int]:
        """The collections around `today` (series expanded, cancelled ones left out) and how many events
        were skipped."""
        ...

    async def fetch_districts(self) -> list[District]: ...


class WasteExporter(Protocol):
    def export(
        self, collections: Sequence[Collection], reminders: Sequence[Reminder], *, name: str, stamp: datetime
    ) -> bytes: ...


class HubStore(Protocol):
    def get_value(self, key: str) -> str | None: ...

    def set_value(self, key: str, value: str | None) -> None: ...

    def reminders(self) -> list[Reminder]: ...

    def save_reminder(self, reminder: Reminder) -> None: ...

    def delete_reminder(self, bin_type: str) -> None: ...

    def cached_feed(self) -> tuple[str, datetime] | None: ...

    def save_feed(self, url: str, body: str, fetched_at: datetime) -> None: ...
