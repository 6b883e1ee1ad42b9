"""Cities that take photos by `media_url` (GeoReport v2 has one such field per request): the client refuses
a second photo instead of dropping it, the outbox hands such a report back, and the wizard takes one photo
and says why. Against the demo city over HTTP (its `POST /open311/media` upload)."""

from __future__ import annotations

import io
import random
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has

from leipzig_app import app as composition
from leipzig_app.adapters.open311 import Open311Client, TooManyPhotosError
from leipzig_app.adapters.outbox_store import SqliteOutboxStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.app import AppRuntime
from leipzig_app.domain.outbox import OutboxState, RetryPolicy
from leipzig_app.domain.reports import Location, PhotoFile, ReportDraft
from leipzig_app.services.reports import ReportsService


def jpeg(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
async def recorded() -> AsyncIterator[tuple[httpx.AsyncClient, list[str]]]:
    """A loopback HTTP client that records every request it sends."""
    sent: list[str] = []

    async def record(request: httpx.Request) -> None:
        sent.append(f"{request.method} {request.url.path}")

    client = httpx.AsyncClient(timeout=5.0, event_hooks={"request": [record]})
    try:
        yield client, sent
    finally:
        await client.aclose()


def media_client(http: httpx.AsyncClient, sandbox_url: str) -> Open311Client:
    return Open311Client(
        http,
        f"{sandbox_url}/open311/v2/",
        api_key="demo-open311-key",
        jurisdiction_id="leipzig.de",
        photo_upload="media_url",
        media_upload_url=f"{sandbox_url}/open311/media",
    )


async def test_client_refuses_a_second_photo_before_sending_anything(
    recorded: tuple[httpx.AsyncClient, list[str]], sandbox_url: str
) -> None:
    http, sent = recorded
    client = media_client(http, sandbox_url)
    draft = ReportDraft("ampel", Location(address="Roßplatz 1"), "Ampel mit zwei Fotos")
    photos = [PhotoFile("1.jpg", jpeg((200, 0, 0))), PhotoFile("2.jpg", jpeg((0, 0, 200)))]
    with pytest.raises(TooManyPhotosError) as refused:
        await client.submit(draft, photos, idempotency_key="media-two")
    assert refused.value.key == "reports.photos.one_only"
    assert refused.value.status == 400
    assert "one per report" in str(refused.value)
    assert sent == []  # nothing uploaded, nothing stored

    receipt = await client.submit(draft, photos[:1], idempotency_key="media-one")
    assert sent == ["POST /open311/media", "POST /open311/v2/requests.json"]
    stored = (await http.get(f"{sandbox_url}/open311/v2/requests/{receipt.service_request_id}.json")).json()
    assert (await http.get(stored[0]["media_url"])).status_code == 200


async def test_a_retry_sends_the_same_request_under_its_key(sandbox_url: str) -> None:
    """The upload is keyed as well and the same photo gets the same URL, so a repeated attempt is the very
    request the key was first used with: the demo city replays its first answer instead of refusing it."""
    keys: list[tuple[str, str | None]] = []

    async def record(request: httpx.Request) -> None:
        if request.method == "POST":
            keys.append((request.url.path, request.headers.get("Idempotency-Key")))

    async with httpx.AsyncClient(timeout=5.0, event_hooks={"request": [record]}) as http:
        client = media_client(http, sandbox_url)
        draft = ReportDraft("ampel", Location(address="Roßplatz 3"), "Ampel nach Neustart wieder aus")
        photo = PhotoFile("1.jpg", jpeg((0, 120, 0)))
        first = await client.submit(draft, [photo], idempotency_key="retry-1")
        second = await client.submit(draft, [photo], idempotency_key="retry-1")
        found = (
            await http.get(f"{sandbox_url}/open311/v2/requests.json", params={"service_code": "ampel"})
        ).json()
    assert second.service_request_id == first.service_request_id
    assert [r["description"] for r in found].count(draft.description) == 1
    assert (
        keys
        == [
            ("/open311/media", "retry-1.media"),
            ("/open311/v2/requests.json", "retry-1"),
        ]
        * 2
    )


async def test_outbox_hands_a_report_with_two_photos_back(
    db: Database, tmp_path: Path, recorded: tuple[httpx.AsyncClient, list[str]], sandbox_url: str
) -> None:
    http, sent = recorded
    service = ReportsService(
        outbox=SqliteOutboxStore(db, tmp_path / "outbox", city="leipzig"),
        reporting=media_client(http, sandbox_url),
        rng=random.Random(1),
        policy=RetryPolicy(base=0.0, jitter=0.0, uncertain_grace=0.0),
    )
    draft = ReportDraft("ampel", Location(address="Roßplatz 2"), "Zwei Fotos im Postausgang")
    item = await service.submit_report(draft, [jpeg((1, 1, 1)), jpeg((2, 2, 2))])
    assert item.state == OutboxState.FAILED  # back to the resident, not retried
    assert item.error_key == "reports.photos.one_only"
    await service.sync_outbox()
    assert (service.outbox.get(item.id) or item).attempts == 1
    assert sent == []


async def test_wizard_takes_one_photo_where_the_city_takes_photos_by_url(runtime: AppRuntime) -> None:
    assert runtime.sandbox is not None
    base = runtime.sandbox.base_url
    profile = runtime.services.profile
    profile = replace(
        profile,
        reports=replace(profile.reports, photo_upload="media_url", media_upload_url=f"{base}/open311/media"),
    )
    runtime.services.profile = profile
    composition._wire_reports(runtime, profile)
    composition._wire_report_drafts(runtime, profile)
    assert runtime.services.report_drafts.max_photos == 1

    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        pictures = [jpeg((180, 30, 30)), jpeg((30, 30, 180))]

        def pick(_: object, args: dict[str, Any] | None) -> list[dict[str, Any]]:
            return [
                {"id": n, "name": f"{n}.jpg", "size": len(data), "bytes": data}
                for n, data in enumerate(pictures, start=1)
            ]

        client.method_handlers[("FilePicker", "pick_files")] = pick
        await client.navigate("/reports/new")
        await client.wait_until(lambda: has(client, "reports.category.ampel"))
        await client.click("reports.category.ampel")
        await client.type("reports.description", "Ampel am Roßplatz blinkt nur gelb.")
        await client.click("reports.next")
        assert "Fotos (höchstens 1)" in client.texts()
        assert "Diese Stadt nimmt ein Foto pro Meldung an." in client.texts()
        await client.type("reports.address", "Roßplatz 3")
        await client.click("reports.photos.add")
        await client.wait_until(lambda: has(client, "reports.photo.1"))
        assert not has(client, "reports.photo.2")
        assert not has(client, "reports.photos.add")  # no second photo can be added
        assert has(client, "reports.photos.one_only")  # and the screen says why
        await client.click("reports.next")
        await client.click("reports.next")
        await client.wait_until(lambda: has(client, "reports.send"))
        await client.click("reports.send")
        await client.wait_until(lambda: has(client, "reports.detail.id"))

    found = httpx.get(f"{base}/open311/v2/requests.json", params={"service_code": "ampel"}).json()
    sent = [r for r in found if r["description"] == "Ampel am Roßplatz blinkt nur gelb."]
    assert len(sent) == 1
    assert sent[0]["media_url"].startswith(f"{base}/open311/media/")
