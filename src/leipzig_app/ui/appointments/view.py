"""The appointments section (its feature is connected in the composition root)."""

from __future__ import annotations

import flet as ft

from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.widgets.common import empty_state


def build(ctx: ViewContext, route: str) -> ft.Control:
    t = ctx.t
    return empty_state(
        ft.Icons.CONSTRUCTION, t("nav.appointments"), t("section.not_ready"), key="appointments.not_ready"
    )
