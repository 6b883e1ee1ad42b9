"""The reports section: "/reports" (new report, Meine Meldungen), "/reports/new" (the wizard),
"/reports/mine/<id>" (one report) and "/reports/edit/<id>" (correcting a refused report in the wizard).
A city that offers no reporting gets an honest empty state."""

from __future__ import annotations

import flet as ft

from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.widgets.common import empty_state


def build(ctx: ViewContext, route: str) -> ft.Control:
    from leipzig_app.ui.reports import mine
    from leipzig_app.ui.reports.wizard import ReportWizard

    t = ctx.t
    if ctx.services.reports is None:
        return empty_state(
            ft.Icons.REPORT_OFF_OUTLINED,
            t("reports.title"),
            t("reports.not_offered"),
            key="reports.not_offered",
        )
    parts = [p for p in route.split("/") if p]
    if parts[1:2] == ["new"]:
        return ReportWizard(ctx).build()
    if parts[1:2] == ["mine"] and len(parts) == 3:
        return mine.detail(ctx, parts[2])
    if parts[1:2] == ["edit"] and len(parts) == 3:
        return ReportWizard(ctx, correcting=parts[2]).build()
    return mine.landing(ctx)
