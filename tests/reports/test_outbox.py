"""The outbox against the real demo city with injected faults: nothing lost, nothing doubled.

Each test uses a real SQLite file and the demo city over HTTP; faults are injected through the demo
city's `/demo/open311/faults` endpoint. The retry policy has no delay so items are due again at once.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.http_fixture import http_client

from leipzig_app.adapters.open311 import Open311Client
from leipzig_app.adapters.outbox_store import MIGRATIONS, SqliteOutboxStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.domain import outbox as rules
from leipzig_app.domain.outbox import OutboxState, RetryPolicy
from leipzig_app.domain.reports import Location, ReportDraft
from leipzig_app.services.reports import ReportsService

NO_DELAY = RetryPolicy(base=0.0, jitter=0.0, uncertain_grace=0.0)


def _draft(text: str = "Laterne aus", **extra: Any) -> ReportDraft:
    return ReportDraft(
        "strassenlaterne",
        Location(lat=51.3397, long=12.3731, address="Thomaskirchhof 20"),
        text,
        service_name="Straßenbeleuchtung defekt",
        attributes=extra.get("attributes", {"fehlerbild": ("aus",)}),
    )


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """A real SQLite file with the outbox's own migrations (the full set is checked in test_views)."""
    return Database(tmp_path / "app.sqlite3", [MIGRATIONS])


http = http_client(timeout=1.0)


def _service(db: Any, tmp_path: Path, http: httpx.AsyncClient, endpoint: str) -> ReportsService:
    return ReportsService(
        outbox=SqliteOutboxStore(db, tmp_path / "outbox", city="leipzig"),
        reporting=Open311Client(http, endpoint, api_key="demo-open311-key", jurisdiction_id="leipzig.de"),
        rng=random.Random(1),
        policy=NO_DELAY,
    )


async def _server_copies(http: httpx.AsyncClient, sandbox_url: str, text: str) -> int:
    found = (
        await http.get(f"{sandbox_url}/open311/v2/requests.json", params={"service_code": "strassenlaterne"})
    ).json()
    return sum(1 for r in found if r["description"] == text)


@pytest.fixture(autouse=True)
async def _clean_city(http: httpx.AsyncClient, sandbox_url: str) -> None:
    await http.delete(f"{sandbox_url}/demo/open311/faults")
    await http.post(
        f"{sandbox_url}/demo/open311/settings", json={"honour_idempotency": True, "refuse_json": 0}
    )


async def _faults(http: httpx.AsyncClient, sandbox_url: str, **config: Any) -> None:
    response = await http.post(f"{sandbox_url}/demo/open311/faults", json=config)
    assert response.status_code == 200, response.text


async def test_offline_report_is_kept_with_photo_and_sent_later(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    offline = _service(db, tmp_path, http, "http://127.0.0.1:9/open311/v2/")
    item = await offline.submit_report(_draft("Offline geschrieben"), [b"\xff\xd8\xffPHOTO"])
    assert item.state == OutboxState.QUEUED
    assert not item.uncertain  # connection refused: nothing left the device
    assert item.error_key == "error.offline"
    assert (tmp_path / "outbox" / item.id / "1.jpg").read_bytes() == b"\xff\xd8\xffPHOTO"

    online = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
    summary = await online.sync_outbox()
    assert (summary.sent, summary.pending) == (1, 0)
    sent = online.outbox.get(item.id)
    assert sent is not None
    assert sent.state == OutboxState.SENT
    assert sent.service_request_id
    assert await _server_copies(http, sandbox_url, "Offline geschrieben") == 1


async def test_category_never_opened_can_be_reported_offline_and_is_sent_once(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """The list was loaded online, no category was opened; offline, each one's questions are there."""
    online = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
    listed, stale = await online.categories()
    assert not stale
    with_questions = [c for c in listed if c.metadata]
    assert len(with_questions) >= 6
    assert await online.definitions_prefetched() == len(with_questions)

    offline = _service(db, tmp_path, http, "http://127.0.0.1:9/open311/v2/")
    cached, stale = await offline.categories()
    assert stale
    for category in cached:
        if category.metadata:
            questions = await offline.definition(category)  # OfflineError without the prefetch
            assert questions is not None
            assert questions.attributes
    pothole = next(c for c in cached if c.code == "schlagloch")
    definition = await offline.definition(pothole)
    assert {a.code for a in definition.attributes if a.required} == {"lage", "gefahr"}  # type: ignore[union-attr]
    draft = ReportDraft(
        "schlagloch",
        Location(lat=51.3397, long=12.3731, address="Markt 1"),
        "Offline gemeldetes Schlagloch",
        service_name=pothole.name,
        attributes={"lage": ("fahrbahn",), "gefahr": ("ja",)},
    )
    item = await offline.submit_report(draft, definition=definition)
    assert item.state == OutboxState.QUEUED

    back = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
    assert (await back.sync_outbox()).sent == 1
    assert (await back.sync_outbox()).sent == 0
    assert (back.outbox.get(item.id) or item).state == OutboxState.SENT
    found = (
        await http.get(f"{sandbox_url}/open311/v2/requests.json", params={"service_code": "schlagloch"})
    ).json()
    assert sum(1 for r in found if r["description"] == "Offline gemeldetes Schlagloch") == 1


async def test_background_job_renews_every_categorys_questions(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    service = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
    assert service.outbox.cache_get("definition:muell") is None
    assert service._catalogue_due()
    assert await service.refresh_catalogue()
    assert not service._catalogue_due()
    assert isinstance(service.outbox.cache_get("definition:muell"), dict)
    assert isinstance(service.outbox.cache_get("definition:graffiti"), dict)
    unreachable = _service(db, tmp_path, http, "http://127.0.0.1:9/open311/v2/")
    assert not await unreachable.refresh_catalogue()  # tolerated; the copy stays
    assert isinstance(unreachable.outbox.cache_get("definition:muell"), dict)


@pytest.mark.parametrize("refused", [406, 404, 415])
async def test_queued_report_reaches_a_city_that_answers_json_with_refused(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str, refused: int
) -> None:
    """A resumed outbox sends before anything was read: the first call to an XML-only city is the POST."""
    text = f"Nur XML {refused}"
    offline = _service(db, tmp_path, http, "http://127.0.0.1:9/open311/v2/")
    item = await offline.submit_report(_draft(text))
    assert item.state == OutboxState.QUEUED
    answer = await http.post(f"{sandbox_url}/demo/open311/settings", json={"refuse_json": refused})
    assert answer.status_code == 200, answer.text
    try:
        probe = await http.post(f"{sandbox_url}/open311/v2/requests.json", data={"api_key": "x"})
        assert probe.status_code == refused  # the demo city really refuses JSON, also for POST
        restarted = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
        summary = await restarted.sync_outbox()
        assert (summary.sent, summary.failed, summary.pending) == (1, 0, 0)
        assert restarted.reporting is not None
        assert restarted.reporting.format == "xml"  # type: ignore[attr-defined]
        sent = restarted.outbox.get(item.id)
        assert sent is not None
        assert sent.state == OutboxState.SENT
        assert sent.service_request_id
    finally:
        await http.post(f"{sandbox_url}/demo/open311/settings", json={"refuse_json": 0})
    assert await _server_copies(http, sandbox_url, text) == 1


@pytest.mark.parametrize("mode", ["status_after", "reset_after", "reset_before", "status", "delay_after"])
@pytest.mark.parametrize("honour", [True, False])
async def test_ambiguous_failures_never_duplicate(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str, mode: str, honour: bool
) -> None:
    await http.post(f"{sandbox_url}/demo/open311/settings", json={"honour_idempotency": honour})
    await _faults(http, sandbox_url, fail_next=1, modes=[mode], delay=1.5, status=503)
    service = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
    text = f"Störung {mode} {honour}"
    item = await service.submit_report(_draft(text))
    assert item.state == OutboxState.QUEUED
    assert item.uncertain  # the server may have it
    assert item.error_detail
    await service.sync_outbox()
    final = service.outbox.get(item.id)
    assert final is not None
    assert final.state == OutboxState.SENT
    assert final.service_request_id
    assert await _server_copies(http, sandbox_url, text) == 1


async def test_rejected_report_returns_with_the_servers_reason(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    service = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
    # Without a definition the app cannot check the attribute itself: the server refuses it.
    item = await service.submit_report(_draft("Falsch", attributes={"fehlerbild": ("kaputt",)}))
    assert item.state == OutboxState.FAILED
    assert item.error_key == "reports.error.field"
    assert "fehlerbild" in str(item.error_params["description"])
    corrected = service.resubmit(item.id, _draft("Richtig"), None)
    assert corrected.state == OutboxState.QUEUED
    await service.sync_outbox()
    assert (service.outbox.get(item.id) or item).state == OutboxState.SENT


async def test_killed_while_sending_resumes_without_duplicate(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    await http.post(f"{sandbox_url}/demo/open311/settings", json={"honour_idempotency": False})
    first = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
    item = await first.submit_report(_draft("Abgestürzt"), send_now=False)
    # What a process killed right after the server stored the report leaves behind:
    sending = rules.start_sending(item, first.clock())
    first.outbox.save(sending)
    assert first.reporting is not None
    await first.reporting.submit(sending.draft, [], idempotency_key=sending.idempotency_key)

    restarted = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
    assert restarted.resume() == 1
    assert restarted.resume() == 0  # nothing left in `sending`
    await restarted.sync_outbox()
    final = restarted.outbox.get(item.id)
    assert final is not None
    assert final.state == OutboxState.SENT
    assert await _server_copies(http, sandbox_url, "Abgestürzt") == 1


async def test_failed_lookup_never_resends(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    service = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
    item = await service.submit_report(_draft("Nachsehen"), send_now=False)
    service.outbox.save(rules.after_interruption(item, service.clock()))
    await _faults(http, sandbox_url, fail_next=1, modes=["status"], scope="all")
    await service.sync_outbox()
    after = service.outbox.get(item.id)
    assert after is not None
    assert after.state == OutboxState.QUEUED
    assert after.uncertain
    assert await _server_copies(http, sandbox_url, "Nachsehen") == 0
    await service.sync_outbox()
    assert (service.outbox.get(item.id) or item).state == OutboxState.SENT


async def test_status_refresh_and_home_card(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    service = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
    item = await service.submit_report(_draft("Bitte reparieren"))
    card = await service.home_card("de")
    assert card.items[0].title == "Straßenbeleuchtung defekt"
    assert "Offen" in card.items[0].subtitle
    await http.post(
        f"{sandbox_url}/demo/open311/requests/{item.service_request_id}/status",
        json={"status": "closed", "status_notes": "Lampe getauscht."},
    )
    assert await service.refresh_statuses() == 1
    done = service.outbox.get(item.id)
    assert done is not None
    assert (done.status, done.status_notes) == ("closed", "Lampe getauscht.")
    assert (await service.home_card("de")).items == ()


async def test_batch_token_gets_its_id_on_refresh(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    service = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
    draft = ReportDraft(
        "graffiti", Location(address="Prager Straße 2"), "Tags", attributes={"anstoessig": ("nein",)}
    )
    item = await service.submit_report(draft)
    assert item.token
    assert item.service_request_id is None
    await http.post(f"{sandbox_url}/demo/open311/process-batch")
    await service.refresh_statuses()
    assert (service.outbox.get(item.id) or item).service_request_id


async def test_missing_photo_returns_the_report_instead_of_looping(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    service = _service(db, tmp_path, http, f"{sandbox_url}/open311/v2/")
    item = await service.submit_report(_draft("Foto weg"), [b"\xff\xd8\xff"], send_now=False)
    (tmp_path / "outbox" / item.id / "1.jpg").unlink()
    await service.sync_outbox()
    failed = service.outbox.get(item.id)
    assert failed is not None
    assert failed.state == OutboxState.FAILED
    assert failed.error_key == "error.storage"
    assert await _server_copies(http, sandbox_url, "Foto weg") == 0
