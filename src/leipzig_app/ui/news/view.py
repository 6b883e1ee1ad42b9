"""The news section: "/news" is the list, "/news/<id>" one item read in full."""

from __future__ import annotations

import flet as ft

from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.widgets.common import empty_state


def build(ctx: ViewContext, route: str) -> ft.Control:
    t = ctx.t
    service = ctx.services.news
    if service is None:
        return empty_state(
            ft.Icons.NEWSPAPER_OUTLINED,
            t("news.not_available.title"),
            t("news.not_available.text"),
            key="news.not_available",
        )
    from leipzig_app.ui.news.visit import current_visit

    visit = current_visit(ctx, service)
    path = (route or "/news").split("?")[0].rstrip("/")
    if path.startswith("/news/"):
        from leipzig_app.ui.news.detail import build_detail

        return build_detail(ctx, service, path.removeprefix("/news/"))
    from leipzig_app.ui.news.list_view import NewsList

    return NewsList(ctx, service, visit).build()
