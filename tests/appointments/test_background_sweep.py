"""The runtime's background job gives back the times an earlier run held, without any screen being opened.

The whole app runtime with its own demo city: an earlier run's service held a time and was dropped (the
app was closed on the contact step), this run holds one of its own. Only the job from
`runtime.services.background` runs, no page and no view. It releases the earlier time on the ZMS server
and removes its entry, leaves this run's hold alone, sweeps again when another secret store is switched
in (as a phone's secure storage is), and survives a server in maintenance without logging access data.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from leipzig_app.adapters.appointment_store import SqliteAppointmentStore
from leipzig_app.adapters.secrets import FileSecretStore
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.app import AppRuntime
from leipzig_app.domain.appointments import Booking, BookingState, Contact, Slot
from leipzig_app.services.appointments import AppointmentService
from leipzig_app.services.appointments_holds import held_name, held_value

GRUENAU, PAUNSDORF, ANMELDEN = "10002", "10004", "120686"


def held_entries(folder: Path) -> dict[str, str]:
    path = folder / "secrets.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {k: v for k, v in data.items() if k.startswith("appointments.held.")}


def server(runtime: AppRuntime) -> ZmsBooking:
    assert runtime.http is not None
    return ZmsBooking(runtime.http, runtime.services.profile.appointments.endpoint)


def earlier_run(runtime: AppRuntime, folder: Path) -> AppointmentService:
    """The service of an earlier run of the app over the same database and a secret file in `folder`."""
    return AppointmentService(
        server(runtime),
        SqliteAppointmentStore(runtime.db, city="leipzig"),
        FileSecretStore(folder),
        runtime.services.profile.appointments,
        city="leipzig",
    )


async def state(runtime: AppRuntime, held: Booking) -> BookingState:
    return (await server(runtime).fetch(held.process_id, held.auth_key)).state


async def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "the background job did not get there"
        await asyncio.sleep(0.02)


@pytest.fixture
async def job(runtime: AppRuntime) -> AsyncIterator[Callable[[], asyncio.Task[None]]]:
    """Start the appointments service's background job as the runtime would (on demand); cancelled after."""
    service: AppointmentService = runtime.services.appointments
    assert service.run_background in runtime.services.background
    tasks: list[asyncio.Task[None]] = []

    def start() -> asyncio.Task[None]:
        tasks.append(asyncio.get_running_loop().create_task(service.run_background()))
        return tasks[-1]

    yield start
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_the_job_gives_back_an_earlier_runs_hold_and_leaves_a_live_one(
    runtime: AppRuntime, job: Callable[[], asyncio.Task[None]]
) -> None:
    folder = runtime.data_dir
    service: AppointmentService = runtime.services.appointments
    slots: list[Slot] = await service.slots([GRUENAU], ANMELDEN, 1)
    left_behind = await earlier_run(runtime, folder).hold(slots[0], ANMELDEN, 1)
    live = await service.hold(slots[1], ANMELDEN, 1)  # this run's booking screen owns it
    assert set(held_entries(folder)) == {held_name(left_behind, "leipzig"), held_name(live, "leipzig")}

    task = job()
    await until(lambda: set(held_entries(folder)) == {held_name(live, "leipzig")})
    assert await state(runtime, left_behind) is BookingState.CANCELLED
    assert slots[0] in await service.slots([GRUENAU], ANMELDEN, 1)
    assert await state(runtime, live) is BookingState.RESERVED
    # the entry names this running app as its owner: the lease the runtime took in its data folder
    assert runtime.lease is not None
    assert held_entries(folder)[held_name(live, "leipzig")] == held_value(live, runtime.lease.owner)
    assert not task.done()  # it waits for another store, it does not end

    # the resident books the time they are holding: the job has not taken it away
    record = await service.complete(live, Contact("Erika Mustermann", "erika@example.org"))
    assert record.state is BookingState.CONFIRMED
    assert held_entries(folder) == {}


async def test_the_job_sweeps_again_when_another_store_is_switched_in(
    runtime: AppRuntime, job: Callable[[], asyncio.Task[None]], tmp_path: Path
) -> None:
    service: AppointmentService = runtime.services.appointments
    task = job()
    await asyncio.sleep(0.2)  # the file store is swept (nothing in it)
    device = tmp_path / "device"  # stands for the phone's secure storage, reachable only later
    slot = (await service.slots([PAUNSDORF], ANMELDEN, 1))[0]
    left_behind = await earlier_run(runtime, device).hold(slot, ANMELDEN, 1)
    await asyncio.sleep(0.2)
    assert held_entries(device)  # the job does not look at a store that is not in use

    service.use_secret_store(FileSecretStore(device))
    await until(lambda: not held_entries(device))
    assert await state(runtime, left_behind) is BookingState.CANCELLED
    assert not task.done()


async def test_a_failing_sweep_logs_without_access_data_and_the_job_goes_on(
    runtime: AppRuntime,
    job: Callable[[], asyncio.Task[None]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service: AppointmentService = runtime.services.appointments
    folder = runtime.data_dir
    slot = (await service.slots([GRUENAU], ANMELDEN, 1))[0]
    left_behind = await earlier_run(runtime, folder).hold(slot, ANMELDEN, 1)
    assert runtime.sandbox is not None
    base = runtime.sandbox.base_url
    httpx.post(f"{base}/demo/zms/maintenance", params={"enabled": "1"}, timeout=5).raise_for_status()
    try:
        with caplog.at_level(logging.INFO, logger="leipzig_app"):
            task = job()
            # the server answers 503: the entry goes anyway (the reservation runs out within minutes)
            await until(lambda: not held_entries(folder))
            assert not task.done()
            # a store that cannot even list its entries is tried again later, and the job keeps going
            broken = tmp_path / "broken"
            broken.mkdir()
            (broken / "secrets.json").write_text("{not json", encoding="utf-8")
            service.use_secret_store(FileSecretStore(broken))
            await until(lambda: "cannot list the held times" in caplog.text)
            assert not task.done()
    finally:
        httpx.post(f"{base}/demo/zms/maintenance", params={"enabled": "0"}, timeout=5).raise_for_status()
    assert "could not be released" in caplog.text
    for secret in (left_behind.process_id, left_behind.auth_key, held_name(left_behind, "leipzig")):
        assert secret not in caplog.text
    assert await state(runtime, left_behind) is BookingState.RESERVED  # it expires on the server by itself
