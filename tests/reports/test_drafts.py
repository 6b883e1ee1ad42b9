"""Report drafts below the UI: the SQLite/file store and the drafts service, with a real SQLite file and,
for sending, the demo city over HTTP."""

from __future__ import annotations

import io
import os
import random
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from PIL import Image
from tests.support.http_fixture import http_client

from leipzig_app.adapters.open311 import Open311Client
from leipzig_app.adapters.outbox_store import SqliteOutboxStore
from leipzig_app.adapters.photos import OpenCvPhotoProcessor
from leipzig_app.adapters.report_drafts_store import SqliteReportDraftStore
from leipzig_app.adapters.sqlite_store import Database, StorageError
from leipzig_app.domain.errors import AppError
from leipzig_app.domain.outbox import OutboxState, RetryPolicy
from leipzig_app.domain.profile import ReportSettings
from leipzig_app.domain.reports import Location, ProcessedPhoto, ReportDraft, Service
from leipzig_app.services.report_drafts import (
    NEW_REPORT,
    ReportDraftsService,
    WizardDraft,
    jpeg_size,
    photo_limit,
)
from leipzig_app.services.reports import ReportsService

LAMP = Service("strassenlaterne", "Straßenbeleuchtung defekt", metadata=True)


def jpeg(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def photo(colour: tuple[int, int, int] = (200, 40, 40)) -> ProcessedPhoto:
    return ProcessedPhoto(jpeg(colour=colour), 64, 48)


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


http = http_client(timeout=2.0)


@pytest.fixture
def store(db: Database, tmp_path: Path) -> SqliteReportDraftStore:
    return SqliteReportDraftStore(db, tmp_path / "report-drafts", city="leipzig")


def reports_service(
    db: Database, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> ReportsService:
    return ReportsService(
        outbox=SqliteOutboxStore(db, tmp_path / "outbox", city="leipzig"),
        reporting=Open311Client(
            http, f"{sandbox_url}/open311/v2/", api_key="demo-open311-key", jurisdiction_id="leipzig.de"
        ),
        photos=OpenCvPhotoProcessor(),
        rng=random.Random(1),
        policy=RetryPolicy(base=0.0, jitter=0.0, uncertain_grace=0.0),
    )


# --- the store ------------------------------------------------------------------------------------------


def test_store_keeps_state_and_photos_and_writes_each_photo_once(
    store: SqliteReportDraftStore, tmp_path: Path
) -> None:
    first, second = jpeg(colour=(1, 2, 3)), jpeg(colour=(250, 250, 0))
    store.save("new", {"description": "Schlagloch"}, [first, second])
    written = files(store.folder)
    assert len(written) == 2
    stamps = {p: p.stat().st_mtime_ns for p in written}
    store.save("new", {"description": "Schlagloch, tief"}, [first, second])  # a keystroke later
    assert {p: p.stat().st_mtime_ns for p in files(store.folder)} == stamps
    assert store.load("new") == ({"description": "Schlagloch, tief"}, [first, second])

    store.save("new", {"description": "Schlagloch, tief"}, [second])  # one photo removed
    assert len(files(store.folder)) == 1
    assert store.load("new") == ({"description": "Schlagloch, tief"}, [second])
    assert store.slots() == ["new"]
    store.delete("new")
    assert store.load("new") is None
    assert files(tmp_path / "report-drafts") == []


def test_store_serves_one_city_and_refuses_odd_slots(db: Database, tmp_path: Path) -> None:
    leipzig = SqliteReportDraftStore(db, tmp_path / "drafts", city="leipzig")
    offenbach = SqliteReportDraftStore(db, tmp_path / "drafts", city="offenbach")
    leipzig.save("new", {"description": "Leipzig"}, [jpeg()])
    assert offenbach.load("new") is None
    assert offenbach.slots() == []
    offenbach.delete("new")
    assert leipzig.load("new") is not None
    with pytest.raises(StorageError):
        leipzig.save("../outbox", {}, [])


def test_store_removes_old_leftovers_of_an_interrupted_save(db: Database, tmp_path: Path) -> None:
    store = SqliteReportDraftStore(db, tmp_path / "drafts", city="leipzig")
    kept = jpeg()
    store.save("new", {"description": "x"}, [kept])
    stale = store.folder / "new" / "0123.jpg"  # written before a row that never came
    stale.write_bytes(jpeg(colour=(9, 9, 9)))
    orphan = store.folder / "abc123"
    orphan.mkdir()
    (orphan / "1.jpg").write_bytes(jpeg())
    fresh = store.folder / "new" / "4567.jpg"  # a save in progress right now
    fresh.write_bytes(jpeg(colour=(8, 8, 8)))
    old = time.time() - 3600
    for path in (stale, orphan / "1.jpg", orphan):
        os.utime(path, (old, old))

    reopened = SqliteReportDraftStore(db, tmp_path / "drafts", city="leipzig")
    assert not stale.exists()
    assert not orphan.exists()
    assert fresh.exists()
    assert reopened.load("new") == ({"description": "x"}, [kept])


# --- the service, without sending -----------------------------------------------------------------------


def test_photo_limit_and_jpeg_size() -> None:
    assert photo_limit(ReportSettings(mode="open311", photo_upload="media_url")) == 1
    assert photo_limit(ReportSettings(mode="open311", photo_upload="multipart")) == 3
    assert photo_limit(ReportSettings(mode="handoff", photo_upload="media_url")) == 3
    assert jpeg_size(jpeg(123, 45)) == (123, 45)
    assert jpeg_size(b"not a jpeg") is None
    assert jpeg_size(b"\xff\xd8\xff\xe0\x00") is None


def test_drafts_round_trip_and_empty_ones_are_not_kept(
    db: Database, tmp_path: Path, store: SqliteReportDraftStore
) -> None:
    reports = ReportsService(
        outbox=SqliteOutboxStore(db, tmp_path / "outbox", city="leipzig"), reporting=None
    )
    drafts = ReportDraftsService(store, reports)
    drafts.save(NEW_REPORT, WizardDraft(query="laterne"))  # a search alone is nothing to keep
    assert drafts.pending() is None
    assert not drafts.has_pending()

    draft = WizardDraft(
        step="contact",
        service=Service("muell", "Müll", keywords=("Sperrmüll", "Abfall"), group="Sauberkeit"),
        answers={"art": ["sperrmuell", "elektro"]},
        description="Sperrmüll am Gehweg",
        address="Karl-Liebknecht-Straße 12",
        position=(51.3301234, 12.3745678),
        email="anwohner@example.org",
        consent=True,
        photos=[photo()],
    )
    drafts.save(NEW_REPORT, draft)
    assert drafts.has_pending()
    loaded = drafts.pending()
    assert loaded is not None
    assert loaded.saved_at is not None
    assert loaded == draft

    store.save(NEW_REPORT, {"step": "review", "photos": [{"width": 1}]}, [])  # damaged
    assert drafts.pending() is None


# --- sending ----------------------------------------------------------------------------------------------


async def test_correction_with_other_photos_replaces_the_refused_report(
    db: Database, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str, store: SqliteReportDraftStore
) -> None:
    reports = reports_service(db, tmp_path, http, sandbox_url)
    drafts = ReportDraftsService(store, reports)
    text = "Laterne umgefahren (neues Foto)"
    refused = await reports.submit_report(
        ReportDraft("strassenlaterne", Location(address="Markt 1"), text, attributes={"fehlerbild": ("x",)}),
        [jpeg()],
    )
    assert refused.state == OutboxState.FAILED
    found = drafts.correction(refused.id)
    assert found is not None
    draft, item = found
    assert item.id == refused.id
    assert draft.replaces == refused.id
    assert draft.step == "details"
    assert [(p.width, p.height) for p in draft.photos] == [(64, 48)]

    draft.photos = [photo(colour=(0, 120, 0))]
    draft.answers = {"fehlerbild": ["aus"]}
    sent = await drafts.submit(
        refused.id,
        draft,
        ReportDraft(
            "strassenlaterne", Location(address="Markt 1"), text, attributes={"fehlerbild": ("aus",)}
        ),
        None,
    )
    assert sent.id != refused.id
    assert sent.state == OutboxState.SENT
    assert [i.id for i in reports.my_reports()] == [sent.id]  # the refused one is gone
    assert reports.outbox.photo(sent, sent.photos[0]) == draft.photos[0].data
    assert drafts.correction(refused.id) is None
    assert store.slots() == []
    stored = (await http.get(f"{sandbox_url}/open311/v2/requests.json")).json()
    assert sum(1 for r in stored if r["description"] == text) == 1


async def test_a_draft_handed_over_before_a_kill_is_not_offered_again(
    db: Database, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str, store: SqliteReportDraftStore
) -> None:
    reports = reports_service(db, tmp_path, http, sandbox_url)
    drafts = ReportDraftsService(store, reports)
    report = ReportDraft("ampel", Location(address="Roßplatz"), "Ampel aus", service_name="Ampelstörung")
    draft = WizardDraft(step="review", service=Service("ampel", "Ampelstörung"), description="Ampel aus")
    # The app marked the draft and was killed before the outbox had it: offered again, unmarked.
    drafts.save(NEW_REPORT, replace(draft, submitted_at=reports.clock()))
    offered = drafts.pending()
    assert offered is not None
    assert offered.submitted_at is None
    # Marked, stored in the outbox, killed before the draft was removed: not offered, removed.
    drafts.save(NEW_REPORT, replace(draft, submitted_at=reports.clock()))
    await reports.submit_report(report, send_now=False)
    assert drafts.pending() is None
    assert store.slots() == []


async def test_too_many_photos_and_invalid_reports_keep_the_draft(
    db: Database, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str, store: SqliteReportDraftStore
) -> None:
    reports = reports_service(db, tmp_path, http, sandbox_url)
    drafts = ReportDraftsService(store, reports, max_photos=1)
    draft = WizardDraft(
        step="review",
        service=Service("ampel", "Ampelstörung"),
        description="Ampel",
        photos=[photo(), photo()],
    )
    report = ReportDraft("ampel", Location(address="Roßplatz"), "Ampel")
    drafts.save(NEW_REPORT, draft)  # as the wizard does on every change
    with pytest.raises(AppError) as refused:
        await drafts.submit(NEW_REPORT, draft, report, None)
    assert refused.value.key == "reports.photos.one_only"
    draft.photos = [photo()]
    with pytest.raises(AppError) as invalid:
        await drafts.submit(NEW_REPORT, draft, ReportDraft("ampel", Location(), "Ampel"), None)
    assert invalid.value.key == "reports.error.no_location"
    assert reports.my_reports() == []
    kept = drafts.pending()
    assert kept is not None
    assert kept.submitted_at is None
