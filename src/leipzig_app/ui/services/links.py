"""Online services (OZG applications) and participation portals: searchable links from the profile.

Each link opens only after the app has shown its domain, and only on the city's allow-listed domains.
"""

from __future__ import annotations

from typing import Any

import flet as ft

from leipzig_app.domain.hub_settings import LinkItem
from leipzig_app.services.hub import local
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.services.common import confirm_open, hub_of, not_offered, page
from leipzig_app.ui.widgets.common import search_field


def _tile(ctx: ViewContext, module_id: str, item: LinkItem) -> ft.Control:
    hub = hub_of(ctx)
    language = ctx.t.base_language
    host = hub.check_link(item.url).host if hub else ""
    description = local(item.description, language)
    subtitle = f"{description}\n{host}" if description else host
    return ft.ListTile(
        key=f"hub.{module_id}.item.{item.id}",
        leading=ft.Icon(ft.Icons.OPEN_IN_NEW, semantics_label=None),
        title=ft.Text(local(item.title, language)),
        subtitle=ft.Text(subtitle),
        on_click=lambda e, u=item.url: confirm_open(ctx, u, key=f"hub.{module_id}.confirm"),
    )


def build(ctx: ViewContext, module_id: str) -> ft.Control:
    t = ctx.t
    hub = hub_of(ctx)
    if hub is None or hub.settings(module_id) is None:
        return not_offered(ctx, module_id)
    language = t.base_language
    items = ft.Column([_tile(ctx, module_id, i) for i in hub.links(module_id, "", language)], spacing=0,
                      key=f"hub.{module_id}.items")  # fmt: skip
    empty = ft.Text(t("hub.search.none"), key=f"hub.{module_id}.none", visible=False)

    def on_search(e: Any) -> None:
        found = hub.links(module_id, str(e.control.value or ""), language)
        items.controls = [_tile(ctx, module_id, i) for i in found]
        empty.visible = not found
        items.update()
        empty.update()
        ctx.announce(t("hub.search.count", count=len(found)))

    controls: list[ft.Control] = [ft.Text(t(f"hub.{module_id}.intro"))]
    if module_id == "online_services":
        controls.append(
            search_field(t("hub.online_services.search"), key=f"hub.{module_id}.search", on_change=on_search)
        )
    controls += [items, empty]
    return page(ctx, module_id, controls)
