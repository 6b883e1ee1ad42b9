"""Held times and their entries in the secret file: kept while held, removed when released, booked or
expired, and given back at the next start when an earlier run left them (real demo city, real file)."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from leipzig_app.adapters.appointment_store import SqliteAppointmentStore
from leipzig_app.adapters.secrets import FileSecretStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.domain.appointments import BookingState, Contact, ReservationExpiredError, Slot
from leipzig_app.domain.profile import CityProfile
from leipzig_app.services.appointments import AppointmentService
from leipzig_app.services.appointments_holds import HeldTimes, read_held_value

from .conftest import Clock

GRUENAU, PAUNSDORF, ANMELDEN = "10002", "10004", "120686"
ERIKA = Contact("Erika Mustermann", "erika@example.org")


def held_entries(folder: Path) -> dict[str, str]:
    path = folder / "secrets.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {k: v for k, v in data.items() if k.startswith("appointments.held.")}


def later(slots: list[Slot], clock: Clock) -> Slot:
    """A time far enough ahead to stay on offer while the test moves the clock on."""
    return next(s for s in slots if s.start.timestamp() > clock.now.timestamp() + 2 * 3600)


def make_service(
    client: httpx.AsyncClient, endpoint: str, db: Database, folder: Path, profile: CityProfile, clock: Clock
) -> AppointmentService:
    """One run of the app: its own service over the same database and secret file."""
    return AppointmentService(
        ZmsBooking(client, endpoint),
        SqliteAppointmentStore(db, city="leipzig"),
        FileSecretStore(folder),
        profile.appointments,
        city="leipzig",
        clock=clock,
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def service(
    client: httpx.AsyncClient, endpoint: str, db: Database, folder: Path, profile: CityProfile, clock: Clock
) -> AppointmentService:
    return make_service(client, endpoint, db, folder, profile, clock)


async def test_an_entry_lives_exactly_as_long_as_its_hold(service: AppointmentService, folder: Path) -> None:
    slots = await service.slots([GRUENAU], ANMELDEN, 1)
    held = await service.hold(slots[0], ANMELDEN, 1)
    [(name, value)] = held_entries(folder).items()
    start = f"{slots[0].start.timestamp():.0f}"
    assert name == f"appointments.held.leipzig.{start}.{GRUENAU}.{held.process_id}"
    process_id, auth_key, owner = read_held_value(value)
    assert (process_id, auth_key) == (held.process_id, held.auth_key)
    assert owner  # the running app that holds it (see test_hold_owners.py)
    assert slots[0] not in await service.slots([GRUENAU], ANMELDEN, 1)

    await service.release(held)
    assert held_entries(folder) == {}
    assert slots[0] in await service.slots([GRUENAU], ANMELDEN, 1)

    # booked: the access data move to the booking's own entry
    held = await service.hold(slots[1], ANMELDEN, 1)
    record = await service.complete(held, ERIKA)
    assert held_entries(folder) == {}
    assert await service.secrets.get(f"appointments.{record.id}") == f"{held.process_id}\n{held.auth_key}"


async def test_two_holds_of_one_start_at_one_office_keep_an_entry_each(
    service: AppointmentService, booking: ZmsBooking, folder: Path, clock: Clock
) -> None:
    slot = later(await service.slots([GRUENAU], ANMELDEN, 1), clock)
    mine = await service.hold(slot, ANMELDEN, 1)
    # another copy of the app on the same data folder holds the same start at a second counter of the office
    theirs = replace(mine, process_id=str(int(mine.process_id) + 500), auth_key="b" * 32)
    beside = HeldTimes(booking, lambda: FileSecretStore(folder), city="leipzig")
    await beside.keep(theirs)
    assert len(held_entries(folder)) == 2

    await service.release(mine)
    [(name, value)] = held_entries(folder).items()
    assert name.endswith(f".{GRUENAU}.{theirs.process_id}")
    assert read_held_value(value)[:2] == (theirs.process_id, theirs.auth_key)


async def test_an_expired_hold_leaves_no_entry(
    service: AppointmentService, folder: Path, clock: Clock, booking: ZmsBooking
) -> None:
    slot = later(await service.slots([GRUENAU], ANMELDEN, 1), clock)
    held = await service.hold(slot, ANMELDEN, 1)
    clock.advance(minutes=16)  # the resident took too long
    with pytest.raises(ReservationExpiredError):
        await service.complete(held, ERIKA)
    assert held_entries(folder) == {}
    assert service.my_appointments() == []
    assert slot in await service.slots([GRUENAU], ANMELDEN, 1)


async def test_the_next_start_gives_back_what_an_earlier_run_held(
    client: httpx.AsyncClient,
    endpoint: str,
    db: Database,
    folder: Path,
    profile: CityProfile,
    clock: Clock,
    booking: ZmsBooking,
) -> None:
    earlier = make_service(client, endpoint, db, folder, profile, clock)
    at_gruenau = later(await earlier.slots([GRUENAU], ANMELDEN, 1), clock)
    at_paunsdorf = later(await earlier.slots([PAUNSDORF], ANMELDEN, 1), clock)
    left_open = await earlier.hold(at_gruenau, ANMELDEN, 1)
    expired = await earlier.hold(at_paunsdorf, ANMELDEN, 1)
    await FileSecretStore(folder).set("appointments.held.leipzig.0.10002", "damaged")
    await FileSecretStore(folder).set("appointments.kept", "not a held time")
    clock.advance(minutes=5)

    # the app starts again; this run picks a time before the old ones are given back
    now = make_service(client, endpoint, db, folder, profile, clock)
    mine = await now.hold(later(await now.slots([GRUENAU], ANMELDEN, 1), clock), ANMELDEN, 1)
    clock.advance(minutes=11)  # the reservation at Paunsdorf has run out meanwhile
    assert await now.release_stale_holds() == 3

    [value] = held_entries(folder).values()
    assert read_held_value(value)[:2] == (mine.process_id, mine.auth_key)  # this run's hold is untouched
    assert (await booking.fetch(mine.process_id, mine.auth_key)).state is BookingState.RESERVED
    assert (await booking.fetch(left_open.process_id, left_open.auth_key)).state is BookingState.CANCELLED
    assert (await booking.fetch(expired.process_id, expired.auth_key)).state is BookingState.CANCELLED
    assert at_gruenau in await now.slots([GRUENAU], ANMELDEN, 1)
    assert await FileSecretStore(folder).get("appointments.kept") == "not a held time"
    assert await now.release_stale_holds() == 0  # once per start


async def test_stale_entries_are_removed_when_the_server_is_out_of_reach(
    client: httpx.AsyncClient,
    endpoint: str,
    db: Database,
    folder: Path,
    profile: CityProfile,
    clock: Clock,
) -> None:
    earlier = make_service(client, endpoint, db, folder, profile, clock)
    await earlier.hold((await earlier.slots([GRUENAU], ANMELDEN, 1))[0], ANMELDEN, 1)
    with socket.socket() as probe:  # a port that was free a moment ago: nothing answers there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    offline = make_service(client, f"http://127.0.0.1:{port}/api/citizen/", db, folder, profile, clock)
    # nothing listens there: the reservation runs out on its own within minutes, the entry goes now
    assert await offline.release_stale_holds() == 1
    assert held_entries(folder) == {}
