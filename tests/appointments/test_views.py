"""The booking wizard and "Meine Termine" on the in-process Flet client, against the app's own demo city."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.support.flet_fake import FakeFletClient
from tests.support.view import has, shows, tap, wait_for

from leipzig_app.app import AppRuntime
from leipzig_app.domain.appointments import BookingState


def secure_storage(client: FakeFletClient) -> dict[str, str]:
    """The phone's secure storage (Keychain/Keystore), answered by the fake client."""
    secure: dict[str, str] = {}
    client.method_handlers[("SecureStorage", "get")] = lambda _, a: secure.get((a or {})["key"])
    client.method_handlers[("SecureStorage", "get_all")] = lambda _, a: dict(secure)
    client.method_handlers[("SecureStorage", "set")] = lambda _, a: secure.update({a["key"]: a["value"]})
    client.method_handlers[("SecureStorage", "remove")] = lambda _, a: secure.pop(a["key"], None)
    return secure


async def check(client: FakeFletClient, key: str) -> None:
    await client.update_props(key, {"value": True})
    await client.trigger(key, "change", "true")


async def test_book_add_to_calendar_reschedule_and_cancel(runtime: AppRuntime, tmp_path: Path) -> None:
    saved: list[dict[str, Any]] = []

    def save_file(_: Any, args: dict[str, Any] | None) -> str:
        saved.append(dict(args or {}))
        return str(tmp_path / "termin.ics")

    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        client.method_handlers[("FilePicker", "save_file")] = save_file
        secure = secure_storage(client)
        await client.navigate("/appointments")
        assert shows(client, "Sie haben noch keinen Termin gebucht.")
        await tap(client, "appointments.new")

        # step 1: search a service, see fee and what to bring
        await wait_for(client, lambda: has(client, "appointments.search"))
        await client.type("appointments.search", "anmelden")
        await wait_for(client, lambda: has(client, "appointments.service.120686"))
        assert not has(client, "appointments.service.120703")
        assert shows(client, "Wohnungsgeberbestätigung des Vermieters")
        assert shows(client, "Gebühr: gebührenfrei")
        await client.click("appointments.service.120686")

        # step 2: persons and offices (address, hours, step-free access)
        await wait_for(client, lambda: has(client, "appointments.office.10002"))
        assert shows(client, "Stuttgarter Allee 18, 04209 Leipzig")
        assert shows(client, "Kein stufenloser Zugang")
        await client.click("appointments.offices.next")
        await wait_for(client, lambda: shows(client, "Bitte wählen Sie mindestens ein Bürgeramt."))
        await check(client, "appointments.office.10002")
        await client.click("appointments.count.plus")
        assert shows(client, "Personen: 2")
        await client.click("appointments.offices.next")

        # step 3: free times as a list, grouped by day
        await wait_for(client, lambda: has(client, "appointments.slot.1"))
        assert has(client, "appointments.day.0")
        first_label = client.find("appointments.slot.0")
        assert "Bürgeramt Grünau (Demo)" in str(first_label.get("content"))
        await client.click("appointments.slot.0")

        # step 4: contact, with validation
        await wait_for(client, lambda: has(client, "appointments.name"))
        assert shows(client, "ist für Sie reserviert – noch 15 Minuten")
        await client.type("appointments.name", "Erika Mustermann")
        await client.type("appointments.email", "erika-at-example")
        await client.click("appointments.contact.next")
        await wait_for(client, lambda: shows(client, "gültige E-Mail-Adresse"))
        await client.type("appointments.email", "erika@example.org")
        await client.click("appointments.contact.next")

        # review, then book
        await wait_for(client, lambda: has(client, "appointments.confirm"))
        assert shows(client, "Für: Erika Mustermann, erika@example.org")
        await client.click("appointments.confirm")
        await wait_for(client, lambda: has(client, "appointments.done.state"))
        assert shows(client, "Bestätigt.")
        service = runtime.services.appointments
        [first] = service.my_appointments()
        assert first.state is BookingState.CONFIRMED
        assert first.service_counts == (2,)
        assert list(secure) == [f"appointments.{first.id}"]  # the held time's entry moved to the booking

        # add to calendar
        await client.click("appointments.ics")
        await wait_for(client, lambda: (tmp_path / "termin.ics").exists())
        assert saved[0]["file_name"].endswith(".ics")
        assert b"BEGIN:VCALENDAR" in (tmp_path / "termin.ics").read_bytes()

        # reschedule: the new time is booked, then the old one cancelled
        await client.navigate(f"/appointments/mine/{first.id}")
        await tap(client, "appointments.reschedule")
        await tap(client, "appointments.offices.next")
        await wait_for(client, lambda: has(client, "appointments.slot.2"))
        await client.click("appointments.slot.2")
        await wait_for(client, lambda: has(client, "appointments.confirm"))
        assert shows(client, "Der alte Termin wird erst abgesagt, wenn der neue gebucht ist.")
        await client.click("appointments.confirm")
        await wait_for(client, lambda: has(client, "appointments.done.state"))
        states = {r.id: r.state for r in service.my_appointments()}
        assert states[first.id] is BookingState.CANCELLED
        [new_id] = [i for i, s in states.items() if s is BookingState.CONFIRMED]

        # cancel after a confirmation question
        await client.navigate(f"/appointments/mine/{new_id}")
        await tap(client, "appointments.cancel")
        await tap(client, "appointments.cancel.yes")
        await wait_for(client, lambda: shows(client, "Abgesagt."))
        assert service.get(new_id).state is BookingState.CANCELLED
        assert client.find("shell.status").get("value") == "Der Termin wurde abgesagt."


async def test_home_card_and_calendar_file_where_no_save_dialog_exists(runtime: AppRuntime) -> None:
    service = runtime.services.appointments
    slot = (await service.slots(["10002"], "120686", 1))[0]
    record = await service.book(slot, "120686", 1, _erika())
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        secure_storage(client)
        # Home shows the next appointment and leads to it
        await wait_for(client, lambda: shows(client, "Bürgeramt Grünau (Demo)"))
        assert shows(client, slot.start.strftime("%d.%m.%Y %H:%M"))
        await client.navigate(f"/appointments/mine/{record.id}")
        await tap(client, "appointments.ics")
        await wait_for(client, lambda: has(client, "appointments.ics.text"))
        assert "BEGIN:VCALENDAR" in str(client.find("appointments.ics.text").get("value"))
        await client.click("appointments.ics.copy")
        assert client.state.clipboard is not None
        assert "TZID:Europe/Berlin" in client.state.clipboard


def _erika() -> Any:
    from leipzig_app.domain.appointments import Contact

    return Contact("Erika Mustermann", "erika@example.org")


async def test_taken_and_expired_times_are_said_plainly(runtime: AppRuntime) -> None:
    from datetime import UTC, datetime, timedelta

    service = runtime.services.appointments
    assert runtime.sandbox is not None
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        secure_storage(client)
        await client.navigate("/appointments/new")
        await tap(client, "appointments.service.120686")
        await wait_for(client, lambda: has(client, "appointments.office.10002"))
        await check(client, "appointments.office.10002")
        await client.click("appointments.offices.next")
        await wait_for(client, lambda: has(client, "appointments.slot.0"))
        # someone else takes the first time while the resident is looking at the list
        first = (await service.slots(["10002"], "120686", 1))[0]
        await service.hold(first, "120686", 1)
        await client.click("appointments.slot.0")
        await wait_for(client, lambda: has(client, "appointments.problem"))
        assert shows(client, "Dieser Termin wurde gerade vergeben.")
        assert has(client, "appointments.slot.0")  # the list was loaded again

        await client.click("appointments.slot.0")
        await wait_for(client, lambda: has(client, "appointments.name"))
        await client.type("appointments.name", "Erika Mustermann")
        await client.type("appointments.email", "erika@example.org")
        await client.click("appointments.contact.next")
        await wait_for(client, lambda: has(client, "appointments.confirm"))
        # the resident waits too long on the review step
        later = datetime.now(UTC) + timedelta(minutes=16)
        runtime.sandbox.ctx.clock = lambda: later
        await client.click("appointments.confirm")
        await wait_for(client, lambda: has(client, "appointments.problem"))
        assert shows(client, "Die Reservierung ist abgelaufen.")
        assert service.my_appointments() == []


async def test_phones_keep_booking_secrets_in_secure_storage(runtime: AppRuntime, tmp_path: Path) -> None:
    from leipzig_app.adapters.secrets import FileSecretStore
    from leipzig_app.ui.appointments.device_secrets import DeviceSecretStore

    service = runtime.services.appointments
    slots = await service.slots(["10002"], "120686", 1)
    older = await service.book(slots[0], "120686", 1, _erika())  # before the app page was open
    file_store = FileSecretStore(tmp_path / "app")
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        secure = secure_storage(client)
        await client.navigate("/appointments")
        assert isinstance(service.secrets, DeviceSecretStore)

        newer = await service.book(slots[1], "120686", 1, _erika())
        assert f"appointments.{newer.id}" in secure
        assert await file_store.get(f"appointments.{newer.id}") is None

        # the older booking's access data move from the file into secure storage on first use
        await client.navigate(f"/appointments/mine/{older.id}")
        await tap(client, "appointments.refresh")
        await wait_for(client, lambda: f"appointments.{older.id}" in secure)
        assert await file_store.get(f"appointments.{older.id}") is None

        await client.navigate(f"/appointments/mine/{newer.id}")
        await tap(client, "appointments.cancel")
        await tap(client, "appointments.cancel.yes")
        await wait_for(client, lambda: f"appointments.{newer.id}" not in secure)
        assert service.get(newer.id).state is BookingState.CANCELLED


async def test_a_new_phone_session_talks_to_its_own_secure_storage(runtime: AppRuntime) -> None:
    """The app process outlives its page on a phone (the OS may recreate the Flutter view): the secret store
    must follow the page that is there now, not keep calling the one that is gone."""
    service = runtime.services.appointments
    slots = await service.slots(["10002"], "120686", 1)
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as first:
        first_secure = secure_storage(first)
        await first.navigate("/appointments")
        before = await service.book(slots[0], "120686", 1, _erika())
        assert f"appointments.{before.id}" in first_secure
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as second:
        second_secure = secure_storage(second)
        second_secure.update(first_secure)  # the same phone: its Keystore still holds the first booking
        await second.navigate("/appointments")
        after = await asyncio.wait_for(service.book(slots[1], "120686", 1, _erika()), 10)
        assert f"appointments.{after.id}" in second_secure
        assert (
            await service.secrets.get(f"appointments.{before.id}")
            == first_secure[f"appointments.{before.id}"]
        )


async def test_demo_city_points_testers_to_the_sent_mail(runtime: AppRuntime) -> None:
    service = runtime.services.appointments
    slot = (await service.slots(["10001"], "120686", 1))[0]  # Zentrum confirms by e-mail
    record = await service.book(slot, "120686", 1, _erika())
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await client.navigate(f"/appointments/mine/{record.id}")
        await tap(client, "appointments.demo_mail.open")
        assert runtime.sandbox is not None
        expected = f"{runtime.sandbox.base_url}/demo/zms/mails?recipient=erika%40example.org"
        await wait_for(client, lambda: client.state.launched_urls == [expected])
        assert shows(client, "Wartet auf Ihre Bestätigung")


async def test_the_list_of_times_loads_more_days_when_asked(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await client.navigate("/appointments/new")
        await tap(client, "appointments.service.120686")
        await wait_for(client, lambda: has(client, "appointments.office.10002"))
        await check(client, "appointments.office.10002")
        await client.click("appointments.offices.next")
        await wait_for(client, lambda: has(client, "appointments.day.4"))
        assert not has(client, "appointments.day.5")  # the first five days with free times
        await client.click("appointments.times.more")
        await wait_for(client, lambda: has(client, "appointments.day.5"))
        assert has(client, "appointments.slot.0")


async def test_a_typo_seen_on_the_review_is_corrected_without_losing_the_time(runtime: AppRuntime) -> None:
    service = runtime.services.appointments
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        secure = secure_storage(client)
        await client.navigate("/appointments/new")
        await tap(client, "appointments.service.120686")
        await wait_for(client, lambda: has(client, "appointments.office.10002"))
        await check(client, "appointments.office.10002")
        await client.click("appointments.offices.next")
        await wait_for(client, lambda: has(client, "appointments.slot.0"))
        await client.click("appointments.slot.0")
        await wait_for(client, lambda: has(client, "appointments.name"))
        await client.type("appointments.name", "Erika Mustermann")
        await client.type("appointments.email", "erika@exmaple.org")
        await client.click("appointments.contact.next")
        await wait_for(client, lambda: has(client, "appointments.confirm"))
        assert shows(client, "Für: Erika Mustermann, erika@exmaple.org")
        held = [name for name in secure if name.startswith("appointments.held.")]
        assert len(held) == 1

        # back to the contact step, with what was typed, and the same time still held
        await client.click("appointments.review.edit")
        await wait_for(client, lambda: has(client, "appointments.email"))
        assert client.find("appointments.email").get("value") == "erika@exmaple.org"
        assert client.find("appointments.name").get("value") == "Erika Mustermann"
        assert shows(client, "ist für Sie reserviert")
        await client.type("appointments.email", "erika@example.org")
        await client.click("appointments.contact.next")
        await wait_for(client, lambda: has(client, "appointments.confirm"))
        assert shows(client, "Für: Erika Mustermann, erika@example.org")
        assert [name for name in secure if name.startswith("appointments.held.")] == held
        await client.click("appointments.confirm")
        await wait_for(client, lambda: has(client, "appointments.done.state"))
        [booked] = service.my_appointments()
        assert booked.email == "erika@example.org"


def _own_node(client: FakeFletClient, control_id: int) -> bool:
    """The control sits in a semantics container of its own, so Flutter does not join its text with its
    neighbours' into one label (a row or a card otherwise reads as one odd sentence)."""
    holder = client.tree.index[client.tree.parents[control_id]]
    return holder["_c"] == "Semantics" and holder.get("container") is True


async def test_persons_and_offices_are_read_one_control_at_a_time(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await client.navigate("/appointments/new")
        await tap(client, "appointments.service.120686")
        await wait_for(client, lambda: has(client, "appointments.office.10002"))

        minus, plus = client.find("appointments.count.minus"), client.find("appointments.count.plus")
        assert minus.get("icon")["semantics_label"] == "Eine Person weniger"
        assert plus.get("icon")["semantics_label"] == "Eine Person mehr"
        count = client.find("appointments.count")
        assert count.get("value") == "Personen: 1"
        assert _own_node(client, count.id)
        await client.click("appointments.count.plus")
        assert client.find("appointments.count").get("value") == "Personen: 2"
        assert _own_node(client, client.find("appointments.count").id)

        # an office's address and hours are read after its name, each line on its own
        [address] = client.find_all(
            lambda c: c.type == "Text" and c.get("value") == "Stuttgarter Allee 18, 04209 Leipzig"
        )
        assert _own_node(client, address.id)
