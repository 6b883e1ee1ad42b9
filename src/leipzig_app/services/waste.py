"""Waste collection calendar: the resident's district, the next collection per bin, reminders, export.

The feed is fetched from the city (the profile's `feed_url`) and kept; offline, the kept copy answers and
the result says how old it is. The district choice and the reminders are stored per city profile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from leipzig_app.domain.errors import AppError, OfflineError, ServerError
from leipzig_app.domain.hub_settings import WasteSettings
from leipzig_app.domain.profile import local_text
from leipzig_app.domain.waste import (
    Collection,
    District,
    HubStore,
    Reminder,
    WasteCalendarSource,
    WasteError,
    WasteExporter,
    active_reminders,
    bin_types_of,
    check_reminder,
    districts_of,
    find_district,
    next_collections,
    reminder_moments,
    upcoming,
)
from leipzig_app.i18n import Translator
from leipzig_app.services.container import HomeCard, HomeItem
from leipzig_app.services.notice_letters import format_day

DISTRICT_KEY = "waste.district"
#: The waste calendar's screen, where the home card leads.
ROUTE = "/more/waste"
HOME_ITEMS = 4
#: Home uses the kept calendar while it is younger than this (a city's calendar changes a few times a year).
HOME_FEED_MAX_AGE = timedelta(hours=12)


@dataclass(frozen=True)
class WasteCalendar:
    collections: tuple[Collection, ...]
    districts: tuple[District, ...]
    bin_types: tuple[str, ...]
    #: When the shown data were fetched; None when they are fresh from the city.
    stale_since: datetime | None = None
    skipped: int = 0


@dataclass
class WasteService:
    settings: WasteSettings
    source: WasteCalendarSource
    store: HubStore
    exporter: WasteExporter
    city_name: str
    clock: Callable[[], datetime] = field(default=datetime.now)

    _parsed: tuple[tuple[str, date], tuple[list[Collection], int]] | None = field(
        default=None, init=False, repr=False
    )

    async def _parse(self, text: str) -> tuple[list[Collection], int]:
        """Parsing a city's year of collections takes a noticeable moment: off the event loop, and once
        per feed text and day (series are expanded around today)."""
        key = (text, self._today())
        if self._parsed is not None and self._parsed[0] == key:
            return self._parsed[1]
        result = await asyncio.to_thread(self.source.parse, text, key[1])
        self._parsed = (key, result)
        return result

    async def load(self, *, fresh_for: timedelta | None = None) -> WasteCalendar:
        """The calendar from the city, or the kept copy when the city cannot be reached.

        With `fresh_for`, a kept copy younger than that answers without asking the city (and without
        the street index): what Home needs, offline or not, without a download at every showing."""
        cached = self.store.cached_feed() if fresh_for is not None else None
        if (
            cached is not None
            and fresh_for is not None
            and timedelta(0) <= self.clock() - cached[1] < fresh_for
        ):
            return await self._calendar(cached[0], index=[])
        try:
            text = await self.source.fetch_feed()
            await self._parse(text)  # only a feed that parses replaces the kept copy
            self.store.save_feed(self.source.feed_url, text, self.clock())
            stale: datetime | None = None
        except (OfflineError, ServerError) as error:
            cached = self.store.cached_feed()
            if cached is None:
                raise error from None
            text, stale = cached
        try:
            index = await self.source.fetch_districts()
        except (OfflineError, ServerError):
            index = []
        return await self._calendar(text, index=index, stale_since=stale)

    async def _calendar(
        self, text: str, *, index: list[District], stale_since: datetime | None = None
    ) -> WasteCalendar:
        collections, skipped = await self._parse(text)
        return WasteCalendar(
            collections=tuple(collections),
            districts=tuple(districts_of(collections, index)),
            bin_types=tuple(bin_types_of(collections, self.settings.bin_types)),
            stale_since=stale_since,
            skipped=skipped,
        )

    def bin_label(self, bin_type: str, language: str) -> str:
        """The bin type as the city names it in `language` (profile `bin_labels`), else the feed's name."""
        # easy German (de-LS) and other variants use their base language's label
        return local_text(self.settings.bin_labels.get(bin_type), language.split("-")[0]) or bin_type

    # --- district --------------------------------------------------------------------------------------

    def district(self) -> str | None:
        return self.store.get_value(DISTRICT_KEY)

    def choose(self, calendar: WasteCalendar, choice: str) -> District:
        """Store the district for a district name or street; `WasteError` when neither is known."""
        district = find_district(choice, calendar.districts)
        if district is None:
            raise WasteError(f"unknown street or district {choice}", key="hub.waste.unknown_area",
                             params={"area": choice})  # fmt: skip
        self.store.set_value(DISTRICT_KEY, district.name)
        return district

    def forget_district(self) -> None:
        self.store.set_value(DISTRICT_KEY, None)

    # --- what is next ----------------------------------------------------------------------------------

    def _today(self) -> date:
        return self.clock().date()

    def next_per_bin(self, calendar: WasteCalendar) -> list[Collection]:
        district = self.district()
        if district is None:
            return []
        return next_collections(calendar.collections, district, self._today(), calendar.bin_types)

    def upcoming(self, calendar: WasteCalendar, days: int = 60) -> list[Collection]:
        district = self.district()
        return [] if district is None else upcoming(calendar.collections, district, self._today(), days)

    # --- reminders -------------------------------------------------------------------------------------

    def reminders(self) -> list[Reminder]:
        return self.store.reminders()

    def set_reminder(
        self, calendar: WasteCalendar, bin_type: str, days_before: int = 1, at: time = time(18, 0)
    ) -> Reminder:
        reminder = check_reminder(Reminder(bin_type, days_before, at), calendar.bin_types)
        self.store.save_reminder(reminder)
        return reminder

    def remove_reminder(self, bin_type: str) -> None:
        self.store.delete_reminder(bin_type)

    def due_reminders(self, calendar: WasteCalendar) -> list[tuple[datetime, Collection]]:
        district = self.district()
        if district is None:
            return []
        now = self.clock().replace(tzinfo=None)
        return reminder_moments(calendar.collections, district, self.reminders(), now)

    def active_reminders(self, calendar: WasteCalendar) -> list[tuple[datetime, Collection]]:
        """Reminders that have gone off for a collection still ahead: what Home shows while it is due."""
        district = self.district()
        if district is None:
            return []
        now = self.clock().replace(tzinfo=None)
        return active_reminders(calendar.collections, district, self.reminders(), now)

    # --- home ------------------------------------------------------------------------------------------

    async def home_card(self, language: str) -> HomeCard:
        """Reminders that have gone off first (the collection is still ahead), then the next collection of
        each other bin. Without a chosen district, the card asks for one."""
        if self.district() is None:
            return HomeCard(problem_key="home.waste.choose")
        try:
            calendar = await self.load(fresh_for=HOME_FEED_MAX_AGE)
        except AppError:
            return HomeCard(problem_key="hub.waste.failed")
        t, today = Translator(language), self._today()

        def when(day: date) -> str:
            # the same short date as the payment reminders beside it on Home
            text, delta = format_day(day, language), (day - today).days
            if delta in (0, 1):
                return t("hub.waste.today" if delta == 0 else "hub.waste.tomorrow", date=text)
            return text

        due = [c for _, c in self.active_reminders(calendar)]
        items = [
            HomeItem(
                title=self.bin_label(c.bin_type, language),
                subtitle=t("home.waste.reminder", when=when(c.day)),
                route=ROUTE,
            )
            for c in due
        ]
        reminded = {c.bin_type for c in due}
        items += [
            HomeItem(title=self.bin_label(c.bin_type, language), subtitle=when(c.day), route=ROUTE)
            for c in self.next_per_bin(calendar)
            if c.bin_type not in reminded
        ]
        return HomeCard(items=tuple(items[:HOME_ITEMS]), stale=calendar.stale_since is not None)

    # --- export ----------------------------------------------------------------------------------------

    def export_ics(self, calendar: WasteCalendar, days: int = 366) -> bytes:
        district = self.district()
        if district is None:
            raise AppError("no district chosen", key="hub.waste.choose_first")
        items = upcoming(calendar.collections, district, self._today(), days)
        return self.exporter.export(
            items, self.reminders(), name=f"{self.city_name}: {district}", stamp=self.clock()
        )
