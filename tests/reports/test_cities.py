"""Reports belong to the city they were written for: with two city profiles on one device, a report is
only ever sent to its own city's Open311 endpoint and jurisdiction, waits (durably, photos included)
while another city is active, and is sent exactly once when its city is active again; lists, the home
card and the offline category copy are per city; the address field's example names no city.

Real parts: the demo city over HTTP (Leipzig is jurisdiction `leipzig.de`, Offenbach `offenbach.de` on
the same server), real SQLite files, the app's own wiring and city switch.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from tests.support.http_fixture import http_client

from leipzig_app.adapters.open311 import Open311Client
from leipzig_app.adapters.outbox_store import MIGRATIONS, ORPHAN_MIN_AGE, SqliteOutboxStore
from leipzig_app.adapters.profiles import available_cities, load_profile
from leipzig_app.adapters.sqlite_store import Database, Migrations
from leipzig_app.app import AppRuntime
from leipzig_app.domain.errors import OfflineError
from leipzig_app.domain.outbox import OutboxItem, OutboxState, RetryPolicy, queue
from leipzig_app.domain.reports import Location, ReportDraft
from leipzig_app.i18n import Translator
from leipzig_app.services.reports import ReportsService, SyncSummary

NO_DELAY = RetryPolicy(base=0.0, jitter=0.0, uncertain_grace=0.0)
UNREACHABLE = "http://127.0.0.1:9/open311/v2/"  # nothing listens there: connection refused
JURISDICTIONS = {"leipzig": "leipzig.de", "offenbach": "offenbach.de"}


def leipzig_draft(text: str) -> ReportDraft:
    return ReportDraft(
        "strassenlaterne",
        Location(lat=51.3397, long=12.3731, address="Thomaskirchhof 20"),
        text,
        service_name="Straßenbeleuchtung defekt",
        attributes={"fehlerbild": ("aus",)},
    )


def offenbach_draft(text: str) -> ReportDraft:
    return ReportDraft(
        "of-beleuchtung",
        Location(lat=50.1055, long=8.7624, address="Frankfurter Straße 40"),
        text,
        service_name="Straßenbeleuchtung",
    )


def _now() -> datetime:
    return datetime.now(UTC)


def age(folder: Path) -> None:
    """Make a photo folder look older than the orphan clean-up's minimum age."""
    past = time.time() - ORPHAN_MIN_AGE.total_seconds() - 60
    os.utime(folder, (past, past))


async def copies(http: httpx.AsyncClient, endpoint: str, jurisdiction: str, text: str) -> int:
    """How many requests with this description the demo city stored in one jurisdiction."""
    response = await http.get(f"{endpoint}requests.json", params={"jurisdiction_id": jurisdiction})
    assert response.status_code == 200, response.text
    return sum(1 for r in response.json() if r["description"] == text)


http = http_client(timeout=2.0)


def city_service(
    db: Database, folder: Path, http: httpx.AsyncClient, city: str, endpoint: str
) -> ReportsService:
    return ReportsService(
        outbox=SqliteOutboxStore(db, folder, city=city),
        reporting=Open311Client(
            http, endpoint, api_key="demo-open311-key", jurisdiction_id=JURISDICTIONS[city]
        ),
        policy=NO_DELAY,
    )


# --- the app: queue in Leipzig, switch to Offenbach, sync, switch back ---------------------------------


async def test_a_queued_report_waits_for_its_city_and_is_sent_there_once(tmp_path: Path) -> None:
    runtime = AppRuntime.create(city="leipzig", data_dir=tmp_path / "app")
    try:
        leipzig = runtime.services.reports
        assert leipzig is not None
        assert leipzig.reporting is not None
        endpoint = runtime.services.profile.reports.endpoint
        assert endpoint
        leipzig.reporting.endpoint = UNREACHABLE  # Leipzig's server cannot be reached right now
        text = "Laterne am Thomaskirchhof dunkel (Stadtwechsel)"
        queued = await leipzig.submit_report(leipzig_draft(text), [b"\xff\xd8\xffLEIPZIG"])
        assert queued.state == OutboxState.QUEUED
        assert queued.error_key == "error.offline"
        photo_folder = runtime.data_dir / "outbox" / queued.id
        age(photo_folder)  # old enough that only its row protects it from the clean-up

        await runtime.switch_city("offenbach")
        offenbach = runtime.services.reports
        assert offenbach is not None
        assert runtime.services.profile.id == "offenbach"
        assert offenbach.my_reports() == []
        assert (await offenbach.home_card("de")).items == ()
        assert offenbach.outbox.get(queued.id) is None
        summary = await offenbach.sync_outbox()
        assert (summary.sent, summary.failed, summary.pending) == (0, 0, 0)
        own_text = "Laterne in der Frankfurter Straße flackert (Stadtwechsel)"
        own = await offenbach.submit_report(offenbach_draft(own_text))
        assert own.state == OutboxState.SENT, own.error_detail
        async with httpx.AsyncClient() as plain:
            assert await copies(plain, endpoint, "offenbach.de", text) == 0
            assert await copies(plain, endpoint, "leipzig.de", text) == 0
            assert await copies(plain, endpoint, "offenbach.de", own_text) == 1
        assert [i.id for i in offenbach.my_reports()] == [own.id]

        # Leipzig's report is still there, untouched, with its photo
        waiting = SqliteOutboxStore(runtime.db, runtime.data_dir / "outbox", city="leipzig").get(queued.id)
        assert waiting is not None
        assert waiting.state == OutboxState.QUEUED
        assert waiting.attempts == queued.attempts
        assert (photo_folder / "1.jpg").read_bytes() == b"\xff\xd8\xffLEIPZIG"

        await runtime.switch_city("leipzig")
        leipzig = runtime.services.reports
        assert leipzig is not None
        assert [i.id for i in leipzig.my_reports()] == [queued.id]
        card = await leipzig.home_card("de")
        assert [item.route for item in card.items] == [f"/reports/mine/{queued.id}"]
        assert waiting.next_attempt_at is not None  # the back-off after the refused connection
        await asyncio.sleep(max(0.0, (waiting.next_attempt_at - _now()).total_seconds()) + 0.05)
        summary = await leipzig.sync_outbox()
        assert (summary.sent, summary.pending) == (1, 0)
        sent = leipzig.outbox.get(queued.id)
        assert sent is not None
        assert sent.state == OutboxState.SENT
        assert sent.service_request_id
        assert (await leipzig.sync_outbox()).sent == 0
        async with httpx.AsyncClient() as plain:
            assert await copies(plain, endpoint, "leipzig.de", text) == 1
            assert await copies(plain, endpoint, "offenbach.de", text) == 0
            assert await copies(plain, endpoint, "offenbach.de", own_text) == 1
    finally:
        await runtime.aclose()


# --- the service over one database for two cities ------------------------------------------------------


async def test_each_city_keeps_its_own_offline_categories(
    db: Database, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    online = f"{sandbox_url}/open311/v2/"
    folder = tmp_path / "outbox"
    leipzig_codes = {
        c.code for c in (await city_service(db, folder, http, "leipzig", online).categories())[0]
    }
    assert "strassenlaterne" in leipzig_codes

    # Offenbach never saw its categories: offline it has none, not Leipzig's
    with pytest.raises(OfflineError):
        await city_service(db, folder, http, "offenbach", UNREACHABLE).categories()

    offenbach_codes = {
        c.code for c in (await city_service(db, folder, http, "offenbach", online).categories())[0]
    }
    assert offenbach_codes
    assert all(code.startswith("of-") for code in offenbach_codes)

    for city, expected in (("leipzig", leipzig_codes), ("offenbach", offenbach_codes)):
        found, from_cache = await city_service(db, folder, http, city, UNREACHABLE).categories()
        assert from_cache
        assert {c.code for c in found} == expected


async def test_another_citys_report_cannot_be_discarded_changed_or_sent(
    db: Database, tmp_path: Path, http: httpx.AsyncClient
) -> None:
    folder = tmp_path / "outbox"
    leipzig = city_service(db, folder, http, "leipzig", UNREACHABLE)
    waiting = await leipzig.submit_report(leipzig_draft("Wartet auf Leipzig"), send_now=False)
    rejected = await leipzig.submit_report(leipzig_draft("Abgelehnt in Leipzig"), [b"\xff\xd8\xffPHOTO"])
    leipzig.outbox.save(replace(rejected, state=OutboxState.FAILED, error_key="reports.error.field"))

    offenbach = city_service(db, folder, http, "offenbach", UNREACHABLE)
    offenbach.discard(rejected.id)
    offenbach.outbox.delete(rejected.id)
    offenbach.outbox.save(replace(waiting, state=OutboxState.SENT, service_request_id="999"))
    assert offenbach.resume() == 0
    assert await offenbach.sync_outbox() == SyncSummary(sent=0, failed=0, pending=0)

    assert [(i.id, i.state) for i in leipzig.my_reports()] == [
        (rejected.id, OutboxState.FAILED),
        (waiting.id, OutboxState.QUEUED),
    ]
    assert (folder / rejected.id / "1.jpg").exists()
    leipzig.discard(rejected.id)  # its own city may
    assert leipzig.outbox.get(rejected.id) is None
    assert not (folder / rejected.id).exists()


# --- the store: schema version 2 and the photo clean-up --------------------------------------------------

_V1_ROW = {
    "id": "a1",
    "idempotency_key": "0b7f5c1e-5d7a-4a51-9a3e-4f1c2d3e4a5b",
    "state": "queued",
    "draft": json.dumps(
        {
            "service_code": "ampel",
            "service_name": "Ampelstörung",
            "location": {"lat": None, "long": None, "address": "Roßplatz"},
            "description": "Ampel aus",
            "attributes": {},
            "email": None,
        }
    ),
    "photos": json.dumps(["1.jpg"]),
    "created_at": "2026-11-20T08:00:00+00:00",
}


def test_reports_kept_before_cities_were_told_apart_belong_to_the_first_city_opened(tmp_path: Path) -> None:
    path, folder = tmp_path / "app.sqlite3", tmp_path / "outbox"
    old = Database(path, [Migrations("outbox", MIGRATIONS.steps[:1])])
    with old.transaction() as conn:
        columns = ", ".join(_V1_ROW)
        conn.execute(
            f"INSERT INTO outbox_items ({columns}) VALUES ({', '.join('?' * len(_V1_ROW))})",
            tuple(_V1_ROW.values()),
        )
        conn.execute("INSERT INTO report_cache (key, value) VALUES ('services', '[]')")
    (folder / "a1").mkdir(parents=True)
    (folder / "a1" / "1.jpg").write_bytes(b"\xff\xd8\xffOLD")
    age(folder / "a1")

    db = Database(path, [MIGRATIONS])
    assert db.version("outbox") == 2
    offenbach = SqliteOutboxStore(db, folder, city="offenbach")  # the profile active after the update
    claimed = offenbach.get("a1")
    assert claimed is not None
    assert claimed.state == OutboxState.QUEUED
    assert claimed.draft.location.address == "Roßplatz"
    assert offenbach.cache_get("services") is None  # the shared copy of unknown city is gone
    leipzig = SqliteOutboxStore(db, folder, city="leipzig")
    assert leipzig.items() == []
    assert offenbach.photo(claimed, "1.jpg") == b"\xff\xd8\xffOLD"


def test_only_old_photo_folders_without_a_row_are_removed(tmp_path: Path) -> None:
    db = Database(tmp_path / "app.sqlite3", [MIGRATIONS])
    folder = tmp_path / "outbox"
    leipzig = SqliteOutboxStore(db, folder, city="leipzig")
    item = OutboxItem(
        id="b2",
        idempotency_key="6f1d9a3c-1c2b-4d5e-8f90-123456789abc",
        state=OutboxState.DRAFT,
        draft=leipzig_draft("Foto bleibt"),
        created_at=_now(),
    )
    leipzig.add(queue(item, _now()), [b"\xff\xd8\xffKEEP"])
    for name in ("b2", "stale"):
        (folder / name).mkdir(exist_ok=True)
        age(folder / name)
    (folder / "fresh").mkdir()  # a report being added right now: photos come before the row

    SqliteOutboxStore(db, folder, city="offenbach")
    assert (folder / "b2" / "1.jpg").read_bytes() == b"\xff\xd8\xffKEEP"
    assert (folder / "fresh").is_dir()
    assert not (folder / "stale").exists()


def test_a_store_needs_its_city(tmp_path: Path) -> None:
    db = Database(tmp_path / "app.sqlite3", [MIGRATIONS])
    with pytest.raises(ValueError, match="city profile"):
        SqliteOutboxStore(db, tmp_path / "outbox", city="")


@pytest.mark.parametrize("language", ["de", "en", "uk", "ar"])
def test_the_address_hint_fits_every_city(language: str) -> None:
    hint = Translator(language)("reports.address.hint")
    assert hint != "reports.address.hint"
    for city in available_cities():
        profile = load_profile(city)
        name = profile.name_in(language)
        for word in [
            w for w in f"{profile.name} {name}".split() if len(w) > 3
        ]:  # not "am" of "Offenbach am Main"
            assert word.lower() not in hint.lower(), f"{language}: the hint names {name}"
    assert not any(ch.isdigit() for ch in hint)  # no postcode or house number of one city
