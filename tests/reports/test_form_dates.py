"""A `datetime` question: typed as in Germany (20.11.2026) or in ISO, or chosen in a calendar; sent in ISO."""

from __future__ import annotations

from datetime import datetime

import pytest
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has

from leipzig_app.app import AppRuntime
from leipzig_app.domain.reports import (
    ReportInvalidError,
    ServiceAttribute,
    ServiceDefinition,
    normalise_attributes,
    parse_date_answer,
)
from leipzig_app.services.reports import prepare_draft

SINCE = ServiceDefinition("x", (ServiceAttribute("seit", "datetime", "Seit wann?"),))


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("20.11.2026", "2026-11-20"),
        (" 1.2.2026 ", "2026-02-01"),
        ("20. 11. 2026", "2026-11-20"),
        ("2026-11-20", "2026-11-20"),
        ("2026-11-20T08:30", "2026-11-20T08:30:00"),
    ],
)
def test_german_and_iso_dates_are_sent_as_iso(typed: str, sent: str) -> None:
    assert parse_date_answer(typed) == sent
    assert normalise_attributes({"seit": [typed]}, SINCE) == {"seit": (sent,)}


@pytest.mark.parametrize("typed", ["31.02.2026", "20.11.26", "gestern", "2026-13-01", "20/11/2026"])
def test_no_date_is_refused_with_the_question_named(typed: str) -> None:
    from leipzig_app.domain.reports import Location, ReportDraft

    draft = ReportDraft("x", Location(address="Markt 1"), "Text", attributes={"seit": (typed,)})
    with pytest.raises(ReportInvalidError) as caught:
        prepare_draft(draft, SINCE)
    assert caught.value.key == "reports.error.attribute_datetime"
    assert caught.value.params["name"] == "Seit wann?"


async def _to_questions(client: FakeFletClient) -> None:
    await client.navigate("/reports/new")
    await client.wait_until(lambda: has(client, "reports.category.strassenlaterne"))
    await client.click("reports.category.strassenlaterne")
    await client.type("reports.description", "Die Laterne am Markt ist dunkel.")
    await client.update_props("reports.attr.fehlerbild", {"value": "aus"})
    await client.trigger("reports.attr.fehlerbild", "select", "aus")


async def test_a_german_date_passes_the_questions_and_is_sent_as_iso(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        await _to_questions(client)
        assert client.find("reports.attr.seit").get("hint_text") == "Datum, z. B. 20.11.2026"
        await client.type("reports.attr.seit", "31.02.2026")
        await client.click("reports.next")
        assert any("Bitte geben Sie ein Datum ein (TT.MM.JJJJ" in t for t in client.texts())
        await client.type("reports.attr.seit", "20.11.2026")
        await client.click("reports.next")
        assert has(client, "reports.address")  # the next step: the date was accepted
        await client.type("reports.address", "Markt 1, 04109 Leipzig")
        await client.click("reports.next")
        await client.click("reports.next")
        await client.wait_until(lambda: has(client, "reports.send"))
        await client.click("reports.send")
        await client.wait_until(lambda: has(client, "reports.detail.id"))
    sent = [
        i
        for i in runtime.services.reports.my_reports()
        if i.draft.description == "Die Laterne am Markt ist dunkel."
    ]
    assert [i.draft.attributes["seit"] for i in sent] == [("2026-11-20",)]


async def test_the_calendar_fills_the_date_field(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        await _to_questions(client)
        pick = client.find("reports.attr.seit.pick")
        assert pick.get("tooltip") == "Datum im Kalender wählen: Seit wann?"
        await client.click(pick)
        picker = client.find("reports.attr.seit.picker")
        assert picker.get("help_text") == "Seit wann?"
        await client.update_props(picker, {"value": datetime(2026, 11, 21)})
        await client.trigger(picker, "change")
        assert client.find("reports.attr.seit").get("value") == "21.11.2026"
        await client.click("reports.next")
        assert has(client, "reports.address")
