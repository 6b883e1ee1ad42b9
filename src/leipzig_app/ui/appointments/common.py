"""Pieces the appointment screens share: date and time texts, the truthful state line, error texts."""

from __future__ import annotations

from datetime import datetime

import flet as ft

from leipzig_app.domain.appointments import (
    BERLIN,
    AppointmentRecord,
    BookingState,
    Office,
    reservation_minutes_left,
)
from leipzig_app.domain.errors import AppError
from leipzig_app.ui import formatting
from leipzig_app.ui.context import ViewContext


def day_text(ctx: ViewContext, moment: datetime) -> str:
    """ "Dienstag, 24.11.2026" / "Tuesday, 24 Nov 2026" / "вівторок, 24 лист. 2026 р." / "الثلاثاء، ..."
    (Leipzig time; the comma is the language's own)."""
    local = moment.astimezone(BERLIN).date()
    language = ctx.t.base_language
    return ctx.t(
        "appointments.day", weekday=formatting.weekday(local, language), date=formatting.day(local, language)
    )


def time_text(moment: datetime) -> str:
    return f"{moment.astimezone(BERLIN):%H:%M}"


def when_text(ctx: ViewContext, moment: datetime) -> str:
    return ctx.t("appointments.when", day=day_text(ctx, moment), time=time_text(moment))


def error_text(ctx: ViewContext, error: AppError) -> str:
    return ctx.t(error.key, **error.params) if ctx.t.has(error.key) else error.message


def state_text(ctx: ViewContext, record: AppointmentRecord) -> str:
    """What the server said, in words: held (and how long), waiting for the e-mail link, confirmed, ..."""
    now = datetime.now(BERLIN)
    minutes = reservation_minutes_left(record.reserved_until, now)
    if record.state is BookingState.CONFIRMED:
        return ctx.t("appointments.state.confirmed")
    if record.state is BookingState.CANCELLED:
        return ctx.t("appointments.state.cancelled")
    if record.state is BookingState.WAITING_FOR_CONFIRMATION:
        if record.reserved_until is not None and minutes == 0:
            return ctx.t("appointments.state.waiting_expired")
        return ctx.t("appointments.state.waiting", email=record.email, minutes=minutes)
    if minutes == 0:
        return ctx.t("appointments.state.reserved_expired")
    return ctx.t("appointments.state.reserved", minutes=minutes)


def state_icon(state: BookingState) -> ft.IconData:
    return {
        BookingState.CONFIRMED: ft.Icons.EVENT_AVAILABLE,
        BookingState.CANCELLED: ft.Icons.EVENT_BUSY,
        BookingState.WAITING_FOR_CONFIRMATION: ft.Icons.MARK_EMAIL_UNREAD_OUTLINED,
        BookingState.RESERVED: ft.Icons.HOURGLASS_TOP,
    }[state]


def office_lines(ctx: ViewContext, office: Office, distance_km: float | None = None) -> list[str]:
    """Address, opening hours, step-free access and distance as separate readable lines."""
    t = ctx.t
    lines = [office.address]
    names = formatting.weekday_abbreviations(t.base_language)
    hours: dict[int, list[str]] = {}
    for h in office.opening_hours:
        hours.setdefault(h.weekday, []).append(f"{h.opens:%H:%M}–{h.closes:%H:%M}")
    if hours:
        lines.append(
            t(
                "appointments.office.hours",
                hours="; ".join(f"{names[d]} {', '.join(v)}" for d, v in sorted(hours.items())),
            )
        )
    access = {
        True: "appointments.office.step_free",
        False: "appointments.office.not_step_free",
        None: "appointments.office.step_free_unknown",
    }[office.step_free]
    lines.append(t(access))
    if office.info:
        lines.append(office.info)
    if distance_km is not None:
        lines.append(
            t(
                "appointments.office.distance",
                km=formatting.number(distance_km, t.base_language, decimals=1),
            )
        )
    return lines


def note(text: str, *, key: str) -> ft.Control:
    return ft.Text(text, key=key, color=ft.Colors.ON_SURFACE_VARIANT)
