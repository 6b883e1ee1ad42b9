"""One web-mode app and one phone-sized Chromium page for the whole accessibility module.

Each fresh page boots Flutter (seconds), so the tests of a module share one page and move between screens
by URL (`screens.go`). The fixtures run in the Playwright thread (`browser_thread`), like the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.a11y.screens import EXE
from tests.support.browser import WebApp, open_app, set_text_scale_on_load, start_web_app, wait_for_flutter
from tests.support.fixtures import BrowserThread

PHONE = {"width": 390, "height": 844}
NARROW_PHONE = {"width": 360, "height": 780}
#: A touch phone's browser (Android user agent, touch, mobile viewport): Flutter then sizes controls for
#: fingers (48 px tap targets), as on a phone; a desktop browser gets the denser mouse sizes.
TOUCH_PHONE: dict[str, Any] = {
    "viewport": {"width": 412, "height": 839},
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/156.0.0.0 Mobile Safari/537.36"
    ),
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "de-DE",
}


@pytest.fixture(scope="module")
def a11y_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("a11y-data")


@pytest.fixture(scope="module")
def a11y_app(a11y_data_dir: Path) -> Iterator[WebApp]:
    with start_web_app([EXE, "--web", "--port", "{port}", "--data-dir", str(a11y_data_dir)]) as app:
        yield app


def _page_of(browser_thread: BrowserThread, start: Callable[[], Any]) -> Iterator[Any]:
    """The page `start` opens in the browser's thread; its context is closed afterwards."""
    context, page = browser_thread.call(start)
    try:
        yield page
    finally:
        browser_thread.call(context.close)


@pytest.fixture(scope="module")
def phone_page(browser_thread: BrowserThread, chromium_browser: Any, a11y_app: WebApp) -> Iterator[Any]:
    """A German phone-sized page with the app open and semantics on."""

    def start() -> Any:
        context = chromium_browser.new_context(viewport=PHONE, locale="de-DE")
        page = context.new_page()
        open_app(page, a11y_app.url, ready_text="Willkommen in Leipzig")
        return context, page

    yield from _page_of(browser_thread, start)


@pytest.fixture(scope="module")
def touch_page(browser_thread: BrowserThread, chromium_browser: Any, a11y_app: WebApp) -> Iterator[Any]:
    """The app in a touch phone's browser, semantics on."""

    def start() -> Any:
        context = chromium_browser.new_context(**TOUCH_PHONE)
        page = context.new_page()
        page.goto(a11y_app.url)
        wait_for_flutter(page)
        # Flutter's mobile semantics switch wants a real tap on its placeholder, not a synthetic click.
        page.locator("flt-semantics-placeholder").tap(force=True)
        page.locator("flt-semantics").first.wait_for(state="attached", timeout=30_000)
        page.get_by_text("Willkommen in Leipzig").first.wait_for(timeout=30_000)
        return context, page

    yield from _page_of(browser_thread, start)


@pytest.fixture(scope="module")
def large_text_page(browser_thread: BrowserThread, chromium_browser: Any, a11y_app: WebApp) -> Iterator[Any]:
    """A narrow phone (360 px) whose browser text size is 200 %, as a resident with low vision sets it."""

    def start() -> Any:
        context = chromium_browser.new_context(viewport=NARROW_PHONE, locale="de-DE")
        set_text_scale_on_load(context, 2.0)
        page = context.new_page()
        open_app(page, a11y_app.url, ready_text="Willkommen in Leipzig")
        return context, page

    yield from _page_of(browser_thread, start)
