"""End-to-end in real Chromium against the sample app in web mode: clicks, typing, names, audit, PNGs."""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page
from tests.support.browser import (
    WebApp,
    audit_unnamed,
    open_app,
    screenshot,
    set_text_scale,
    set_text_scale_on_load,
    start_web_app,
    text_scale,
    type_into,
)
from tests.support.fixtures import BrowserThread

pytestmark = pytest.mark.e2e

SAMPLE = Path(__file__).resolve().parents[1] / "support" / "sample_app.py"


@pytest.fixture(scope="module")
def sample_app() -> Iterator[WebApp]:
    """One server for the module; every test opens its own browser context and so its own session."""
    with start_web_app([sys.executable, str(SAMPLE), "--port", "{port}"]) as app:
        yield app


@pytest.fixture
def app_page(browser_thread: BrowserThread, browser_page: Page, sample_app: WebApp) -> Page:
    browser_thread.call(open_app, browser_page, sample_app.url, ready_text="Count: 0")
    return browser_page


def test_a_click_and_typing_change_texts(app_page: Page) -> None:
    app_page.get_by_role("button", name="Add one", exact=True).click()
    app_page.get_by_text("Count: 1").wait_for(timeout=10_000)
    type_into(app_page, app_page.get_by_role("textbox", name="Your name"), "Ada")
    app_page.keyboard.press("Enter")
    app_page.get_by_text("Hello, Ada!").wait_for(timeout=10_000)


def test_semantics_names_are_found_and_the_audit_reports_the_unnamed_icon_button(app_page: Page) -> None:
    assert app_page.get_by_role("heading", name="Harness sample").count() == 1
    assert app_page.get_by_role("button", name="Add one more").count() == 1
    assert app_page.get_by_role("textbox", name="Your name").count() == 1
    assert 'button "Remember name"' in app_page.locator("body").aria_snapshot()
    # Five operable elements, one of them the tooltip-only IconButton without a name.
    assert [control.role for control in audit_unnamed(app_page)] == ["button"]


def test_screenshots_are_pngs_and_200_percent_text_doubles_the_text(
    app_page: Page, screenshot_dir: Path
) -> None:
    path = screenshot(app_page, screenshot_dir / "first-screen.png")
    data = path.read_bytes()
    assert path.parent.name == "test_screenshots_are_pngs_and_200_percent_text_doubles_the_text"
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (400, 800)

    before = app_page.get_by_text("Count: 0").bounding_box()
    assert before is not None
    set_text_scale(app_page, 2.0)
    assert text_scale(app_page) == 2.0
    app_page.wait_for_function(
        "(h) => [...document.querySelectorAll('flt-semantics')]"
        ".some(e => e.textContent === 'Count: 0' && e.getBoundingClientRect().height > 1.8 * h)",
        arg=before["height"],
        timeout=10_000,
    )
    assert screenshot(app_page, screenshot_dir / "text-200.png").stat().st_size > 0


def text_height(page: Page, text: str) -> float:
    box = page.get_by_text(text, exact=True).bounding_box()
    assert box is not None
    return float(box["height"])


def test_an_app_can_start_with_200_percent_text(browser_context: BrowserContext, sample_app: WebApp) -> None:
    set_text_scale_on_load(browser_context, 2.0)
    page = browser_context.new_page()
    open_app(page, sample_app.url, ready_text="Count: 0")
    assert text_scale(page) == 2.0
    large = text_height(page, "Count: 0")
    set_text_scale(page, 1.0)
    page.wait_for_function(
        "(h) => [...document.querySelectorAll('flt-semantics')]"
        ".some(e => e.textContent === 'Count: 0' && e.getBoundingClientRect().height < 0.6 * h)",
        arg=large,
        timeout=10_000,
    )
