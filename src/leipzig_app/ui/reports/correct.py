"""Correcting a report the city refused ("Bearbeiten und erneut senden").

The wizard opens filled with what was sent (or with the correction saved earlier), shows the city's
reason on every step and starts at the questions, where most refusals point. The category is looked up
again once the city's categories are in: its questions come back with it, and a category the city no
longer offers sends the resident to choose another. Sending goes through the report-drafts service, which
puts the corrected report back into the outbox in place of the refused one.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.outbox import OutboxItem, OutboxState
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.widgets.common import empty_state, text_button

if TYPE_CHECKING:
    from leipzig_app.ui.reports.wizard import ReportWizard

log = logging.getLogger(__name__)


#: Why a queued report waits, said so that it is clear the app sends it by itself (the general texts of
#: these errors ask the resident to try again later).
_WAITING = {
    "error.offline": "reports.wait.offline",
    "error.server": "reports.wait.server",
    "error.timeout": "reports.wait.timeout",
}


def reason_text(ctx: ViewContext, item: OutboxItem) -> str:
    """Why a report waits or was refused, in the resident's language (the server's own words if unknown)."""
    if not item.error_key:
        return ""
    key = item.error_key
    if item.state == OutboxState.QUEUED and key in _WAITING:
        busy = key == "error.server" and item.error_params.get("status") == 429
        key = "reports.wait.busy" if busy else _WAITING[key]
    return ctx.t(key, **item.error_params) if ctx.t.has(key) else item.error_detail


def open_correction(wizard: ReportWizard) -> ft.Control | None:
    """Fill the wizard with the refused report; a screen saying why not when it is gone or was resent."""
    t = wizard.t
    assert wizard.replaces is not None
    found = wizard.drafts.correction(wizard.replaces) if wizard.drafts is not None else None
    if found is None:
        item = wizard.service_api.outbox.get(wizard.replaces)
        back = text_button(
            t("reports.back"), key="reports.detail.back", on_click=lambda e: wizard.ctx.navigate("/reports")
        )
        return ft.Container(
            padding=16,
            content=empty_state(
                ft.Icons.SEARCH_OFF,
                t("reports.resubmit.title"),
                t("reports.detail.missing" if item is None else "reports.error.not_failed"),
                key="reports.resubmit.missing",
                action=back,
            ),
        )
    draft, item = found
    wizard.apply(draft)
    wizard.reason = reason_text(wizard.ctx, item)
    wizard.check_category = wizard.definition is None
    return None


async def check_category(wizard: ReportWizard) -> bool:
    """The corrected report's category as the city offers it now, with its questions; True if changed."""
    wizard.check_category = False
    service = wizard.service
    if service is None:
        return False
    found = next((s for s in wizard.services if s.code == service.code), None)
    if found is None and wizard.services and not wizard.stale:
        wizard.step = 0  # the city no longer offers it: the resident chooses another
        wizard.error = wizard.t("reports.resubmit.category_gone", name=service.name)
        return True
    # Offline without categories: still try the questions (the offline copy has them if they were seen).
    wizard.service = found or replace(service, metadata=True)
    if wizard.service.metadata:
        try:
            wizard.definition = await wizard.service_api.definition(wizard.service)
        except AppError as error:
            log.info("questions of a corrected report not loaded: %s", error.key)
    wizard.changed()
    return True
