"""Slots and bookings across the daylight-saving changes of 2026-10-25 and 2027-03-28 (Europe/Berlin)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from leipzig_app.adapters.zms import ZmsBooking, to_berlin
from leipzig_app.domain.appointments import BERLIN
from leipzig_app.sandbox.server import SandboxServer

from .conftest import Clock

ZENTRUM, ANMELDEN = "10001", "120686"


def local(slots: list[Any]) -> list[str]:
    return [s.start.isoformat() for s in slots]


async def test_autumn_change_repeats_the_hour_with_two_offsets(
    sandbox: SandboxServer, booking: ZmsBooking, demo: Callable[..., Any]
) -> None:
    sandbox.ctx.clock = Clock(datetime(2026, 10, 20, 8, 0, tzinfo=UTC))
    demo("special-openings", office_id=ZENTRUM, day="2026-10-25", opens="01:00", closes="04:00")
    day = date(2026, 10, 25)
    slots = await booking.available_slots([ZENTRUM], ANMELDEN, 1, day, day)
    times = local(slots)
    # 01:00-04:00 wall time on this day is four real hours: 02:00-02:45 happens twice.
    assert len(slots) == 16
    assert times[:4] == [f"2026-10-25T01:{m:02d}:00+02:00" for m in (0, 15, 30, 45)]
    assert "2026-10-25T02:15:00+02:00" in times
    assert "2026-10-25T02:15:00+01:00" in times
    assert times[-1] == "2026-10-25T03:45:00+01:00"
    instants = [s.start.timestamp() for s in slots]
    assert all(b - a == 900 for a, b in itertools.pairwise(instants))
    # booking the second 02:15 keeps it apart from the first
    second = next(s for s in slots if s.start.isoformat() == "2026-10-25T02:15:00+01:00")
    reserved = await booking.reserve(ZENTRUM, [ANMELDEN], [1], second.start)
    assert reserved.start.utcoffset() == timedelta(hours=1)
    assert reserved.start.astimezone(UTC) == datetime(2026, 10, 25, 1, 15, tzinfo=UTC)
    left = local(await booking.available_slots([ZENTRUM], ANMELDEN, 1, day, day))
    assert "2026-10-25T02:15:00+02:00" in left
    assert "2026-10-25T02:15:00+01:00" not in left


async def test_spring_change_skips_the_hour(
    sandbox: SandboxServer, booking: ZmsBooking, demo: Callable[..., Any]
) -> None:
    sandbox.ctx.clock = Clock(datetime(2027, 3, 22, 8, 0, tzinfo=UTC))
    demo("special-openings", office_id=ZENTRUM, day="2027-03-28", opens="01:00", closes="04:00")
    day = date(2027, 3, 28)
    times = local(await booking.available_slots([ZENTRUM], ANMELDEN, 1, day, day))
    assert times == [f"2027-03-28T01:{m:02d}:00+01:00" for m in (0, 15, 30, 45)] + [
        f"2027-03-28T03:{m:02d}:00+02:00" for m in (0, 15, 30, 45)
    ]


async def test_regular_days_around_the_change_have_the_right_offset(
    sandbox: SandboxServer, booking: ZmsBooking
) -> None:
    sandbox.ctx.clock = Clock(datetime(2026, 10, 19, 5, 0, tzinfo=UTC))
    slots = await booking.available_slots([ZENTRUM], ANMELDEN, 1, date(2026, 10, 19), date(2026, 10, 30))
    before = [s for s in slots if s.start.date() < date(2026, 10, 25)]
    after = [s for s in slots if s.start.date() > date(2026, 10, 25)]
    assert before
    assert after
    assert {s.start.utcoffset() for s in before} == {timedelta(hours=2)}
    assert {s.start.utcoffset() for s in after} == {timedelta(hours=1)}
    # opening hours are wall-clock times on both sides
    assert min(s.start.hour for s in before) >= 8
    assert min(s.start.hour for s in after) >= 8


def test_unix_timestamps_become_aware_berlin_times() -> None:
    # the same wall-clock time twice, one real hour apart
    assert to_berlin(1792886400).isoformat() == "2026-10-25T02:00:00+02:00"
    assert to_berlin("1792890000").isoformat() == "2026-10-25T02:00:00+01:00"
    assert to_berlin(1792886400.0).tzinfo is BERLIN
