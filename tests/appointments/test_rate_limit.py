"""Servers without `available-calendar` need a request per office and day: the adapter stays under the
server's own limit of 60 requests a minute, and a list asks only for the days it shows (demo city over
HTTP with `calendar?enabled=0` and its rate limit on; the demo city's clock moves when the adapter waits)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from leipzig_app.adapters.appointment_store import SqliteAppointmentStore
from leipzig_app.adapters.secrets import FileSecretStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.domain.appointments import BERLIN
from leipzig_app.domain.profile import CityProfile
from leipzig_app.services.appointments import AppointmentService

from .conftest import Clock

ANMELDEN = "120686"
TODAY = date(2026, 11, 23)


class Requests:
    """Counts the requests the app's HTTP client sends."""

    def __init__(self, client: httpx.AsyncClient):
        self.paths: list[str] = []
        hooks = client.event_hooks
        hooks["request"] = [*hooks.get("request", []), self._sent]
        client.event_hooks = hooks

    async def _sent(self, request: httpx.Request) -> None:
        self.paths.append(request.url.path.rsplit("/citizen/", 1)[-1])

    def __len__(self) -> int:
        return len(self.paths)


def paced(client: httpx.AsyncClient, endpoint: str, clock: Clock) -> ZmsBooking:
    """The adapter on the demo city's clock: when it waits, the demo city's time goes on by as much."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    return ZmsBooking(client, endpoint, sleep=sleep, clock=clock, monotonic=lambda: clock.now.timestamp())


@pytest.fixture
def day_by_day(demo: Callable[..., Any], clock: Clock) -> None:
    demo("rate-limit", limit=60, window=60)
    demo("calendar", enabled=0)


async def test_five_offices_over_three_weeks_day_by_day_stay_under_the_rate_limit(
    client: httpx.AsyncClient, endpoint: str, clock: Clock, demo: Callable[..., Any]
) -> None:
    demo("rate-limit", limit=60, window=60)
    booking = paced(client, endpoint, clock)
    offices = [o.id for o in (await booking.catalog()).offices_for(ANMELDEN)]
    assert len(offices) == 5
    end = TODAY + timedelta(days=20)
    with_calendar = await booking.available_slots(offices, ANMELDEN, 1, TODAY, end)
    demo("calendar", enabled=0)
    sent = Requests(client)
    started = clock.now

    day_by_day = await booking.available_slots(offices, ANMELDEN, 1, TODAY, end)

    assert day_by_day == with_calendar
    assert len(sent) > 60  # more than the server answers in a minute: the adapter waited in between
    assert clock.now - started >= timedelta(seconds=60)


async def test_a_list_asks_only_for_the_days_it_shows(
    client: httpx.AsyncClient,
    endpoint: str,
    clock: Clock,
    day_by_day: None,
    db: Database,
    tmp_path: Path,
    profile: CityProfile,
) -> None:
    booking = paced(client, endpoint, clock)
    service = AppointmentService(
        booking,
        SqliteAppointmentStore(db, city="leipzig"),
        FileSecretStore(tmp_path),
        profile.appointments,
        city="leipzig",
        clock=clock,
    )
    offices = [c.office.id for c in await service.offices_for(ANMELDEN)]
    assert len(offices) == 5
    sent = Requests(client)

    times = await service.free_times(offices, ANMELDEN, 1, days=21, first=5)

    days = sorted({s.start.astimezone(BERLIN).date() for s in times.slots})
    assert len(days) == 5
    assert times.next_day is not None
    assert times.next_day > days[-1]
    # the calendar probe, the free days of each office, then one request per office and shown day at most
    assert sent.paths.count("available-calendar/") == 1
    assert sent.paths.count("available-days/") == 5
    assert 5 <= sent.paths.count("available-appointments/") <= 5 * 5
    assert len(sent) <= 1 + 5 + 5 * 5

    # more days as the resident asks for them, until every free time of the three weeks is there
    added = await times.more(5)
    assert {s.start.astimezone(BERLIN).date() for s in added}.isdisjoint(days)
    while not times.complete:
        await times.more(5)
    assert times.slots == await service.slots(offices, ANMELDEN, 1, days=21)
