"""Every refusal of the ZMS API becomes a clear domain error (status, key), in both body shapes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import httpx
import pytest

from leipzig_app.adapters.http import make_client
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.domain.appointments import (
    BERLIN,
    Contact,
    InvalidCombinationError,
    MaintenanceError,
    NotAvailableError,
    RateLimitedError,
    ReservationExpiredError,
    SlotTakenError,
    TooManyAppointmentsError,
)
from leipzig_app.domain.errors import InvalidResponseError, OfflineError

from .conftest import Clock
from .test_adapter import ANMELDEN, AUSWEIS, FUEHRUNGSZEUGNIS, GRUENAU, TODAY, first_slot


@pytest.fixture(params=["plain", "wrapped"])
def shape(request: pytest.FixtureRequest, demo: Callable[..., Any]) -> str:
    demo("wrap", enabled=1 if request.param == "wrapped" else 0)
    return str(request.param)


async def test_slot_taken_is_404_not_available_and_read_as_taken(
    booking: ZmsBooking, shape: str, clock: Clock
) -> None:
    slot = await first_slot(booking)
    await booking.reserve(GRUENAU, [ANMELDEN], [1], slot.start)
    with pytest.raises(SlotTakenError) as caught:
        await booking.reserve(GRUENAU, [ANMELDEN], [1], slot.start)
    assert caught.value.status == 404
    assert caught.value.key == "appointments.error.slot_taken"
    assert caught.value.params["code"] == "appointmentNotAvailable"


async def test_reservation_expires_after_15_minutes(booking: ZmsBooking, shape: str, clock: Clock) -> None:
    slot = (await booking.available_slots([GRUENAU], ANMELDEN, 1, TODAY, TODAY + timedelta(days=13)))[-1]
    reserved = await booking.reserve(GRUENAU, [ANMELDEN], [1], slot.start)
    clock.advance(minutes=15, seconds=1)
    with pytest.raises(ReservationExpiredError) as caught:
        await booking.update(reserved, Contact("Erika Mustermann", "erika@example.org"))
    assert caught.value.status == 409
    assert caught.value.key == "appointments.error.expired"
    # and the time is offered again
    assert slot in await booking.available_slots([GRUENAU], ANMELDEN, 1, TODAY, TODAY + timedelta(days=13))


async def test_too_many_appointments_for_one_e_mail_is_406(
    booking: ZmsBooking, shape: str, clock: Clock
) -> None:
    slots = await booking.available_slots([GRUENAU], ANMELDEN, 1, TODAY, TODAY + timedelta(days=13))
    contact = Contact("Erika Mustermann", "viel@example.org")
    for slot in slots[:3]:
        await booking.confirm(
            await booking.update(await booking.reserve(GRUENAU, [ANMELDEN], [1], slot.start), contact)
        )
    fourth = await booking.reserve(GRUENAU, [ANMELDEN], [1], slots[3].start)
    with pytest.raises(TooManyAppointmentsError) as caught:
        await booking.update(fourth, contact)
    assert caught.value.status == 406
    assert caught.value.key == "appointments.error.too_many"


async def test_time_outside_opening_hours_is_the_same_404(
    booking: ZmsBooking, shape: str, clock: Clock
) -> None:
    # The server does not tell a taken time from one it never offered: the wizard shows fresh times.
    sunday = datetime.combine(TODAY + timedelta(days=6), time(10, 0), tzinfo=BERLIN)
    with pytest.raises(SlotTakenError) as caught:
        await booking.reserve(GRUENAU, [ANMELDEN], [1], sunday)
    assert caught.value.status == 404
    assert caught.value.params["code"] == "appointmentNotAvailable"


async def test_no_free_days_is_an_empty_list_not_an_error(
    booking: ZmsBooking, shape: str, clock: Clock, demo: Callable[..., Any]
) -> None:
    demo("calendar", enabled=0)
    sunday = TODAY + timedelta(days=6)
    assert await booking.available_slots([GRUENAU], ANMELDEN, 1, sunday, sunday) == []


async def test_unknown_booking_is_404_not_found(booking: ZmsBooking, shape: str) -> None:
    with pytest.raises(NotAvailableError) as caught:
        await booking.fetch("100001", "not-the-key")
    assert caught.value.key == "appointments.error.not_found"
    assert "not-the-key" not in str(caught.value)


async def test_services_that_do_not_combine_are_400(booking: ZmsBooking, shape: str, clock: Clock) -> None:
    slot = await first_slot(booking)
    with pytest.raises(InvalidCombinationError) as caught:
        await booking.reserve(GRUENAU, [AUSWEIS, FUEHRUNGSZEUGNIS], [1, 1], slot.start)
    assert caught.value.status == 400
    assert caught.value.key == "appointments.error.combination"


async def test_rate_limit_waits_retry_after_and_retries(
    client: httpx.AsyncClient, endpoint: str, shape: str, clock: Clock, demo: Callable[..., Any]
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds=seconds)

    demo("rate-limit", limit=2, window=30)
    polite = ZmsBooking(client, endpoint, sleep=sleep, max_retries=2, max_wait=60)
    await polite.catalog()
    await polite.catalog()
    catalog = await polite.catalog()  # third call within the window: waits, then succeeds
    assert catalog.offices
    assert waits == [30.0]


async def test_rate_limit_gives_up_within_bounds(
    client: httpx.AsyncClient, endpoint: str, shape: str, clock: Clock, demo: Callable[..., Any]
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    demo("rate-limit", limit=1, window=60)
    impatient = ZmsBooking(client, endpoint, sleep=sleep, max_retries=3, max_wait=10)
    await impatient.catalog()
    with pytest.raises(RateLimitedError) as caught:
        await impatient.catalog()
    assert waits == []  # 60 s would exceed the 10 s budget: no waiting at all
    assert caught.value.status == 429
    assert caught.value.retry_after == 60
    assert caught.value.retryable


async def test_sixty_calls_a_minute_by_default(booking: ZmsBooking, endpoint: str, clock: Clock) -> None:
    async def unknown() -> None:
        with pytest.raises(NotAvailableError):
            await booking.fetch("1", "unknown")

    await asyncio.gather(*(unknown() for _ in range(60)))
    with pytest.raises(RateLimitedError):
        await ZmsBooking(booking._client, endpoint, max_retries=0).fetch("1", "unknown")


async def test_maintenance_is_503(booking: ZmsBooking, shape: str, demo: Callable[..., Any]) -> None:
    demo("maintenance", enabled=1)
    with pytest.raises(MaintenanceError) as caught:
        await booking.catalog()
    assert caught.value.status == 503
    assert caught.value.key == "appointments.error.maintenance"
    demo("maintenance", enabled=0)
    assert (await booking.catalog()).offices


async def test_unreachable_server_is_offline(client: httpx.AsyncClient) -> None:
    with pytest.raises(OfflineError):
        await ZmsBooking(client, "http://127.0.0.1:9/terminvereinbarung/api/citizen/").catalog()


async def test_answer_that_is_not_json_is_invalid() -> None:
    # A captive portal or a misconfigured proxy answers 200 with HTML; nothing here can run one for real.
    def portal(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>Anmeldung erforderlich</html>")

    async with make_client(transport=httpx.MockTransport(portal)) as mocked:
        with pytest.raises(InvalidResponseError):
            await ZmsBooking(mocked, "http://127.0.0.1:1/api/").catalog()


async def test_answer_of_the_wrong_shape_is_invalid() -> None:
    def odd(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"offices": "none"})

    async with make_client(transport=httpx.MockTransport(odd)) as mocked:
        with pytest.raises(InvalidResponseError):
            await ZmsBooking(mocked, "http://127.0.0.1:1/api/").catalog()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"officeId": 10002, "serviceId": [120686], "serviceCount": ["zwei"], "timestamp": 1},
            "invalidServiceCount",
        ),
        ({"officeId": 10002, "serviceId": 120686, "serviceCount": 3, "timestamp": 1}, "invalidServiceCount"),
        ({"officeId": 99, "serviceId": [120686], "timestamp": 1}, "invalidOfficeId"),
        ({"officeId": 10002, "serviceId": [120686]}, "invalidTimestamp"),
        ([1, 2], "invalidRequest"),
    ],
)
def test_demo_city_answers_bad_requests_with_zms_errors(endpoint: str, body: object, code: str) -> None:
    response = httpx.post(endpoint + "reserve-appointment/", json=body, timeout=5)
    assert response.status_code == 400
    assert response.json()["errors"][0]["errorCode"] == code


def test_demo_city_answers_broken_json_with_a_zms_error(endpoint: str) -> None:
    response = httpx.post(endpoint + "reserve-appointment/", content=b"{nope", timeout=5)
    assert response.status_code == 400
    assert response.json()["errors"][0]["errorCode"] == "invalidRequest"
