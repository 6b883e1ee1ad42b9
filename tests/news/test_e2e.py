"""The news section end to end: the app in web mode, real Chromium, the app's own demo city."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.support.browser import audit_unnamed, open_app, screenshot, set_text_scale

EXE = str(Path(sys.executable).with_name("leipzig-app"))
WAIT = 20_000


def focus(page: Any, field: Any, tries: int = 3) -> None:
    """Click a text field until it has the focus: right after a section change Flutter's web engine lets
    the first tap on a semantics text field go by without focusing it (measured in Chromium 156)."""
    for _ in range(tries):
        field.click()
        page.wait_for_timeout(200)
        if page.evaluate("() => document.activeElement && document.activeElement.tagName") == "INPUT":
            return
    raise AssertionError("the text field did not take the focus")


@pytest.mark.e2e
def test_news_section_in_chromium(
    web_app_factory: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    page.get_by_role("tab", name="Aktuell").first.click()
    # Found by the card's accessible name, what a screen reader says: Flutter's web engine puts a node's
    # label into its text or into aria-label depending on whether it has child nodes.
    card = page.get_by_role("button", name=re.compile("Stadtrat beschließt neue Grünflächen für Grünau"))
    card.first.wait_for(timeout=WAIT)
    page.get_by_text("Stand: ").first.wait_for(timeout=WAIT)
    assert page.get_by_role("button", name="Nachrichten aktualisieren").count() == 1
    assert audit_unnamed(page) == []
    screenshot(page, screenshot_dir / "list.png")

    focus(page, page.get_by_role("textbox", name="Nachrichten durchsuchen").first)
    page.keyboard.type("Gewandhaus")
    page.get_by_text("1 Nachricht").first.wait_for(timeout=WAIT)

    # A card is one button whose name is everything on it (source, date, title, teaser).
    page.get_by_role("button", name=re.compile("Gewandhausorchester spielt Bachs")).first.click()
    page.get_by_role("button", name="Im Browser öffnen (127.0.0.1)").first.wait_for(timeout=WAIT)
    assert page.get_by_role("button", name="Teilen").count() == 1
    assert audit_unnamed(page) == []
    set_text_scale(page, 2.0)
    shot = screenshot(page, screenshot_dir / "detail-200.png")
    assert shot.stat().st_size > 5_000
    assert "Traceback" not in app.tail(200)
