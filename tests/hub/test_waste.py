"""Waste calendar against the demo city over HTTP: districts and streets, next collections, reminders,
.ics export (read back with icalendar), the kept copy when the city is unreachable, broken feeds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.local_server import serve

from leipzig_app.adapters.hub_store import SqliteHubStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.adapters.waste_calendar import (
    KEEP_AFTER,
    IcsWasteExporter,
    WasteCalendarClient,
    parse_feed,
)
from leipzig_app.domain.errors import InvalidResponseError, OfflineError
from leipzig_app.domain.hub_settings import WasteSettings
from leipzig_app.domain.waste import Collection, Reminder, WasteError, active_reminders
from leipzig_app.sandbox.server import SandboxServer
from leipzig_app.sandbox.waste import BINS
from leipzig_app.services.waste import WasteService


def make_service(
    http: Any, db: Database, base: str, city: str = "leipzig", now: datetime | None = None
) -> WasteService:
    settings = WasteSettings(
        feed_url=f"{base}/abfall/{city}/abfuhrkalender.ics",
        streets_url=f"{base}/abfall/{city}/strassen.json",
        bin_types=BINS,
    )
    return WasteService(
        settings,
        WasteCalendarClient(http, settings.feed_url, settings.streets_url),
        SqliteHubStore(db, city),
        IcsWasteExporter(),
        city_name=city.capitalize(),
        clock=(lambda: now) if now else datetime.now,
    )


async def test_next_collection_per_bin_for_a_street(http: Any, db: Database, sandbox_url: str) -> None:
    service = make_service(http, db, sandbox_url)
    calendar = await service.load()
    assert calendar.stale_since is None
    assert calendar.skipped == 0
    assert calendar.bin_types == BINS
    assert [d.name for d in calendar.districts][:3] == ["Alt-West", "Mitte", "Nord"]
    assert service.next_per_bin(calendar) == []  # nothing chosen yet

    district = service.choose(calendar, "karl-liebknecht-strasse")  # spelling and case do not matter
    assert district.name == "Süd"
    assert service.district() == "Süd"
    nxt = service.next_per_bin(calendar)
    today = date.today()
    assert sorted(c.bin_type for c in nxt) == sorted(BINS)
    assert all(c.district == "Süd" and today <= c.day <= today + timedelta(days=35) for c in nxt)
    assert nxt == sorted(nxt, key=lambda c: (c.day, c.bin_type))
    # each shown date is the first one of that bin from today on
    for c in nxt:
        earlier = [x for x in calendar.collections if x.district == "Süd" and x.bin_type == c.bin_type
                   and today <= x.day < c.day]  # fmt: skip
        assert earlier == []

    with pytest.raises(WasteError) as caught:
        service.choose(calendar, "Hauptstraße 999")
    assert caught.value.key == "hub.waste.unknown_area"
    assert service.district() == "Süd"


async def test_the_other_jurisdiction_has_its_own_calendar(http: Any, db: Database, sandbox_url: str) -> None:
    service = make_service(http, db, sandbox_url, city="offenbach")
    calendar = await service.load()
    assert "Bieber" in [d.name for d in calendar.districts]
    assert "Mitte" not in [d.name for d in calendar.districts]
    assert service.choose(calendar, "Bieber").name == "Bieber"


async def test_reminders_are_stored_listed_and_exported_as_alarms(
    http: Any, db: Database, sandbox_url: str
) -> None:
    now = datetime.now().replace(hour=9, minute=0, second=0, microsecond=0)
    service = make_service(http, db, sandbox_url, now=now)
    calendar = await service.load()
    service.choose(calendar, "Mitte")
    service.set_reminder(calendar, "Gelbe Tonne")
    service.set_reminder(calendar, "Papier", days_before=2, at=time(19, 30))
    with pytest.raises(WasteError):
        service.set_reminder(calendar, "Sondermüll")
    with pytest.raises(WasteError):
        service.set_reminder(calendar, "Papier", days_before=9)
    assert sorted(r.bin_type for r in service.reminders()) == ["Gelbe Tonne", "Papier"]
    # a new service on the same database remembers them (stored, not in memory)
    again = make_service(http, db, sandbox_url, now=now)
    assert again.district() == "Mitte"
    assert len(again.reminders()) == 2

    due = service.due_reminders(calendar)
    assert {c.bin_type for _, c in due} == {"Gelbe Tonne", "Papier"}
    for moment, c in due:
        assert moment > now
        if c.bin_type == "Papier":
            assert moment == datetime.combine(c.day - timedelta(days=2), time(19, 30))

    import icalendar

    data = service.export_ics(calendar)
    parsed = icalendar.Calendar.from_ical(data)
    events = list(parsed.walk("VEVENT"))
    expected = [c for c in calendar.collections if c.district == "Mitte" and c.day >= now.date()]
    assert len(events) == len(expected)
    assert {str(e["SUMMARY"]) for e in events} == set(BINS)
    assert all(str(e["LOCATION"]) == "Mitte" for e in events)
    with_alarm = {str(e["SUMMARY"]) for e in events if list(e.walk("VALARM"))}
    without = {str(e["SUMMARY"]) for e in events if not list(e.walk("VALARM"))}
    assert with_alarm == {"Gelbe Tonne", "Papier"}
    assert without == {"Restabfall", "Bioabfall"}
    paper = next(e for e in events if str(e["SUMMARY"]) == "Papier")
    trigger = next(iter(paper.walk("VALARM")))["TRIGGER"].dt
    assert trigger == timedelta(hours=19, minutes=30) - timedelta(days=2)
    # the export parses back into the same collections
    assert set(parse_feed(data.decode())[0]) == set(expected)

    service.remove_reminder("Papier")
    assert [r.bin_type for r in service.reminders()] == ["Gelbe Tonne"]


async def test_home_card_puts_reminders_that_went_off_first(
    http: Any, db: Database, sandbox_url: str
) -> None:
    probe = make_service(http, db, sandbox_url)
    assert (await probe.home_card("de")).problem_key == "home.waste.choose"  # no street chosen yet
    calendar = await probe.load()
    probe.choose(calendar, "Mitte")
    paper = min(
        c.day
        for c in calendar.collections
        if c.district == "Mitte" and c.bin_type == "Papier" and c.day > date.today()
    )
    # the evening before the paper collection, half an hour after its 18:00 reminder went off
    evening = datetime.combine(paper - timedelta(days=1), time(18, 30))
    service = make_service(http, db, sandbox_url, now=evening)
    assert [
        item.subtitle for item in (await service.home_card("de")).items if "Erinnerung" in item.subtitle
    ] == []
    service.set_reminder(calendar, "Papier")

    card = await service.home_card("de")
    assert card.problem_key is None
    assert not card.stale
    assert card.items[0].title == "Papier"
    assert card.items[0].subtitle == f"Erinnerung: morgen, {paper:%d.%m.%Y}"
    assert card.items[0].route == "/more/waste"
    assert sorted(item.title for item in card.items) == sorted(BINS)  # every bin once, the reminded one first
    assert all("Erinnerung" not in item.subtitle for item in card.items[1:])
    english = await service.home_card("en")
    assert english.items[0].subtitle.startswith("Reminder: tomorrow, ")

    # after the collection day the reminder is over: the next paper day is a plain date again
    after = make_service(http, db, sandbox_url, now=datetime.combine(paper + timedelta(days=1), time(8, 0)))
    assert all("Erinnerung" not in item.subtitle for item in (await after.home_card("de")).items)


async def test_home_uses_the_kept_calendar_while_it_is_fresh(db: Database, tmp_path: Any) -> None:
    sent: list[str] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request.url.path)

    start = datetime.now().replace(microsecond=0)
    server = SandboxServer(tmp_path / "city")
    server.start()
    try:
        async with httpx.AsyncClient(timeout=5.0, event_hooks={"request": [record]}) as http:
            service = make_service(http, db, server.base_url, now=start)
            service.choose(await service.load(), "Mitte")
            assert sent == ["/abfall/leipzig/abfuhrkalender.ics", "/abfall/leipzig/strassen.json"]
            sent.clear()
            card = await make_service(http, db, server.base_url, now=start + timedelta(hours=11)).home_card(
                "de"
            )
            assert sent == []  # half a day old: Home shows the kept copy without a download
            assert len(card.items) == len(BINS)
            assert not card.stale
            await make_service(http, db, server.base_url, now=start + timedelta(hours=13)).home_card("de")
            assert sent[0] == "/abfall/leipzig/abfuhrkalender.ics"  # older: asked the city again
            base = server.base_url
    finally:
        server.stop()
    async with httpx.AsyncClient(timeout=2.0) as http:
        # two days later with the city unreachable: the kept copy, marked as such
        offline = await make_service(http, db, base, now=start + timedelta(days=2)).home_card("de")
    assert offline.stale
    assert len(offline.items) == len(BINS)


def test_a_reminder_is_active_from_its_moment_to_the_end_of_the_collection_day() -> None:
    collections = [
        Collection(date(2026, 12, 3), "Papier", "Mitte"),
        Collection(date(2026, 12, 17), "Papier", "Mitte"),
        Collection(date(2026, 12, 3), "Papier", "Süd"),
        Collection(date(2026, 12, 4), "Bioabfall", "Mitte"),
    ]
    reminders = [Reminder("Papier", 1, time(18, 0)), Reminder("Bioabfall", 2, time(7, 0))]

    def active(now: datetime) -> list[tuple[str, date]]:
        return [(c.bin_type, c.day) for _, c in active_reminders(collections, "Mitte", reminders, now)]

    assert active(datetime(2026, 12, 1, 12, 0)) == []
    assert active(datetime(2026, 12, 2, 7, 0)) == [("Bioabfall", date(2026, 12, 4))]
    assert active(datetime(2026, 12, 2, 18, 0)) == [
        ("Papier", date(2026, 12, 3)),
        ("Bioabfall", date(2026, 12, 4)),
    ]
    assert active(datetime(2026, 12, 3, 23, 59)) == [
        ("Papier", date(2026, 12, 3)),
        ("Bioabfall", date(2026, 12, 4)),
    ]
    assert active(datetime(2026, 12, 4, 0, 0)) == [("Bioabfall", date(2026, 12, 4))]
    assert active(datetime(2026, 12, 5, 9, 0)) == []
    assert active(datetime(2026, 12, 16, 18, 0)) == [("Papier", date(2026, 12, 17))]


async def test_offline_the_kept_copy_answers(http: Any, db: Database, tmp_path: Any) -> None:
    server = SandboxServer(tmp_path / "city")
    server.start()
    try:
        base = server.base_url
        fresh = await make_service(http, db, base).load()
    finally:
        server.stop()
    service = make_service(http, db, base)
    stale = await service.load()
    assert stale.stale_since is not None
    assert stale.collections == fresh.collections
    # without a kept copy the problem reaches the caller as a domain error
    with pytest.raises(OfflineError):
        await make_service(http, db, base, city="offenbach").load()


async def test_a_broken_feed_is_an_invalid_response(db: Database) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>Wartungsarbeiten</html>")

    from leipzig_app.adapters.http import make_client

    async with make_client(transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(InvalidResponseError):
            await make_service(client, db, "https://abfall.example").load()


def test_events_without_day_or_district_are_skipped_not_guessed() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        "BEGIN:VEVENT\r\nUID:1\r\nDTSTART;VALUE=DATE:20261201\r\nSUMMARY:Papier\r\nLOCATION:Mitte\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:2\r\nDTSTART;VALUE=DATE:20261202\r\nSUMMARY:Papier\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:3\r\nDTSTART:20261203T070000\r\nCATEGORIES:Bioabfall\r\nSUMMARY:Bio\r\n"
        "LOCATION:Mitte\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    collections, skipped = parse_feed(text, today=date(2026, 12, 1))
    assert skipped == 1
    assert [(c.day, c.bin_type) for c in collections] == [
        (date(2026, 12, 1), "Papier"),
        (date(2026, 12, 3), "Bioabfall"),
    ]


# --- series: RRULE, RDATE, EXDATE, moved and cancelled collections ----------------------------------------

SERIES_FEED = Path(__file__).with_name("data") / "abfuhr-serien.ics"


def _days(collections: list[Collection], bin_type: str) -> list[date]:
    return [c.day for c in collections if c.bin_type == bin_type]


def _every(start: date, step: int, count: int) -> list[date]:
    return [start + timedelta(days=step * i) for i in range(count)]


def test_a_fortnightly_series_gives_every_collection_but_the_excluded_and_the_cancelled() -> None:
    collections, skipped = parse_feed(SERIES_FEED.read_text(encoding="utf-8"), today=date(2027, 1, 1))
    assert skipped == 0
    assert {c.district for c in collections} == {"Mitte"}
    # RRULE every other Tuesday, COUNT=26; EXDATE 30 March; 25 May moved to 26 May; 17 August cancelled
    expected = [
        d for d in _every(date(2027, 1, 5), 14, 26) if d not in (date(2027, 3, 30), date(2027, 8, 17))
    ]
    expected = sorted(date(2027, 5, 26) if d == date(2027, 5, 25) else d for d in expected)
    assert _days(collections, "Papier") == expected
    assert len(expected) == 24


def test_a_timed_weekly_series_with_until_and_an_extra_date() -> None:
    collections, _ = parse_feed(SERIES_FEED.read_text(encoding="utf-8"), today=date(2027, 1, 1))
    # every Monday at 06:00 Berlin time up to and including 1 March (UNTIL 05:00 UTC), plus RDATE 27 Feb
    assert _days(collections, "Restabfall") == sorted([*_every(date(2027, 1, 4), 7, 9), date(2027, 2, 27)])


def test_a_cancelled_single_collection_does_not_count() -> None:
    collections, _ = parse_feed(SERIES_FEED.read_text(encoding="utf-8"), today=date(2027, 1, 1))
    assert _days(collections, "Bioabfall") == [date(2027, 1, 15)]


def test_an_endless_series_stops_at_the_kept_horizon() -> None:
    today = date(2027, 1, 1)
    collections, _ = parse_feed(SERIES_FEED.read_text(encoding="utf-8"), today=today)
    days = _days(collections, "Gelbe Tonne")
    horizon = today + KEEP_AFTER
    assert days == [d for d in _every(date(2027, 1, 7), 14, 200) if d < horizon]
    assert days[-1] + timedelta(days=14) >= horizon
    # a year later the window has moved with the day
    later, _ = parse_feed(SERIES_FEED.read_text(encoding="utf-8"), today=date(2028, 1, 1))
    assert max(_days(later, "Gelbe Tonne")) > days[-1]


class _FeedHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = SERIES_FEED.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def series_url() -> Iterator[str]:
    with serve(_FeedHandler) as url:
        yield f"{url}/abfuhr.ics"


async def test_the_service_shows_the_moved_collection_and_skips_the_cancelled_one(
    http: Any, db: Database, series_url: str
) -> None:
    settings = WasteSettings(feed_url=series_url, streets_url=None, bin_types=("Papier",))

    def service_on(now: datetime) -> WasteService:
        source = WasteCalendarClient(http, series_url)
        return WasteService(settings, source, SqliteHubStore(db, "serien"), IcsWasteExporter(),
                            city_name="Musterstadt", clock=lambda: now)  # fmt: skip

    before_whitsun = service_on(datetime(2027, 5, 20, 9, 0))
    calendar = await before_whitsun.load()
    before_whitsun.choose(calendar, "Mitte")
    nxt = {c.bin_type: c.day for c in before_whitsun.next_per_bin(calendar)}
    assert nxt["Papier"] == date(2027, 5, 26)  # not the 25th: moved for Whit Monday
    in_august = service_on(datetime(2027, 8, 10, 9, 0))
    calendar = await in_august.load()
    nxt = {c.bin_type: c.day for c in in_august.next_per_bin(calendar)}
    assert nxt["Papier"] == date(2027, 8, 31)  # the 17th is cancelled


# --- bin labels per language -------------------------------------------------------------------------------


def test_shipped_profiles_label_every_bin_in_every_language_they_offer() -> None:
    from leipzig_app.adapters.profiles import available_cities, load_profile

    for city in available_cities():
        profile = load_profile(city)
        if "waste" not in profile.modules:
            continue
        settings = profile.services["waste"]
        assert set(settings.bin_labels) == set(settings.bin_types), city
        for bin_type, labels in settings.bin_labels.items():
            assert labels["de"] == bin_type  # German shows the feed's own name
            assert set(profile.languages) <= set(labels), (city, bin_type)


def _with_labels(leipzig_data: dict[str, Any], labels: Any) -> dict[str, Any]:
    leipzig_data["services"]["waste"]["bin_labels"] = labels
    return leipzig_data


def test_a_label_for_a_bin_the_profile_does_not_list_is_refused(leipzig_data: dict[str, Any]) -> None:
    from leipzig_app.domain.errors import ProfileError
    from leipzig_app.domain.profile import parse_profile

    data = _with_labels(leipzig_data, {"Sperrmüll": {"de": "Sperrmüll", "en": "Bulky waste"}})
    with pytest.raises(ProfileError) as caught:
        parse_profile(data, "cities/test.toml")
    assert caught.value.field == "services.waste.bin_labels.Sperrmüll"
    assert "a bin type from bin_types" in caught.value.expected

    data = _with_labels(leipzig_data, {"Papier": {"en": "Paper"}})
    with pytest.raises(ProfileError) as caught:
        parse_profile(data, "cities/test.toml")
    assert caught.value.field == "services.waste.bin_labels.Papier"
    assert "'de'" in caught.value.expected

    with pytest.raises(ProfileError) as caught:
        parse_profile(_with_labels(leipzig_data, ["Papier"]), "cities/test.toml")
    assert caught.value.field == "services.waste.bin_labels"


async def test_home_and_the_service_name_bins_in_the_residents_language(
    http: Any, db: Database, sandbox_url: str
) -> None:
    labels = {"Restabfall": {"de": "Restabfall", "en": "Residual waste", "uk": "Залишкові відходи"}}
    probe = make_service(http, db, sandbox_url)
    settings = WasteSettings(probe.settings.feed_url, probe.settings.streets_url, BINS, labels)
    service = WasteService(settings, probe.source, probe.store, probe.exporter, city_name="Leipzig")
    assert service.bin_label("Restabfall", "en") == "Residual waste"
    assert service.bin_label("Restabfall", "de-LS") == "Restabfall"  # easy German: the German label
    assert service.bin_label("Restabfall", "ar") == "Residual waste"  # no Arabic label: English first
    assert service.bin_label("Papier", "en") == "Papier"  # no label: the feed's name
    service.choose(await service.load(), "Mitte")
    titles = {item.title for item in (await service.home_card("uk")).items}
    assert "Залишкові відходи" in titles
    assert "Restabfall" not in titles
    assert "Papier" in titles
