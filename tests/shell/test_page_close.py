"""A page whose session ends leaves its screen: the booking wizard gives its held time back, once.

The real app on the in-process Flet client in web mode, with its own demo city. Closing the client ends
the session as flet_web does when a closed tab's session is evicted (`disconnect`, then `close`). A
connection that drops and comes back to the same session (`disconnect`, then `connect`) is no leaving:
the resident books the very time they held.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from tests.appointments.test_leaving import enter_contact, held_entries, open_times, server
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has, wait_for

from leipzig_app.app import AppRuntime
from leipzig_app.domain.appointments import BookingState
from leipzig_app.services.appointments import AppointmentService
from leipzig_app.services.appointments_holds import read_held_value


def count_cancellations(runtime: AppRuntime) -> list[str]:
    """Every `cancel-appointment` request the app sends from now on (the app's own HTTP client)."""
    assert runtime.http is not None
    sent: list[str] = []

    async def record(request: httpx.Request) -> None:
        if request.url.path.endswith("/cancel-appointment/"):
            sent.append(request.url.path)

    runtime.http.event_hooks["request"].append(record)
    return sent


async def until(condition: Callable[[], bool], timeout: float = 10) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the page's close did not get there"
        await asyncio.sleep(0.02)


async def review_step(client: FakeFletClient, runtime: AppRuntime) -> tuple[str, str]:
    """Hold the first time at Grünau and go on to the review step; the held time's access data."""
    await open_times(client)
    await client.click("appointments.slot.0")
    await enter_contact(client)
    [value] = held_entries(runtime).values()
    process_id, auth_key, _ = read_held_value(value)
    return process_id, auth_key


async def test_closing_the_page_on_the_review_step_gives_the_time_back_once(runtime: AppRuntime) -> None:
    cancellations = count_cancellations(runtime)
    async with FakeFletClient(runtime.create_main(), platform="web", width=1000, height=800) as client:
        process_id, auth_key = await review_step(client, runtime)
        assert (await server(runtime).fetch(process_id, auth_key)).state is BookingState.RESERVED
        session = client.session
    # the client went away and its session ended: `disconnect`, then `close`
    await until(lambda: not held_entries(runtime))
    assert (await server(runtime).fetch(process_id, auth_key)).state is BookingState.CANCELLED
    assert len(cancellations) == 1

    # a second `close` (Flet fires it once, but nothing must depend on that) gives nothing back again
    await session.dispatch_event(session.page._i, "close", None)
    await asyncio.sleep(0.2)
    assert len(cancellations) == 1


async def test_a_page_that_reconnects_keeps_its_held_time_and_books_it(runtime: AppRuntime) -> None:
    service: AppointmentService = runtime.services.appointments
    cancellations = count_cancellations(runtime)
    async with FakeFletClient(runtime.create_main(), platform="web", width=1000, height=800) as client:
        process_id, auth_key = await review_step(client, runtime)
        connection = client.session.connection
        await client.session.disconnect(60)  # the laptop slept: flet_web keeps the session for a while
        await asyncio.sleep(0.3)
        assert held_entries(runtime)
        assert (await server(runtime).fetch(process_id, auth_key)).state is BookingState.RESERVED

        await client.session.connect(connection)  # and woke up: the same page carries on
        await client.click("appointments.confirm")
        await wait_for(client, lambda: has(client, "appointments.done.state"))
        [record] = service.my_appointments()
        assert record.state is BookingState.CONFIRMED
        assert await service.secrets.get(f"appointments.{record.id}") == f"{process_id}\n{auth_key}"
    # the session ended after the booking: nothing is given back
    await asyncio.sleep(0.3)
    assert cancellations == []
    assert (await server(runtime).fetch(process_id, auth_key)).state is BookingState.CONFIRMED
