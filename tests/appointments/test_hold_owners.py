"""Held times of several copies of the app on one data folder (two desktop windows, a desktop app and web
mode): a held time belongs to the copy that holds it while that copy runs, and is stale once it has ended.

Real lease files, a real second process that holds a time and is killed with SIGKILL, the demo city over
HTTP, a real secret file. A copy that starts must not give back a time that another running copy's
resident is still entering their name for.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from leipzig_app.adapters.appointment_store import SqliteAppointmentStore
from leipzig_app.adapters.process_lease import ProcessLease
from leipzig_app.adapters.secrets import FileSecretStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.app import HOLD_LEASES, AppRuntime
from leipzig_app.domain.appointments import BookingState, Slot
from leipzig_app.domain.profile import CityProfile
from leipzig_app.services.appointments import AppointmentService
from leipzig_app.services.appointments_holds import held_name, held_value, read_held_value

GRUENAU, ANMELDEN = "10002", "120686"

#: A copy of the app that takes its lease and then runs until it is killed.
LEASE_HOLDER = """
import sys, time
from pathlib import Path
from leipzig_app.adapters.process_lease import ProcessLease
lease = ProcessLease(Path(sys.argv[1]))
print(lease.owner, flush=True)
time.sleep(120)
"""

#: A copy of the app, wired as `app.py` wires it, whose resident picked a time and is on the contact step.
TIME_HOLDER = """
import asyncio, sys
from datetime import datetime
from pathlib import Path
from leipzig_app.adapters.appointment_store import SqliteAppointmentStore
from leipzig_app.adapters.http import make_client
from leipzig_app.adapters.process_lease import ProcessLease
from leipzig_app.adapters.profiles import load_profile
from leipzig_app.adapters.secrets import FileSecretStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.app import HOLD_LEASES, migrations
from leipzig_app.domain.appointments import Slot
from leipzig_app.services.appointments import AppointmentService

async def main(folder, sandbox_url, office, start, service_id):
    lease = ProcessLease(folder / HOLD_LEASES)
    profile = load_profile().bind_sandbox(sandbox_url)
    async with make_client() as http:
        service = AppointmentService(
            ZmsBooking(http, profile.appointments.endpoint),
            SqliteAppointmentStore(Database(folder / "leipzig-app.sqlite3", migrations()), city=profile.id),
            FileSecretStore(folder),
            profile.appointments,
            city=profile.id,
            owners=lease,
        )
        await service.hold(Slot(datetime.fromisoformat(start), office), service_id, 1)
        print(lease.owner, flush=True)
        await asyncio.sleep(120)

asyncio.run(main(Path(sys.argv[1]), *sys.argv[2:]))
"""


@contextmanager
def another_copy(script: str, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A second process running `script` until it is killed (SIGKILL: no clean-up of its own); yields it
    and the owner token it printed once it was ready."""
    process = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        owner = process.stdout.readline().strip()
        assert owner, "the other copy of the app did not get ready"
        yield process, owner
    finally:
        process.kill()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def held_entries(folder: Path) -> dict[str, str]:
    path = folder / "secrets.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {k: v for k, v in data.items() if k.startswith("appointments.held.")}


def test_a_lease_lives_as_long_as_its_process_and_the_files_of_gone_owners_are_removed(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "leases"
    mine = ProcessLease(folder)
    assert (folder / f"{mine.owner}.lock").exists()
    assert mine.is_alive(mine.owner)
    beside = ProcessLease(folder)  # another copy (two leases exclude each other within a process too)
    assert beside.owner != mine.owner
    assert mine.is_alive(beside.owner)
    assert beside.is_alive(mine.owner)

    with another_copy(LEASE_HOLDER, str(folder)) as (holder, owner):
        assert mine.is_alive(owner)
        kill(holder)
        assert (folder / f"{owner}.lock").exists()  # a killed process removes nothing itself
        assert not mine.is_alive(owner)
        assert not (folder / f"{owner}.lock").exists()  # the look that found it gone did

    with another_copy(LEASE_HOLDER, str(folder)) as (holder, crashed):
        kill(holder)
    assert (folder / f"{crashed}.lock").exists()
    later = ProcessLease(folder)  # taking a lease clears what owners that are gone left
    assert not (folder / f"{crashed}.lock").exists()

    beside.close()  # that copy was closed
    assert not (folder / f"{beside.owner}.lock").exists()
    assert not mine.is_alive(beside.owner)
    # a name that is not an owner token names no running app and never reaches the file system
    for name in ("", "../secrets", "Z" * 32, uuid.uuid4().hex):
        assert not mine.is_alive(name)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{o}.lock" for o in (mine.owner, later.owner))
    mine.close()
    later.close()
    assert list(folder.iterdir()) == []


def test_an_entry_names_its_owner_and_one_without_an_owner_has_none() -> None:
    assert read_held_value("100001\nkey\n" + "a" * 32) == ("100001", "key", "a" * 32)
    assert read_held_value("100001\nkey") == ("100001", "key", "")  # written before entries named owners
    assert read_held_value("damaged") == ("damaged", "", "")
    assert read_held_value(None) == ("", "", "")


async def test_entries_of_owners_that_ended_and_without_an_owner_are_stale_those_of_running_ones_not(
    client: httpx.AsyncClient,
    endpoint: str,
    db: Database,
    tmp_path: Path,
    profile: CityProfile,
    booking: ZmsBooking,
) -> None:
    folder = tmp_path / "data"

    def wired(lease: ProcessLease) -> AppointmentService:
        return AppointmentService(
            ZmsBooking(client, endpoint),
            SqliteAppointmentStore(db, city="leipzig"),
            FileSecretStore(folder),
            profile.appointments,
            city="leipzig",
            owners=lease,
        )

    lease = ProcessLease(folder / HOLD_LEASES)
    beside = ProcessLease(folder / HOLD_LEASES)  # a copy of the app running beside this one
    try:
        this = wired(lease)
        slots = await this.slots([GRUENAU], ANMELDEN, 1)
        old, running, forged = [await booking.reserve(GRUENAU, [ANMELDEN], [1], s.start) for s in slots[:3]]
        store = FileSecretStore(folder)
        await store.set(
            held_name(old, "leipzig"), f"{old.process_id}\n{old.auth_key}"
        )  # an earlier version's
        await store.set(held_name(running, "leipzig"), held_value(running, beside.owner))
        await store.set(held_name(forged, "leipzig"), held_value(forged, "../../secrets"))
        mine = await this.hold(slots[3], ANMELDEN, 1)
        # wired again in this running app (a city switch and back): its earlier service's hold is its own
        again = wired(lease)

        assert await again.release_stale_holds() == 2
        assert set(held_entries(folder)) == {held_name(running, "leipzig"), held_name(mine, "leipzig")}
        for gone in (old, forged):
            assert (await booking.fetch(gone.process_id, gone.auth_key)).state is BookingState.CANCELLED
        for kept in (running, mine):
            assert (await booking.fetch(kept.process_id, kept.auth_key)).state is BookingState.RESERVED

        beside.close()  # the other copy was closed: its time is stale at the next look
        assert await again.release_stale_holds() == 1
        assert set(held_entries(folder)) == {held_name(mine, "leipzig")}
        assert (await booking.fetch(running.process_id, running.auth_key)).state is BookingState.CANCELLED
        assert await again.release_stale_holds() == 0  # swept: no other copy's time is left to look at
    finally:
        beside.close()
        lease.close()


async def test_a_time_held_by_another_running_copy_stays_held_until_that_copy_is_killed(
    runtime: AppRuntime,
) -> None:
    folder = runtime.data_dir
    service: AppointmentService = runtime.services.appointments
    assert runtime.lease is not None
    assert runtime.sandbox is not None
    assert runtime.http is not None
    server = ZmsBooking(runtime.http, runtime.services.profile.appointments.endpoint)
    slot: Slot = (await service.slots([GRUENAU], ANMELDEN, 1))[0]
    start = slot.start.isoformat()

    with another_copy(TIME_HOLDER, str(folder), runtime.sandbox.base_url, GRUENAU, start, ANMELDEN) as (
        other,
        owner,
    ):
        [(name, value)] = held_entries(folder).items()
        process_id, auth_key, entry_owner = read_held_value(value)
        assert entry_owner == owner != runtime.lease.owner
        # this copy's sweep, at its start and each later look, leaves the other resident's time alone
        assert await service.release_stale_holds() == 0
        assert await service.release_stale_holds() == 0
        assert held_entries(folder) == {name: value}
        assert (await server.fetch(process_id, auth_key)).state is BookingState.RESERVED
        assert slot not in await service.slots([GRUENAU], ANMELDEN, 1)

        kill(other)  # ended without a word, on the contact step
        assert (folder / HOLD_LEASES / f"{owner}.lock").exists()
        assert await service.release_stale_holds() == 1
        assert held_entries(folder) == {}
        assert (await server.fetch(process_id, auth_key)).state is BookingState.CANCELLED
        assert slot in await service.slots([GRUENAU], ANMELDEN, 1)
        assert not (folder / HOLD_LEASES / f"{owner}.lock").exists()
        assert await service.release_stale_holds() == 0  # the store is swept now

    # this copy's own lease ends with it, and its file with it
    lease_file = folder / HOLD_LEASES / f"{runtime.lease.owner}.lock"
    assert lease_file.exists()
    runtime.close()
    assert runtime.lease is None
    assert not lease_file.exists()
