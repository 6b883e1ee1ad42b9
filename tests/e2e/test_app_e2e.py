"""The app in web mode, in real Chromium: it starts, every section opens, screenshots are written."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from tests.support.browser import audit_unnamed, open_app, screenshot

EXE = str(Path(sys.executable).with_name("leipzig-app"))
TABS = ("Start", "Aktuell", "Termine", "Melden", "Scannen", "Mehr")


@pytest.mark.e2e
def test_app_starts_and_every_section_opens(
    web_app_factory: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    for name in TABS:
        page.get_by_role("tab", name=name).first.click()
        page.get_by_role("tab", name=name, selected=True).first.wait_for(timeout=15_000)
        shot = screenshot(page, screenshot_dir / f"{name.lower()}.png")
        assert shot.stat().st_size > 5_000
        assert not page.get_by_text("konnte nicht geöffnet werden").count()
    assert "Traceback" not in app.tail(200)


@pytest.mark.e2e
def test_shell_controls_all_have_accessible_names(
    web_app_factory: Any, browser_page: Any, tmp_path: Path
) -> None:
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    page.get_by_role("tab", name="Mehr").first.click()
    page.get_by_text("Einstellungen").first.wait_for(timeout=15_000)
    assert audit_unnamed(page) == []
