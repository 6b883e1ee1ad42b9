""" "Meine Termine": the start page of the section, and one booking with cancel, reschedule and calendar."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode, urlsplit

import flet as ft

from leipzig_app.domain.appointments import BERLIN, AppointmentRecord, BookingState
from leipzig_app.domain.errors import AppError
from leipzig_app.services.appointments import AppointmentService
from leipzig_app.ui.appointments.common import error_text, note, state_icon, state_text, when_text
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.widgets.common import (
    error_banner,
    heading,
    primary_button,
    secondary_button,
    text_button,
)
from leipzig_app.ui.widgets.links import launch

log = logging.getLogger(__name__)


def build_overview(ctx: ViewContext, service: AppointmentService) -> ft.Control:
    t = ctx.t
    mine = ft.Column(spacing=8, key="appointments.mine")
    controls: list[ft.Control] = [
        heading(t("appointments.title"), key="appointments.heading"),
        ft.Text(t("appointments.intro")),
    ]
    for i, hint in enumerate(service.hints(t.base_language)):
        controls.append(note(hint, key=f"appointments.hint.{i}"))
    controls += [
        primary_button(
            t("appointments.new"),
            key="appointments.new",
            icon=ft.Icons.ADD,
            on_click=lambda e: ctx.navigate("/appointments/new"),
        ),
        heading(t("appointments.mine.title"), level=2, key="appointments.mine.heading"),
        mine,
    ]
    _fill_mine(ctx, service, mine)
    ctx.page.run_task(_refresh_pending, ctx, service, mine)
    return ft.ListView(controls=controls, padding=16, spacing=12, expand=True, key="appointments.list")


def _fill_mine(ctx: ViewContext, service: AppointmentService, column: ft.Column) -> None:
    t = ctx.t
    records = service.my_appointments()
    column.controls = [_record_tile(ctx, r) for r in records]
    if not records:
        column.controls = [note(t("appointments.mine.empty"), key="appointments.mine.empty")]


def _record_tile(ctx: ViewContext, record: AppointmentRecord) -> ft.Control:
    title = f"{when_text(ctx, record.start)} · {', '.join(record.service_names)}"
    return ft.ListTile(
        key=f"appointments.mine.{record.id}",
        leading=ft.Icon(state_icon(record.state), semantics_label=None),
        title=ft.Text(title),
        subtitle=ft.Text(f"{record.office_name}\n{state_text(ctx, record)}"),
        on_click=lambda e: ctx.navigate(f"/appointments/mine/{record.id}"),
    )


async def _refresh_pending(ctx: ViewContext, service: AppointmentService, column: ft.Column) -> None:
    """Ask the server about bookings still waiting (the resident may have clicked the e-mail link)."""
    changed = False
    for record in service.my_appointments():
        if record.state in (BookingState.RESERVED, BookingState.WAITING_FOR_CONFIRMATION):
            try:
                updated = await service.refresh(record.id)
            except AppError:
                log.info("refreshing a pending booking failed; showing the stored state")
                continue
            changed = changed or updated.state is not record.state
    if changed:
        _fill_mine(ctx, service, column)
        ctx.announce(ctx.t("appointments.mine.updated"))
        column.update()


def build_detail(ctx: ViewContext, service: AppointmentService, record_id: str) -> ft.Control:
    t = ctx.t
    record = service.my_appointments()
    found = next((r for r in record if r.id == record_id), None)
    back = text_button(
        t("appointments.back_to_list"),
        key="appointments.back",
        icon=ft.Icons.ARROW_BACK,
        on_click=lambda e: ctx.navigate("/appointments"),
    )
    if found is None:
        return ft.Column(
            [back, error_banner(t("appointments.error.unknown"), key="appointments.detail.missing")]
        )
    detail = _Detail(ctx, service, found, back)
    return detail.build()


class _Detail:
    def __init__(
        self, ctx: ViewContext, service: AppointmentService, record: AppointmentRecord, back: ft.Control
    ):
        self.ctx, self.service, self.record, self.back = ctx, service, record, back
        self.extra = ft.Column(spacing=8, key="appointments.detail.extra")
        # Items of the list itself, not one column: Flutter would merge a column's texts into one label.
        self.body = ft.ListView(padding=16, spacing=12, expand=True, key="appointments.detail")

    def build(self) -> ft.Control:
        self._render()
        if self.record.state in (BookingState.RESERVED, BookingState.WAITING_FOR_CONFIRMATION):
            self.ctx.page.run_task(self._refresh, False)
        return self.body

    def _render(self) -> None:
        t, r = self.ctx.t, self.record
        controls: list[ft.Control] = [
            heading(", ".join(r.service_names), key="appointments.detail.heading"),
            ft.Text(when_text(self.ctx, r.start), key="appointments.detail.when", weight=ft.FontWeight.BOLD),
            ft.Text(f"{r.office_name}\n{r.office_address}", key="appointments.detail.office"),
            ft.Text(t("appointments.detail.persons", count=sum(r.service_counts), name=r.name)),
            ft.Row(
                [
                    ft.Icon(state_icon(r.state), semantics_label=None),
                    ft.Text(state_text(self.ctx, r), expand=True),
                ],
                key="appointments.detail.state",
            ),
        ]
        mailbox = _demo_mailbox(self.ctx, r)
        if mailbox is not None:
            controls += [
                note(t("appointments.demo_mail", url=mailbox), key="appointments.demo_mail"),
                text_button(
                    t("appointments.demo_mail.open"),
                    key="appointments.demo_mail.open",
                    icon=ft.Icons.MAIL_OUTLINE,
                    on_click=lambda e: self.ctx.page.run_task(launch, mailbox),
                ),
            ]
        actions: list[ft.Control] = []
        if r.state is not BookingState.CANCELLED:
            actions += [
                primary_button(
                    t("appointments.ics"),
                    key="appointments.ics",
                    icon=ft.Icons.CALENDAR_MONTH,
                    on_click=self._save_ics,
                ),
                secondary_button(
                    t("appointments.refresh"),
                    key="appointments.refresh",
                    icon=ft.Icons.REFRESH,
                    on_click=lambda e: self.ctx.page.run_task(self._refresh, True),
                ),
                secondary_button(
                    t("appointments.reschedule"),
                    key="appointments.reschedule",
                    icon=ft.Icons.EDIT_CALENDAR,
                    on_click=lambda e: self.ctx.navigate(f"/appointments/reschedule/{r.id}"),
                ),
                secondary_button(
                    t("appointments.cancel"),
                    key="appointments.cancel",
                    icon=ft.Icons.EVENT_BUSY,
                    on_click=self._ask_cancel,
                ),
            ]
        else:
            actions.append(
                secondary_button(
                    t("appointments.forget"),
                    key="appointments.forget",
                    icon=ft.Icons.DELETE_OUTLINE,
                    on_click=self._forget,
                )
            )
        controls.append(ft.Row(actions, wrap=True, spacing=8, run_spacing=8))
        self.body.controls = [ft.Row([self.back]), *controls, self.extra]

    async def _refresh(self, announce: bool) -> None:
        try:
            self.record = await self.service.refresh(self.record.id)
        except AppError as error:
            if announce:
                self._problem(error)
            return
        self._render()
        if announce:
            self.ctx.announce(state_text(self.ctx, self.record))
        self.body.update()

    def _ask_cancel(self, e: Any) -> None:
        t = self.ctx.t
        self.extra.controls = [
            ft.Text(
                t("appointments.cancel.question", when=when_text(self.ctx, self.record.start)),
                key="appointments.cancel.question",
            ),
            ft.Row(
                [
                    primary_button(
                        t("appointments.cancel.yes"), key="appointments.cancel.yes", on_click=self._cancel
                    ),
                    text_button(
                        t("appointments.cancel.no"), key="appointments.cancel.no", on_click=self._clear
                    ),
                ],
                wrap=True,
            ),
        ]
        self.ctx.announce(t("appointments.cancel.question", when=when_text(self.ctx, self.record.start)))
        self.extra.update()

    def _clear(self, e: Any) -> None:
        self.extra.controls = []
        self.extra.update()

    async def _cancel(self, e: Any) -> None:
        try:
            self.record = await self.service.cancel(self.record.id)
        except AppError as error:
            self._problem(error)
            return
        self.extra.controls = []
        self._render()
        self.ctx.announce(self.ctx.t("appointments.cancel.done"))
        self.body.update()
        self.extra.update()

    async def _forget(self, e: Any) -> None:
        await self.service.forget(self.record.id)
        self.ctx.announce(self.ctx.t("appointments.forgotten"))
        self.ctx.navigate("/appointments")

    async def _save_ics(self, e: Any) -> None:
        await save_ics(self.ctx, self.service, self.record, self.extra)

    def _problem(self, error: AppError) -> None:
        text = error_text(self.ctx, error)
        self.extra.controls = [error_banner(text, key="appointments.detail.error")]
        self.ctx.announce(text)
        self.extra.update()


def _demo_mailbox(ctx: ViewContext, record: AppointmentRecord) -> str | None:
    """In the demo city, where testers find the "sent" activation mail; None for real cities."""
    endpoint = ctx.profile.appointments.endpoint
    if not ctx.profile.demo or not endpoint or record.state is not BookingState.WAITING_FOR_CONFIRMATION:
        return None
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}/demo/zms/mails?{urlencode({'recipient': record.email})}"


async def save_ics(
    ctx: ViewContext, service: AppointmentService, record: AppointmentRecord, area: ft.Column
) -> None:
    """Save the .ics through the platform's save dialog; where there is none, show it to copy instead."""
    t = ctx.t
    data = service.ics(record.id, language=t.base_language)
    name = f"termin-{record.start.astimezone(BERLIN):%Y-%m-%d-%H%M}.ics"
    try:
        # On the web and on phones the bytes go along (download / share sheet); desktops return a path.
        path = await ft.FilePicker().save_file(
            dialog_title=t("appointments.ics"), file_name=name, allowed_extensions=["ics"], src_bytes=data
        )
    except Exception:  # noqa: BLE001 - no save dialog on this client: show the file instead
        log.info("no save dialog available; showing the calendar file instead")
        path, failed = None, True
    else:
        failed = False
    if not failed and path and not ctx.page.web:
        try:
            service.write_ics(record.id, path, language=t.base_language)
        except AppError as error:
            area.controls = [error_banner(error_text(ctx, error), key="appointments.ics.error")]
            ctx.announce(error_text(ctx, error))
            area.update()
            return
    if not failed:
        if path or ctx.page.web:
            ctx.announce(t("appointments.ics.saved"))
        return
    text = data.decode("utf-8")

    async def copy(e: Any) -> None:
        await ft.Clipboard().set(text)
        ctx.announce(t("appointments.ics.copied"))

    area.controls = [
        ft.Text(t("appointments.ics.fallback"), key="appointments.ics.fallback"),
        ft.Container(
            content=ft.Text(
                text,
                selectable=True,
                semantics_label=text,
                size=12,
                font_family="monospace",
                key="appointments.ics.text",
            ),
            bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST,
            padding=12,
            border_radius=8,
        ),
        secondary_button(
            t("appointments.ics.copy"), key="appointments.ics.copy", icon=ft.Icons.COPY, on_click=copy
        ),
    ]
    ctx.announce(t("appointments.ics.fallback"))
    area.update()
