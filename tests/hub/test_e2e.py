"""The services hub end to end: the Offenbach profile in web mode, real Chromium, the app's own demo city.

Checks what only a browser shows: the hub's tiles and the waste calendar have accessible names, the second
city runs from its profile alone, and the screens hold at 200 % text on a 400 px wide page.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from tests.support.browser import audit_unnamed, open_app, screenshot, set_text_scale

EXE = str(Path(sys.executable).with_name("leipzig-app"))
WAIT = 30_000


def focus(page: Any, field: Any, tries: int = 3) -> None:
    """Click a text field until it has the focus (Flutter's web engine may let the first tap go by)."""
    for _ in range(tries):
        field.click()
        page.wait_for_timeout(200)
        if page.evaluate("() => document.activeElement && document.activeElement.tagName") == "INPUT":
            return
    raise AssertionError("the text field did not take the focus")


@pytest.mark.e2e
def test_offenbach_hub_in_chromium(
    web_app_factory: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    app = web_app_factory(
        [EXE, "--web", "--port", "{port}", "--city", "offenbach", "--data-dir", str(tmp_path)]
    )
    page = browser_page
    open_app(page, app.url, ready_text="Willkommen in Offenbach am Main")
    assert page.get_by_role("tab", name="Scannen").count() == 0  # not a module of this city
    page.get_by_role("tab", name="Mehr").first.click()
    page.get_by_role("button", name=re.compile("^Abfuhrkalender")).first.wait_for(timeout=WAIT)
    assert page.get_by_role("button", name=re.compile("^Leseausweis")).count() == 0
    assert audit_unnamed(page) == []

    page.get_by_role("button", name=re.compile("^Abfuhrkalender")).first.click()
    page.get_by_role("textbox", name="Straße suchen").first.wait_for(timeout=WAIT)
    assert audit_unnamed(page) == []
    set_text_scale(page, 2.0)
    shot = screenshot(page, screenshot_dir / "waste-200.png")
    assert shot.stat().st_size > 5_000

    set_text_scale(page, 1.0)
    focus(page, page.get_by_role("textbox", name="Straße suchen").first)
    page.keyboard.type("Langstr")
    page.get_by_role("button", name=re.compile("^Langstraße")).first.click()
    page.get_by_role("switch", name="An Restabfall erinnern").first.wait_for(timeout=WAIT)
    page.get_by_role("button", name="Ändern").first.wait_for(timeout=WAIT)
    assert audit_unnamed(page) == []
    set_text_scale(page, 2.0)
    screenshot(page, screenshot_dir / "waste-overview-200.png")
    set_text_scale(page, 1.0)
    page.get_by_role("button", name="Zurück").first.click()
    page.get_by_role("button", name=re.compile("^Wichtige Nummern")).first.click()
    page.get_by_role("button", name=re.compile("Polizei: 110")).first.wait_for(timeout=WAIT)
    page.get_by_role("button", name=re.compile("Stadtverwaltung Offenbach")).first.wait_for(timeout=WAIT)
    assert audit_unnamed(page) == []
    assert "Traceback" not in app.tail(200)


@pytest.mark.e2e
def test_library_card_barcode_on_screen_decodes(
    web_app_factory: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    page.get_by_role("tab", name="Mehr").first.click()
    page.get_by_role("button", name=re.compile("^Leseausweis")).first.click()
    focus(page, page.get_by_role("textbox", name="Ausweisnummer").first)
    page.keyboard.type("200 0123 4567")
    page.get_by_role("button", name="Ausweis speichern").first.click()
    page.get_by_role("img", name=re.compile("20001234567")).first.wait_for(timeout=WAIT)
    assert audit_unnamed(page) == []
    # What a terminal's scanner would read from the phone's screen. The accessibility tree is updated at
    # once, the drawn frame can lag behind it on a busy machine: look again for a few seconds.
    read: list[tuple[str, str]] = []
    deadline = time.monotonic() + 15
    while not read and time.monotonic() < deadline:
        shot = screenshot(page, screenshot_dir / "card.png")
        read = [(r.text, r.format.name) for r in zxingcpp.read_barcodes(Image.open(shot).convert("L"))]
    assert read == [("A20001234567B", "Codabar")]
    assert (tmp_path / "secrets.json").stat().st_mode & 0o777 == 0o600
