"""The scanner section: the "Scannen" screen, and the notice screen's routes under /scanner.

`/scanner` is the scanner screen (`screen.py`). `/scanner/notice...` and `/scanner/manual` belong to the
notice screen (`ui/notices/view.py: build_notice_view(ctx, route)`), imported when first shown; while that
screen is not part of the app, these routes say so and offer the way back.
"""

from __future__ import annotations

import importlib
import logging

import flet as ft

from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.scanner.ports import scanner_ports
from leipzig_app.ui.scanner.screen import ScannerScreen
from leipzig_app.ui.widgets.common import empty_state, secondary_button

log = logging.getLogger(__name__)

NOTICE_VIEW = "leipzig_app.ui.notices.view"
NOTICE_FLOW = "leipzig_app.ui.notices.flow"


def is_notice_route(route: str) -> bool:
    """Routes the notice screen builds: its own `handles(route)` where it exists, else the agreed ones."""
    flow = _optional_module(NOTICE_FLOW)
    handles = getattr(flow, "handles", None)
    if callable(handles):
        return bool(handles(route))
    path = (route or "").split("?")[0].rstrip("/")
    return path == "/scanner/manual" or path == "/scanner/notice" or path.startswith("/scanner/notice/")


def _optional_module(name: str) -> object | None:
    """A module of the notice screen, or None while it is not part of the app (a broken one raises)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name not in (name, name.rsplit(".", 1)[0]):
            raise
        return None


def build(ctx: ViewContext, route: str) -> ft.Control:
    if is_notice_route(route):
        return _notice_view(ctx, route)
    ports = scanner_ports(ctx.services.scanner)
    if ports is None:
        return empty_state(
            ft.Icons.QR_CODE_SCANNER,
            ctx.t("nav.scanner"),
            ctx.t("scanner.unavailable"),
            key="scanner.unavailable",
            action=secondary_button(
                ctx.t("scanner.manual"),
                key="scanner.manual",
                on_click=lambda e: ctx.navigate("/scanner/manual"),
            ),
        )
    return ScannerScreen(ctx, ports).build()


def _notice_view(ctx: ViewContext, route: str) -> ft.Control:
    module = _optional_module(NOTICE_VIEW)
    builder = getattr(module, "build_notice_view", None)
    if builder is None:
        return empty_state(
            ft.Icons.DESCRIPTION_OUTLINED,
            ctx.t("nav.scanner"),
            ctx.t("scanner.notice_unavailable_route"),
            key="scanner.notice_unavailable",
            action=secondary_button(
                ctx.t("scanner.back_to_scanner"),
                key="scanner.back",
                on_click=lambda e: ctx.navigate("/scanner"),
            ),
        )
    control: ft.Control = builder(ctx, route)
    return control
