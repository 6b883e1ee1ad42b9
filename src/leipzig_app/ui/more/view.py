"""Mehr: further services, settings and the legal texts (imprint, privacy, accessibility statement)."""

from __future__ import annotations

from typing import Any

import flet as ft

from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.more import hub, legal, settings

#: (route, icon, title key, subtitle key)
ENTRIES: tuple[tuple[str, Any, str, str], ...] = (
    ("/more/settings", ft.Icons.SETTINGS_OUTLINED, "more.settings", "more.settings.subtitle"),
    ("/more/accessibility", ft.Icons.ACCESSIBILITY_NEW, "more.accessibility", "more.accessibility.subtitle"),
    ("/more/privacy", ft.Icons.PRIVACY_TIP_OUTLINED, "more.privacy", "more.privacy.subtitle"),
    ("/more/imprint", ft.Icons.INFO_OUTLINE, "more.imprint", "more.imprint.subtitle"),
)


def build(ctx: ViewContext, route: str) -> ft.Control:
    path = route.split("?")[0].rstrip("/")
    if path == "/more/settings":
        return settings.build(ctx)
    if path in ("/more/imprint", "/more/privacy", "/more/accessibility"):
        return legal.build(ctx, path.rsplit("/", 1)[-1])
    module_view = hub.build_route(ctx, path) if path.startswith("/more/") else None
    return module_view if module_view is not None else _menu(ctx)


def _menu(ctx: ViewContext) -> ft.Control:
    t = ctx.t
    tiles: list[ft.Control] = []
    tiles.extend(hub.menu_tiles(ctx))
    for route, icon, title_key, subtitle_key in ENTRIES:
        tiles.append(
            ft.ListTile(
                key=f"more.{route.rsplit('/', 1)[-1]}",
                leading=ft.Icon(icon),
                title=ft.Text(t(title_key)),
                subtitle=ft.Text(t(subtitle_key)),
                on_click=lambda e, r=route: ctx.navigate(r),
            )
        )
    return ft.ListView(tiles, padding=8, expand=True, key="more.list")
