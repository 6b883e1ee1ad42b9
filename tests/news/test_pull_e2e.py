"""Pull to refresh with a finger in Chromium (touch emulation): the drag reaches the app as Flutter's own
scroll notifications, the hint shows while the finger is down, and letting go refreshes the news."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from tests.support.browser import open_app, screenshot

EXE = str(Path(sys.executable).with_name("leipzig-app"))
WAIT = 20_000


@pytest.fixture
def browser_context_options() -> dict[str, Any]:
    return {
        "viewport": {"width": 400, "height": 800},
        "locale": "de-DE",
        "has_touch": True,
        "is_mobile": True,
    }


class Finger:
    """One finger on the touch screen, through the DevTools protocol (Playwright's touchscreen only taps)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.x = self.y = 0.0

    def down(self, x: float, y: float) -> None:
        self.x, self.y = x, y
        self._send("touchStart", [{"x": x, "y": y}])

    def move_to(self, y: float, steps: int = 12) -> None:
        start = self.y
        for i in range(1, steps + 1):
            self.y = start + (y - start) * i / steps
            self._send("touchMove", [{"x": self.x, "y": self.y}])
            self.page.wait_for_timeout(16)  # about one frame per step, as a real finger moves

    def up(self) -> None:
        self._send("touchEnd", [])

    def _send(self, kind: str, points: list[dict[str, float]]) -> None:
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


@pytest.mark.e2e
def test_pulling_the_news_down_refreshes_them(
    web_app_factory: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    page.get_by_role("tab", name="Aktuell").first.click()
    # "Stand: ..." shows once the refresh that opening the section starts is over (first start: no cache).
    page.get_by_text("Stand: ").first.wait_for(timeout=WAIT)
    finger = Finger(page)

    # A short drag is scrolling, not a pull: nothing happens.
    finger.down(200, 300)
    finger.move_to(340, steps=4)
    finger.up()
    page.wait_for_timeout(1_000)
    assert page.get_by_text("Nachrichten aktualisiert").count() == 0

    # A long one shows the hint while the finger is down, and refreshes when it lets go.
    finger.down(200, 300)
    finger.move_to(650)
    page.get_by_text("Loslassen zum Aktualisieren").first.wait_for(timeout=WAIT)
    screenshot(page, screenshot_dir / "pulled.png", settle_ms=100)
    assert page.get_by_text("Nachrichten aktualisiert").count() == 0
    finger.up()
    page.get_by_text("Nachrichten aktualisiert: 10 Meldungen.").first.wait_for(timeout=WAIT)
    assert page.get_by_text("Loslassen zum Aktualisieren").count() == 0
    assert "Traceback" not in app.tail(200)
