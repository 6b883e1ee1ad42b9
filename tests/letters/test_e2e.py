"""A tester's path end to end: the app in web mode in real Chromium, a printed demo letter chosen in the
browser's file picker, the notice screen, the city's payment page in a new tab, the result read back,
and the objection screen at 200 % text.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.support.browser import audit_unnamed, open_app, screenshot, set_text_scale

EXE = str(Path(sys.executable).with_name("leipzig-app"))
WAIT = 30_000


def scrolled_to(page: Any, locator: Any, attempts: int = 12) -> Any:
    """The first match, scrolling the app down until Flutter has built it (lists build what is visible)."""
    page.mouse.move(200, 400)
    for _ in range(attempts):
        if locator.count():
            return locator.first
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(300)
    locator.first.wait_for(timeout=WAIT)
    return locator.first


@pytest.mark.e2e
def test_scan_a_printed_letter_and_pay_it_on_the_citys_page(
    web_app_factory: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    letter = tmp_path / "bescheid.png"
    issued = subprocess.run(
        [
            EXE,
            "notice",
            "issue",
            "--out",
            str(letter),
            "--amount",
            "61.20",
            "--cash-reference",
            "5.0500.000001.1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert issued.returncode == 0, issued.stderr
    assert json.loads(issued.stdout)["file"] == str(letter)
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path / "data")])
    page = browser_page
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    page.get_by_role("tab", name="Scannen").first.click()
    pick = page.get_by_role("button", name="Foto oder Datei wählen").first
    pick.wait_for(timeout=WAIT)
    with page.expect_file_chooser(timeout=WAIT) as chooser:
        pick.click()
    chooser.value.set_files(str(letter))

    page.get_by_text("Von der Stadt bestätigt").first.wait_for(timeout=WAIT)
    tree = page.locator("body").aria_snapshot()
    assert "möchte 61,20 € bis zum" in tree
    assert "5.0500.000001.1" in tree
    assert audit_unnamed(page) == []
    screenshot(page, screenshot_dir / "notice.png")

    # The bank transfer: copy buttons named after what they copy, and the GiroCode drawn large.
    scrolled_to(page, page.get_by_role("button", name="Überweisen")).click()
    scrolled_to(page, page.get_by_role("button", name="IBAN kopieren"))
    scrolled_to(page, page.get_by_role("img", name=re.compile("GiroCode für die Überweisung")))
    assert audit_unnamed(page) == []
    screenshot(page, screenshot_dir / "transfer.png")
    page.mouse.wheel(0, -5000)
    page.get_by_role("button", name="Zurück zum Bescheid").first.click()

    scrolled_to(page, page.get_by_role("button", name="Jetzt online bezahlen")).click()
    confirm = scrolled_to(page, page.get_by_role("button", name="Weiter zur Bezahlseite"))
    with page.context.expect_page(timeout=WAIT) as opened:
        confirm.click()
    city_page = opened.value
    city_page.wait_for_load_state()
    assert "5.0500.000001.1" in city_page.content()
    city_page.get_by_role("button", name="Bezahlen").click()
    city_page.get_by_text("Zahlung erfolgreich").wait_for(timeout=WAIT)
    city_page.close()

    page.bring_to_front()
    scrolled_to(page, page.get_by_role("button", name="Zahlungsstand prüfen")).click()
    page.get_by_text("Bezahlt am").first.wait_for(timeout=WAIT)
    assert page.get_by_role("button", name="Jetzt online bezahlen").count() == 0
    screenshot(page, screenshot_dir / "paid.png")

    # Objecting, with text at 200 %: the deadline and the channels, every control named.
    scrolled_to(page, page.get_by_role("button", name="Widerspruch einlegen")).click()
    page.get_by_text("Frist: bis zum").first.wait_for(timeout=WAIT)
    set_text_scale(page, 2.0)
    page.wait_for_timeout(800)
    assert audit_unnamed(page) == []
    screenshot(page, screenshot_dir / "object-200.png")
    set_text_scale(page, 1.0)
    scrolled_to(page, page.get_by_role("button", name="Brief als PDF erstellen")).click()
    with page.expect_download(timeout=WAIT) as download:
        scrolled_to(page, page.get_by_role("button", name="PDF speichern")).click()
    saved = tmp_path / "widerspruch.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename.startswith("widerspruch-")
    assert saved.read_bytes().startswith(b"%PDF-")
    assert "Traceback" not in app.tail(200)
