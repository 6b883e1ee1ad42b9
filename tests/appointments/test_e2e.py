"""One booking end to end: the app in web mode, real Chromium, the app's own demo city."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.support.browser import audit_unnamed, open_app, screenshot, scroll_to, set_text_scale, type_into

EXE = str(Path(sys.executable).with_name("leipzig-app"))
WAIT = 20_000


@pytest.mark.e2e
def test_book_an_appointment_in_chromium(
    web_app_factory: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    page.get_by_role("tab", name="Termine").first.click()
    page.get_by_role("button", name="Neuen Termin buchen").first.click()

    type_into(
        page, page.get_by_role("textbox", name="Anliegen suchen, z. B. Personalausweis").first, "anmelden"
    )
    page.get_by_role("button", name="Wohnsitz anmelden wählen").first.click(timeout=WAIT)

    page.get_by_role("checkbox", name="Bürgeramt Grünau (Demo)").first.click(timeout=WAIT)
    scroll_to(page, page.get_by_role("button", name="Freie Termine anzeigen").first).click()
    assert audit_unnamed(page) == []

    slot = page.get_by_role("button", name="Bürgeramt Grünau (Demo)").first
    slot.wait_for(timeout=WAIT)
    screenshot(page, screenshot_dir / "times.png")
    slot.click()

    page.get_by_text("ist für Sie reserviert – noch 15 Minuten").first.wait_for(timeout=WAIT)
    screenshot(page, screenshot_dir / "contact.png")
    assert audit_unnamed(page) == []  # the contact step
    type_into(page, page.get_by_role("textbox", name="Name").first, "Erika Mustermann")
    type_into(page, page.get_by_role("textbox", name="E-Mail-Adresse").first, "erika@example.org")
    scroll_to(page, page.get_by_role("button", name="Weiter zur Prüfung").first).click()

    book = scroll_to(page, page.get_by_role("button", name="Termin verbindlich buchen").first)
    book.wait_for(timeout=WAIT)
    # every line of the review is its own text for a screen reader, not merged into one label; the
    # review starts above the button, and Flutter builds list items only near the viewport
    page.mouse.move(200, 400)
    page.mouse.wheel(0, -3000)
    page.get_by_text("Für: Erika Mustermann, erika@example.org").first.wait_for(timeout=WAIT)
    screenshot(page, screenshot_dir / "review.png")
    assert audit_unnamed(page) == []  # the review step
    set_text_scale(page, 2.0)
    screenshot(page, screenshot_dir / "review-200.png")
    set_text_scale(page, 1.0)
    book.click()
    # the result step offers the calendar export; the app's own list says what the server answered
    page.get_by_role("button", name="Zum Kalender hinzufügen").first.wait_for(timeout=WAIT)
    page.get_by_text("Bestätigt.").first.wait_for(timeout=WAIT)
    assert audit_unnamed(page) == []
    with sqlite3.connect(tmp_path / "leipzig-app.sqlite3") as db:
        rows = db.execute("SELECT state, name, office_name FROM appointments").fetchall()
    assert rows == [("confirmed", "Erika Mustermann", "Bürgeramt Grünau (Demo)")]
    shot = screenshot(page, screenshot_dir / "booked.png")
    assert shot.stat().st_size > 5_000
    assert "Traceback" not in app.tail(200)
