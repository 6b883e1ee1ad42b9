"""The map of the place step in real Chromium, with a mouse: the wheel over the map scrolls the step (as
everywhere else on the page) instead of zooming the map, which zooms with its own + and - buttons.

Whether the map zoomed is read from the demo city's tile requests: every zoom level asks for its own tiles
(`/open311/demo-tiles/{z}/{x}/{y}.png`), and the map opens at level 16.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.a11y.screens import go
from tests.support.browser import box_of, open_app, screenshot, type_into

from leipzig_app.i18n import catalog

EXE = str(Path(sys.executable).with_name("leipzig-app"))
WAIT = 20_000
TILE = re.compile(r"/open311/demo-tiles/(\d+)/\d+/\d+\.png")
DESKTOP = {"width": 1280, "height": 800}
MIN_TARGET = 48


@pytest.fixture
def browser_context_options() -> dict[str, Any]:
    return {"viewport": DESKTOP, "locale": "de-DE"}


@pytest.mark.e2e
def test_the_wheel_over_the_map_scrolls_the_step_and_the_buttons_zoom(
    web_app_factory: Any, browser_page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    texts = catalog("de")
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    zooms: list[int] = []
    page.on("request", lambda r: zooms.append(int(m.group(1))) if (m := TILE.search(r.url)) else None)
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    go(page, "/reports/new")
    type_into(page, page.get_by_role("textbox", name="Kategorie suchen").first, "Ampel")
    page.get_by_role("button", name="Ampelstörung").first.click(timeout=WAIT)
    description = page.get_by_role("textbox", name="Beschreibung *").first
    description.wait_for(timeout=WAIT)
    type_into(page, description, "Fußgängerampel bleibt dunkel.")
    page.get_by_role("button", name="Weiter", exact=True).first.click()

    the_map = page.get_by_text(texts["reports.map.label"], exact=True).first  # its node in the semantics tree
    the_map.wait_for(timeout=WAIT)
    page.wait_for_timeout(1500)  # the first tiles
    assert set(zooms) == {16}, zooms
    before = box_of(the_map)
    page.mouse.move(before["x"] + before["width"] / 2, before["y"] + before["height"] / 2)
    for _ in range(3):
        page.mouse.wheel(0, 200)
        page.wait_for_timeout(300)
    page.wait_for_timeout(1000)
    after = box_of(the_map)
    screenshot(page, screenshot_dir / "after-wheel.png")
    assert set(zooms) == {16}, f"the wheel zoomed the map: tiles of levels {sorted(set(zooms))}"
    assert after["y"] < before["y"] - 100, f"the step did not scroll: map at {before['y']}, then {after['y']}"

    # + and -: labelled, big enough, and they zoom
    plus = page.get_by_role("button", name=texts["reports.map.zoom_in"]).first
    minus = page.get_by_role("button", name=texts["reports.map.zoom_out"]).first
    for button in (plus, minus):
        box = box_of(button)
        assert min(box["width"], box["height"]) >= MIN_TARGET - 0.5, box
    plus.click()
    page.wait_for_timeout(1500)
    assert 17 in zooms, f"'+' did not zoom in: tiles of levels {sorted(set(zooms))}"
    zooms.clear()
    minus.click()
    page.wait_for_timeout(800)  # the map's zoom animation (500 ms) ends, as the resident looks at it
    minus.click()
    page.wait_for_timeout(1500)
    assert 15 in zooms, f"'-' did not zoom out: tiles of levels {sorted(set(zooms))}"
    assert "Traceback" not in app.tail(200)
