"""The appointment use cases on the real demo city, a real SQLite file and the real secret file."""

from __future__ import annotations

import stat
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest

from leipzig_app.adapters.appointment_store import SqliteAppointmentStore
from leipzig_app.adapters.secrets import FileSecretStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.domain.appointments import (
    BERLIN,
    Booking,
    BookingState,
    Contact,
    InvalidBookingError,
    SlotTakenError,
)
from leipzig_app.domain.profile import CityProfile
from leipzig_app.services.appointments import AppointmentService

from .conftest import Clock

ZENTRUM, GRUENAU, GOHLIS = "10001", "10002", "10003"
ANMELDEN = "120686"
ERIKA = Contact("Erika Mustermann", "erika@example.org")


class Recording(ZmsBooking):
    """The real adapter, noting which calls reached the server (to check the order of steps)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.calls: list[str] = []

    async def reserve(self, office_id: str, *args: Any) -> Booking:
        result = await super().reserve(office_id, *args)
        self.calls.append(f"reserve {args[2].isoformat()}")
        return result

    async def cancel(self, process_id: str, auth_key: str) -> None:
        await super().cancel(process_id, auth_key)
        self.calls.append(f"cancel {process_id}")


@pytest.fixture
def recording(client: httpx.AsyncClient, endpoint: str) -> Recording:
    return Recording(client, endpoint)


@pytest.fixture
def service(
    recording: Recording, db: Database, tmp_path: Path, profile: CityProfile, clock: Clock
) -> AppointmentService:
    return AppointmentService(
        recording,
        SqliteAppointmentStore(db, city="leipzig"),
        FileSecretStore(tmp_path / "data"),
        profile.appointments,
        city="leipzig",
        clock=clock,
    )


async def test_search_and_offices_by_distance(service: AppointmentService) -> None:
    assert [s.name for s in await service.search("ausweis")] == ["Personalausweis beantragen"]
    assert [s.name for s in await service.search("fuhrungszeugnis")] == []
    assert [s.name for s in await service.search("Führungs")] == ["Führungszeugnis beantragen"]
    # from Leipzig-Gohlis the Gohlis office is nearest, Grünau is far away
    near = await service.offices_for(ANMELDEN, latitude=51.3650, longitude=12.3600)
    assert near[0].office.id == GOHLIS
    assert near[0].distance_km is not None
    assert near[0].distance_km < 1
    assert near[-1].distance_km is not None
    assert near[-1].distance_km > near[0].distance_km


async def test_slots_over_several_offices_are_sorted(service: AppointmentService, clock: Clock) -> None:
    slots = await service.slots([ZENTRUM, GRUENAU], ANMELDEN, 2, days=7)
    assert {s.office_id for s in slots} == {ZENTRUM, GRUENAU}
    assert slots == sorted(slots)
    assert all(s.start.timestamp() > clock.now.timestamp() for s in slots)
    with pytest.raises(InvalidBookingError):
        await service.slots([ZENTRUM], ANMELDEN, 7)  # at most 6 persons


async def test_book_keeps_secrets_apart(
    service: AppointmentService, db: Database, tmp_path: Path, demo: Callable[..., Any]
) -> None:
    slot = (await service.slots([ZENTRUM], ANMELDEN, 1))[0]
    record = await service.book(slot, ANMELDEN, 1, ERIKA)
    assert record.state is BookingState.WAITING_FOR_CONFIRMATION
    assert record.start == slot.start
    assert service.my_appointments() == [record]
    secret_file = tmp_path / "data" / "secrets.json"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = await FileSecretStore(tmp_path / "data").get(f"appointments.{record.id}")
    assert secret is not None
    process_id, auth_key = secret.split("\n")
    assert auth_key.encode() not in db.path.read_bytes()
    # the resident clicks the link in the e-mail; refreshing shows the truth
    mail = demo("mails", "GET", recipient=ERIKA.email)["mails"][-1]
    assert process_id in mail["confirm_url"]
    httpx.get(mail["confirm_url"], timeout=5)
    assert (await service.refresh(record.id)).state is BookingState.CONFIRMED
    cancelled = await service.cancel(record.id)
    assert cancelled.state is BookingState.CANCELLED
    assert await FileSecretStore(tmp_path / "data").get(f"appointments.{record.id}") is None


async def test_phone_required_where_the_office_says_so(service: AppointmentService) -> None:
    slot = (await service.slots([GOHLIS], ANMELDEN, 1))[0]
    with pytest.raises(InvalidBookingError) as caught:
        await service.book(slot, ANMELDEN, 1, ERIKA)
    assert caught.value.key == "appointments.error.phone_required"
    record = await service.book(slot, ANMELDEN, 1, Contact(ERIKA.name, ERIKA.email, "0341 123456"))
    assert record.telephone == "0341 123456"


async def test_reschedule_books_the_new_time_before_cancelling_the_old(
    service: AppointmentService, recording: Recording
) -> None:
    first, second = (await service.slots([GRUENAU], ANMELDEN, 1))[:2]
    old = await service.book(first, ANMELDEN, 1, ERIKA)
    assert old.state is BookingState.CONFIRMED
    recording.calls.clear()
    result = await service.reschedule(old.id, second)
    assert result.old_cancelled
    assert recording.calls[0] == f"reserve {second.start.isoformat()}"
    assert recording.calls[-1].startswith("cancel ")
    assert result.new.start == second.start
    assert service.get(old.id).state is BookingState.CANCELLED


async def test_reschedule_to_a_taken_time_keeps_the_old_booking(
    service: AppointmentService, recording: Recording
) -> None:
    first, second = (await service.slots([GRUENAU], ANMELDEN, 1))[:2]
    old = await service.book(first, ANMELDEN, 1, ERIKA)
    await recording.reserve(GRUENAU, [ANMELDEN], [1], second.start)  # someone else is faster
    recording.calls.clear()
    with pytest.raises(SlotTakenError):
        await service.reschedule(old.id, second)
    assert not any(c.startswith("cancel") for c in recording.calls)
    assert service.get(old.id).state is BookingState.CONFIRMED


async def test_home_card_shows_the_next_appointment(service: AppointmentService) -> None:
    assert (await service.home_card("de")).items == ()
    slots = await service.slots([GRUENAU], ANMELDEN, 1)
    later = await service.book(slots[3], ANMELDEN, 1, ERIKA)
    sooner = await service.book(slots[1], ANMELDEN, 1, ERIKA)
    card = await service.home_card("de")
    assert len(card.items) == 1
    assert card.items[0].route == f"/appointments/mine/{sooner.id}"
    assert sooner.start.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M") in card.items[0].title
    assert card.items[0].subtitle == "Bürgeramt Grünau (Demo) · Bestätigt"
    await service.cancel(sooner.id)
    assert (await service.home_card("de")).items[0].route == f"/appointments/mine/{later.id}"


async def test_home_card_says_the_state_and_skips_a_booking_whose_e_mail_link_has_run_out(
    service: AppointmentService, clock: Clock
) -> None:
    confirmed = await service.book((await service.slots([GRUENAU], ANMELDEN, 1))[5], ANMELDEN, 1, ERIKA)
    waiting = await service.book((await service.slots([ZENTRUM], ANMELDEN, 1))[0], ANMELDEN, 1, ERIKA)
    assert waiting.state is BookingState.WAITING_FOR_CONFIRMATION
    assert waiting.start < confirmed.start
    [item] = (await service.home_card("de")).items
    assert item.route == f"/appointments/mine/{waiting.id}"
    assert (
        item.subtitle
        == "Bürgeramt Zentrum (Demo) · Noch nicht bestätigt: Bitte öffnen Sie den Link in der E-Mail."
    )

    clock.advance(minutes=61)  # the e-mail link has run out: the server has dropped the booking
    [item] = (await service.home_card("de")).items
    assert item.route == f"/appointments/mine/{confirmed.id}"
    assert item.subtitle.endswith("· Bestätigt")


@pytest.mark.parametrize("language", ["de", "en", "uk", "ar"])
async def test_home_card_writes_the_moment_as_the_language_does(
    service: AppointmentService, language: str
) -> None:
    from leipzig_app.i18n import Translator
    from leipzig_app.ui.formatting import moment

    record = await service.book((await service.slots([GRUENAU], ANMELDEN, 1))[0], ANMELDEN, 1, ERIKA)
    [item] = (await service.home_card(language)).items
    assert item.title == f"{moment(record.start, language, 'Europe/Berlin')} · Wohnsitz anmelden"
    assert item.subtitle == Translator(language)(
        "appointments.home.confirmed", office="Bürgeramt Grünau (Demo)"
    )


async def test_the_background_job_finishes_a_reschedule_once_the_e_mail_link_was_opened(
    service: AppointmentService, demo: Callable[..., Any], recording: Recording
) -> None:
    import asyncio
    import contextlib

    old = await service.book((await service.slots([GRUENAU], ANMELDEN, 1))[0], ANMELDEN, 1, ERIKA)
    result = await service.reschedule(old.id, (await service.slots([ZENTRUM], ANMELDEN, 1))[0])
    assert result.new.state is BookingState.WAITING_FOR_CONFIRMATION
    mail = demo("mails", "GET", recipient=ERIKA.email)["mails"][-1]
    httpx.get(mail["confirm_url"], timeout=5)
    assert service.get(old.id).state is BookingState.CONFIRMED  # nothing has asked the server yet

    # only the runtime's background job runs: no "Meine Termine", no refresh by hand
    job = asyncio.get_running_loop().create_task(service.run_background())
    try:
        deadline = asyncio.get_running_loop().time() + 10
        while service.get(old.id).state is not BookingState.CANCELLED:
            assert asyncio.get_running_loop().time() < deadline, "the background job did not get there"
            await asyncio.sleep(0.02)
    finally:
        job.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await job
    assert service.get(result.new.id).state is BookingState.CONFIRMED
    [item] = (await service.home_card("de")).items
    assert item.route == f"/appointments/mine/{result.new.id}"


async def test_the_background_job_asks_about_a_bounded_number_of_waiting_bookings_per_round(
    service: AppointmentService, client: httpx.AsyncClient
) -> None:
    slots = await service.slots([ZENTRUM], ANMELDEN, 1)
    emails = [f"person{i}@example.org" for i in range(3)]
    for slot, email in zip(slots, emails, strict=False):
        await service.book(slot, ANMELDEN, 1, Contact("Erika Mustermann", email))
    asked: list[str] = []

    async def note(request: httpx.Request) -> None:
        if request.url.path.endswith("/appointment/"):
            asked.append(request.url.params["processId"])

    client.event_hooks = {"request": [note], "response": []}
    assert await service.refresh_waiting(limit=2) == 2
    first_round = set(asked)
    assert len(first_round) == 2
    # the next round starts with the one not asked about yet, then the one asked about longest ago
    assert await service.refresh_waiting(limit=2) == 2
    assert asked[2] not in first_round
    assert asked[3] == asked[0]
    assert len(set(asked)) == 3


def test_next_release_from_the_city_profile(service: AppointmentService, clock: Clock) -> None:
    # 08:00 in Leipzig: the next release is 10:00 the same day; after 17:00 it is 10:00 the next day
    release = service.next_release()
    assert release is not None
    assert release.astimezone(BERLIN).time() == time(10, 0)
    clock.now = datetime(2026, 11, 23, 17, 30, tzinfo=BERLIN)
    release = service.next_release()
    assert release is not None
    assert (release.day, release.hour) == (24, 10)
    assert service.hints("en") == ["New appointments are released daily at 10:00 and 17:00."]


class BrokenSecrets:
    """A secure storage that refuses to write (locked keychain, full disk)."""

    async def get(self, name: str) -> str | None:
        return None

    async def set(self, name: str, value: str) -> None:
        from leipzig_app.domain.errors import AppError

        raise AppError("secure storage refused", key="appointments.error.secure_storage")

    async def delete(self, name: str) -> None:
        return None


async def test_no_booking_without_a_place_for_its_access_data(
    service: AppointmentService, recording: Recording
) -> None:
    from leipzig_app.domain.errors import AppError

    slot = (await service.slots([GRUENAU], ANMELDEN, 1))[0]
    service.use_secret_store(BrokenSecrets())
    with pytest.raises(AppError) as caught:
        await service.book(slot, ANMELDEN, 1, ERIKA)
    assert caught.value.key == "appointments.error.secure_storage"
    assert recording.calls[-1].startswith("cancel ")  # the held time was given back at once
    assert service.my_appointments() == []
    assert slot in await service.slots([GRUENAU], ANMELDEN, 1)


async def test_reschedule_to_an_office_that_confirms_by_e_mail_keeps_the_old_until_confirmed(
    service: AppointmentService, demo: Callable[..., Any]
) -> None:
    old = await service.book((await service.slots([GRUENAU], ANMELDEN, 1))[0], ANMELDEN, 1, ERIKA)
    new_slot = (await service.slots([ZENTRUM], ANMELDEN, 1))[0]
    result = await service.reschedule(old.id, new_slot)
    assert result.new.state is BookingState.WAITING_FOR_CONFIRMATION
    assert not result.old_cancelled
    assert result.problem is None
    assert service.get(old.id).state is BookingState.CONFIRMED
    # not confirmed yet: refreshing changes nothing
    await service.refresh(result.new.id)
    assert service.get(old.id).state is BookingState.CONFIRMED
    # the resident opens the link in the e-mail; the next refresh cancels the old booking
    mail = demo("mails", "GET", recipient=ERIKA.email)["mails"][-1]
    httpx.get(mail["confirm_url"], timeout=5)
    assert (await service.refresh(result.new.id)).state is BookingState.CONFIRMED
    assert service.get(old.id).state is BookingState.CANCELLED
