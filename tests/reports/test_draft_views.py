"""Report drafts in the wizard, on the in-process Flet client with the real app, SQLite file and demo city:
leaving keeps everything, a restart offers the draft, discarding asks first, sending removes the draft, and
a refused report is corrected and sent again exactly once."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has

from leipzig_app.app import AppRuntime
from leipzig_app.domain.outbox import OutboxState
from leipzig_app.domain.reports import Location, ReportDraft

DESCRIPTION = "Die Laterne am Thomaskirchhof flackert seit Tagen."


def camera_photo(colour: tuple[int, int, int] = (90, 110, 150)) -> bytes:
    """A JPEG as a phone writes it: with the place it was taken in its EXIF data."""
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 20.0, 22.92), 3: "E", 4: (12.0, 22.0, 23.16)}
    exif[0x010F] = "Demo-Kamera"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def offer_photo(client: FakeFletClient, data: bytes) -> None:
    def pick(_: object, args: dict[str, Any] | None) -> list[dict[str, Any]]:
        return [{"id": 1, "name": "laterne.jpg", "size": len(data), "bytes": data}]

    client.method_handlers[("FilePicker", "pick_files")] = pick


def value(client: FakeFletClient, key: str) -> Any:
    return client.find(key).get("value")


def has_exif(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        return bool(image.getexif())


def draft_files(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "report-drafts").rglob("*") if p.is_file()]


async def fill_until_photos(client: FakeFletClient, original: bytes) -> None:
    offer_photo(client, original)
    await client.navigate("/reports/new")
    await client.wait_until(lambda: has(client, "reports.category.strassenlaterne"))
    await client.click("reports.category.strassenlaterne")
    await client.choose("reports.attr.fehlerbild", "aus")
    await client.type("reports.description", DESCRIPTION)
    await client.click("reports.next")
    await client.type("reports.address", "Thomaskirchhof 20")
    await client.click("reports.photos.add")
    await client.wait_until(lambda: has(client, "reports.photo.1"))


async def test_leaving_the_wizard_keeps_the_draft_until_it_is_sent(runtime: AppRuntime) -> None:
    drafts = runtime.services.report_drafts
    assert drafts is not None
    original = camera_photo()
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        await fill_until_photos(client, original)
        await client.type("reports.address", "Thomaskirchhof 20, Leipzig")  # typed, then straight away:
        await client.navigate("/news")

        await client.navigate("/reports")
        assert has(client, "reports.draft.pending")
        await client.click("reports.new")
        assert has(client, "reports.draft.continue")
        assert DESCRIPTION in client.texts()
        assert "Thomaskirchhof 20, Leipzig" in client.texts()
        await client.click("reports.draft.continue")

        # back where the resident left: place and photos, with the last keystroke and the photo
        assert "Schritt 3 von 5: Ort und Fotos" in client.texts()
        assert value(client, "reports.address") == "Thomaskirchhof 20, Leipzig"
        assert has(client, "reports.photo.1")
        assert has(client, "reports.photo.1.saved")
        await client.click("reports.back")
        assert value(client, "reports.description") == DESCRIPTION
        assert value(client, "reports.attr.fehlerbild") == "aus"
        await client.click("reports.next")

    # Only the processed photo was kept: no EXIF, not the original bytes.
    saved = drafts.pending()
    assert saved is not None
    files = draft_files(runtime.data_dir)
    assert len(files) == 1
    assert files[0].read_bytes() == saved.photos[0].data
    assert files[0].read_bytes() != original
    assert has_exif(original)
    assert not has_exif(files[0].read_bytes())

    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        await client.navigate("/reports/new")
        await client.click("reports.draft.continue")
        await client.click("reports.next")
        await client.click("reports.next")
        await client.wait_until(lambda: has(client, "reports.duplicates.none") or has(client, "reports.send"))
        assert "1 Foto(s), bearbeitet" in client.texts()
        await client.click("reports.send")
        await client.wait_until(lambda: has(client, "reports.detail.id"))
        await client.navigate("/reports")
        assert not has(client, "reports.draft.pending")
        await client.click("reports.new")
        assert not has(client, "reports.draft.continue")  # a fresh report, nothing offered
        assert "Schritt 1 von 5: Kategorie" in client.texts()

    assert drafts.pending() is None
    assert draft_files(runtime.data_dir) == []
    service = runtime.services.reports
    sent = [i for i in service.my_reports() if i.draft.description == DESCRIPTION]
    assert len(sent) == 1
    assert sent[0].state == OutboxState.SENT
    assert service.outbox.photo(sent[0], sent[0].photos[0]) == saved.photos[0].data


async def test_a_restart_offers_the_draft_and_discarding_asks_first(tmp_path: Path) -> None:
    data_dir = tmp_path / "app"
    first = AppRuntime.create(data_dir=data_dir)
    try:
        async with FakeFletClient(first.create_main(), platform="web", width=1000, height=800) as client:
            await fill_until_photos(client, camera_photo())
    finally:
        await first.aclose()

    restarted = AppRuntime.create(data_dir=data_dir)
    try:
        async with FakeFletClient(restarted.create_main(), platform="web", width=1000, height=800) as client:
            await client.navigate("/reports/new")
            assert has(client, "reports.draft.title")
            assert DESCRIPTION in client.texts()
            assert "1 Foto(s), bearbeitet" in client.texts()

            await client.click("reports.draft.discard")
            assert has(client, "reports.draft.discard.question")
            await client.click("reports.draft.discard.cancel")  # changed their mind: nothing lost
            assert restarted.services.report_drafts.pending() is not None

            await client.click("reports.draft.discard")
            await client.click("reports.draft.discard.confirm")
            await client.wait_until(lambda: has(client, "reports.category.strassenlaterne"))
            assert "Die angefangene Meldung wurde gelöscht. Sie beginnen eine neue." in client.texts()
            assert "Schritt 1 von 5: Kategorie" in client.texts()
            await client.navigate("/news")  # leaving an untouched new report keeps nothing
        assert restarted.services.report_drafts.pending() is None
        assert draft_files(data_dir) == []
    finally:
        await restarted.aclose()


async def test_a_refused_report_is_corrected_and_sent_once(runtime: AppRuntime) -> None:
    assert runtime.sandbox is not None
    base = runtime.sandbox.base_url
    service = runtime.services.reports
    photo = service.process_photo(camera_photo((150, 90, 60)), []).data
    # Without the category's questions the app cannot check the answer itself: the city refuses it (400).
    refused = await service.submit_report(
        ReportDraft(
            "strassenlaterne",
            Location(address="Nikolaikirchhof 3"),
            "Laterne brennt nicht",
            service_name="Straßenbeleuchtung defekt",
            attributes={"fehlerbild": ("kaputt",)},
        ),
        [photo],
    )
    assert refused.state == OutboxState.FAILED
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        await client.navigate(f"/reports/mine/{refused.id}")
        assert has(client, "reports.discard")
        await client.click("reports.resubmit")

        assert "Meldung bearbeiten" in client.texts()
        assert "Schritt 2 von 5: Angaben" in client.texts()
        reason = client.find("reports.resubmit.reason")
        assert any("fehlerbild" in t for t in client.texts()), reason
        assert value(client, "reports.description") == "Laterne brennt nicht"
        await client.wait_until(lambda: has(client, "reports.attr.fehlerbild"))  # the questions are back
        await client.type("reports.description", "Laterne brennt nicht, seit Montag.")

        await client.navigate("/news")  # the correction is a draft too
        await client.navigate(f"/reports/mine/{refused.id}")
        await client.click("reports.resubmit")
        await client.wait_until(lambda: has(client, "reports.attr.fehlerbild"))
        assert value(client, "reports.description") == "Laterne brennt nicht, seit Montag."

        await client.click("reports.next")
        assert any("Bitte wählen Sie eine der Antworten" in t for t in client.texts())
        await client.choose("reports.attr.fehlerbild", "aus")
        await client.click("reports.next")
        assert value(client, "reports.address") == "Nikolaikirchhof 3"
        assert has(client, "reports.photo.1")
        await client.click("reports.next")
        await client.click("reports.next")
        await client.wait_until(lambda: has(client, "reports.send"))
        await client.click("reports.send")
        await client.wait_until(lambda: has(client, "reports.detail.id"))
        assert "Offen" in client.texts()
        assert not has(client, "reports.resubmit")

    items = service.my_reports()
    assert [i.id for i in items] == [refused.id]  # the same report, not a second one
    assert items[0].state == OutboxState.SENT
    # a changed request under a used key would be refused (422) by a server that honours the key
    assert items[0].idempotency_key != refused.idempotency_key
    assert runtime.services.report_drafts.correction(refused.id) is None
    assert draft_files(runtime.data_dir) == []
    found = httpx.get(f"{base}/open311/v2/requests.json", params={"service_code": "strassenlaterne"}).json()
    copies = [r for r in found if r["description"] == "Laterne brennt nicht, seit Montag."]
    assert len(copies) == 1
    assert copies[0]["media_url"]


async def test_discarding_a_refused_report_removes_its_correction(runtime: AppRuntime) -> None:
    service = runtime.services.reports
    refused = await service.submit_report(
        ReportDraft("gibtesnicht", Location(address="Markt 1"), "Unbekannte Kategorie")
    )
    assert refused.state == OutboxState.FAILED
    async with FakeFletClient(runtime.create_main(), platform="web", width=1000, height=800) as client:
        await client.navigate(f"/reports/edit/{refused.id}")
        await client.wait_until(lambda: has(client, "reports.category.ampel"))
        # The city does not offer this category: the resident picks another one.
        assert "Schritt 1 von 5: Kategorie" in client.texts()
        assert has(client, "reports.resubmit.reason")
        await client.navigate(f"/reports/mine/{refused.id}")
        await client.click("reports.discard")
        await client.navigate(f"/reports/edit/{refused.id}")
        assert has(client, "reports.resubmit.missing")
    assert service.my_reports() == []
    assert draft_files(runtime.data_dir) == []


async def test_a_draft_left_at_the_review_continues_there(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="web", width=1000, height=800) as client:
        await client.navigate("/reports/new")
        await client.wait_until(lambda: has(client, "reports.category.ampel"))
        await client.click("reports.category.ampel")
        await client.type("reports.description", "Ampel am Wilhelm-Leuschner-Platz ist dunkel.")
        await client.click("reports.next")
        await client.type("reports.address", "Wilhelm-Leuschner-Platz")
        await client.click("reports.next")
        await client.click("reports.next")
        assert has(client, "reports.send")
        await client.navigate("/")

        await client.navigate("/reports/new")
        await client.click("reports.draft.continue")
        assert "Schritt 5 von 5: Prüfen und senden" in client.texts()
        assert any("Angefangene Meldung geöffnet: Prüfen und senden" in t for t in client.texts())
        await client.wait_until(lambda: has(client, "reports.duplicates.none"))  # "Schon gemeldet?" again
        assert "Wilhelm-Leuschner-Platz" in client.texts()
