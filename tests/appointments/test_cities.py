"""Bookings and held times belong to the city profile they were made in: after a switch to another city,
its "Meine Termine", its sweep and its server never see them (real demo city with both cities' ZMS APIs,
real SQLite file, real secret file)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from leipzig_app.adapters.appointment_store import MIGRATIONS, SqliteAppointmentStore
from leipzig_app.adapters.profiles import load_profile
from leipzig_app.adapters.secrets import FileSecretStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.domain.appointments import BookingState
from leipzig_app.domain.errors import AppError
from leipzig_app.services.appointments import AppointmentService

from .conftest import Clock
from .test_holds import ANMELDEN, ERIKA, GRUENAU, held_entries, later


def city_service(
    client: httpx.AsyncClient, sandbox_url: str, db: Database, folder: Path, city: str, clock: Clock
) -> AppointmentService:
    """One city's appointments as the app wires them: its server, its bookings, the shared secret file."""
    profile = load_profile(city).bind_sandbox(sandbox_url)
    assert profile.appointments.endpoint
    return AppointmentService(
        ZmsBooking(client, profile.appointments.endpoint),
        SqliteAppointmentStore(db, city=city),
        FileSecretStore(folder),
        profile.appointments,
        city=city,
        clock=clock,
    )


async def test_another_city_neither_lists_nor_sweeps_nor_cancels_them(
    client: httpx.AsyncClient,
    sandbox_url: str,
    db: Database,
    tmp_path: Path,
    clock: Clock,
    booking: ZmsBooking,
) -> None:
    folder = tmp_path / "data"
    leipzig = city_service(client, sandbox_url, db, folder, "leipzig", clock)
    slots = await leipzig.slots([GRUENAU], ANMELDEN, 1)
    record = await leipzig.complete(await leipzig.hold(later(slots, clock), ANMELDEN, 1), ERIKA)
    # the app is closed on the review step of a second booking: its hold stays behind
    left_open = await leipzig.hold(later(slots[5:], clock), ANMELDEN, 1)
    [held_name] = held_entries(folder)
    assert held_name.startswith("appointments.held.leipzig.")

    offenbach = city_service(client, sandbox_url, db, folder, "offenbach", clock)
    assert offenbach.my_appointments() == []
    with pytest.raises(AppError):
        await offenbach.cancel(record.id)
    # its start-up sweep leaves Leipzig's hold alone: Offenbach's server does not know that process
    assert await offenbach.release_stale_holds() == 0
    assert list(held_entries(folder)) == [held_name]
    assert (await booking.fetch(left_open.process_id, left_open.auth_key)).state == BookingState.RESERVED
    process_id, _, auth_key = (await leipzig.secrets.get(f"appointments.{record.id}") or "").partition("\n")
    assert (await booking.fetch(process_id, auth_key)).state == record.state

    # back in Leipzig (a new start): the booking is there and the hold left behind is given back
    again = city_service(client, sandbox_url, db, folder, "leipzig", clock)
    assert [r.id for r in again.my_appointments()] == [record.id]
    assert await again.release_stale_holds() == 1
    assert held_entries(folder) == {}
    assert (await booking.fetch(left_open.process_id, left_open.auth_key)).state == BookingState.CANCELLED


def test_bookings_kept_before_cities_are_claimed_by_the_first_city_opened(tmp_path: Path) -> None:
    db = Database(tmp_path / "app.sqlite3", [MIGRATIONS])
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO appointments (id, office_id, office_name, office_address, service_ids, "
            "service_names, service_counts, start, state, name, email, telephone) VALUES ('old', '10002', "
            "'Bürgeramt Grünau', 'Stuttgarter Allee 18', '[\"120686\"]', '[\"Anmeldung\"]', '[1]', "
            "'2026-12-01T09:00:00+01:00', 'confirmed', 'Erika Mustermann', 'erika@example.org', '')"
        )
    assert [r.id for r in SqliteAppointmentStore(db, city="leipzig").list()] == ["old"]
    assert SqliteAppointmentStore(db, city="offenbach").list() == []
    assert SqliteAppointmentStore(db, city="offenbach").get("old") is None
    SqliteAppointmentStore(db, city="offenbach").delete("old")
    assert SqliteAppointmentStore(db, city="leipzig").get("old") is not None
    with pytest.raises(ValueError, match="city profile"):
        SqliteAppointmentStore(db, city="")
