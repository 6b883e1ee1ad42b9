"""One report end to end: the app in web mode, real Chromium, the app's own demo city (address entry)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.support.browser import audit_unnamed, open_app, screenshot, scroll_to, type_into

EXE = str(Path(sys.executable).with_name("leipzig-app"))
WAIT = 20_000


@pytest.mark.e2e
def test_report_by_address_in_chromium(
    web_app_factory: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    page.get_by_role("tab", name="Melden").first.click()
    page.get_by_role("button", name="Neue Meldung").first.click(timeout=WAIT)

    type_into(page, page.get_by_role("textbox", name="Kategorie suchen").first, "Ampel")
    page.get_by_role("button", name="Ampelstörung").first.click(timeout=WAIT)
    description = page.get_by_role("textbox", name="Beschreibung *").first
    description.wait_for(timeout=WAIT)
    type_into(page, description, "Fußgängerampel bleibt dunkel.")
    page.get_by_role("button", name="Weiter").first.click()

    address = page.get_by_role("textbox", name="Adresse oder Ortsbeschreibung").first
    address.wait_for(timeout=WAIT)
    type_into(page, address, "Roßplatz 1, 04103 Leipzig")
    assert audit_unnamed(page) == []
    screenshot(page, screenshot_dir / "place.png")
    scroll_to(page, page.get_by_role("button", name="Weiter").first).click()
    page.get_by_role("textbox", name="E-Mail für Rückfragen (freiwillig)").first.wait_for(timeout=WAIT)
    assert audit_unnamed(page) == []  # the contact step
    page.get_by_role("button", name="Weiter").first.click()

    send = scroll_to(page, page.get_by_role("button", name="Meldung senden").first)
    send.wait_for(timeout=WAIT)
    screenshot(page, screenshot_dir / "review.png")
    assert audit_unnamed(page) == []  # the review step
    send.click()
    page.get_by_text("Vorgangsnummer", exact=False).first.wait_for(timeout=WAIT)
    with sqlite3.connect(tmp_path / "leipzig-app.sqlite3") as db:
        rows = db.execute("SELECT state, status, service_request_id IS NOT NULL FROM outbox_items").fetchall()
    assert rows == [("sent", "open", 1)]
    with sqlite3.connect(tmp_path / "demo-city" / "sandbox.sqlite3") as db:
        stored = db.execute(
            "SELECT address FROM open311_requests WHERE description = 'Fußgängerampel bleibt dunkel.'"
        ).fetchall()
    assert stored == [("Roßplatz 1, 04103 Leipzig",)]
    screenshot(page, screenshot_dir / "sent.png")
    assert "Traceback" not in app.tail(200)
