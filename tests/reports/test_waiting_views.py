"""A report that waits in the outbox, on the in-process Flet client against the app's own demo city: the
screen says truly why it waits (the city's server, not the connection), and the open report follows the
outbox when the app sends it meanwhile. `test_outbox_e2e.py` walks the same in Chromium."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import httpx
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has, shows, wait_for

from leipzig_app.app import AppRuntime
from leipzig_app.domain.outbox import OutboxState
from leipzig_app.domain.reports import Location, ReportDraft


async def test_the_open_report_says_why_it_waits_and_follows_the_outbox(runtime: AppRuntime) -> None:
    assert runtime.sandbox is not None
    service = runtime.services.reports
    faults = f"{runtime.sandbox.base_url}/demo/open311/faults"
    async with httpx.AsyncClient() as http:
        # ten minutes to wait: the app's own loop leaves it alone until the test makes it due
        await http.post(faults, json={"fail_next": 1, "modes": ["status"], "status": 429, "retry_after": 600})
        draft = ReportDraft("ampel", Location(address="Markt 1"), "Ampel aus (wartet).", service_name="Ampel")
        item = await service.submit_report(draft)
        assert item.state == OutboxState.QUEUED
        async with FakeFletClient(runtime.create_main(), platform="web", width=1000, height=800) as client:
            await client.navigate(f"/reports/mine/{item.id}")
            await wait_for(client, lambda: has(client, "reports.detail.state"))
            assert client.find("reports.detail.state").get("value") == "Wird später gesendet"
            assert shows(client, "Grund: Der Server der Stadt ist gerade überlastet (429).")
            assert not shows(client, "Verbindung")

            await http.delete(faults)
            waiting = service.outbox.get(item.id)
            assert waiting is not None
            service.outbox.save(replace(waiting, next_attempt_at=datetime.now(UTC)))  # due now
            await service.sync_outbox()  # what the background loop does when the item is due
            sent = service.outbox.get(item.id)
            assert sent is not None
            assert sent.state == OutboxState.SENT
            await wait_for(client, lambda: client.find("reports.detail.state").get("value") == "Offen")
            assert shows(client, f"Vorgangsnummer: {sent.service_request_id}")
            status = f"Meldung gesendet. Vorgangsnummer: {sent.service_request_id}"
            await wait_for(client, lambda: client.find("shell.status").get("value") == status)


async def test_a_new_reason_to_wait_is_said_even_when_the_state_stays(runtime: AppRuntime) -> None:
    # 500 and then 429 are both "the city's server answered with an error" and the report waits on, but
    # the reason the screen gives changes ("überlastet"): a screen reader hears it too.
    assert runtime.sandbox is not None
    service = runtime.services.reports
    faults = f"{runtime.sandbox.base_url}/demo/open311/faults"
    async with httpx.AsyncClient() as http:
        await http.post(faults, json={"fail_next": 1, "modes": ["status"], "status": 500})
        draft = ReportDraft("ampel", Location(address="Markt 1"), "Ampel aus (500).", service_name="Ampel")
        item = await service.submit_report(draft)
        assert item.state == OutboxState.QUEUED
        assert item.error_params.get("status") == 500
        async with FakeFletClient(runtime.create_main(), platform="web", width=1000, height=800) as client:
            await client.navigate(f"/reports/mine/{item.id}")
            await wait_for(client, lambda: has(client, "reports.detail.state"))
            assert not shows(client, "überlastet")

            await http.post(
                faults, json={"fail_next": 1, "modes": ["status"], "status": 429, "retry_after": 600}
            )
            waiting = service.outbox.get(item.id)
            assert waiting is not None
            service.outbox.save(replace(waiting, next_attempt_at=datetime.now(UTC)))  # due now
            await service.sync_outbox()
            again = service.outbox.get(item.id)
            assert again is not None
            assert again.state == OutboxState.QUEUED
            assert again.error_params.get("status") == 429
            await wait_for(
                client, lambda: "überlastet (429)" in str(client.find("shell.status").get("value"))
            )
            assert str(client.find("shell.status").get("value")).startswith("Wird später gesendet")
            await http.delete(faults)
