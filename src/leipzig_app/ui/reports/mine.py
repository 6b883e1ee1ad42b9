""" "Meine Meldungen": every report on this device with its outbox state or the city's status, and one
report in detail (status notes, reference number, attempts and the reason a report was refused). A
refused report can be corrected and sent again ("/reports/edit/<id>", the wizard) or thrown away."""

from __future__ import annotations

import asyncio
from typing import Any

import flet as ft

from leipzig_app.domain.outbox import OutboxItem, OutboxState
from leipzig_app.ui import formatting
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.reports.correct import reason_text
from leipzig_app.ui.reports.wizard import state_text
from leipzig_app.ui.widgets.common import empty_state, heading, primary_button, secondary_button, text_button

#: How often an open report looks at the outbox for news (a local database read).
FOLLOW_SECONDS = 1.0

_ICONS = {
    OutboxState.QUEUED: ft.Icons.SCHEDULE,
    OutboxState.SENDING: ft.Icons.UPLOAD,
    OutboxState.FAILED: ft.Icons.ERROR_OUTLINE,
    OutboxState.DRAFT: ft.Icons.EDIT_NOTE,
}


def _when(ctx: ViewContext, moment: Any) -> str:
    if moment is None:
        return ""
    return formatting.moment(moment, ctx.t.base_language, ctx.profile.timezone)


def _note(ctx: ViewContext, item: OutboxItem) -> str:
    """The city's status note once sent; the reason while it waits or was refused."""
    if item.state == OutboxState.SENT:
        return item.status_notes
    return reason_text(ctx, item) if item.state in (OutboxState.FAILED, OutboxState.QUEUED) else ""


def my_reports(ctx: ViewContext) -> list[ft.Control]:
    t = ctx.t
    items = ctx.services.reports.my_reports()
    controls: list[ft.Control] = [heading(t("reports.mine"), level=2, key="reports.mine")]
    if not items:
        controls.append(ft.Text(t("reports.mine.empty"), key="reports.mine.empty"))
    for item in items:
        icon = _ICONS.get(
            item.state, ft.Icons.CHECK_CIRCLE_OUTLINE if item.status == "closed" else ft.Icons.OUTBOX
        )
        controls.append(
            ft.ListTile(
                key=f"reports.mine.{item.id}",
                leading=ft.Icon(icon, semantics_label=None),
                title=ft.Text(item.draft.service_name or item.draft.service_code),
                subtitle=ft.Text(
                    " · ".join(
                        x
                        for x in (
                            state_text(ctx, item),
                            _note(ctx, item),
                            item.draft.location.address or "",
                            _when(ctx, item.created_at),
                        )
                        if x
                    )
                ),
                on_click=lambda e, i=item.id: ctx.navigate(f"/reports/mine/{i}"),
                content_padding=ft.Padding.symmetric(horizontal=4),
            )
        )
    return controls


def detail(ctx: ViewContext, item_id: str) -> ft.Control:
    t = ctx.t
    service = ctx.services.reports
    item: OutboxItem | None = service.outbox.get(item_id)
    back = text_button(
        t("reports.back"), key="reports.detail.back", on_click=lambda e: ctx.navigate("/reports")
    )
    if item is None:
        return ft.Container(
            padding=16,
            content=empty_state(
                ft.Icons.SEARCH_OFF,
                t("reports.detail.title"),
                t("reports.detail.missing"),
                key="reports.detail.missing",
                action=back,
            ),
        )
    view = ft.ListView(_lines(ctx, item), padding=16, spacing=8, expand=True, key="reports.detail")
    _follow(ctx, view, item)
    return view


def _lines(ctx: ViewContext, item: OutboxItem) -> list[ft.Control]:
    t = ctx.t
    back = text_button(
        t("reports.back"), key="reports.detail.back", on_click=lambda e: ctx.navigate("/reports")
    )
    lines: list[ft.Control] = [
        # A row puts the link where the text begins: as an item of the list it was stretched to the
        # list's width, its label in the middle of the screen.
        ft.Row([back], wrap=True),
        heading(item.draft.service_name or item.draft.service_code, key="reports.detail.heading"),
        ft.Text(state_text(ctx, item), key="reports.detail.state", weight=ft.FontWeight.BOLD),
    ]

    def line(text: str, key: str) -> None:
        lines.append(ft.Text(text, key=key, selectable=True, semantics_label=text))

    if item.service_request_id:
        line(t("reports.detail.id", id=item.service_request_id), "reports.detail.id")
    if item.status_notes:
        line(t("reports.detail.notes", notes=item.status_notes), "reports.detail.notes")
    if item.service_notice:
        line(t("reports.detail.notice", notice=item.service_notice), "reports.detail.notice")
    line(item.draft.description, "reports.detail.description")
    line(item.draft.location.address or "", "reports.detail.address")
    line(t("reports.detail.created", date=_when(ctx, item.created_at)), "reports.detail.created")
    if item.status_updated_at:
        line(t("reports.detail.updated", date=_when(ctx, item.status_updated_at)), "reports.detail.updated")
    if item.state != OutboxState.SENT:
        line(t("reports.detail.attempts", count=item.attempts), "reports.detail.attempts")
        if item.error_key:
            line(t("reports.detail.reason", reason=reason_text(ctx, item)), "reports.detail.reason")
        if item.state == OutboxState.QUEUED and item.next_attempt_at:
            line(t("reports.detail.next", date=_when(ctx, item.next_attempt_at)), "reports.detail.next")
    lines.append(_actions(ctx, item))
    return lines


def _follow(ctx: ViewContext, view: ft.ListView, shown: OutboxItem) -> None:
    """Keep the open report in step with the outbox while it is shown: the app's background loop (or
    another copy of the app on the same data) sends it, tries again or reads the city's status meanwhile,
    and the screen must not go on saying "Wird später gesendet" about a report that was sent. A change of
    state or of the reason to wait is also said to a screen reader."""
    service = ctx.services.reports
    left = False

    async def stop() -> None:
        nonlocal left
        left = True

    async def watch() -> None:
        nonlocal shown
        while True:
            await asyncio.sleep(FOLLOW_SECONDS)
            current = None if left else service.outbox.get(shown.id)
            if left or current is None:
                return
            if current == shown:
                continue
            before, shown = shown, current
            view.controls = _lines(ctx, current)
            try:
                view.update()
            except RuntimeError:  # the page went away without the screen being left
                return
            # Said whenever what there is to say changes: the state, the city's status, or the reason to
            # wait (a 500 and then a 429 leave the report waiting, for another reason).
            news = _news(ctx, current)
            if news != _news(ctx, before):
                ctx.announce(news)

    ctx.on_leave(stop)
    ctx.page.run_task(watch)


def _news(ctx: ViewContext, item: OutboxItem) -> str:
    """What changed, in one sentence for the status line."""
    t = ctx.t
    if item.state == OutboxState.SENT and item.status != "closed":
        if item.service_request_id:
            return t("reports.sent", id=item.service_request_id)
        return t("reports.sent_token")
    reason = _note(ctx, item)
    return f"{state_text(ctx, item)}: {reason}" if reason else state_text(ctx, item)


def _actions(ctx: ViewContext, item: OutboxItem) -> ft.Control:
    t = ctx.t
    service = ctx.services.reports
    buttons: list[ft.Control] = []

    async def retry(e: Any) -> None:
        await service.sync_outbox(only=item.id)
        ctx.navigate(f"/reports/mine/{item.id}")
        current = service.outbox.get(item.id)
        ctx.announce(state_text(ctx, current) if current else t("reports.detail.missing"))

    async def refresh(e: Any) -> None:
        await service.refresh_statuses()
        ctx.navigate(f"/reports/mine/{item.id}")
        ctx.announce(t("reports.refreshed"))

    drafts = ctx.services.report_drafts

    def discard(e: Any) -> None:
        if drafts is not None:
            drafts.discard_report(item.id)  # its correction draft goes with it
        else:
            service.discard(item.id)
        ctx.navigate("/reports")
        ctx.announce(t("reports.discarded"))

    if item.state == OutboxState.QUEUED:
        if not item.uncertain:
            # An uncertain item waits for its grace time on purpose: the server may still be storing it.
            buttons.append(primary_button(t("reports.retry_now"), key="reports.retry", on_click=retry))
    elif item.state == OutboxState.FAILED:
        if drafts is not None:
            buttons.append(
                primary_button(
                    t("reports.resubmit"),
                    key="reports.resubmit",
                    icon=ft.Icons.EDIT,
                    on_click=lambda e: ctx.navigate(f"/reports/edit/{item.id}"),
                )
            )
        buttons.append(secondary_button(t("reports.discard"), key="reports.discard", on_click=discard))
    elif item.state == OutboxState.SENT and item.status != "closed":
        buttons.append(secondary_button(t("reports.refresh"), key="reports.refresh", on_click=refresh))
    return ft.Row(buttons, wrap=True, spacing=8)


def landing(ctx: ViewContext) -> ft.Control:
    t = ctx.t
    controls: list[ft.Control] = [
        heading(t("reports.title"), key="reports.title"),
        ft.Text(t("reports.intro")),
        primary_button(
            t("reports.new"),
            key="reports.new",
            icon=ft.Icons.ADD,
            on_click=lambda e: ctx.navigate("/reports/new"),
        ),
    ]
    drafts = ctx.services.report_drafts
    if drafts is not None and drafts.has_pending():
        controls.append(ft.Text(t("reports.draft.pending"), key="reports.draft.pending"))
    controls += my_reports(ctx)
    return ft.ListView(controls, padding=16, spacing=12, expand=True, key="reports.landing")
