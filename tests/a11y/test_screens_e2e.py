"""Every screen in real Chromium with Flutter's semantics on: each operable element has an accessible name
(what a screen reader announces) and the main screens' touch targets are at least 48 x 48 px.

One page walks all screens by URL; long screens are scrolled through, since Flutter builds list items
only when they come into view. A demo letter issued by the app's CLI is opened in the scanner so the
notice screen and its four action steps are audited with real data.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests.a11y.screens import (
    FLET_ERROR,
    STATIC_ROUTES,
    Box,
    cut_off_at_the_side,
    flet_errors,
    go,
    issue_demo_letter,
    letter_routes,
    news_routes,
    open_letter,
    operable_boxes,
    scroll_positions,
    set_preferences,
    visible,
)
from tests.support.browser import audit_unnamed, open_app, text_scale

#: Screens whose touch targets are measured (the first view of each section and the notice screen).
MAIN_SCREENS = ("/", "/news", "/appointments", "/reports", "/scanner", "/more", "/more/settings")
MIN_TARGET = 48.0
#: Screens checked at 200 % text on a 360 px phone.
LARGE_TEXT_SCREENS = (
    *MAIN_SCREENS,
    "/appointments/new",
    "/reports/new",
    "/scanner/manual",
    "/more/waste",
    "/more/accessibility",
)


def _audit(page: Any, route: str) -> list[str]:
    go(page, route)
    found: set[str] = set()
    for _ in scroll_positions(page):
        for control in audit_unnamed(page):
            found.add(f"{route}: unnamed {control.role} ({control.identifier or control.description or '-'})")
        found.update(f"{route}: Flet could not draw a control: {error}" for error in flet_errors(page))
    return sorted(found)


@pytest.mark.e2e
def test_every_screen_names_every_operable_element(
    phone_page: Any, a11y_data_dir: Path, tmp_path: Path
) -> None:
    page = phone_page
    problems: list[str] = []
    for route in STATIC_ROUTES:
        problems += _audit(page, route)
    # The news list has fetched the demo city's feeds by now: open one item in full.
    routes = news_routes(a11y_data_dir)
    assert routes, "the demo city's news never arrived"
    letter = issue_demo_letter(tmp_path / "bescheid.png")
    letter_id = open_letter(
        page, letter, a11y_data_dir, pick_label="Foto oder Datei wählen", ready_text="Von der Stadt bestätigt"
    )
    for route in [*routes, *letter_routes(letter_id)]:
        problems += _audit(page, route)
    problems += _audit_report_draft(page)
    assert not problems, "\n".join(problems)


def _audit_report_draft(page: Any) -> list[str]:
    """The screen that offers to continue an unfinished report: choose a category (that is a draft),
    leave the wizard, and come back."""
    go(page, "/reports/new")
    category = page.get_by_role("button", name=re.compile("^Graffiti"))
    category.first.wait_for(timeout=30_000)
    category.first.click()
    page.get_by_role("button", name="Zurück").first.wait_for(timeout=30_000)  # step 2 of the wizard
    go(page, "/news")
    problems = _audit(page, "/reports/new")
    assert page.get_by_role("button", name="Fortsetzen").count() == 1, "no offer to continue the draft"
    return problems


def _small_targets(boxes: list[Box]) -> list[Box]:
    # Flutter rounds semantics rectangles to fractions of a pixel; half a pixel is not a finding.
    return [b for b in boxes if b.width < MIN_TARGET - 0.5 or b.height < MIN_TARGET - 0.5]


@pytest.mark.e2e
def test_touch_targets_on_the_main_screens_are_at_least_48_px(touch_page: Any) -> None:
    page = touch_page
    small: list[str] = []
    for route in MAIN_SCREENS:
        go(page, route)
        boxes = visible(operable_boxes(page), page)
        assert [b for b in boxes if b.role != "tab"], f"{route}: no operable element besides the tabs"
        small += [f"{route}: {box}" for box in _small_targets(boxes)]
    assert not small, "\n".join(small)


def _layout_problems(route: str, boxes: list[Box], width: float) -> list[str]:
    problems = [f"{route}: cut off at the side: {b}" for b in boxes if b.x < -1 or b.right > width + 1]
    for i, first in enumerate(boxes):
        for second in boxes[i + 1 :]:
            # A control inside another (a button at the end of a search field) is by design, not a clash.
            if first.overlaps(second) and not (first.contains(second) or second.contains(first)):
                problems.append(f"{route}: overlapping: {first} / {second}")
    return problems


@pytest.mark.e2e
def test_at_200_percent_text_nothing_operable_is_cut_off_or_overlapping(large_text_page: Any) -> None:
    page = large_text_page
    assert text_scale(page) == 2.0
    width = float((page.viewport_size or {"width": 360})["width"])
    problems: list[str] = []
    for route in LARGE_TEXT_SCREENS:
        go(page, route)
        for _ in scroll_positions(page, steps=3):
            boxes = [b for b in operable_boxes(page) if b.role != "tab"]
            problems += _layout_problems(route, visible(boxes, page), width)
            problems += [f"{route}: runs off the screen: {text!r}" for text in cut_off_at_the_side(page)]
    assert not problems, "\n".join(sorted(set(problems)))


def test_flet_error_boxes_are_recognised() -> None:
    assert FLET_ERROR.search("Semantics.content must be provided and visible")
    assert FLET_ERROR.search("Unknown control: FancyChart")
    assert not FLET_ERROR.search("Der Betrag muss größer als 0 sein. Content must be checked.")


@pytest.mark.e2e
def test_arabic_runs_right_to_left_with_named_controls(
    browser_thread: Any, chromium_browser: Any, a11y_app: Any, a11y_data_dir: Path
) -> None:
    """Arabic in Chromium: the first tab sits on the right, and on every screen each operable element has
    a name and Flet draws every control."""
    set_preferences(a11y_data_dir, language="ar")
    context = chromium_browser.new_context(viewport={"width": 390, "height": 844}, locale="ar")
    try:
        page = context.new_page()
        open_app(page, a11y_app.url)
        home_tab = page.get_by_role("tab", name="الرئيسية").first
        home_tab.wait_for(timeout=30_000)
        home = home_tab.bounding_box()
        more = page.get_by_role("tab", name="المزيد").first.bounding_box()
        assert home is not None
        assert more is not None
        assert home["x"] > more["x"]  # mirrored: "Home" is the rightmost tab
        problems: list[str] = []
        for route in STATIC_ROUTES:  # every screen: Arabic names are longer and run the other way
            problems += _audit(page, route)
        assert not problems, "\n".join(problems)
    finally:
        context.close()
        set_preferences(a11y_data_dir, language="de")
