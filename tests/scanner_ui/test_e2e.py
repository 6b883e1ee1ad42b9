"""The scanner end to end: the app in web mode, driven in real Chromium.

Two ways in, both only testable in a real browser against the real web server:
- a photo chosen in the browser's file chooser: the browser gives no path, so the file is uploaded to the
  app's web server (signed upload URL), decoded there and deleted;
- Chromium's fake camera fed from a .y4m clip of a letter with two codes: the flet-camera control takes
  pictures in a loop, the app reads both codes and marks them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import pytest
from playwright.sync_api import Page
from tests.scanner_ui.conftest import encode, letter_frame
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    WebApp,
    audit_unnamed,
    open_app,
    screenshot,
    set_text_scale,
    start_web_app,
)

EXE = str(Path(sys.executable).with_name("leipzig-app"))
WAIT = 30_000
LINK = "https://www.leipzig.de/buergerservice"
TEXT = "Grüße aus Süd, Straße 7"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scanner-e2e") / "data"


@pytest.fixture(scope="module")
def web_app(data_dir: Path) -> Iterator[WebApp]:
    """One app for both tests (each browser context is its own session); stopped after the module."""
    with start_web_app([EXE, "--web", "--port", "{port}", "--data-dir", str(data_dir)]) as app:
        yield app


def scanner(page: Page, url: str) -> None:
    open_app(page, url, ready_text="Willkommen in Leipzig")
    page.get_by_role("tab", name="Scannen").first.click()
    page.get_by_role("button", name="Foto oder Datei wählen").first.wait_for(timeout=WAIT)


def test_a_photo_chosen_in_the_browser_is_uploaded_and_read(
    web_app: WebApp, data_dir: Path, browser_page: Page, screenshot_dir: Path, tmp_path: Path
) -> None:
    app = web_app
    photo = tmp_path / "brief.jpg"
    photo.write_bytes(encode(letter_frame([LINK, TEXT]), ".jpg"))
    page = browser_page
    scanner(page, app.url)
    assert page.get_by_role("button", name="Bescheid von Hand eingeben").count() == 1
    with page.expect_file_chooser(timeout=WAIT) as chooser:
        page.get_by_role("button", name="Foto oder Datei wählen").first.click()
    chooser.value.set_files(str(photo))

    # A card is one node for screen readers: its name carries the code's whole text, domain first.
    page.get_by_role("group", name=f"Code 1 Link zu: www.leipzig.de Vollständige Adresse: {LINK}").wait_for(
        timeout=WAIT
    )
    assert page.get_by_role("group", name=f"Code 2 {TEXT}").count() == 1
    assert page.get_by_role("button", name="Code 1 kopieren").count() == 1
    assert page.get_by_role("button", name="Link öffnen").count() == 1
    assert audit_unnamed(page) == []
    screenshot(page, screenshot_dir / "codes-from-photo.png")
    set_text_scale(page, 2.0)
    screenshot(page, screenshot_dir / "codes-from-photo-200.png")
    # The upload was decoded and removed again.
    assert list((data_dir / "uploads").iterdir()) == []
    assert "Traceback" not in app.tail(200)


def write_y4m(path: Path, image: Any, frames: int = 10) -> Path:
    """A Y4M clip (the format Chromium's fake camera plays in a loop) showing one still picture."""
    height, width = image.shape[:2]
    yuv = cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420)
    with path.open("wb") as clip:
        clip.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            clip.write(b"FRAME\n" + yuv.tobytes())
    return path


def test_the_live_camera_reads_both_codes_of_a_letter(
    web_app: WebApp, chromium_browser: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    app = web_app
    clip = write_y4m(tmp_path / "letter.y4m", letter_frame([LINK, TEXT], width=640, height=480))
    browser = chromium_browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_FLAGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={clip}",
        ],
    )
    try:
        context = browser.new_context(viewport={"width": 400, "height": 800}, locale="de-DE")
        context.grant_permissions(["camera"])
        page = context.new_page()
        scanner(page, app.url)
        page.get_by_text("Alle Codes erfasst").first.wait_for(timeout=WAIT)
        assert page.get_by_role("img", name="Kamerabild").count() >= 1
        assert (
            page.get_by_role("group", name=f"Code 1 {TEXT}").count()
            + page.get_by_role("group", name=f"Code 2 {TEXT}").count()
            == 1
        )
        assert page.get_by_role("button", name="Link öffnen").count() == 1
        assert page.get_by_text("2 Codes gefunden").count() >= 1
        assert audit_unnamed(page) == []
        screenshot(page, screenshot_dir / "live-camera.png")
    finally:
        browser.close()
    assert "Traceback" not in app.tail(200)
