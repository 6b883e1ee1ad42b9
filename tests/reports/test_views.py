"""The "Melden" wizard and "Meine Meldungen" on the in-process Flet client, against the app's demo city."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has

from leipzig_app.app import AppRuntime


def gps_photo() -> bytes:
    exif = Image.Exif()
    # next to the demo city's open street-light report 100102
    exif[0x8825] = {1: "N", 2: (51.0, 20.0, 22.92), 3: "E", 4: (12.0, 22.0, 23.16)}
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (80, 120, 160)).save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


async def check(client: FakeFletClient, key: str) -> None:
    await client.update_props(key, {"value": True})
    await client.trigger(key, "change", "true")


async def choose(client: FakeFletClient, key: str, value: str) -> None:
    await client.update_props(key, {"value": value})
    await client.trigger(key, "select", value)


async def test_report_from_category_to_meine_meldungen(runtime: AppRuntime) -> None:
    assert runtime.sandbox is not None
    base = runtime.sandbox.base_url
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        picks: list[Any] = []

        def pick(_: object, args: dict[str, Any] | None) -> list[dict[str, Any]]:
            picks.append(args)
            data = gps_photo()
            return [{"id": 1, "name": "laterne.jpg", "size": len(data), "bytes": data}]

        client.method_handlers[("FilePicker", "pick_files")] = pick
        await client.navigate("/reports")
        await client.click("reports.new")
        await client.wait_until(lambda: has(client, "reports.category.strassenlaterne"))
        assert "Straße und Verkehr" in client.texts()

        await client.type("reports.search", "laterne")
        assert not has(client, "reports.category.muell")
        await client.click("reports.category.strassenlaterne")
        assert "Was ist los? *" in client.texts()
        assert "Mit * markierte Felder sind Pflichtfelder." in client.texts()

        await client.type("reports.description", "Die Laterne vor Nr. 20 ist dunkel.")
        await client.click("reports.next")  # the required question is still open
        assert "Bitte beantworten Sie: Was ist los?" in client.texts()
        await choose(client, "reports.attr.fehlerbild", "aus")
        await client.type("reports.attr.seit", "2026-11-20")
        await client.click("reports.next")

        await client.click("reports.next")  # no place yet
        assert any("Bitte geben Sie einen Ort an" in t for t in client.texts())
        await client.type("reports.address", "Thomaskirchhof 20, 04109 Leipzig")
        await client.click("reports.photos.add")
        await client.wait_until(lambda: has(client, "reports.photo.1"))
        assert picks[0]["with_data"] is True
        await client.click("reports.photo.1.gps_use")  # the photo's own place, only on request
        assert "Position: 51.33970, 12.37310" in client.texts()
        await client.click("reports.next")

        await client.type("reports.email", "anwohnerin@example.org")
        await client.click("reports.next")
        assert "Bitte bestätigen Sie die Einwilligung oder lassen Sie das E-Mail-Feld leer." in client.texts()
        await check(client, "reports.consent")
        await client.click("reports.next")

        await client.wait_until(lambda: has(client, "reports.duplicate.100102"))  # "Schon gemeldet?"
        texts = client.texts()
        assert "Thomaskirchhof 20, 04109 Leipzig (51.33970, 12.37310)" in texts
        assert "1 Foto(s), bearbeitet" in texts
        assert "Leuchtet nicht" in texts
        await client.click("reports.send")
        await client.wait_until(lambda: has(client, "reports.detail.id"))
        assert any(t.startswith("Meldung gesendet. Vorgangsnummer:") for t in client.texts())
        assert "Offen" in client.texts()

    found = httpx.get(f"{base}/open311/v2/requests.json", params={"service_code": "strassenlaterne"}).json()
    sent = next(r for r in found if r["description"] == "Die Laterne vor Nr. 20 ist dunkel.")
    assert sent["lat"] == pytest.approx(51.3397)
    assert httpx.get(sent["media_url"]).status_code == 200


async def test_all_missing_answers_are_marked_at_once(runtime: AppRuntime) -> None:
    """ "Weiter" with several answers missing marks each field with its own error, says how many and which
    in one message, and puts the focus on the first of them from the top (not on the description)."""
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        focused: list[str | None] = []
        client.method_handlers[("*", "focus")] = lambda control, args: focused.append(control.key)
        await client.navigate("/reports/new")
        await client.wait_until(lambda: has(client, "reports.category.spielplatz"))
        await client.click("reports.category.spielplatz")
        await client.click("reports.next")

        assert client.find("reports.wizard.step").get("value") == "Schritt 2 von 5: Angaben"
        assert client.find("reports.attr.geraet").get("error") == "Bitte beantworten Sie: Welches Gerät?"
        assert client.find("reports.description").get("error") == "Bitte beschreiben Sie das Problem."
        assert client.find("reports.attr.beobachtet").get("error") is None
        summary = "2 Angaben fehlen: Welches Gerät?, Beschreibung"
        assert client.find("shell.status").get("value") == summary
        assert summary in client.texts()  # also written above the form
        assert focused == ["reports.attr.geraet"]

        await client.type("reports.attr.geraet", "Schaukel")
        await client.click("reports.next")
        assert client.find("reports.attr.geraet").get("error") is None
        assert client.find("reports.description").get("error") == "Bitte beschreiben Sie das Problem."
        assert client.find("shell.status").get("value") == "Bitte beschreiben Sie das Problem."
        assert focused == ["reports.attr.geraet", "reports.description"]

        await client.type("reports.description", "Die Kette der Schaukel ist gerissen.")
        await client.click("reports.next")
        assert client.find("reports.wizard.step").get("value") == "Schritt 3 von 5: Ort und Fotos"


async def test_missing_and_invalid_answers_together(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        focused: list[str | None] = []
        client.method_handlers[("*", "focus")] = lambda control, args: focused.append(control.key)
        await client.navigate("/reports/new")
        await client.wait_until(lambda: has(client, "reports.category.strassenlaterne"))
        await client.click("reports.category.strassenlaterne")
        await client.type("reports.attr.seit", "gestern")
        await client.click("reports.next")

        assert (
            client.find("reports.attr.fehlerbild").get("error_text") == "Bitte beantworten Sie: Was ist los?"
        )
        assert client.find("reports.attr.seit").get("error") == (
            "Bitte geben Sie ein Datum ein (TT.MM.JJJJ, z. B. 20.11.2026): Seit wann?"
        )
        assert client.find("reports.description").get("error") == "Bitte beschreiben Sie das Problem."
        assert client.find("reports.attr.mastnummer").get("error") is None
        assert client.find("shell.status").get("value") == (
            "Bitte prüfen Sie 3 Angaben: Was ist los?, Seit wann?, Beschreibung"
        )
        assert focused == ["reports.attr.fehlerbild"]


async def test_offline_report_waits_in_meine_meldungen(runtime: AppRuntime) -> None:
    service = runtime.services.reports
    assert service is not None
    service.reporting.endpoint = "http://127.0.0.1:9/open311/v2/"  # the network is gone
    async with FakeFletClient(runtime.create_main(), platform="web", width=1000, height=800) as client:
        await client.navigate("/reports/new")
        await client.wait_until(lambda: has(client, "reports.categories.error"))
        assert any("konnten nicht geladen werden" in t for t in client.texts())
    # categories seen once are kept for offline use
    service.outbox.cache_set(
        "services",
        [{"code": "ampel", "name": "Ampelstörung", "description": "", "metadata": False, "type": "realtime",
          "keywords": [], "group": "Straße und Verkehr"}],
    )  # fmt: skip
    async with FakeFletClient(runtime.create_main(), platform="web", width=1000, height=800) as client:
        await client.navigate("/reports/new")
        await client.wait_until(lambda: has(client, "reports.category.ampel"))
        assert "Offline: gespeicherte Kategorien" in client.texts()
        await client.click("reports.category.ampel")
        await client.type("reports.description", "Ampel aus")
        await client.click("reports.next")
        await client.type("reports.address", "Roßplatz")
        await client.click("reports.next")
        await client.click("reports.next")
        await client.wait_until(lambda: has(client, "reports.duplicates.none"))
        await client.click("reports.send")
        await client.wait_until(lambda: has(client, "reports.detail.state"))
        assert "Wartet auf Verbindung" in client.texts()
        assert any(t.startswith("Grund: Keine Verbindung") for t in client.texts())
        await client.navigate("/")
        await client.wait_until(lambda: "Ampelstörung" in client.texts())
        await client.navigate("/reports")
        assert has(client, "reports.new")
        # "Meine Meldungen": the outbox state and why it waits
        assert any("Wartet auf Verbindung · Keine Verbindung" in t for t in client.texts())


async def test_handoff_city_prepares_text_and_opens_the_portal(runtime: AppRuntime, tmp_path: Path) -> None:
    from leipzig_app.adapters.outbox_store import SqliteOutboxStore
    from leipzig_app.services.reports import ReportsService

    portal = "https://buergerbeteiligung.sachsen.de/portal/leipzig/"
    runtime.services.reports = ReportsService(
        outbox=SqliteOutboxStore(runtime.db, tmp_path / "handoff", city="leipzig"),
        reporting=None,
        mode="handoff",
        handoff_url=portal,
    )
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        await client.navigate("/reports/new")
        assert "Gewählt: Allgemeine Meldung" in client.texts()
        await client.type("reports.description", "Bank im Park ist kaputt.")
        await client.click("reports.next")
        await client.type("reports.address", "Clara-Zetkin-Park")
        await client.click("reports.next")
        await client.click("reports.next")
        await client.wait_until(lambda: has(client, "reports.handoff.text"))
        assert not has(client, "reports.send")
        await client.click("reports.handoff.copy")
        assert client.state.clipboard == (
            "Kategorie: Allgemeine Meldung\nOrt: Clara-Zetkin-Park\n\nBank im Park ist kaputt."
        )
        await client.click("reports.handoff.open")
        assert client.state.launched_urls == [portal]


async def test_handoff_city_offers_the_processed_photos_to_save(runtime: AppRuntime, tmp_path: Path) -> None:
    """The copied text cannot carry photos: the text says so, and each photo can be saved as it would
    have been sent (privacy-processed, no position), to be uploaded in the portal."""
    from leipzig_app.adapters.outbox_store import SqliteOutboxStore
    from leipzig_app.adapters.photos import read_gps
    from leipzig_app.services.reports import ReportsService

    runtime.services.reports = ReportsService(
        outbox=SqliteOutboxStore(runtime.db, tmp_path / "handoff", city="leipzig"),
        reporting=None,
        photos=runtime.services.reports.photos,
        mode="handoff",
        handoff_url="https://buergerbeteiligung.sachsen.de/portal/leipzig/",
    )
    original = gps_photo()
    saved: list[dict[str, Any]] = []

    def save_file(_: object, args: dict[str, Any] | None) -> str:
        saved.append(dict(args or {}))
        return str(tmp_path / (args or {})["file_name"])

    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        client.method_handlers[("FilePicker", "pick_files")] = lambda _, a: [
            {"id": 1, "name": "bank.jpg", "size": len(original), "bytes": original}
        ]
        client.method_handlers[("FilePicker", "save_file")] = save_file
        await client.navigate("/reports/new")
        await client.type("reports.description", "Bank im Park ist kaputt.")
        await client.click("reports.next")
        await client.type("reports.address", "Clara-Zetkin-Park")
        await client.click("reports.photos.add")
        await client.wait_until(lambda: has(client, "reports.photo.1"))
        await client.click("reports.next")
        await client.click("reports.next")
        await client.wait_until(lambda: has(client, "reports.handoff.text"))
        await client.click("reports.handoff.copy")
        assert client.state.clipboard == (
            "Kategorie: Allgemeine Meldung\nOrt: Clara-Zetkin-Park\nFotos (lade ich im Portal hoch): 1\n\n"
            "Bank im Park ist kaputt."
        )
        assert any(t.startswith("Fotos gehen nicht mit dem Text mit.") for t in client.texts())
        await client.click("reports.handoff.photo.1")
        await client.wait_until(lambda: "Foto 1 ist gespeichert." in client.texts())
    assert saved[0]["file_name"] == "meldung-foto-1.jpg"
    data = (tmp_path / "meldung-foto-1.jpg").read_bytes()
    assert data == saved[0]["src_bytes"]
    assert data.startswith(b"\xff\xd8\xff")
    assert data != original
    assert read_gps(original) is not None
    assert read_gps(data) is None  # processed: the photo's position is gone


BACK_CAMERA = {"name": "0", "lens_direction": "back", "sensor_orientation": 90, "lens_type": "wide"}


class CameraClient(FakeFletClient):
    """Flet 1.0.5 leaves "args" out of method calls without arguments (`get_available_cameras`,
    `take_picture`); the Dart client reads that as no arguments, and so does this client."""

    async def _answer_method(self, body: dict[str, Any]) -> None:
        await super()._answer_method({"args": None, **body})


async def _to_photo_step(client: FakeFletClient) -> None:
    await client.navigate("/reports/new")
    await client.wait_until(lambda: has(client, "reports.category.ampel"))
    await client.click("reports.category.ampel")
    await client.type("reports.description", "Ampel blinkt gelb.")
    await client.click("reports.next")


async def test_camera_photo_on_a_phone(runtime: AppRuntime) -> None:
    async with CameraClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        calls: list[str] = []

        def answer(name: str, result: Any = None) -> None:
            def handler(_: object, args: dict[str, Any] | None) -> Any:
                calls.append(name)
                return result

            client.method_handlers[("Camera", name)] = handler

        answer("get_available_cameras", [BACK_CAMERA])
        answer("initialize")
        answer("take_picture", gps_photo())
        await _to_photo_step(client)
        await client.click("reports.camera.open")
        await client.wait_until(lambda: not client.find("reports.camera.shoot").disabled)
        await client.click("reports.camera.shoot")
        await client.wait_until(lambda: has(client, "reports.photo.1"))
        assert calls == ["get_available_cameras", "initialize", "take_picture"]
        assert not has(client, "reports.camera.preview")
        assert has(client, "reports.photo.1.gps_use")  # offered, not taken
        assert not has(client, "reports.position")
        # an area the detectors missed, chosen by name (no drawing needed)
        await client.update_props("reports.photo.1.area", {"value": "4"})
        await client.click("reports.photo.1.area.add")
        await client.wait_until(lambda: has(client, "reports.photo.1.region.1"))
        assert "Bereich 1 unkenntlich machen (eigener Bereich)" in client.texts()
        assert client.find("reports.photo.1.region.1").get("value") is True


async def test_refused_camera_leaves_the_file_picker(runtime: AppRuntime) -> None:
    async with CameraClient(runtime.create_main(), platform="ios", width=360, height=800) as client:
        client.method_handlers[("Camera", "get_available_cameras")] = lambda _, a: []
        await _to_photo_step(client)
        await client.click("reports.camera.open")
        await client.wait_until(lambda: has(client, "reports.camera.open"))
        assert has(client, "reports.photos.add")
        assert "Die Kamera ist nicht verfügbar. Bitte wählen Sie ein vorhandenes Foto aus." in client.texts()


async def test_map_pin_where_tiles_load(runtime: AppRuntime) -> None:
    service = runtime.services.reports
    assert service is not None
    assert service.map_tile_url is not None
    assert "/open311/demo-tiles/" in service.map_tile_url
    async with FakeFletClient(runtime.create_main(), platform="web", width=1000, height=900) as client:
        await _to_photo_step(client)
        await client.wait_until(lambda: has(client, "reports.map"))  # the demo city's tiles load
        await client.trigger(
            "reports.map",
            "tap",
            {
                "kind": "touch",
                "local_position": {"x": 10, "y": 10},
                "global_position": {"x": 10, "y": 10},
                "coordinates": {"latitude": 51.3406, "longitude": 12.3747},
            },
        )
        assert "Position: 51.34060, 12.37470" in client.texts()
        assert has(client, "reports.address")  # the address stays available


async def test_no_map_without_tiles(runtime: AppRuntime) -> None:
    from leipzig_app.adapters.tiles import tiles_reachable
    from leipzig_app.services.reports import ReportsService

    old = runtime.services.reports
    assert old is not None
    assert runtime.http is not None
    http, url = runtime.http, "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png"  # nothing listens there
    runtime.services.reports = ReportsService(
        outbox=old.outbox,
        reporting=old.reporting,
        photos=old.photos,
        map_tile_url=url,
        map_probe=lambda origin: tiles_reachable(http, url, 51.34, 12.37, origin=origin),
    )
    async with FakeFletClient(runtime.create_main(), platform="web", width=1000, height=900) as client:
        await _to_photo_step(client)
        assert has(client, "reports.address")
        assert not has(client, "reports.map")
