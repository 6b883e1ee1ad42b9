"""Walking every screen of the app in Chromium: the routes, URL navigation inside one page, and reading the
boxes of the operable elements Flutter puts in its semantics tree.

Shared by the accessibility tests and `scripts/gallery.py`. Navigation uses the browser history (push a
URL and fire `popstate`), which Flet turns into a route change: the same page and session, so one
Flutter boot (about 6 s) serves every screen instead of one boot per screen.

The app is run with its own data folder; preferences (language, theme, text size) are written into the
app's SQLite file and take effect on the next page load, as if the user had changed them in settings.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page
from tests.support.browser import next_frames

EXE = str(Path(sys.executable).with_name("leipzig-app"))
DATABASE = "leipzig-app.sqlite3"
WAIT_MS = 30_000

#: Every screen reachable without data of the user's own, by URL. Routes that need an id ("/news/<id>",
#: "/scanner/notice/<id>/...") are added by `news_routes` and `letter_routes` once the data exists.
STATIC_ROUTES: tuple[str, ...] = (
    "/",
    "/news",
    "/appointments",
    "/appointments/new",
    "/appointments/mine/unknown",
    "/reports",
    "/reports/new",
    "/reports/mine/unknown",
    "/scanner",
    "/scanner/manual",
    "/scanner/notice",
    "/more",
    "/more/settings",
    "/more/accessibility",
    "/more/privacy",
    "/more/imprint",
    "/more/ticket",
    "/more/library",
    "/more/waste",
    "/more/online_services",
    "/more/participation",
    "/more/numbers",
)
LETTER_STEPS: tuple[str, ...] = ("", "pay", "transfer", "later", "object")

#: ARIA roles of elements a user operates (text fields show up as <input>/<textarea>).
OPERABLE = (
    "button",
    "link",
    "tab",
    "checkbox",
    "radio",
    "switch",
    "textbox",
    "combobox",
    "slider",
    "menuitem",
)

#: Height of the status line between the scrolling area and the navigation bar (CSS px).
STATUS_LINE = 24

_BOXES_JS = """(roles) => {
    const seen = new Set();
    const out = [];
    const pick = (el, role) => {
        if (seen.has(el)) return;
        seen.add(el);
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) return;
        const name = el.getAttribute('aria-label') || (el.textContent || '').trim();
        out.push({role, name: name.slice(0, 60), x: r.x, y: r.y, width: r.width, height: r.height});
    };
    document.querySelectorAll('flt-semantics[role]').forEach(el => {
        const role = el.getAttribute('role');
        if (roles.includes(role)) pick(el, role);
    });
    document.querySelectorAll('flt-semantics input, flt-semantics textarea').forEach(el => {
        pick(el.closest('flt-semantics') || el, 'textbox');
    });
    return out;
}"""


@dataclass(frozen=True)
class Box:
    """The on-screen box of one operable element, in CSS pixels of the viewport."""

    role: str
    name: str
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def overlaps(self, other: Box, tolerance: float = 1.0) -> bool:
        """True when the two boxes share an area (edges that touch do not count)."""
        return (
            min(self.right, other.right) - max(self.x, other.x) > tolerance
            and min(self.bottom, other.bottom) - max(self.y, other.y) > tolerance
        )

    def contains(self, other: Box, tolerance: float = 1.0) -> bool:
        return (
            self.x - tolerance <= other.x
            and self.y - tolerance <= other.y
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )

    def __str__(self) -> str:
        return f"{self.role} {self.name!r} at ({self.x:.0f},{self.y:.0f}) {self.width:.0f}x{self.height:.0f}"


def go(page: Page, route: str, settle_ms: int = 900) -> None:
    """Show `route` in the running app (a history entry plus `popstate`, as the back button does)."""
    page.evaluate(
        "(r) => { history.pushState(null, '', r); "
        "window.dispatchEvent(new PopStateEvent('popstate', {state: null})); }",
        route,
    )
    next_frames(page, 2)
    page.wait_for_timeout(settle_ms)


def operable_boxes(page: Page) -> list[Box]:
    """The boxes of every operable element in Flutter's semantics tree (semantics must be on)."""
    rows: list[dict[str, Any]] = page.evaluate(_BOXES_JS, list(OPERABLE))
    return [Box(r["role"], r["name"], r["x"], r["y"], r["width"], r["height"]) for r in rows]


#: How the Flet client words a control it refuses to draw (it shows a red box with this text instead),
#: e.g. "Semantics.content must be provided and visible", "Unknown control: Foo".
FLET_ERROR = re.compile(r"\b[A-Z]\w*\.\w+ must be\b|\bUnknown control\b|\bis not supported\b")


def flet_errors(page: Page) -> list[str]:
    """Texts on the screen that are Flet's error boxes rather than the app's content."""
    texts: list[str] = page.evaluate(
        """() => Array.from(document.querySelectorAll('flt-semantics'))
            .map(e => e.getAttribute('aria-label') || '')
            .concat([document.body.innerText || ''])"""
    )
    return sorted({match.group(0) for text in texts for match in FLET_ERROR.finditer(text)})


def cut_off_at_the_side(page: Page) -> list[str]:
    """Texts and controls of the semantics tree placed past the left or right edge of the viewport (a row
    that does not wrap pushes its last texts out): what they say, shortened.

    A text cut inside its own box (one long word in a row) keeps a box inside the screen in the semantics
    tree: that is only seen on screenshots (scripts/gallery.py)."""
    found: list[str] = page.evaluate(
        """() => Array.from(document.querySelectorAll('flt-semantics')).filter(e => {
                const r = e.getBoundingClientRect();
                return r.width > 0 && r.height > 0 && (r.right > window.innerWidth + 1 || r.left < -1);
            }).map(e => (e.getAttribute('aria-label') || e.textContent || e.tagName).trim().slice(0, 60))"""
    )
    return found


def visible(boxes: list[Box], page: Page) -> list[Box]:
    """The boxes a user sees whole, judged at the top of a screen: items cut by the lower edge of the
    scrolling area (Flutter clips their semantics box to what is shown) are not judged.

    The scrolling area ends above the status line and the navigation bar (its tabs).
    """
    size = page.viewport_size or {"width": 0, "height": 0}
    tabs = [b.y for b in boxes if b.role == "tab"]
    content_bottom = min(tabs) - STATUS_LINE if tabs else size["height"]
    return [b for b in boxes if b.role == "tab" or (b.y >= -1 and b.bottom <= content_bottom - 1)]


def _content_below(page: Page) -> bool:
    """True while semantics nodes reach below the viewport (a list with more to show further down)."""
    return bool(
        page.evaluate(
            """() => Array.from(document.querySelectorAll('flt-semantics')).some(
                e => e.getBoundingClientRect().bottom > window.innerHeight + 2
                     && e.getBoundingClientRect().top < window.innerHeight * 3)"""
        )
    )


def scroll_positions(page: Page, steps: int = 6) -> Iterator[int]:
    """Yield at the top and after each scroll step down a long screen, then scroll back to the top.

    Flutter builds list items lazily, so an audit must look at every part of a long screen; a screen
    that fits into the viewport is looked at once.
    """
    size = page.viewport_size or {"width": 390, "height": 844}
    page.mouse.move(size["width"] / 2, size["height"] / 2)
    yield 0
    moved = 0
    for step in range(1, steps + 1):
        if not _content_below(page):
            break
        page.mouse.wheel(0, size["height"] * 0.7)
        moved += 1
        next_frames(page, 2)
        page.wait_for_timeout(250)
        yield step
    if moved:
        page.mouse.wheel(0, -size["height"] * moved)
        next_frames(page, 2)


def set_preferences(data_dir: Path, **values: Any) -> None:
    """Write preferences into the app's database; they apply to the next page load."""
    with closing(sqlite3.connect(data_dir / DATABASE)) as conn, conn:
        for key, value in values.items():
            conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )


def first_id(data_dir: Path, table: str) -> str | None:
    """The id of the first row of one of the app's tables (news items, letters), or None."""
    with closing(sqlite3.connect(data_dir / DATABASE)) as conn:
        row = conn.execute(f"SELECT id FROM {table} ORDER BY rowid LIMIT 1").fetchone()
    return str(row[0]) if row else None


def news_routes(data_dir: Path) -> list[str]:
    item = first_id(data_dir, "news_items")
    return [f"/news/{item}"] if item else []


def letter_routes(letter_id: str) -> list[str]:
    return [f"/scanner/notice/{letter_id}" + (f"/{step}" if step else "") for step in LETTER_STEPS]


def issue_demo_letter(target: Path, amount: str = "61.20") -> Path:
    """A printed demo letter (signed notice code and GiroCode) made by the app's own CLI."""
    result = subprocess.run(
        # The issuing demo city numbers its letters in a folder of its own beside the letter.
        [
            EXE,
            "--data-dir",
            str(target.parent / "issuer"),
            "notice",
            "issue",
            "--out",
            str(target),
            "--amount",
            amount,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"notice issue failed: {result.stderr.strip()}")
    return target


def open_letter(page: Page, letter: Path, data_dir: Path, *, pick_label: str, ready_text: str) -> str:
    """Choose the letter in the scanner's file picker, wait for the notice screen, return the letter id."""
    go(page, "/scanner")
    pick = page.get_by_role("button", name=pick_label).first
    pick.wait_for(timeout=WAIT_MS)
    with page.expect_file_chooser(timeout=WAIT_MS) as chooser:
        pick.click()
    chooser.value.set_files(str(letter))
    page.get_by_text(ready_text).first.wait_for(timeout=WAIT_MS)
    letter_id = first_id(data_dir, "letters")
    if letter_id is None:
        raise RuntimeError("the notice screen opened but no letter was kept")
    return letter_id
