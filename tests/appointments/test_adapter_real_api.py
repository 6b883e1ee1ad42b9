"""The adapter on bodies shaped like those of the real ZMS citizen API (it-at-m/eappointment `zmscitizenapi`).

No eappointment server can run here, so these answers are served by an in-process transport. Their
shapes follow the server's own controller tests (`tests/Zmscitizenapi/Controllers/...`) and models; the
requests the adapter sends are checked against the parameter and body names the server reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from leipzig_app.adapters.http import make_client
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.domain.appointments import (
    BERLIN,
    AppointmentServerError,
    Booking,
    BookingState,
    Contact,
    MaintenanceError,
    NotAvailableError,
    RateLimitedError,
    ReservationExpiredError,
    SlotTakenError,
    TooManyAppointmentsError,
)
from leipzig_app.domain.errors import InvalidResponseError

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN)
BASE = "http://127.0.0.1:1/terminvereinbarung/api/citizen/"
Route = Callable[[httpx.Request], httpx.Response]

# `OfficesServicesRelationsControllerTest`: a later server version (scope with `infoForAppointment`,
# `reservationDuration`, geo as strings, nested `combinable`, relations with `public`).
CATALOG = {
    "offices": [
        {
            "id": 9999998, "name": "Bürgerbüro Mitte",
            "address": {"street": "Marienplatz", "house_number": "8", "postal_code": "80331",
                        "city": "München", "hint": False},
            "showAlternativeLocations": False, "displayNameAlternatives": [], "organization": None,
            "organizationUnit": None, "slotTimeInMinutes": None,
            "geo": {"lat": "48.12750898398659", "lon": "11.604317899956524"},
            "disabledByServices": [], "priority": 1,
            "scope": {
                "id": 1, "shortName": "Scope 1", "emailFrom": "no-reply@muenchen.de", "emailRequired": False,
                "telephoneActivated": True, "telephoneRequired": False, "customTextfieldActivated": True,
                "customTextfieldRequired": False, "customTextfieldLabel": "Custom Label",
                "captchaActivatedRequired": False, "infoForAppointment": "Bitte Unterlagen mitbringen.",
                "infoForAllAppointments": None, "slotsPerAppointment": None, "appointmentsPerMail": None,
                "whitelistedMails": None, "reservationDuration": 20, "activationDuration": 60, "hint": None,
            },
            "slotsPerAppointment": None, "parentId": None, "allowDisabledServicesMix": None,
        },
        {
            # an earlier version: the note was `displayInfo`; no address
            "id": 9999999, "name": "Bürgerbüro Nord", "address": None,
            "geo": {"lat": 48.17, "lon": 11.58},
            "scope": {"id": 2, "telephoneActivated": False, "telephoneRequired": True,
                      "displayInfo": "Eingang links."},
        },
    ],
    "services": [
        {"id": 1, "name": "Wohnsitz anmelden", "maxQuantity": 1, "combinable": [], "parentId": None,
         "variantId": None, "rootParentId": 1, "showOnStartPage": True},
        {"id": 2, "name": "Personalausweis", "maxQuantity": 5,
         "combinable": {"1": {"1": [9999999]}, "2": {"2": [9999999]}},
         "parentId": None, "variantId": None, "rootParentId": 2, "showOnStartPage": True},
    ],
    "relations": [
        {"officeId": 9999998, "serviceId": 1, "slots": 2, "public": True, "maxQuantity": None},
        {"officeId": 9999999, "serviceId": 2, "slots": 1, "public": True, "maxQuantity": None},
    ],
}  # fmt: skip

# `AppointmentReserveControllerTest`: the answer to a reservation (no `reservedUntil`, ids as numbers,
# `timestamp` as a string, the main service in `serviceId`, others in `subRequestCounts`).
RESERVED = {
    "processId": 101002, "timestamp": "1795420800", "authKey": "fb43", "familyName": None,
    "customTextfield": None, "customTextfield2": None, "email": None, "telephone": None,
    "officeName": "Bürgerbüro Mitte", "officeId": 9999998, "status": "reserved",
    "scope": {"id": 1, "reservationDuration": 20, "activationDuration": 60},
    "subRequestCounts": [{"id": 2, "count": 1}], "serviceId": 1, "serviceName": "Wohnsitz anmelden",
    "serviceCount": 2, "slotCount": 4,
}  # fmt: skip


def error(status: int, code: str, message: str = "") -> httpx.Response:
    entry = {"errorCode": code, "statusCode": status, "errorMessage": message or code, "errorType": "error"}
    return httpx.Response(status, json={"errors": [entry]})


class Server:
    """Answers by path; records every request (path, query, JSON body)."""

    def __init__(self, routes: dict[str, Route | list[Route]]):
        self.routes = routes
        self.seen: list[tuple[str, dict[str, str], Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/terminvereinbarung/api/citizen/")
        body = json.loads(request.content) if request.content else None
        self.seen.append((path, dict(request.url.params), body))
        route = self.routes.get(path)
        if route is None:
            return error(404, "notFound", "Endpoint not found.")
        if isinstance(route, list):
            return route.pop(0)(request)
        return route(request)


def answer(body: Any, status: int = 200) -> Route:
    return lambda request: httpx.Response(status, json=body)


@pytest.fixture
def server() -> Server:
    return Server({})


@pytest.fixture
async def zms(server: Server) -> Any:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with make_client(transport=httpx.MockTransport(server)) as client:
        adapter = ZmsBooking(client, BASE, sleep=sleep, clock=lambda: NOW)
        adapter.waits = waits  # type: ignore[attr-defined]
        yield adapter


def held() -> Booking:
    return Booking("101002", "fb43", "9999998", ("1",), (1,), NOW + timedelta(days=1), BookingState.RESERVED)


async def test_catalog_of_a_real_server(zms: ZmsBooking, server: Server) -> None:
    server.routes["offices-and-services/"] = answer(CATALOG)
    catalog = await zms.catalog()
    mitte, nord = catalog.office("9999998"), catalog.office("9999999")
    assert mitte.address == "Marienplatz 8, 80331 München"
    assert mitte.latitude == pytest.approx(48.1275, abs=1e-4)
    assert mitte.info == "Bitte Unterlagen mitbringen."  # scope.infoForAppointment
    assert nord.info == "Eingang links."  # scope.displayInfo of earlier versions
    assert nord.address == ""
    assert nord.telephone_required is True
    assert nord.telephone_activated is False
    # fields the real API does not have: unknown, not invented
    assert mitte.opening_hours == ()
    assert mitte.step_free is None
    # without `emailConfirmationActivated` an office confirms by e-mail, as in the server's own flow
    assert mitte.email_confirmation is True
    ausweis = catalog.service("2")
    assert ausweis.combinable == ("1",)  # the nested map's keys, without the service itself
    assert (ausweis.fee, ausweis.documents) == ("", ())
    assert catalog.service("1").combinable == ()
    assert [(r.office_id, r.service_id, r.slots) for r in catalog.relations] == [
        ("9999998", "1", 2),
        ("9999999", "2", 1),
    ]


async def test_available_calendar_names_and_shape(zms: ZmsBooking, server: Server) -> None:
    # `AvailableCalendarControllerTest`: officeId is a string there, the times are `appointments`
    calendar = {
        "startDate": "2026-11-23",
        "endDate": "2026-11-25",
        "slotsStartDate": "2026-11-23",
        "slotsEndDate": "2026-11-25",
        "prevBookableDate": None,
        "nextBookableDate": None,
        "availableDays": [
            {
                "date": "2026-11-24",
                "providerIDs": "9999998,9999999",
                "offices": [
                    {"officeId": "9999999", "appointments": [1795420800]},
                    {"officeId": "9999998", "appointments": [1795420800, 1795421700]},
                ],
            },
        ],
    }
    server.routes["available-calendar/"] = answer(calendar)
    start = NOW.date()
    slots = await zms.available_slots(["9999998", "9999999"], "1", 2, start, start + timedelta(days=2))
    assert [(s.start.timestamp(), s.office_id) for s in slots] == [
        (1795420800, "9999998"),
        (1795420800, "9999999"),
        (1795421700, "9999998"),
    ]
    assert slots[0].start.tzinfo is BERLIN
    _path, query, _ = server.seen[0]
    assert query == {
        "startDate": "2026-11-23",
        "endDate": "2026-11-25",
        "officeIds": "9999998,9999999",
        "serviceIds": "1",
        "serviceCounts": "2",
    }


@pytest.mark.parametrize(
    "missing",
    [
        error(404, "notFound", "Endpoint not found."),  # servers with the catch-all route
        httpx.Response(404, text="<html>Not Found</html>"),  # earlier ones
    ],
)
async def test_servers_without_available_calendar_are_asked_day_by_day(
    zms: ZmsBooking, server: Server, missing: httpx.Response
) -> None:
    server.routes["available-calendar/"] = lambda request: missing
    # `AvailableDaysListControllerTest`: a list of ISO dates
    server.routes["available-days/"] = answer({"availableDays": ["2026-11-24", "2026-11-25"]})
    server.routes["available-appointments/"] = [
        answer({"appointmentTimestamps": [1795420800]}),
        lambda request: error(404, "appointmentNotAvailable"),
    ]
    start = NOW.date()
    slots = await zms.available_slots(["9999998"], "1", 1, start, start + timedelta(days=2))
    assert [s.start.timestamp() for s in slots] == [1795420800]
    assert server.seen[1][:2] == (
        "available-days/",
        {"officeId": "9999998", "serviceId": "1", "serviceCount": "1",
         "startDate": "2026-11-23", "endDate": "2026-11-25"},
    )  # fmt: skip
    assert server.seen[2][1] == {
        "officeId": "9999998",
        "serviceId": "1",
        "serviceCount": "1",
        "date": "2026-11-24",
    }


async def test_no_free_day_is_an_empty_list(zms: ZmsBooking, server: Server) -> None:
    server.routes["available-days/"] = lambda request: error(404, "noAppointmentForThisDay")
    assert await zms.available_slots(["9999998"], "1", 1, NOW.date(), NOW.date()) == []


async def test_reserve_sends_the_real_body_and_reads_the_thinned_process(
    zms: ZmsBooking, server: Server
) -> None:
    server.routes["reserve-appointment/"] = answer(RESERVED)
    start = datetime.fromtimestamp(1795420800, UTC)
    booking = await zms.reserve("9999998", ["1", "2"], [2, 1], start)
    assert server.seen[0][2] == {
        "officeId": 9999998,
        "serviceId": [1, 2],
        "serviceCount": [2, 1],
        "timestamp": 1795420800,
    }
    assert (booking.process_id, booking.auth_key) == ("101002", "fb43")
    assert booking.start == start
    assert booking.state is BookingState.RESERVED
    assert (booking.service_ids, booking.service_counts) == (("1", "2"), (2, 1))
    # no `reservedUntil` in the real API: the scope's reservationDuration (minutes) counts from now
    assert booking.reserved_until == NOW + timedelta(minutes=20)


async def test_reservation_without_duration_or_services_falls_back(zms: ZmsBooking, server: Server) -> None:
    # the server's own reserve test answers serviceId 0 / serviceCount 0 and a scope without durations
    bare = {**RESERVED, "serviceId": 0, "serviceCount": 0, "subRequestCounts": [], "scope": {"id": 1}}
    server.routes["reserve-appointment/"] = answer(bare)
    booking = await zms.reserve("9999998", ["1"], [1], datetime.fromtimestamp(1795420800, UTC))
    assert (booking.service_ids, booking.service_counts) == (("1",), (1,))
    assert booking.reserved_until == NOW + timedelta(minutes=15)


async def test_reserving_a_time_no_longer_free_is_slot_taken(zms: ZmsBooking, server: Server) -> None:
    server.routes["reserve-appointment/"] = lambda request: error(404, "appointmentNotAvailable")
    with pytest.raises(SlotTakenError) as caught:
        await zms.reserve("9999998", ["1"], [1], NOW)
    assert caught.value.status == 404


async def test_update_sends_contact_without_empty_telephone(zms: ZmsBooking, server: Server) -> None:
    server.routes["update-appointment/"] = answer(
        {**RESERVED, "familyName": "Erika", "email": "e@example.org"}
    )
    await zms.update(held(), Contact("Erika", "e@example.org"))
    assert server.seen[-1][2] == {
        "processId": 101002,
        "authKey": "fb43",
        "familyName": "Erika",
        "email": "e@example.org",
    }
    await zms.update(held(), Contact("Erika", "e@example.org", "0341 / 123 45-6"))
    assert server.seen[-1][2]["telephone"] == "+49341123456"
    await zms.update(held(), Contact("Erika", "e@example.org", "0043 1 234567"))
    assert server.seen[-1][2]["telephone"] == "+431234567"


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("preconfirmed", BookingState.WAITING_FOR_CONFIRMATION),
        ("confirmed", BookingState.CONFIRMED),
        ("called", BookingState.CONFIRMED),
        ("finished", BookingState.CONFIRMED),
        ("deleted", BookingState.CANCELLED),
    ],
)
async def test_status_words_of_the_real_server(
    zms: ZmsBooking, server: Server, status: str, state: BookingState
) -> None:
    server.routes["appointment/"] = answer({**RESERVED, "status": status})
    fetched = await zms.fetch("101002", "fb43")
    assert fetched.state is state
    assert server.seen[0][1] == {"processId": "101002", "authKey": "fb43"}
    if state is BookingState.WAITING_FOR_CONFIRMATION:
        assert fetched.reserved_until == NOW + timedelta(minutes=60)  # scope.activationDuration
    else:
        assert fetched.reserved_until is None


async def test_answers_without_status_take_the_state_of_the_call(zms: ZmsBooking, server: Server) -> None:
    # early versions of ThinnedProcess had no `status`
    without = {k: v for k, v in RESERVED.items() if k != "status"}
    server.routes["preconfirm-appointment/"] = answer(without)
    server.routes["appointment/"] = answer(without)
    waiting = await zms.preconfirm(held())
    assert waiting.state is BookingState.WAITING_FOR_CONFIRMATION
    with pytest.raises(InvalidResponseError, match="no status"):
        await zms.fetch("101002", "fb43")


@pytest.mark.parametrize(
    ("response", "kind", "key"),
    [
        (
            error(406, "tooManyAppointmentsWithSameMail"),
            TooManyAppointmentsError,
            "appointments.error.too_many",
        ),
        (error(406, "telephoneIsRequired"), AppointmentServerError, "appointments.error.rejected"),
        (error(400, "invalidTelephone"), AppointmentServerError, "appointments.error.rejected"),
        (error(409, "processNotReservedAnymore"), ReservationExpiredError, "appointments.error.expired"),
        (error(400, "preconfirmationExpired"), ReservationExpiredError, "appointments.error.expired"),
        # the server drops a lapsed reservation: "not found" for a time the app has just held
        (error(404, "appointmentNotFound"), ReservationExpiredError, "appointments.error.expired"),
        (error(503, "serviceUnavailable"), MaintenanceError, "appointments.error.maintenance"),
    ],
)
async def test_error_codes_of_the_real_registry(
    zms: ZmsBooking, server: Server, response: httpx.Response, kind: type[Exception], key: str
) -> None:
    server.routes["update-appointment/"] = lambda request: response
    with pytest.raises(kind) as caught:
        await zms.update(held(), Contact("Erika", "e@example.org"))
    assert type(caught.value) is kind
    assert caught.value.key == key  # type: ignore[attr-defined]


async def test_the_error_that_set_the_status_is_reported(zms: ZmsBooking, server: Server) -> None:
    # the server lists every validation error and answers with the highest status among them
    body = {"errors": [
        {"errorCode": "invalidFamilyName", "statusCode": 400, "errorMessage": "familyName"},
        {"errorCode": "tooManyAppointmentsWithSameMail", "statusCode": 406, "errorMessage": "zu viele"},
    ]}  # fmt: skip
    server.routes["update-appointment/"] = lambda request: httpx.Response(406, json=body)
    with pytest.raises(TooManyAppointmentsError):
        await zms.update(held(), Contact("Erika", "e@example.org"))


async def test_unknown_appointment_is_not_found(zms: ZmsBooking, server: Server) -> None:
    server.routes["appointment/"] = lambda request: error(404, "appointmentNotFound")
    with pytest.raises(NotAvailableError) as caught:
        await zms.fetch("101002", "fb43")
    assert caught.value.key == "appointments.error.not_found"


async def test_rate_limit_without_retry_after_waits_a_second(zms: ZmsBooking, server: Server) -> None:
    # `RateLimitingMiddleware` answers 429 `rateLimitExceeded` without a Retry-After header
    server.routes["offices-and-services/"] = [
        lambda request: error(429, "rateLimitExceeded"),
        answer(CATALOG),
    ]
    assert (await zms.catalog()).offices
    assert zms.waits == [1.0]  # type: ignore[attr-defined]
    server.routes["offices-and-services/"] = lambda request: error(429, "rateLimitExceeded")
    with pytest.raises(RateLimitedError) as caught:
        await zms.catalog()
    assert caught.value.params["code"] == "rateLimitExceeded"


async def test_wrapped_bodies_as_the_openapi_annotations_describe(zms: ZmsBooking, server: Server) -> None:
    server.routes["appointment/"] = answer(
        {"meta": {"success": True}, "data": {**RESERVED, "status": "confirmed"}}
    )
    assert (await zms.fetch("101002", "fb43")).state is BookingState.CONFIRMED
