"""Screen gallery: start the app in web mode on the demo city and photograph every screen in Chromium.

    .venv/bin/python scripts/gallery.py                 # writes docs/gallery/*.png and docs/gallery/README.md
    .venv/bin/python scripts/gallery.py --out /tmp/g    # somewhere else

The matrix (not the full cross product): every screen on a phone (390 x 844) in German and in Arabic
(right to left), light theme; the main screens in the dark theme, on a desktop window (1280 x 800), in
Arabic dark, at 200 % browser text size on a 360 px phone, and the notice flow in easy German. Each PNG
is reduced to a 256-colour palette with Pillow so the folder stays small enough for the repository.

A demo letter is issued with the app's own CLI (`leipzig-app notice issue`) and opened in the scanner, so
the notice screen and its steps show real data. The app runs with its own temporary data folder and is
stopped at the end; nothing listens anywhere but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402
from tests.a11y.screens import (  # noqa: E402
    EXE,
    STATIC_ROUTES,
    go,
    issue_demo_letter,
    letter_routes,
    news_routes,
    open_letter,
    set_preferences,
)
from tests.support.browser import (  # noqa: E402
    launch_chromium,
    open_app,
    screenshot,
    set_text_scale_on_load,
    start_web_app,
)

PHONE = {"width": 390, "height": 844}
NARROW_PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 800}
MAIN = ("/", "/news", "/appointments", "/reports", "/scanner", "/more")


@dataclass(frozen=True)
class Variant:
    """One row of the matrix: how the app is set up and which screens are photographed."""

    slug: str
    title: str
    viewport: dict[str, int]
    language: str = "de"
    theme: str = "light"
    easy: bool = False
    text_scale: float = 1.0


def slug_of(route: str) -> str:
    parts = [p for p in route.strip("/").split("/") if p]
    # Letter ids and news ids change from run to run; the gallery names the screen, not the record.
    if parts[:2] == ["scanner", "notice"] and len(parts) >= 3:
        parts = ["notice", *parts[3:]]
    elif parts[:1] == ["news"] and len(parts) == 2:
        parts = ["news", "item"]
    return "-".join(parts) or "home"


def optimise(path: Path) -> int:
    """Re-encode a screenshot as a 256-colour PNG (text stays sharp; about a fifth of the size)."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, optimize=True)
    return path.stat().st_size


def open_variant(browser: Browser, url: str, data_dir: Path, variant: Variant) -> tuple[BrowserContext, Page]:
    """A fresh browser session with the variant's preferences stored first (Flet keeps a session, and
    with it the preferences read at its start, across reloads of the same tab)."""
    set_preferences(
        data_dir, language=variant.language, theme=variant.theme, easy_language=variant.easy, text_scale=1.0
    )
    context = browser.new_context(viewport=variant.viewport, locale="de-DE")
    if variant.text_scale != 1.0:
        set_text_scale_on_load(context, variant.text_scale)
    page = context.new_page()
    open_app(page, url)
    page.wait_for_timeout(1500)
    return context, page


def shoot(
    page: Page, out: Path, variant: Variant, routes: list[str], shots: dict[str, list[tuple[str, str]]]
) -> None:
    for route in routes:
        go(page, route, settle_ms=1500)
        name = f"{variant.slug}--{slug_of(route)}.png"
        screenshot(page, out / name, settle_ms=300)
        size = optimise(out / name)
        shots.setdefault(variant.slug, []).append((route, name))
        print(f"{name}  {size // 1024} KiB", flush=True)


def write_index(out: Path, variants: list[Variant], shots: dict[str, list[tuple[str, str]]]) -> None:
    lines = [
        "# Screen gallery",
        "",
        "Every screen of the Leipzig App on the demo city, made by `scripts/gallery.py` (web mode in",
        "Chromium). Regenerate after changing a screen: `.venv/bin/python scripts/gallery.py`.",
        "",
        "What to look for: text cut off, overlapping controls, low contrast, empty screens. Findings and",
        "how the screens are checked automatically: [docs/accessibility.md](../accessibility.md).",
        "",
    ]
    for variant in variants:
        entries = shots.get(variant.slug, [])
        if not entries:
            continue
        lines += [f"## {variant.title}", ""]
        per_row = 4 if variant.viewport["width"] < 600 else 2
        width = 180 if per_row == 4 else 400
        for start in range(0, len(entries), per_row):
            row = entries[start : start + per_row]
            lines.append("| " + " | ".join(f"`{route}`" for route, _ in row) + " |")
            lines.append("|" + "---|" * len(row))
            lines.append(
                "| "
                + " | ".join(
                    f'<img src="{name}" width="{width}" alt="{variant.title}: {route}">'
                    for route, name in row
                )
                + " |"
            )
            lines.append("")
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "gallery", help="folder for PNGs and README"
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gallery-") as tmp:
        data_dir = Path(tmp) / "data"
        letter = issue_demo_letter(Path(tmp) / "bescheid.png")
        cmd = [EXE, "--web", "--port", "{port}", "--data-dir", str(data_dir)]
        with start_web_app(cmd) as app, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                context = browser.new_context(viewport=PHONE, locale="de-DE")
                page = context.new_page()
                open_app(page, app.url, ready_text="Willkommen in Leipzig")
                go(page, "/news", settle_ms=3000)
                letter_id = open_letter(
                    page,
                    letter,
                    data_dir,
                    pick_label="Foto oder Datei wählen",
                    ready_text="Von der Stadt bestätigt",
                )
                every = [*STATIC_ROUTES, *news_routes(data_dir), *letter_routes(letter_id)]
                notice = letter_routes(letter_id)
                variants_routes: list[tuple[Variant, list[str]]] = [
                    (Variant("de-light-phone", "German, light, phone (every screen)", PHONE), every),
                    (
                        Variant("de-dark-phone", "German, dark, phone", PHONE, theme="dark"),
                        [*MAIN, notice[0]],
                    ),
                    (
                        Variant("de-light-desktop", "German, light, desktop window", DESKTOP),
                        [*MAIN, notice[0], "/more/settings"],
                    ),
                    (
                        Variant(
                            "ar-light-phone",
                            "Arabic (right to left), light, phone (every screen)",
                            PHONE,
                            language="ar",
                        ),
                        every,
                    ),
                    (
                        Variant(
                            "ar-dark-desktop",
                            "Arabic, dark, desktop window",
                            DESKTOP,
                            language="ar",
                            theme="dark",
                        ),
                        [*MAIN[:3], notice[0]],
                    ),
                    (
                        Variant(
                            "de-200-phone", "German, 200 % text, 360 px phone", NARROW_PHONE, text_scale=2.0
                        ),
                        [*MAIN, notice[0], notice[1], "/appointments/new", "/reports/new", "/more/settings"],
                    ),
                    (
                        Variant(
                            "de-easy-phone", "Easy German (Leichte Sprache), notice flow", PHONE, easy=True
                        ),
                        notice,
                    ),
                ]
                shots: dict[str, list[tuple[str, str]]] = {}
                context.close()
                for variant, routes in variants_routes:
                    context, page = open_variant(browser, app.url, data_dir, variant)
                    try:
                        shoot(page, out, variant, routes, shots)
                    finally:
                        context.close()
                set_preferences(data_dir, language="de", theme="system", easy_language=False)
                write_index(out, [v for v, _ in variants_routes], shots)
            finally:
                browser.close()
            # Flet's server logs closed websockets of the finished sessions; only the app's own errors count.
            if "leipzig_app/" in app.tail(2000):
                print(app.tail(80), file=sys.stderr)
    total = sum(p.stat().st_size for p in out.glob("*.png"))
    count = len(list(out.glob("*.png")))
    print(f"{count} screenshots, {total // 1024} KiB, {time.perf_counter() - started:.0f} s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
