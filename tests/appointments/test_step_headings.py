"""Every step of the booking wizard says which step it is and how many there are, in every language."""

from __future__ import annotations

import pytest
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has, tap, wait_for

from leipzig_app.app import AppRuntime
from leipzig_app.domain.appointments import Contact

GERMAN_NEW = [
    "Schritt 1 von 5: Anliegen wählen",
    "Schritt 2 von 5: Personen und Bürgeramt",
    "Schritt 3 von 5: Freie Termine",
    "Schritt 4 von 5: Ihre Angaben",
    "Schritt 5 von 5: Prüfen und buchen",
]
#: A new time for a booked appointment keeps its service and contact: three steps.
GERMAN_RESCHEDULE = [
    "Schritt 1 von 3: Bürgeramt",
    "Schritt 2 von 3: Freie Termine",
    "Schritt 3 von 3: Prüfen und buchen",
]
#: The word each language puts before the number ("Schritt 1 von 5", "Крок 1 з 5", "الخطوة 1 من 5").
STEP_WORD = {"de": "Schritt", "en": "Step", "uk": "Крок", "ar": "الخطوة"}


def step(client: FakeFletClient) -> str:
    """The step's heading (a header node around its text)."""
    header = client.find("appointments.step")
    return str(header.get("content")["value"])


async def walk_new_booking(client: FakeFletClient) -> list[str]:
    """Service, offices, times, contact and review; the heading of each (the review's also as the status
    line says it to a screen reader)."""
    seen: list[str] = []
    await client.navigate("/appointments/new")
    await wait_for(client, lambda: has(client, "appointments.service.120686"))
    seen.append(step(client))
    await client.click("appointments.service.120686")
    await wait_for(client, lambda: has(client, "appointments.office.10002"))
    seen.append(step(client))
    await client.update_props("appointments.office.10002", {"value": True})
    await client.trigger("appointments.office.10002", "change", "true")
    await client.click("appointments.offices.next")
    await wait_for(client, lambda: has(client, "appointments.slot.0"))
    seen.append(step(client))
    await client.click("appointments.slot.0")
    await wait_for(client, lambda: has(client, "appointments.name"))
    seen.append(step(client))
    await client.type("appointments.name", "Erika Mustermann")
    await client.type("appointments.email", "erika@example.org")
    await client.click("appointments.contact.next")
    await wait_for(client, lambda: has(client, "appointments.confirm"))
    seen.append(step(client))
    assert client.find("shell.status").get("value") == seen[-1]
    await client.click("appointments.review.back")  # gives the held time back
    await wait_for(client, lambda: has(client, "appointments.slot.0"))
    return seen


async def test_every_step_of_a_new_booking_says_its_number_in_german(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        assert await walk_new_booking(client) == GERMAN_NEW


@pytest.mark.parametrize("language", ["en", "uk", "ar"])
async def test_the_review_step_is_numbered_like_the_others_in_every_language(
    runtime: AppRuntime, language: str
) -> None:
    runtime.services.settings.update(language=language)
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        headings = await walk_new_booking(client)
    assert len(set(headings)) == 5
    for number, heading in enumerate(headings, start=1):
        assert heading.startswith(f"{STEP_WORD[language]} {number} "), heading
        assert " 5" in heading.split(":")[0], heading


async def test_a_new_time_counts_only_the_steps_it_has(runtime: AppRuntime) -> None:
    service = runtime.services.appointments
    slot = (await service.slots(["10002"], "120686", 1))[0]
    record = await service.book(slot, "120686", 1, Contact("Erika Mustermann", "erika@example.org"))
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await client.navigate(f"/appointments/mine/{record.id}")
        await tap(client, "appointments.reschedule")
        await wait_for(client, lambda: has(client, "appointments.offices.next"))
        seen = [step(client)]
        await client.click("appointments.offices.next")
        await wait_for(client, lambda: has(client, "appointments.slot.1"))
        seen.append(step(client))
        await client.click("appointments.slot.1")
        await wait_for(client, lambda: has(client, "appointments.confirm"))
        seen.append(step(client))
        assert seen == GERMAN_RESCHEDULE
        assert not has(client, "appointments.count")  # no persons on this step: its name says "Bürgeramt"
