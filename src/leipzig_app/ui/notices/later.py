"""Pay later: a reminder on a chosen day before the due date (default 3 days before), kept on the device,
listed on Home and exportable as an .ics file with an alarm. Objecting does not postpone payment."""

from __future__ import annotations

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.letters import parse_day
from leipzig_app.services.notices import LetterOverview
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.notices.common import day, error_text, field_day, letter_route, save_file
from leipzig_app.ui.widgets.common import callout, heading, labelled, primary_button, secondary_button


def build_later(ctx: ViewContext, overview: LetterOverview) -> list[ft.Control]:
    from leipzig_app.ui.notices.view import back_to_letter

    t = ctx.t
    letter = overview.letter
    service = ctx.services.notices
    route = letter_route(letter.id, "later")
    controls: list[ft.Control] = [
        back_to_letter(ctx, letter.id),
        heading(t("notices.later.title"), key="notices.later.heading"),
        callout(
            t("notices.later.no_postponement") + " " + t("notices.later.due", due=day(ctx, letter.due_date)),
            key="notices.later.rule",
            icon=ft.Icons.PRIORITY_HIGH,
        ),
    ]
    if overview.paid:
        return [*controls, ft.Text(t("notices.later.paid"), key="notices.later.paid")]
    reminder = overview.reminder
    if reminder is not None:

        async def export(e: object) -> None:
            try:
                name, data = service.reminder_ics(letter.id, t.base_language)
            except AppError as error:
                ctx.announce(error_text(ctx, error))
                return
            saved = await save_file(ctx, name, data, "ics")
            ctx.announce(t("notices.later.exported", name=name) if saved else t("notices.save_failed"))

        def remove(e: object) -> None:
            service.remove_reminder(letter.id)
            ctx.navigate(route)
            ctx.announce(t("notices.later.removed"))

        controls += [
            ft.Text(
                t("notices.later.current", day=day(ctx, reminder.remind_on)),
                key="notices.later.current",
                weight=ft.FontWeight.BOLD,
            ),
            ft.Row(
                [
                    secondary_button(
                        t("notices.later.export"),
                        key="notices.later.export",
                        icon=ft.Icons.EVENT,
                        on_click=export,
                    ),
                    secondary_button(
                        t("notices.later.remove"),
                        key="notices.later.remove",
                        icon=ft.Icons.DELETE_OUTLINE,
                        on_click=remove,
                    ),
                ],
                wrap=True,
            ),
        ]
    chosen = reminder.remind_on if reminder is not None else service.default_reminder_day(letter.id)
    field = ft.TextField(
        error_max_lines=4,
        label=t("notices.later.day_label"),
        hint_text=t("notices.date_hint"),
        value=field_day(ctx, chosen),  # as the screen writes dates (Arabic: 30/12/2026)
        key="notices.later.day",
        keyboard_type=ft.KeyboardType.DATETIME,
    )

    def save(e: object) -> None:
        try:
            remind_on = parse_day(field.value or "", field_key="remind_on")
            saved = service.set_reminder(letter.id, remind_on)
        except AppError as error:
            field.error = error_text(ctx, error)
            field.update()
            ctx.announce(error_text(ctx, error))
            return
        ctx.navigate(route)
        ctx.announce(t("notices.later.saved", day=day(ctx, saved.remind_on)))

    controls += [
        ft.Text(t("notices.later.intro")),
        labelled(field),
        primary_button(
            t("notices.later.save"),
            key="notices.later.save",
            icon=ft.Icons.NOTIFICATIONS_ACTIVE,
            on_click=save,
        ),
        ft.Text(t("notices.later.where"), color=ft.Colors.ON_SURFACE_VARIANT),
    ]
    return controls
