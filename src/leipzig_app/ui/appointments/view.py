"""The appointments section: "/appointments" (start and "Meine Termine"), "/appointments/new" (booking),
"/appointments/mine/<id>" (one booking) and "/appointments/reschedule/<id>" (a new time for it)."""

from __future__ import annotations

import flet as ft

from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.widgets.common import empty_state


def build(ctx: ViewContext, route: str) -> ft.Control:
    t = ctx.t
    service = ctx.services.appointments
    if service is None:
        return empty_state(
            ft.Icons.EVENT_BUSY,
            t("appointments.not_available.title"),
            t("appointments.not_available.text"),
            key="appointments.not_available",
        )
    from leipzig_app.ui.appointments.device_secrets import use_device_storage

    # Phones reach their secure storage only through a page: the switch happens here, and the service's
    # background job then gives back what an earlier run held there (no sweep is started from the UI).
    use_device_storage(ctx.page, service)
    path = (route or "/appointments").split("?")[0].rstrip("/")
    if path == "/appointments/new":
        from leipzig_app.ui.appointments.wizard import Wizard

        return Wizard(ctx, service).build()
    if path.startswith("/appointments/reschedule/"):
        from leipzig_app.ui.appointments.wizard import Wizard

        return Wizard(ctx, service, reschedule=path.removeprefix("/appointments/reschedule/")).build()
    from leipzig_app.ui.appointments.mine import build_detail, build_overview

    if path.startswith("/appointments/mine/"):
        return build_detail(ctx, service, path.removeprefix("/appointments/mine/"))
    return build_overview(ctx, service)
