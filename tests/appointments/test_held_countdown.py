"""The contact and review steps say truthfully how long the picked time is still held: the minutes count
down while the resident types, and once the time has run out the screen says so and offers the free times
again (fake Flet client; the service's and the demo city's clock move only when the test lets a minute
pass)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from tests.appointments.test_leaving import held_entries, open_times
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has, shows, wait_for

from leipzig_app.adapters.appointment_store import SqliteAppointmentStore
from leipzig_app.adapters.secrets import FileSecretStore
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.app import AppRuntime
from leipzig_app.services.appointments import AppointmentService

from .conftest import Clock


class Minutes:
    """A sleep that waits until the test lets time pass, then moves the clock on by as much."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.passing = asyncio.Event()
        self.waiting = 0
        self.cancelled = 0

    async def sleep(self, seconds: float) -> None:
        self.waiting += 1
        try:
            await self.passing.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.waiting -= 1
        self.passing.clear()
        self.clock.advance(seconds=seconds)

    async def let_pass(self, minutes: int = 1) -> None:
        """Let the waiting screen go on `minutes` minutes later than its last look at the clock."""
        await wait_for_value(lambda: self.waiting == 1)
        self.clock.advance(minutes=minutes - 1)
        self.passing.set()


async def wait_for_value(condition: Callable[[], bool]) -> None:
    deadline = asyncio.get_running_loop().time() + 10
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "the screen did not get there"
        await asyncio.sleep(0.01)


def on_a_clock(runtime: AppRuntime) -> Minutes:
    """The app's appointments on one clock for the service, its screens and the demo city."""
    assert runtime.http is not None
    assert runtime.sandbox is not None
    clock = Clock(datetime.now(UTC))
    runtime.sandbox.ctx.clock = clock
    minutes = Minutes(clock)
    runtime.services.appointments = AppointmentService(
        ZmsBooking(runtime.http, runtime.services.profile.appointments.endpoint, clock=clock),
        SqliteAppointmentStore(runtime.db, city="leipzig"),
        FileSecretStore(runtime.data_dir),
        runtime.services.profile.appointments,
        city="leipzig",
        clock=clock,
        sleep=minutes.sleep,
    )
    return minutes


async def test_the_minutes_held_count_down_and_an_expired_time_is_said_and_offered_again(
    runtime: AppRuntime,
) -> None:
    minutes = on_a_clock(runtime)
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await open_times(client)
        await client.click("appointments.slot.0")
        await wait_for(client, lambda: has(client, "appointments.name"))
        assert shows(client, "noch 15 Minuten")

        await minutes.let_pass(1)
        await wait_for(client, lambda: shows(client, "noch 14 Minuten"))
        await client.type("appointments.name", "Erika Mustermann")
        await minutes.let_pass(5)
        await wait_for(client, lambda: shows(client, "noch 9 Minuten"))
        assert not shows(client, "noch 14 Minuten")
        assert held_entries(runtime)

        # twenty minutes after picking it the time has run out: said, given up, and the list is back
        await minutes.let_pass(14)
        await wait_for(client, lambda: has(client, "appointments.problem"))
        assert shows(client, "Die Reservierung ist abgelaufen. Bitte wählen Sie erneut einen Termin.")
        assert has(client, "appointments.slot.0")
        assert not has(client, "appointments.name")
        await wait_for(client, lambda: not held_entries(runtime))

        # picking again keeps what was typed
        await client.click("appointments.slot.0")
        await wait_for(client, lambda: has(client, "appointments.name"))
        assert client.find("appointments.name").get("value") == "Erika Mustermann"
        assert shows(client, "noch 15 Minuten")


async def test_the_countdown_ends_when_the_booking_screen_is_left(runtime: AppRuntime) -> None:
    minutes = on_a_clock(runtime)
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await open_times(client)
        await client.click("appointments.slot.0")
        await wait_for(client, lambda: has(client, "appointments.name"))
        await wait_for_value(lambda: minutes.waiting == 1)
        await client.select("nav.news")
        await wait_for_value(lambda: minutes.cancelled == 1)
        assert minutes.waiting == 0
        await wait_for(client, lambda: not held_entries(runtime))
