"""The content column on a desktop-wide window in real Chromium: at most CONTENT_MAX_WIDTH wide and centred
in the space beside the navigation rail (left of it in Arabic), also at 200 % text; the mouse wheel
scrolls the screen anywhere over the column; a phone-wide window keeps the whole width.

What is measured is the "Neue Meldung" button of the reports screen, which spans its screen's width less
the screen's padding, and the rail's "Start" destination, which spans the rail's width.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.a11y.screens import go, set_preferences
from tests.support.browser import box_of, next_frames, open_app, screenshot, set_text_scale

from leipzig_app.i18n import catalog
from leipzig_app.ui.shell import CONTENT_MAX_WIDTH

EXE = str(Path(sys.executable).with_name("leipzig-app"))
WAIT = 30_000
WIDE = {"width": 1600, "height": 900}
PHONE = {"width": 390, "height": 844}
#: The reports screen's own padding on each side of its button.
PADDING = 16
#: The rail's divider line between the rail and the content.
DIVIDER = 1
#: Half a logical pixel either way: Flutter places boxes on fractional pixels.
SLACK = 1.0

#: The box of the nearest semantics node around a rail destination that holds all the destinations.
RAIL_JS = """(el) => {
    const own = el.getBoundingClientRect();
    for (let node = el.parentElement; node; node = node.parentElement) {
        if (node.tagName !== 'FLT-SEMANTICS') continue;
        const r = node.getBoundingClientRect();
        if (r.height > 3 * own.height) return {x: r.x, y: r.y, width: r.width, height: r.height};
    }
    return null;
}"""


@pytest.fixture
def browser_context_options() -> dict[str, Any]:
    return {"viewport": WIDE, "locale": "de-DE"}


def _box(locator: Any) -> dict[str, float]:
    """Where the control is drawn once it is there and Flutter has settled its layout."""
    locator.wait_for(timeout=WAIT)
    next_frames(locator.page, 2)
    locator.page.wait_for_timeout(300)
    return box_of(locator)


def _new_report_button(page: Any, language: str) -> dict[str, float]:
    return _box(page.get_by_role("button", name=catalog(language)["reports.new"]).first)


def _space_beside_the_rail(page: Any, language: str) -> tuple[float, float]:
    """The left and right edge of what the rail and its divider leave of the window."""
    # The destination's name is its label and then Flutter's "Tab 1 von 6" (in the page's language).
    name = re.compile(rf"^{re.escape(catalog(language)['nav.home'])}\s")
    destination = page.get_by_role("button", name=name).first
    _box(destination)
    # The rail is the node around its destinations (which are centred in it when its labels make it wider).
    rail: dict[str, float] = destination.evaluate(RAIL_JS)
    width = page.viewport_size["width"]
    if language == "ar":  # right to left: the rail stands at the right edge
        assert rail["x"] + rail["width"] == pytest.approx(width, abs=SLACK), rail
        return 0.0, rail["x"] - DIVIDER
    assert rail["x"] == pytest.approx(0, abs=SLACK), rail
    return rail["x"] + rail["width"] + DIVIDER, float(width)


def _column_problems(page: Any, language: str, label: str) -> list[str]:
    """What is wrong with the content column: too wide, too narrow or not centred beside the rail."""
    button = _new_report_button(page, language)
    left, right = _space_beside_the_rail(page, language)
    column = min(CONTENT_MAX_WIDTH, right - left)
    problems = []
    if abs(button["width"] - (column - 2 * PADDING)) > SLACK:
        problems.append(
            f"{label}: the button is {button['width']:.1f} px wide in a space of {right - left:.1f} px "
            f"(expected {column - 2 * PADDING:.1f})"
        )
    centre = button["x"] + button["width"] / 2
    if abs(centre - (left + right) / 2) > SLACK:
        problems.append(
            f"{label}: the button's centre is at {centre:.1f} px, the space beside the rail "
            f"({left:.1f}-{right:.1f}) has its centre at {(left + right) / 2:.1f}"
        )
    return problems


@pytest.mark.e2e
def test_the_content_column_is_limited_and_centred_beside_the_rail(
    web_app_factory: Any, browser_context: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    go(page, "/reports")
    problems = _column_problems(page, "de", "de, 1600 px")
    screenshot(page, screenshot_dir / "de-1600.png")

    # 200 % text: the rail grows with its labels, the column stays within the rest and centred in it
    set_text_scale(page, 2.0)
    problems += _column_problems(page, "de", "de, 1600 px, 200 % text")
    screenshot(page, screenshot_dir / "de-1600-200.png")
    set_text_scale(page, 1.0)

    # a phone-wide window: no rail, the screen has the whole width again; and back
    page.set_viewport_size(PHONE)
    button = _new_report_button(page, "de")
    if abs(button["width"] - (PHONE["width"] - 2 * PADDING)) > SLACK or abs(button["x"] - PADDING) > SLACK:
        problems.append(f"de, 390 px: the button does not span the phone's width: {button}")
    screenshot(page, screenshot_dir / "de-390.png")
    page.set_viewport_size(WIDE)
    problems += _column_problems(page, "de", "de, back to 1600 px")

    set_preferences(tmp_path, language="ar")
    arabic = browser_context.new_page()  # a new tab is a new session, which reads the language
    open_app(arabic, app.url, ready_text=catalog("ar")["home.welcome"].split("{")[0].strip())
    go(arabic, "/reports")
    problems += _column_problems(arabic, "ar", "ar, 1600 px")
    screenshot(arabic, screenshot_dir / "ar-1600.png")
    assert not problems, "\n".join(problems)
    assert "Traceback" not in app.tail(200)


@pytest.mark.e2e
def test_the_wheel_scrolls_the_screen_anywhere_over_the_column(
    web_app_factory: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    go(page, "/news")
    search = page.get_by_role("textbox").first
    before = _box(search)
    left = before["x"] - PADDING  # the column's edge: the news screen pads its content by 16 px as well
    assert left > 0
    for x in (left + 4, left + CONTENT_MAX_WIDTH - 4):  # near both edges of the column
        start = _box(search)
        page.mouse.move(x, 600)
        for _ in range(2):
            page.mouse.wheel(0, 150)
            page.wait_for_timeout(250)
        after = _box(search)
        assert after["y"] < start["y"] - 100, f"the wheel at x={x:.0f} did not scroll: {start} then {after}"
        page.mouse.wheel(0, -2000)
        page.wait_for_timeout(800)
    screenshot(page, screenshot_dir / "news.png")
    assert "Traceback" not in app.tail(200)
