"""The durable outbox walked in real Chromium: the city's server fails (500, then 429 "too many requests"),
the resident is told the report waits and will be sent by itself, nothing is lost, and once the server
takes reports again it gets this one exactly once, and the open screen says so.

The demo city's address is read from the page's own requests (its map tiles come from there); its fault
switches and counts are then used over HTTP, as a tester would.
"""

from __future__ import annotations

import re
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.browser import open_app, screenshot, scroll_to, type_into

from leipzig_app.i18n import catalog

EXE = str(Path(sys.executable).with_name("leipzig-app"))
WAIT = 20_000
DESCRIPTION = "Ampel an der Goethestraße bleibt dunkel (Störungstest)."
TILE = re.compile(r"^(http://127\.0\.0\.1:\d+)/open311/demo-tiles/")


def _until(what: str, condition: Callable[[], Any], page: Any, timeout: float = 120.0) -> Any:
    """Wait for `condition()` to be true while the app's own loop works (it retries on its own)."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        page.wait_for_timeout(500)


def _outbox(data: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(data / "leipzig-app.sqlite3") as db:
        return db.execute("SELECT state, attempts FROM outbox_items").fetchall()


def _stored(data: Path) -> list[tuple[str, str]]:
    """The demo city's copies of this report."""
    with sqlite3.connect(data / "demo-city" / "sandbox.sqlite3") as db:
        return db.execute(
            "SELECT id, address FROM open311_requests WHERE description = ?", (DESCRIPTION,)
        ).fetchall()


@pytest.mark.e2e
def test_a_report_waits_out_server_faults_and_is_sent_once(
    web_app_factory: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    texts = catalog("de")
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    demo_city: list[str] = []
    page.on("request", lambda r: demo_city.append(m.group(1)) if (m := TILE.match(r.url)) else None)
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    page.get_by_role("tab", name="Melden").first.click()
    page.get_by_role("button", name="Neue Meldung").first.click(timeout=WAIT)
    type_into(page, page.get_by_role("textbox", name="Kategorie suchen").first, "Ampel")
    page.get_by_role("button", name="Ampelstörung").first.click(timeout=WAIT)
    description = page.get_by_role("textbox", name="Beschreibung *").first
    description.wait_for(timeout=WAIT)
    type_into(page, description, DESCRIPTION)
    page.get_by_role("button", name="Weiter", exact=True).first.click()
    address = page.get_by_role("textbox", name="Adresse oder Ortsbeschreibung").first
    address.wait_for(timeout=WAIT)
    type_into(page, address, "Goethestraße 2, 04109 Leipzig")
    base = _until("the map's tiles from the demo city", lambda: demo_city[:1], page, timeout=30)[0]
    scroll_to(page, page.get_by_role("button", name="Weiter", exact=True).first).click()
    page.get_by_role("textbox", name="E-Mail für Rückfragen (freiwillig)").first.wait_for(timeout=WAIT)
    page.get_by_role("button", name="Weiter", exact=True).first.click()
    send = scroll_to(page, page.get_by_role("button", name="Meldung senden").first)
    send.wait_for(timeout=WAIT)

    with httpx.Client(base_url=base, timeout=10) as city:
        known = city.get("/demo/open311/stats").json()["requests"]
        city.post("/demo/open311/faults", json={"fail_next": 1, "modes": ["status"], "status": 500})
        send.click()

        # 500: the report waits, and the resident is told so truly: the city's server failed (there is a
        # connection), and the app sends the report by itself
        waiting = texts["reports.state.waiting"]
        page.get_by_text(waiting, exact=True).first.wait_for(timeout=WAIT)
        screenshot(page, screenshot_dir / "after-500.png")
        shown = page.evaluate("() => document.body.innerText")
        assert texts["reports.queued.server"] in shown, shown  # the status line
        assert texts["reports.wait.server"].format(status=500) in shown, shown
        assert texts["reports.queued"] not in shown, shown
        assert texts["reports.state.queued"] not in shown, shown
        assert _outbox(tmp_path) == [("queued", 1)]
        assert _stored(tmp_path) == []
        assert city.get("/demo/open311/faults").json()["injected"] == 1

        # 429 with Retry-After on the next try (after the app has looked whether the 500 stored it)
        city.post(
            "/demo/open311/faults",
            json={"fail_next": 1, "modes": ["status"], "status": 429, "retry_after": 3},
        )
        _until("the second try", lambda: city.get("/demo/open311/faults").json()["injected"] == 1, page)
        assert _outbox(tmp_path) == [("queued", 2)]
        assert _stored(tmp_path) == []
        page.get_by_text(texts["reports.wait.busy"], exact=False).first.wait_for(timeout=WAIT)
        assert page.get_by_text(waiting, exact=True).count() == 1
        screenshot(page, screenshot_dir / "after-429.png")

        # the faults end: sent once, and the screen that is open says so
        city.delete("/demo/open311/faults")
        _until("the report sent", lambda: _outbox(tmp_path)[0][0] == "sent", page)
        [(request_id, stored_address)] = _stored(tmp_path)
        assert stored_address == "Goethestraße 2, 04109 Leipzig"
        stats = city.get("/demo/open311/stats").json()
        assert (stats["requests"], stats["duplicates"]) == (known + 1, 0)
        page.get_by_text(texts["reports.detail.id"].format(id=request_id)).first.wait_for(timeout=WAIT)
        page.get_by_text(texts["reports.state.server_open"], exact=True).first.wait_for(timeout=WAIT)
        assert page.get_by_text(waiting, exact=True).count() == 0
        # the status line, a live region: a screen reader hears it without looking for it
        page.get_by_text(texts["reports.sent"].format(id=request_id), exact=True).first.wait_for(timeout=WAIT)
        screenshot(page, screenshot_dir / "sent.png")
    assert "Traceback" not in app.tail(200)
