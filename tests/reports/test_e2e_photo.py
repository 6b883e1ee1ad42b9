"""A report with a photo end to end: the app in web mode, real Chromium, the app's own demo city."""

from __future__ import annotations

import io
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page
from tests.support.browser import open_app, screenshot, scroll_to, type_into

EXE = str(Path(sys.executable).with_name("leipzig-app"))
WAIT = 20_000


def gps_photo(path: Path) -> Path:
    """A JPEG that carries a camera name and the place it was taken (EXIF), as a phone's photo does."""
    exif = Image.Exif()
    exif[0x010F] = "DemoCam"
    exif[0x8825] = {1: "N", 2: (51.0, 20.0, 22.92), 3: "E", 4: (12.0, 22.0, 23.16)}
    Image.new("RGB", (1200, 900), (120, 110, 100)).save(path, "JPEG", exif=exif.tobytes())
    return path


def scroll_beside_map(page: Page, locator: Locator) -> Locator:
    """Scroll until the control exists, with the pointer at the screen's edge, clear of the photos and the
    map (the wheel over the map scrolls the step too: tests/reports/test_map_e2e.py)."""
    page.mouse.move(394, 600)
    for _ in range(15):
        if locator.count():
            return locator
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(250)
    return locator


@pytest.mark.e2e
def test_report_with_a_photo_in_chromium(
    web_app_factory: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path / "data")])
    page = browser_page
    failed_tiles: list[str] = []
    page.on("requestfailed", lambda r: failed_tiles.append(r.url) if "/demo-tiles/" in r.url else None)
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    page.get_by_role("tab", name="Melden").first.click()
    page.get_by_role("button", name="Neue Meldung").first.click(timeout=WAIT)
    type_into(page, page.get_by_role("textbox", name="Kategorie suchen").first, "Ampel")
    page.get_by_role("button", name="Ampelstörung").first.click(timeout=WAIT)
    description = page.get_by_role("textbox", name="Beschreibung *").first
    description.wait_for(timeout=WAIT)
    type_into(page, description, "Ampel am Roßplatz blinkt gelb.")
    page.get_by_role("button", name="Weiter", exact=True).first.click()

    address = page.get_by_role("textbox", name="Adresse oder Ortsbeschreibung").first
    address.wait_for(timeout=WAIT)
    type_into(page, address, "Roßplatz 1, 04103 Leipzig")
    with page.expect_file_chooser(timeout=WAIT) as chooser:
        page.get_by_role("button", name="Foto hinzufügen").first.click()
    chooser.value.set_files(str(gps_photo(tmp_path / "ampel.jpg")))
    page.get_by_role("img", name="Foto 1 nach der Bearbeitung").first.wait_for(timeout=WAIT)
    # everything after the photo is still drawn and reachable: its blur-an-area picker, the offer of the
    # photo's own place and the way on
    scroll_beside_map(page, page.get_by_role("button", name="Aufnahmeort übernehmen").first).wait_for(
        timeout=WAIT
    )
    next_button = scroll_beside_map(page, page.get_by_role("button", name="Weiter", exact=True).first)
    page.mouse.wheel(0, 800)  # the step's end, clear of the status line
    page.wait_for_timeout(300)
    screenshot(page, screenshot_dir / "photo.png")
    next_button.click()
    page.get_by_role("textbox", name="E-Mail für Rückfragen (freiwillig)").first.wait_for(timeout=WAIT)
    page.get_by_role("button", name="Weiter", exact=True).first.click()
    scroll_to(page, page.get_by_role("button", name="Meldung senden").first).click()
    page.get_by_text("Vorgangsnummer", exact=False).first.wait_for(timeout=WAIT)

    with sqlite3.connect(tmp_path / "data" / "demo-city" / "sandbox.sqlite3") as db:
        stored = db.execute(
            "SELECT media_url FROM open311_requests WHERE description = 'Ampel am Roßplatz blinkt gelb.'"
        ).fetchall()
    assert len(stored) == 1
    name = str(stored[0][0]).rsplit("/", 1)[-1]
    assert name.endswith(".jpg")
    sent = Image.open(io.BytesIO((tmp_path / "data" / "demo-city" / "open311-media" / name).read_bytes()))
    assert dict(sent.getexif()) == {}  # neither the place nor the camera reached the city
    assert failed_tiles == []  # the map's tiles reached the browser
    assert "Traceback" not in app.tail(200)
