"""Important numbers: emergency (112, 110), 115 and the city's numbers, kept in the app so they work
offline; tapping one hands the number to the phone app (`tel:`)."""

from __future__ import annotations

import flet as ft

from leipzig_app.services.hub import DialEntry
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.services.common import hub_of, not_offered, page
from leipzig_app.ui.widgets.common import heading
from leipzig_app.ui.widgets.links import launch


def _tile(ctx: ViewContext, entry: DialEntry) -> ft.Control:
    t = ctx.t
    title = t(entry.title) if entry.national else entry.title
    description = t(entry.description) if entry.national else entry.description

    async def call(e: object) -> None:
        if await launch(entry.tel_url):
            ctx.announce(t("hub.numbers.calling", number=entry.number))
        else:
            ctx.announce(t("hub.numbers.call_failed", number=entry.number))

    return ft.ListTile(
        key=f"hub.numbers.{entry.id}",
        leading=ft.Icon(
            ft.Icons.EMERGENCY if entry.id in ("112", "110") else ft.Icons.PHONE, semantics_label=None
        ),
        title=ft.Text(f"{title}: {entry.number}"),
        subtitle=ft.Text(description) if description else None,
        on_click=call,
        tooltip=t("hub.numbers.call", number=entry.number),
    )


def build(ctx: ViewContext, module_id: str) -> ft.Control:
    t = ctx.t
    hub = hub_of(ctx)
    if hub is None:
        return not_offered(ctx, module_id)
    entries = hub.numbers(t.base_language)
    national = [e for e in entries if e.national]
    city = [e for e in entries if not e.national]
    controls: list[ft.Control] = [
        ft.Text(t("hub.numbers.intro")),
        heading(t("hub.numbers.emergency"), level=2),
        *[_tile(ctx, e) for e in national],
    ]
    if city:
        controls += [heading(t("hub.numbers.city", city=ctx.profile.name_in(t.base_language)), level=2),
                     *[_tile(ctx, e) for e in city]]  # fmt: skip
    return page(ctx, module_id, controls)
