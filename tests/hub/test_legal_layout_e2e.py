"""The accessibility statement on a desktop-wide page in real Chromium: its buttons begin where its text
begins (the left edge in German, the right edge in Arabic), instead of standing in the middle of the page.

What is compared is what the resident sees: the drawn label of each button, found in a screenshot, against
the edge of the statement's text.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.a11y.screens import go, set_preferences
from tests.support.browser import box_of, next_frames, open_app

from leipzig_app.i18n import catalog

EXE = str(Path(sys.executable).with_name("leipzig-app"))
WAIT = 30_000
DESKTOP = {"width": 1280, "height": 900}
#: A text button keeps its label this far from its own edge (Material's padding), at most.
PADDING = 24


def _words(language: str, key: str) -> str:
    """The fixed words of a text, up to its first placeholder."""
    return catalog(language)[key].split("{")[0].rstrip(" (")


@pytest.fixture
def browser_context_options() -> dict[str, Any]:
    return {"viewport": DESKTOP, "locale": "de-DE"}


def _ink(page: Any, box: dict[str, float]) -> tuple[float, float]:
    """The left and right edge of what is drawn inside `box` (its label and icon), in page pixels."""
    import numpy as np
    from PIL import Image

    next_frames(page, 2)
    page.wait_for_timeout(300)
    shot = page.screenshot(clip=box)
    pixels = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).astype(int)
    background = pixels[1, 1]
    drawn = np.abs(pixels - background).sum(axis=2) > 90
    columns = np.flatnonzero(drawn.any(axis=0))
    assert columns.size, f"nothing drawn in {box}"
    scale = pixels.shape[1] / box["width"]
    return box["x"] + columns[0] / scale, box["x"] + (columns[-1] + 1) / scale


def _buttons_start_with_the_text(page: Any, language: str) -> list[str]:
    problems: list[str] = []
    go(page, "/more/accessibility")
    text = page.get_by_text(_words(language, "a11y.feedback.text")).first
    text.wait_for(timeout=WAIT)
    page.mouse.move(700, 500)
    page.mouse.wheel(0, 2000)  # the feedback and enforcement parts at the end
    for name in (_words(language, "a11y.feedback.write"), _words(language, "a11y.enforcement.open")):
        button = page.get_by_role("button").filter(has_text=name).first
        button.wait_for(timeout=WAIT)
        left, right = _ink(page, box_of(button))
        edge = box_of(text)
        gap = edge["x"] + edge["width"] - right if language == "ar" else left - edge["x"]
        if not 0 <= gap <= PADDING:
            problems.append(f"{language}: {name!r} drawn {gap:.0f} px from the text's start edge")
    return problems


@pytest.mark.e2e
def test_the_statements_buttons_begin_where_its_text_begins(
    web_app_factory: Any, browser_context: Any, browser_page: Any, tmp_path: Path
) -> None:
    app = web_app_factory([EXE, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    problems = _buttons_start_with_the_text(page, "de")

    set_preferences(tmp_path, language="ar")
    page = browser_context.new_page()  # a new tab is a new session, which reads the language
    open_app(page, app.url, ready_text=_words("ar", "home.welcome"))
    problems += _buttons_start_with_the_text(page, "ar")
    assert not problems, "\n".join(problems)
    assert "Traceback" not in app.tail(200)
