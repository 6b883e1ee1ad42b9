"""Typing in a letter that has no code: Kassenzeichen, date, amount, notice type (and the due date).

Nothing typed in is verified; the notice screen says so. The fields take German or English ways of
writing dates and amounts; a wrong entry is named next to its field and announced.
"""

from __future__ import annotations

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.notices.code import NOTICE_TYPES
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.notices.common import error_text, letter_route
from leipzig_app.ui.widgets.common import heading, labelled, primary_button, secondary_button

#: Which field an error key belongs to.
_FIELD_OF = {
    "notices.error.reference_missing": "cash_reference",
    "notices.error.reference_invalid": "cash_reference",
    "notices.error.date_future": "notice_date",
    "notices.error.amount_invalid": "amount",
    "notices.error.amount_range": "amount",
    "notices.error.amount_cents": "amount",
    "notices.error.due_before_notice": "due_date",
    "notices.error.type_invalid": "notice_type",
}


def build_manual(ctx: ViewContext) -> list[ft.Control]:
    t = ctx.t
    service = ctx.services.notices
    fields = {
        "cash_reference": ft.TextField(
            error_max_lines=4,
            label=t("notices.manual.cash_reference"),
            hint_text=t("notices.manual.cash_reference_hint"),
            key="notices.manual.cash_reference",
        ),
        "notice_date": ft.TextField(
            error_max_lines=4,
            label=t("notices.manual.notice_date"),
            hint_text=t("notices.date_hint"),
            key="notices.manual.notice_date",
            keyboard_type=ft.KeyboardType.DATETIME,
        ),
        "amount": ft.TextField(
            error_max_lines=4,
            label=t("notices.manual.amount"),
            hint_text=t("notices.manual.amount_hint"),
            key="notices.manual.amount",
            keyboard_type=ft.KeyboardType.NUMBER,
            suffix="€",
        ),
        "due_date": ft.TextField(
            error_max_lines=4,
            label=t("notices.manual.due_date"),
            hint_text=t("notices.date_hint"),
            key="notices.manual.due_date",
            keyboard_type=ft.KeyboardType.DATETIME,
        ),
    }
    kind = ft.Dropdown(
        label=t("notices.manual.notice_type"),
        tooltip=t("notices.manual.notice_type"),
        key="notices.manual.notice_type",
        value="fee",
        options=[ft.DropdownOption(key=k, text=t(f"notices.type.{k}")) for k in NOTICE_TYPES],
    )

    def submit(e: object) -> None:
        for field in fields.values():
            field.error = None
        try:
            letter = service.enter_manually(
                cash_reference=fields["cash_reference"].value or "",
                notice_date=fields["notice_date"].value or "",
                amount=fields["amount"].value or "",
                notice_type=kind.value or "",
                due_date=fields["due_date"].value or "",
            )
        except AppError as error:
            text = error_text(ctx, error)
            target = _FIELD_OF.get(error.key) or str(error.params.get("field", ""))
            if target in fields:
                fields[target].error = text
            for field in fields.values():
                field.update()
            ctx.announce(text)
            return
        ctx.navigate(letter_route(letter.id))
        ctx.announce(t("notices.manual.saved"))

    return [
        heading(t("notices.manual.title"), key="notices.manual.heading"),
        ft.Text(t("notices.manual.intro")),
        labelled(fields["cash_reference"]),
        labelled(fields["notice_date"]),
        labelled(fields["amount"]),
        labelled(kind),
        labelled(fields["due_date"]),
        ft.Row(
            [
                primary_button(t("notices.manual.submit"), key="notices.manual.submit", on_click=submit),
                secondary_button(
                    t("common.cancel"),
                    key="notices.manual.cancel",
                    on_click=lambda e: ctx.navigate("/scanner"),
                ),
            ],
            wrap=True,
        ),
    ]
