"""A small Flet app that exercises every feature of the UI test harness.

It is the harness's own subject, so the harness can be proved before (and independently of) the real
app: a counter button, a text field with change/submit, a layout that follows the window width, the
client's locale, a value remembered in SharedPreferences, a properly named icon button and, on purpose,
an icon button WITHOUT an accessible name (tooltip only: Flet 1.0.5 puts the tooltip on a wrapper) for
the accessibility audit to find.

Run it in web mode (what the end-to-end tests do)::

    python tests/support/sample_app.py --port 8550

It prints `App URL: http://127.0.0.1:8550` and serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import os

import flet as ft

#: Width (logical pixels) from which the sample switches to its wide layout.
WIDE_FROM = 640


async def main(page: ft.Page) -> None:
    page.title = "Harness sample"
    count = 0
    counter = ft.Text("Count: 0", key="sample.count")
    greeting = ft.Text("", key="sample.greeting")
    layout = ft.Text("", key="sample.layout")
    locale = ft.Text("Locale: unknown", key="sample.locale")
    remembered = ft.Text("", key="sample.remembered")
    prefs = ft.SharedPreferences()

    def show_layout() -> None:
        layout.value = "Layout: wide" if (page.width or 0) >= WIDE_FROM else "Layout: narrow"

    def increment() -> None:
        nonlocal count
        count += 1
        counter.value = f"Count: {count}"

    def on_change(e: ft.Event[ft.TextField]) -> None:
        greeting.value = f"Typing: {e.control.value}"

    def on_submit(e: ft.Event[ft.TextField]) -> None:
        greeting.value = f"Hello, {e.control.value}!"

    async def remember() -> None:
        await prefs.set("sample.name", name.value or "")
        remembered.value = f"Remembered: {await prefs.get('sample.name')}"

    def on_resize(e: ft.PageResizeEvent) -> None:
        show_layout()
        page.update()

    def on_locale(e: ft.LocaleChangeEvent) -> None:
        first = e.locales[0] if e.locales else None
        locale.value = f"Locale: {first.language_code}" if first else "Locale: unknown"
        page.update()

    name = ft.TextField(label="Your name", key="sample.name", on_change=on_change, on_submit=on_submit)
    page.on_resize = on_resize
    page.on_locale_change = on_locale
    show_layout()
    page.add(
        ft.Semantics(header=True, content=ft.Text("Harness sample", size=24)),
        counter,
        ft.Button("Add one", key="sample.add", on_click=increment),
        name,
        greeting,
        ft.Button("Remember name", key="sample.remember", on_click=remember),
        remembered,
        layout,
        locale,
        ft.Row(
            [
                ft.IconButton(
                    icon=ft.Icon(ft.Icons.ADD, semantics_label="Add one more"),
                    key="sample.named_icon",
                    on_click=increment,
                ),
                # Deliberately unnamed for screen readers: the audit must report it.
                ft.IconButton(
                    ft.Icons.DELETE, tooltip="Delete", key="sample.unnamed_icon", on_click=increment
                ),
            ]
        ),
    )


def run(port: int) -> None:
    # Serve the bundled Flutter client from 127.0.0.1 only, never from a CDN, and print the URL.
    os.environ.setdefault("FLET_FORCE_WEB_SERVER", "true")
    os.environ.setdefault("FLET_DISPLAY_URL_PREFIX", "App URL:")
    ft.run(main, host="127.0.0.1", port=port, view=ft.AppView.WEB_BROWSER, no_cdn=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the harness sample app in web mode.")
    parser.add_argument("--port", type=int, required=True)
    run(parser.parse_args().port)
