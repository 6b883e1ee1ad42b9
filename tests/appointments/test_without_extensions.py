"""The app against the demo city answering exactly like a real ZMS server (demo switch `extensions` off).

Without the fields the real API lacks (opening hours, step-free access, e-mail confirmation per office,
fees, documents, `reservedUntil`, Retry-After) the catalog says less, every booking goes through the
server's own reserved -> preconfirmed -> confirmed flow, and held times still show how long they last.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from leipzig_app.adapters.appointment_store import SqliteAppointmentStore
from leipzig_app.adapters.secrets import FileSecretStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.domain.appointments import BookingState, Contact
from leipzig_app.domain.profile import CityProfile
from leipzig_app.services.appointments import AppointmentService

from .conftest import Clock

ZENTRUM, GRUENAU = "10001", "10002"
ANMELDEN = "120686"
#: The keys of an office, a service and a process in the real API (`Office.php`, `Service.php`,
#: `ThinnedProcess.php`, `ThinnedScope.php` of it-at-m/eappointment's zmscitizenapi).
OFFICE_KEYS = {
    "id", "name", "address", "showAlternativeLocations", "displayNameAlternatives", "organization",
    "organizationUnit", "slotTimeInMinutes", "geo", "disabledByServices", "priority", "scope",
    "slotsPerAppointment", "parentId", "allowDisabledServicesMix",
}  # fmt: skip
SCOPE_KEYS = {
    "id", "provider", "shortName", "emailFrom", "emailRequired", "telephoneActivated", "telephoneRequired",
    "customTextfieldActivated", "customTextfieldRequired", "customTextfieldLabel",
    "customTextfield2Activated", "customTextfield2Required", "customTextfield2Label",
    "captchaActivatedRequired", "displayInfo",
    "infoForAppointment", "infoForAllAppointments", "slotsPerAppointment", "appointmentsPerMail",
    "whitelistedMails", "reservationDuration", "activationDuration", "hint",
}  # fmt: skip
SERVICE_KEYS = {"id", "name", "maxQuantity", "combinable", "parentId", "variantId", "rootParentId",
                "showOnStartPage", "variantOverwrite"}  # fmt: skip
PROCESS_KEYS = {
    "processId", "timestamp", "authKey", "captchaToken", "familyName", "customTextfield", "customTextfield2",
    "email", "telephone", "officeName", "officeId", "scope", "status", "subRequestCounts", "serviceId",
    "serviceName", "serviceCount", "slotCount",
}  # fmt: skip


@pytest.fixture(autouse=True)
def plain(demo: Callable[..., Any]) -> None:
    demo("extensions", enabled=0)


@pytest.fixture
def service(
    client: httpx.AsyncClient, endpoint: str, db: Database, tmp_path: Path, profile: CityProfile, clock: Clock
) -> AppointmentService:
    return AppointmentService(
        ZmsBooking(client, endpoint, clock=clock),
        SqliteAppointmentStore(db, city="leipzig"),
        FileSecretStore(tmp_path / "data"),
        profile.appointments,
        city="leipzig",
        clock=clock,
    )


def test_the_demo_city_sends_only_fields_of_the_real_api(endpoint: str) -> None:
    catalog = httpx.get(endpoint + "offices-and-services/", timeout=5).json()
    for office in catalog["offices"]:
        assert set(office) <= OFFICE_KEYS
        assert set(office["scope"]) <= SCOPE_KEYS
    assert all(set(s) <= SERVICE_KEYS for s in catalog["services"])


async def test_catalog_without_extensions(booking: ZmsBooking) -> None:
    catalog = await booking.catalog()
    zentrum = catalog.office(ZENTRUM)
    assert zentrum.opening_hours == ()
    assert zentrum.step_free is None
    assert all(o.email_confirmation for o in catalog.offices)
    assert zentrum.info == "Eingang über den Innenhof, Aufzug vorhanden."  # scope.infoForAppointment
    assert catalog.service("120703").fee == ""
    assert catalog.service("120703").documents == ()
    assert catalog.office("10003").telephone_required is True


async def test_booking_goes_through_preconfirm_and_holds_show_their_time(
    service: AppointmentService, clock: Clock, endpoint: str
) -> None:
    slot = (await service.slots([GRUENAU], ANMELDEN, 1))[0]
    held = await service.hold(slot, ANMELDEN, 1)
    raw = httpx.get(
        endpoint + "appointment/", params={"processId": held.process_id, "authKey": held.auth_key}, timeout=5
    ).json()
    assert set(raw) <= PROCESS_KEYS
    assert isinstance(raw["timestamp"], str)
    assert held.state is BookingState.RESERVED
    # no reservedUntil: the scope's reservationDuration (15 minutes) counts from the answer
    assert held.reserved_until is not None
    assert held.reserved_until - clock.now == timedelta(minutes=15)
    await service.release(held)

    # Grünau does not send activation mails: the server confirms at the preconfirm step
    record = await service.book(slot, ANMELDEN, 1, Contact("Erika Mustermann", "erika@example.org"))
    assert record.state is BookingState.CONFIRMED
    # Zentrum does: the booking waits for the link in the mail, for the scope's activationDuration
    other = (await service.slots([ZENTRUM], ANMELDEN, 1))[0]
    waiting = await service.book(other, ANMELDEN, 1, Contact("Max Muster", "max@example.org", "0341 1234567"))
    assert waiting.state is BookingState.WAITING_FOR_CONFIRMATION
    cancelled = await service.cancel(waiting.id)
    assert cancelled.state is BookingState.CANCELLED


async def test_rate_limit_without_retry_after(
    client: httpx.AsyncClient, endpoint: str, clock: Clock, demo: Callable[..., Any]
) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds=seconds)

    demo("rate-limit", limit=1, window=1)
    polite = ZmsBooking(client, endpoint, sleep=sleep)
    await polite.catalog()
    assert (await polite.catalog()).offices
    assert waits == [1.0]
