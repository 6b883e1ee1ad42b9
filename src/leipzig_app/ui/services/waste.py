"""Waste collection calendar: pick a street or district, see the next collection per bin, keep reminders
(they travel as alarms in the exported .ics) and export the coming collections to any calendar app."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.waste import search_streets
from leipzig_app.services.waste import WasteCalendar, WasteService
from leipzig_app.ui import formatting
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.notices.common import save_file
from leipzig_app.ui.services.common import hub_of, not_offered, page
from leipzig_app.ui.widgets.common import (
    error_banner,
    heading,
    labelled,
    primary_button,
    search_field,
    secondary_button,
    text_button,
)

log = logging.getLogger(__name__)


def _day(ctx: ViewContext, day: date, today: date) -> str:
    text = formatting.long_day(day, ctx.t.base_language)
    delta = (day - today).days
    if delta in (0, 1):
        return ctx.t("hub.waste.today" if delta == 0 else "hub.waste.tomorrow", date=text)
    return text


def build(ctx: ViewContext, module_id: str) -> ft.Control:
    hub = hub_of(ctx)
    service = hub.waste if hub else None
    if service is None:
        return not_offered(ctx, module_id)
    t = ctx.t
    body = ft.Column(
        [ft.ProgressRing(width=20, height=20, semantics_label=t("common.loading"))],
        spacing=12,
        key="hub.waste.body",
    )
    ctx.page.run_task(_load, ctx, service, body)
    return page(ctx, module_id, [body])


async def _load(ctx: ViewContext, service: WasteService, body: ft.Column) -> None:
    t = ctx.t
    try:
        calendar = await service.load()
    except AppError as error:
        log.info("waste calendar unavailable: %s", error)

        async def retry(e: Any) -> None:
            await _load(ctx, service, body)

        message = t(error.key, **error.params) if t.has(error.key) else t("hub.waste.failed")
        body.controls = [
            error_banner(message, key="hub.waste.failed"),
            secondary_button(t("hub.waste.retry"), key="hub.waste.retry", on_click=retry),
        ]
        body.update()
        ctx.announce(message)
        return
    _render(ctx, service, calendar, body)


def _render(ctx: ViewContext, service: WasteService, calendar: WasteCalendar, body: ft.Column) -> None:
    district = service.district()
    controls: list[ft.Control] = []
    if calendar.stale_since is not None:
        controls.append(
            ft.Text(
                ctx.t(
                    "hub.waste.stale",
                    time=formatting.moment(calendar.stale_since, ctx.t.base_language, ctx.profile.timezone),
                ),
                key="hub.waste.stale",
                italic=True,
            )
        )
    if district is None:
        controls += _picker(ctx, service, calendar, body)
    else:
        controls += _overview(ctx, service, calendar, body, district)
    body.controls = controls
    body.update()


def _picker(
    ctx: ViewContext, service: WasteService, calendar: WasteCalendar, body: ft.Column
) -> list[ft.Control]:
    t = ctx.t
    results = ft.Column(spacing=0, key="hub.waste.streets")

    def choose(choice: str) -> None:
        try:
            district = service.choose(calendar, choice)
        except AppError as error:
            ctx.announce(t(error.key, **error.params))
            return
        ctx.announce(t("hub.waste.chosen", district=district.name))
        _render(ctx, service, calendar, body)

    def on_search(e: Any) -> None:
        hits = search_streets(str(e.control.value or ""), calendar.districts)
        results.controls = [
            ft.ListTile(
                key=f"hub.waste.street.{i}",
                title=ft.Text(street),
                subtitle=ft.Text(t("hub.waste.in_district", district=name)),
                on_click=lambda e, s=street: choose(s),
            )
            for i, (street, name) in enumerate(hits)
        ]
        results.update()

    dropdown = ft.Dropdown(
        key="hub.waste.district",
        label=t("hub.waste.district"),
        tooltip=t("hub.waste.district"),
        options=[ft.DropdownOption(key=d.name, text=d.name) for d in calendar.districts],
        on_select=lambda e: choose(str(e.control.value)),
    )
    controls: list[ft.Control] = [ft.Text(t("hub.waste.pick_intro"))]
    if any(d.streets for d in calendar.districts):
        controls += [
            search_field(t("hub.waste.street"), key="hub.waste.street", on_change=on_search),
            results,
        ]
    controls.append(labelled(dropdown))
    return controls


def _overview(
    ctx: ViewContext, service: WasteService, calendar: WasteCalendar, body: ft.Column, district: str
) -> list[ft.Control]:
    t = ctx.t
    today = service.clock().date()

    def change(e: Any) -> None:
        service.forget_district()
        _render(ctx, service, calendar, body)

    def label(bin_type: str) -> str:
        return service.bin_label(bin_type, t.base_language)

    def toggle(bin_type: str, on: bool) -> None:
        if on:
            service.set_reminder(calendar, bin_type)
            ctx.announce(t("hub.waste.reminder_on", bin=label(bin_type)))
        else:
            service.remove_reminder(bin_type)
            ctx.announce(t("hub.waste.reminder_off", bin=label(bin_type)))
        _render(ctx, service, calendar, body)

    async def export(e: Any) -> None:
        data = service.export_ics(calendar)
        if await save_file(ctx, f"abfuhrkalender-{district.casefold().replace(' ', '-')}.ics", data, "ics"):
            ctx.announce(t("hub.waste.exported"))
        else:
            ctx.announce(t("hub.waste.export_failed"))

    nxt = service.next_per_bin(calendar)
    controls: list[ft.Control] = [
        ft.Row(
            [
                ft.Text(t("hub.waste.your_district", district=district), key="hub.waste.chosen"),
                text_button(t("hub.waste.change"), key="hub.waste.change", on_click=change),
            ],
            wrap=True,
        ),
        heading(t("hub.waste.next"), level=2),
    ]
    if not nxt:
        controls.append(ft.Text(t("hub.waste.no_dates"), key="hub.waste.no_dates"))
    for i, c in enumerate(nxt):
        controls.append(
            ft.ListTile(
                key=f"hub.waste.next.{i}",
                leading=ft.Icon(ft.Icons.DELETE_OUTLINE, semantics_label=None),
                title=ft.Text(label(c.bin_type)),
                subtitle=ft.Text(_day(ctx, c.day, today)),
            )
        )
    reminders = {r.bin_type for r in service.reminders()}
    controls += [heading(t("hub.waste.reminders"), level=2), ft.Text(t("hub.waste.reminders_intro"))]
    for bin_type in calendar.bin_types:
        controls.append(
            ft.Switch(
                key=f"hub.waste.remind.{bin_type}",
                label=t("hub.waste.remind", bin=label(bin_type)),
                value=bin_type in reminders,
                on_change=lambda e, b=bin_type: toggle(b, bool(e.control.value)),
            )
        )
    due = service.due_reminders(calendar)
    if due:
        controls.append(heading(t("hub.waste.reminders_next"), level=3))
        for i, (moment, c) in enumerate(due):
            controls.append(
                ft.Text(
                    t(
                        "hub.waste.reminder_line",
                        bin=label(c.bin_type),
                        when=_day(ctx, moment.date(), today),
                        time=formatting.time_of_day(moment, t.base_language),
                    ),
                    key=f"hub.waste.due.{i}",
                )
            )
    controls += [
        primary_button(t("hub.waste.export"), key="hub.waste.export", icon=ft.Icons.EVENT, on_click=export),
        ft.Text(t("hub.waste.export_hint"), color=ft.Colors.ON_SURFACE_VARIANT),
    ]
    return controls
