"""Showing codes that belong to no notice: their text, a link's domain first, a copy button per code.

A code can carry any text, and a link in it can lead anywhere: it is never opened on its own. Code texts
are plain (not selectable) text: in Flet 1.0.5 web mode a selectable text becomes a disabled text box whose
content screen readers never hear; the copy button is the way to take a text elsewhere. The domain
comes first (where a browser would really go, from `domain.urls.host_of`), the full address after it; an
address that could lead elsewhere than it reads (a backslash, user info, hidden characters) is no link
and is listed as plain text. "Open" is offered only for addresses on the city's
allow-list and asks for confirmation first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

import flet as ft

from leipzig_app.domain.urls import host_of, is_allowed_link
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.widgets.common import heading, primary_button, secondary_button, text_button
from leipzig_app.ui.widgets.links import launch

#: How long a clipboard call may take before the screen says copying is not possible.
CLIPBOARD_TIMEOUT = 5.0


def link_of(text: str) -> str | None:
    """The text as a link when it is a single http(s) address whose host can be read safely (see
    `domain.urls.host_of`: no backslash, user info or hidden characters), else None."""
    candidate = text.strip()
    if not candidate.lower().startswith(("http://", "https://")) or not host_of(candidate):
        return None
    return candidate


class CodeList:
    """The list of codes read; `show` replaces its content."""

    def __init__(self, ctx: ViewContext) -> None:
        self.ctx = ctx
        self.control = ft.Column(spacing=12, key="scanner.results", visible=False)
        # Kept for the screen's lifetime: services without a reference are dropped from the page.
        self._clipboard = ft.Clipboard()

    def show(self, texts: Sequence[str], *, note: str | None = None) -> None:
        t = self.ctx.t
        controls: list[ft.Control] = [
            heading(t("scanner.result.title"), level=2, key="scanner.results.title")
        ]
        controls.append(ft.Text(note or t("scanner.result.unknown"), key="scanner.results.note"))
        for number, text in enumerate(texts, start=1):
            controls.append(self._code_card(number, text))
        self.control.controls = controls
        self.control.visible = True

    def clear(self) -> None:
        self.control.controls = []
        self.control.visible = False

    def _code_card(self, number: int, text: str) -> ft.Control:
        t = self.ctx.t
        key = f"scanner.code.{number}"
        lines: list[ft.Control] = [
            ft.Text(t("scanner.result.code", number=number), theme_style=ft.TextThemeStyle.LABEL_LARGE)
        ]
        link = link_of(text)
        actions: list[ft.Control] = [
            secondary_button(
                t("scanner.result.copy", number=number),
                key=f"{key}.copy",
                icon=ft.Icons.CONTENT_COPY,
                on_click=self._copy_handler(number, text),
            )
        ]
        if link is None:
            lines.append(ft.Text(text, key=f"{key}.text"))
        else:
            domain = host_of(link)
            lines.append(
                ft.Text(
                    t("scanner.result.link_to", domain=domain),
                    key=f"{key}.domain",
                    weight=ft.FontWeight.BOLD,
                    theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
                )
            )
            lines.append(ft.Text(t("scanner.result.full_address"), color=ft.Colors.ON_SURFACE_VARIANT))
            lines.append(ft.Text(link, key=f"{key}.text"))
            if is_allowed_link(link, self.ctx.profile.links.allowed_domains):
                actions.append(
                    primary_button(
                        t("scanner.result.open"),
                        key=f"{key}.open",
                        icon=ft.Icons.OPEN_IN_NEW,
                        on_click=lambda e, url=link, d=domain: self._confirm_open(url, d),
                    )
                )
            else:
                lines.append(
                    ft.Text(
                        t("scanner.result.not_allowed"),
                        key=f"{key}.not_allowed",
                        color=ft.Colors.ON_SURFACE_VARIANT,
                    )
                )
        lines.append(ft.Row(actions, wrap=True, spacing=8, run_spacing=8))
        return ft.Card(
            key=key,
            content=ft.Container(padding=ft.Padding.all(16), content=ft.Column(lines, spacing=6)),
        )

    # --- actions ---------------------------------------------------------------------------------------

    def _copy_handler(self, number: int, text: str) -> Callable[[], Awaitable[None]]:
        async def copy() -> None:
            await self._copy(number, text)

        return copy

    async def _copy(self, number: int, text: str) -> None:
        t = self.ctx.t
        try:
            await asyncio.wait_for(self._clipboard.set(text), CLIPBOARD_TIMEOUT)
        except Exception:  # noqa: BLE001 - a client without clipboard access: say so, the text stays shown
            self.ctx.announce(t("scanner.result.copy_failed"))
            return
        self.ctx.announce(t("scanner.result.copied", number=number))

    def _confirm_open(self, url: str, domain: str) -> None:
        t = self.ctx.t
        page = self.ctx.page

        def close() -> None:
            page.pop_dialog()

        async def open_link() -> None:
            page.pop_dialog()
            # Checked again at the moment of opening: the list is the only thing that allows a link.
            if not is_allowed_link(url, self.ctx.profile.links.allowed_domains) or not await launch(url):
                self.ctx.announce(t("scanner.result.open_failed"))
                return
            self.ctx.announce(t("scanner.result.opened", domain=domain))

        dialog = ft.AlertDialog(
            key="scanner.confirm",
            modal=True,
            title=ft.Text(t("scanner.result.confirm_title")),
            semantics_label=t("scanner.result.confirm_title"),  # else the web's dialog has no name
            content=ft.Column(
                [
                    # The domain first, on its own line, as in every dialog that leaves the app.
                    ft.Text(domain, weight=ft.FontWeight.BOLD, key="scanner.confirm.domain"),
                    ft.Text(t("scanner.result.confirm_text", domain=domain), key="scanner.confirm.text"),
                    ft.Text(url, color=ft.Colors.ON_SURFACE_VARIANT),
                ],
                tight=True,
                spacing=8,
            ),
            actions=[
                text_button(t("scanner.result.cancel"), key="scanner.confirm.cancel", on_click=close),
                primary_button(
                    t("scanner.result.confirm_open"), key="scanner.confirm.open", on_click=open_link
                ),
            ],
        )
        with contextlib.suppress(Exception):
            page.show_dialog(dialog)
