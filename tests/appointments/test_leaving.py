"""A held time is given back when the resident leaves the booking, and only then (fake Flet client).

Picking a time reserves it on the demo city's server and keeps its access data in `secrets.json`. Another
tab, a link or a rebuilt shell replaces the booking screen: the time must be free again on the server and
its entry gone from the file. The wizard's own steps (contact, review) keep the hold, and a finished
booking is never given back.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.appointments.test_views import secure_storage
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has, shows, tap, wait_for

from leipzig_app.adapters.appointment_store import SqliteAppointmentStore
from leipzig_app.adapters.secrets import FileSecretStore
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.app import AppRuntime
from leipzig_app.domain.appointments import Booking, BookingState, Slot
from leipzig_app.services.appointments import AppointmentService
from leipzig_app.services.appointments_holds import read_held_value

GRUENAU, ANMELDEN = "10002", "120686"  # Grünau confirms without an e-mail round trip


def held_entries(runtime: AppRuntime) -> dict[str, str]:
    """The held times' entries in the app's secret file."""
    path = runtime.data_dir / "secrets.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {k: v for k, v in data.items() if k.startswith("appointments.held.")}


def server(runtime: AppRuntime) -> ZmsBooking:
    """A second connection to the app's demo city, to ask it what it holds."""
    assert runtime.http is not None
    return ZmsBooking(runtime.http, runtime.services.profile.appointments.endpoint)


async def free_at_gruenau(runtime: AppRuntime) -> list[Slot]:
    service: AppointmentService = runtime.services.appointments
    return await service.slots([GRUENAU], ANMELDEN, 1)


async def open_times(client: FakeFletClient, *, navigate: bool = True) -> None:
    if navigate:
        await client.navigate("/appointments/new")
    await tap(client, f"appointments.service.{ANMELDEN}")
    await wait_for(client, lambda: has(client, f"appointments.office.{GRUENAU}"))
    await client.update_props(f"appointments.office.{GRUENAU}", {"value": True})
    await client.trigger(f"appointments.office.{GRUENAU}", "change", "true")
    await client.click("appointments.offices.next")
    await wait_for(client, lambda: has(client, "appointments.slot.0"))


async def enter_contact(client: FakeFletClient) -> None:
    await wait_for(client, lambda: has(client, "appointments.name"))
    await client.type("appointments.name", "Erika Mustermann")
    await client.type("appointments.email", "erika@example.org")
    await client.click("appointments.contact.next")
    await wait_for(client, lambda: has(client, "appointments.confirm"))


async def test_another_tab_gives_the_held_time_back_but_the_steps_keep_it(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await open_times(client)
        first = (await free_at_gruenau(runtime))[0]
        await client.click("appointments.slot.0")
        await wait_for(client, lambda: has(client, "appointments.name"))
        [(name, value)] = held_entries(runtime).items()
        process_id, auth_key, _ = read_held_value(value)
        assert first not in await free_at_gruenau(runtime)

        # contact and review are steps of the same booking: the time stays held
        await enter_contact(client)
        assert held_entries(runtime) == {name: value}
        assert (await server(runtime).fetch(process_id, auth_key)).state is BookingState.RESERVED

        await client.select("nav.news")
        await wait_for(client, lambda: not held_entries(runtime))
        assert first in await free_at_gruenau(runtime)
        assert (await server(runtime).fetch(process_id, auth_key)).state is BookingState.CANCELLED


async def test_a_rebuilt_shell_gives_the_held_time_back(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await open_times(client)
        first = (await free_at_gruenau(runtime))[0]
        await client.click("appointments.slot.0")
        await wait_for(client, lambda: has(client, "appointments.name"))
        assert held_entries(runtime)
        # a city or language change rebuilds the shell: the booking screen starts afresh, without the hold
        [rebuild] = runtime.listeners
        rebuild()
        await wait_for(client, lambda: not held_entries(runtime))
        assert first in await free_at_gruenau(runtime)
        await wait_for(client, lambda: has(client, "appointments.search"))


async def test_a_finished_booking_keeps_its_time_and_leaves_no_held_entry(runtime: AppRuntime) -> None:
    service: AppointmentService = runtime.services.appointments
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await open_times(client)
        await client.click("appointments.slot.0")
        await enter_contact(client)
        await client.click("appointments.confirm")
        await wait_for(client, lambda: has(client, "appointments.done.state"))
        [record] = service.my_appointments()
        assert held_entries(runtime) == {}
        secret = await service.secrets.get(f"appointments.{record.id}")
        assert secret is not None

        await client.select("nav.news")
        await client.settle()
        await asyncio.sleep(0.2)  # the screen's leave callback has run by now
        process_id, auth_key = secret.split("\n")
        assert (await server(runtime).fetch(process_id, auth_key)).state is BookingState.CONFIRMED
        assert service.get(record.id).state is BookingState.CONFIRMED
        assert held_entries(runtime) == {}


class Gated(ZmsBooking):
    """The real adapter, whose chosen step waits until the test opens the gate (to leave meanwhile)."""

    def __init__(self, *args: Any, step: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.step = step
        self.reached = asyncio.Event()
        self.gate = asyncio.Event()
        self.cancelled: list[str] = []

    async def _wait(self, step: str) -> None:
        if step == self.step:
            self.reached.set()
            await self.gate.wait()

    async def reserve(self, *args: Any) -> Booking:
        await self._wait("reserve")
        return await super().reserve(*args)

    async def confirm(self, booking: Booking) -> Booking:
        await self._wait("confirm")
        return await super().confirm(booking)

    async def cancel(self, process_id: str, auth_key: str) -> None:
        await super().cancel(process_id, auth_key)
        self.cancelled.append(process_id)


def gate(runtime: AppRuntime, step: str) -> Gated:
    """Rewire the appointments service of the running app with a gated connection to its demo city."""
    assert runtime.http is not None
    gated = Gated(runtime.http, runtime.services.profile.appointments.endpoint, step=step)
    runtime.services.appointments = AppointmentService(
        gated,
        SqliteAppointmentStore(runtime.db, city="leipzig"),
        FileSecretStore(runtime.data_dir),
        runtime.services.profile.appointments,
        city="leipzig",
    )
    return gated


async def test_leaving_while_the_time_is_being_reserved_gives_it_back(runtime: AppRuntime) -> None:
    gated = gate(runtime, "reserve")
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await open_times(client)
        first = (await free_at_gruenau(runtime))[0]
        await client.click("appointments.slot.0")
        await asyncio.wait_for(gated.reached.wait(), 10)
        await client.select("nav.news")
        gated.gate.set()
        # the reservation arrives after the resident left: it is given back at once
        await wait_for(client, lambda: bool(gated.cancelled) and not held_entries(runtime))
        assert first in await free_at_gruenau(runtime)


async def test_leaving_while_the_booking_is_confirmed_keeps_the_booking(runtime: AppRuntime) -> None:
    gated = gate(runtime, "confirm")
    service: AppointmentService = runtime.services.appointments
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await open_times(client)
        first = (await free_at_gruenau(runtime))[0]
        await client.click("appointments.slot.0")
        await enter_contact(client)
        await client.click("appointments.confirm")
        await asyncio.wait_for(gated.reached.wait(), 10)
        await client.select("nav.news")
        gated.gate.set()
        # the booking was on its way: it ends in "Meine Termine", confirmed, and is not given back
        await wait_for(client, lambda: bool(service.my_appointments()))
        [record] = service.my_appointments()
        assert record.state is BookingState.CONFIRMED
        assert record.start == first.start
        await asyncio.sleep(0.2)
        assert first not in await free_at_gruenau(runtime)
        assert held_entries(runtime) == {}
        secret = await service.secrets.get(f"appointments.{record.id}")
        assert secret is not None
        process_id, auth_key = secret.split("\n")
        assert (await server(runtime).fetch(process_id, auth_key)).state is BookingState.CONFIRMED


async def test_the_next_start_gives_back_a_time_held_when_the_app_was_ended(tmp_path: Path) -> None:
    folder = tmp_path / "app"
    first_run = AppRuntime.create(data_dir=folder)
    try:
        async with FakeFletClient(
            first_run.create_main(), platform="linux", width=1000, height=800
        ) as client:
            await open_times(client)
            first = (await free_at_gruenau(first_run))[0]
            await client.click("appointments.slot.0")
            await wait_for(client, lambda: has(client, "appointments.name"))
            # the app was ended on the contact step (a phone swiped it away, the process was killed):
            # its page never hears that its session ended
            client.page.on_close = None
        assert held_entries(first_run)
    finally:
        await first_run.aclose()

    second_run = AppRuntime.create(data_dir=folder)
    try:
        assert first not in await free_at_gruenau(second_run)  # the demo city still holds it
        async with FakeFletClient(
            second_run.create_main(), platform="linux", width=1000, height=800
        ) as client:
            # the runtime's background job gives it back while Home is shown, no booking screen needed
            await wait_for(client, lambda: not held_entries(second_run))
            assert shows(client, "Start")
        assert first in await free_at_gruenau(second_run)
    finally:
        await second_run.aclose()


async def test_on_a_phone_holds_left_in_secure_storage_are_given_back(runtime: AppRuntime) -> None:
    first = (await free_at_gruenau(runtime))[0]
    held = await server(runtime).reserve(GRUENAU, [ANMELDEN], [1], first.start)
    name = f"appointments.held.leipzig.{first.start.timestamp():.0f}.{GRUENAU}"  # as an earlier run stored it
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        secure = secure_storage(client)
        secure[name] = f"{held.process_id}\n{held.auth_key}"
        # the secure storage is reached once the appointments section opens
        await client.navigate("/appointments")
        await wait_for(client, lambda: not secure)
    assert first in await free_at_gruenau(runtime)
    assert (await server(runtime).fetch(held.process_id, held.auth_key)).state is BookingState.CANCELLED


async def test_another_service_from_the_offices_step_keeps_the_search_and_holds_nothing(
    runtime: AppRuntime,
) -> None:
    """Step 2 leads back to step 1 with the search as typed; a time picked and given back on the way
    leaves nothing held, and offices chosen for the first service are not asked for the second."""
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await client.navigate("/appointments/new")
        await wait_for(client, lambda: has(client, "appointments.search"))
        await client.type("appointments.search", "anmelden")
        await open_times(client, navigate=False)
        await client.click("appointments.slot.0")
        await wait_for(client, lambda: has(client, "appointments.name"))
        assert held_entries(runtime)
        await client.click("appointments.contact.back")  # "Andere Zeit wählen" gives the time back
        await wait_for(client, lambda: has(client, "appointments.times.back"))
        await client.click("appointments.times.back")
        await wait_for(client, lambda: has(client, "appointments.offices.back"))
        assert client.find("appointments.offices.back").get("content") == "Anderes Anliegen wählen"

        await client.click("appointments.offices.back")
        await wait_for(client, lambda: has(client, f"appointments.service.{ANMELDEN}"))
        assert shows(client, "Schritt 1 von 5: Anliegen wählen")
        assert client.find("shell.status").get("value") == "Schritt 1 von 5: Anliegen wählen"
        assert client.find("appointments.search").get("value") == "anmelden"
        assert not has(client, "appointments.service.121151")  # still filtered
        assert held_entries(runtime) == {}

        await client.type("appointments.search", "Reisepass")
        await tap(client, "appointments.service.121151")
        await wait_for(client, lambda: has(client, "appointments.office.10005"))
        assert not client.find(f"appointments.office.{GRUENAU}").get("value")  # not ticked
        await client.update_props("appointments.office.10005", {"value": True})
        await client.trigger("appointments.office.10005", "change", "true")
        await client.click("appointments.offices.next")
        await wait_for(client, lambda: has(client, "appointments.slot.0"))
        assert "Südvorstadt" in str(client.find("appointments.slot.0").get("content"))
        assert "Grünau" not in " ".join(
            str(c.get("content"))
            for c in client.find_all(lambda c: str(c.key or "").startswith("appointments.slot."))
        )
    assert held_entries(runtime) == {}
