"""Public transport ticket: the operator's app on phones, its ticket shop on the web (domain shown first)."""

from __future__ import annotations

import flet as ft

from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.services.common import confirm_open, hub_of, not_offered, page, page_platform
from leipzig_app.ui.widgets.common import primary_button, secondary_button


def build(ctx: ViewContext, module_id: str) -> ft.Control:
    t = ctx.t
    hub = hub_of(ctx)
    settings = hub.settings("ticket") if hub else None
    if hub is None or settings is None:
        return not_offered(ctx, module_id)
    targets = hub.ticket_targets(page_platform(ctx))
    web = next((x for x in targets if x.kind == "web"), None)
    controls: list[ft.Control] = [
        ft.Text(t("hub.ticket.intro", operator=settings.operator), key="hub.ticket.operator"),
    ]
    for target in targets:
        if target.kind == "app":
            controls.append(
                primary_button(
                    t("hub.ticket.open_app"),
                    key="hub.ticket.app",
                    icon=ft.Icons.PHONE_ANDROID,
                    on_click=lambda e, u=target.url: confirm_open(
                        ctx,
                        u,
                        key="hub.ticket.confirm",
                        fallback=web.url if web else None,
                        app=settings.operator,
                    ),
                )
            )
        else:
            button = secondary_button if len(targets) > 1 else primary_button
            controls += [
                button(
                    t("hub.ticket.open_web"),
                    key="hub.ticket.web",
                    icon=ft.Icons.OPEN_IN_BROWSER,
                    on_click=lambda e, u=target.url: confirm_open(ctx, u, key="hub.ticket.confirm"),
                ),
                ft.Text(t("hub.ticket.web_domain", domain=target.host), key="hub.ticket.domain",
                        color=ft.Colors.ON_SURFACE_VARIANT),
            ]  # fmt: skip
    if not targets:
        controls.append(ft.Text(t("hub.ticket.none"), key="hub.ticket.none"))
    return page(ctx, module_id, controls)
