"""What every hub module view shares: the header with a back button, the platform, and opening links
only after naming the domain (the city's allow-list decides; a foreign link is never opened)."""

from __future__ import annotations

import contextlib
from typing import Any

import flet as ft

from leipzig_app.domain.urls import host_of, is_allowed_link
from leipzig_app.services.hub import HubService, LinkCheck, platform_name
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.widgets.common import error_banner, heading, icon_button, primary_button, text_button
from leipzig_app.ui.widgets.links import launch


def hub_of(ctx: ViewContext) -> HubService | None:
    hub = ctx.services.hub
    return hub if isinstance(hub, HubService) else None


def page_platform(ctx: ViewContext) -> str:
    platform = ctx.page.platform
    return platform_name(getattr(platform, "value", None) if platform else None, bool(ctx.page.web))


def header(ctx: ViewContext, module_id: str) -> ft.Control:
    t = ctx.t
    return ft.Row(
        [
            icon_button(
                ft.Icons.ARROW_BACK,
                t("common.back"),
                key=f"hub.{module_id}.back",
                on_click=lambda e: ctx.navigate("/more"),
            ),
            heading(t(f"hub.{module_id}.title"), key=f"hub.{module_id}.heading"),
        ],
        # A title too long for the line moves under the back button and wraps between words there, instead
        # of breaking inside a word at large text ("Abfuhrkalend / er"); as on the settings screen.
        wrap=True,
        vertical_alignment=ft.CrossAxisAlignment.CENTER,
    )


def page(ctx: ViewContext, module_id: str, controls: list[ft.Control]) -> ft.Control:
    return ft.ListView(
        [header(ctx, module_id), *controls], padding=16, spacing=12, expand=True, key=f"hub.{module_id}.view"
    )


def not_offered(ctx: ViewContext, module_id: str) -> ft.Control:
    return page(ctx, module_id, [error_banner(ctx.t("hub.not_offered"), key=f"hub.{module_id}.not_offered")])


def confirm_open(
    ctx: ViewContext, url: str, *, key: str = "hub.confirm", fallback: str | None = None, app: str = ""
) -> None:
    """Show the domain (or the app's name) first; open only an allowed link. `fallback` opens when the
    first URL fails (an operator's app that is not installed)."""
    t = ctx.t
    hub = hub_of(ctx)
    # before the features are wired (or in a city without a hub) the profile's allow-list still decides
    check = (
        hub.check_link(url)
        if hub is not None
        else LinkCheck(url, host_of(url), is_allowed_link(url, ctx.profile.links.allowed_domains))
    )
    custom_scheme = not url.lower().startswith(("http://", "https://"))
    target = ((app or check.host) if custom_scheme else check.host) or url.split(":", 1)[0]

    def close(e: Any = None) -> None:
        with contextlib.suppress(Exception):
            ctx.page.pop_dialog()

    async def open_it(e: Any) -> None:
        close()
        if await launch(url):
            ctx.announce(t("hub.opened", domain=target))
        elif fallback and hub is not None and hub.check_link(fallback).allowed and await launch(fallback):
            ctx.announce(t("hub.opened_fallback", domain=hub.check_link(fallback).host))
        else:
            ctx.announce(t("hub.open_failed"))

    allowed = check.allowed
    actions: list[ft.Control] = [text_button(t("hub.confirm.cancel"), key=f"{key}.cancel", on_click=close)]
    if allowed:
        actions.append(primary_button(t("hub.confirm.open"), key=f"{key}.open", on_click=open_it))
    text = (
        t("hub.confirm.app", app=target)
        if custom_scheme
        else t("hub.confirm.text" if allowed else "hub.confirm.foreign", domain=target)
    )
    dialog = ft.AlertDialog(
        key=key,
        modal=True,
        title=ft.Text(t("hub.confirm.title")),
        semantics_label=t("hub.confirm.title"),  # else screen readers on the web meet a nameless dialog
        content=ft.Column(
            [
                ft.Text(
                    target,
                    weight=ft.FontWeight.BOLD,
                    key=f"{key}.domain",
                    selectable=True,
                    semantics_label=target,
                ),
                ft.Text(text),
            ],
            tight=True,
            spacing=8,
        ),
        actions=actions,
    )
    ctx.page.show_dialog(dialog)
