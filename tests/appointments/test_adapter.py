"""The ZMS adapter against the real demo city over HTTP, in plain and `{meta, data}` wrapped bodies."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.domain.appointments import BERLIN, BookingState, Contact, Slot

from .conftest import Clock

ZENTRUM, GRUENAU = "10001", "10002"
ANMELDEN, AUSWEIS, FUEHRUNGSZEUGNIS = "120686", "120703", "120926"
TODAY = date(2026, 11, 23)


@pytest.fixture(params=["plain", "wrapped"])
def shape(request: pytest.FixtureRequest, demo: Callable[..., Any]) -> str:
    demo("wrap", enabled=1 if request.param == "wrapped" else 0)
    return str(request.param)


async def first_slot(booking: ZmsBooking, office: str = GRUENAU, service: str = ANMELDEN) -> Slot:
    slots = await booking.available_slots([office], service, 1, TODAY, TODAY + timedelta(days=13))
    assert slots, "the demo city offers free times in the next two weeks"
    return slots[0]


async def test_catalog_in_both_shapes(booking: ZmsBooking, shape: str) -> None:
    catalog = await booking.catalog()
    assert len(catalog.offices) == 5
    zentrum = catalog.office(ZENTRUM)
    assert zentrum.address == "Otto-Schill-Straße 2, 04109 Leipzig"
    assert zentrum.step_free is True
    assert zentrum.email_confirmation is True
    assert catalog.office("10004").step_free is None
    assert zentrum.latitude == pytest.approx(51.3381)
    assert {h.weekday for h in zentrum.opening_hours} == {0, 1, 2, 3, 4}
    ausweis = catalog.service(AUSWEIS)
    assert ausweis.max_quantity == 5
    assert ANMELDEN in ausweis.combinable
    assert any("Passfoto" in d for d in ausweis.documents)
    assert "37,00" in ausweis.fee
    # small offices do not issue passports
    assert "10003" not in {o.id for o in catalog.offices_for("121151")}


async def test_slots_are_berlin_times_sorted_and_same_without_calendar_endpoint(
    booking: ZmsBooking, shape: str, clock: Clock, demo: Callable[..., Any]
) -> None:
    end = TODAY + timedelta(days=6)
    with_calendar = await booking.available_slots([ZENTRUM, GRUENAU], ANMELDEN, 1, TODAY, end)
    assert with_calendar == sorted(with_calendar)
    assert {s.office_id for s in with_calendar} == {ZENTRUM, GRUENAU}
    assert all(s.start.tzinfo is BERLIN and s.start.utcoffset() == timedelta(hours=1) for s in with_calendar)
    assert all(s.start > clock.now for s in with_calendar)
    demo("calendar", enabled=0)
    assert await booking.available_slots([ZENTRUM, GRUENAU], ANMELDEN, 1, TODAY, end) == with_calendar


async def test_booking_with_e_mail_confirmation_in_both_shapes(
    booking: ZmsBooking, shape: str, clock: Clock, demo: Callable[..., Any]
) -> None:
    slot = await first_slot(booking, ZENTRUM)
    reserved = await booking.reserve(ZENTRUM, [ANMELDEN], [1], slot.start)
    assert reserved.state is BookingState.RESERVED
    assert reserved.start == slot.start
    assert reserved.reserved_until is not None
    assert reserved.reserved_until - clock.now == timedelta(minutes=15)
    updated = await booking.update(reserved, Contact("Erika Mustermann", "erika@example.org"))
    waiting = await booking.preconfirm(updated)
    assert waiting.state is BookingState.WAITING_FOR_CONFIRMATION
    mails = demo("mails", "GET", recipient="erika@example.org")["mails"]
    assert [m["subject"] for m in mails] == ["Bitte bestätigen Sie Ihren Termin (Demo)"]
    assert httpx.get(mails[0]["confirm_url"], timeout=5).status_code == 200
    fetched = await booking.fetch(waiting.process_id, waiting.auth_key)
    assert fetched.state is BookingState.CONFIRMED
    assert fetched.start == slot.start
    await booking.cancel(fetched.process_id, fetched.auth_key)
    assert (await booking.fetch(fetched.process_id, fetched.auth_key)).state is BookingState.CANCELLED
    # the time is free again
    assert slot in await booking.available_slots([ZENTRUM], ANMELDEN, 1, TODAY, TODAY + timedelta(days=13))


async def test_office_without_e_mail_confirmation_confirms_at_once(booking: ZmsBooking, clock: Clock) -> None:
    slot = await first_slot(booking, GRUENAU)
    reserved = await booking.reserve(GRUENAU, [ANMELDEN], [1], slot.start)
    updated = await booking.update(reserved, Contact("Max Muster", "max@example.org"))
    confirmed = await booking.confirm(updated)
    assert confirmed.state is BookingState.CONFIRMED
    assert confirmed.reserved_until is None


async def test_secrets_never_reach_the_log(
    booking: ZmsBooking, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    slot = await first_slot(booking)
    reserved = await booking.reserve(GRUENAU, [ANMELDEN], [1], slot.start)
    await booking.fetch(reserved.process_id, reserved.auth_key)
    await booking.cancel(reserved.process_id, reserved.auth_key)
    assert "ZMS POST reserve-appointment/ -> 200" in caplog.text
    assert reserved.auth_key not in caplog.text
    assert reserved.process_id not in caplog.text
    assert reserved.auth_key not in repr(reserved)
