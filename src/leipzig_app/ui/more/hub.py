"""The services hub in "Mehr": a search field and one tile per enabled module, and the modules' routes.

The service (`services/hub.py`) decides which modules this city offers on this platform and in what
order; this module only turns that into tiles and routes `/more/<module>` to the module's view.
"""

from __future__ import annotations

import importlib
from typing import Any

import flet as ft

from leipzig_app.domain.modules import ModuleSpec
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.services.common import hub_of, not_offered, page_platform
from leipzig_app.ui.widgets.common import search_field

#: Module id -> view module (each has `build(ctx) -> ft.Control`); imported when first shown.
VIEWS = {
    "ticket": "leipzig_app.ui.services.ticket",
    "library": "leipzig_app.ui.services.library",
    "waste": "leipzig_app.ui.services.waste",
    "online_services": "leipzig_app.ui.services.links",
    "participation": "leipzig_app.ui.services.links",
    "numbers": "leipzig_app.ui.services.numbers",
}


def _icon(name: str) -> Any:
    return getattr(ft.Icons, name.upper(), ft.Icons.APPS)


def _tile(ctx: ViewContext, spec: ModuleSpec) -> ft.Control:
    t = ctx.t
    return ft.ListTile(
        key=f"hub.tile.{spec.id}",
        leading=ft.Icon(_icon(spec.icon), semantics_label=None),
        title=ft.Text(t(spec.title_key)),
        subtitle=ft.Text(t(spec.subtitle_key)),
        on_click=lambda e, r=spec.route: ctx.navigate(r),
    )


def menu_tiles(ctx: ViewContext) -> list[ft.Control]:
    """The hub's part of the "Mehr" list: heading, search and the tiles of the enabled modules."""
    hub = hub_of(ctx)
    if hub is None:
        return []
    t = ctx.t
    platform = page_platform(ctx)
    if not hub.modules(platform):
        return []
    tiles = ft.Column([_tile(ctx, s) for s in hub.modules(platform)], spacing=0, key="hub.tiles")
    empty = ft.Text(
        t("hub.search.none"), key="hub.search.none", visible=False, color=ft.Colors.ON_SURFACE_VARIANT
    )

    def on_search(e: Any) -> None:
        query = str(e.control.value or "")
        found = hub.modules(platform, query, t)
        tiles.controls = [_tile(ctx, s) for s in found]
        empty.visible = not found
        tiles.update()
        empty.update()
        if query.strip():
            ctx.announce(t("hub.search.count", count=len(found)))

    search = search_field(t("hub.search"), key="hub.search", on_change=on_search)
    return [
        ft.Container(
            ft.Semantics(
                header=True, content=ft.Text(t("hub.heading"), theme_style=ft.TextThemeStyle.TITLE_LARGE)
            ),
            padding=ft.Padding.symmetric(horizontal=16, vertical=8),
        ),
        ft.Container(search, padding=ft.Padding.symmetric(horizontal=16)),
        tiles,
        ft.Container(empty, padding=ft.Padding.symmetric(horizontal=16)),
        ft.Divider(),
    ]


def build_route(ctx: ViewContext, path: str) -> ft.Control | None:
    """The view for `/more/<module>`, or None when the path is not a hub module's."""
    module_id = path.removeprefix("/more/").split("/", 1)[0]
    if module_id not in VIEWS:
        return None
    hub = hub_of(ctx)
    if hub is None or module_id not in [s.id for s in hub.modules(page_platform(ctx))]:
        return not_offered(ctx, module_id)
    view = importlib.import_module(VIEWS[module_id])
    control: ft.Control = view.build(ctx, module_id)
    return control
