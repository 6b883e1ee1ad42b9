"""Object: the deadline from the deadline engine with its explanation, the remedy and the authority, then
only valid channels: the authority's online form (eID/BundID), a pre-filled letter as PDF to sign and
post by the latest posting day, or filing in person. The app never files an objection itself."""

from __future__ import annotations

from datetime import timedelta

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.services.notice_letters import ObjectionInfo, deadline_rule, deadline_steps
from leipzig_app.services.notices import LetterOverview
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.notices.common import (
    confirm_step,
    day,
    error_text,
    fact,
    field_day,
    letter_route,
    save_file,
    toggle_step,
)
from leipzig_app.ui.widgets.common import calendar_button, heading, labelled, secondary_button
from leipzig_app.ui.widgets.links import launch


def build_objection(ctx: ViewContext, overview: LetterOverview) -> list[ft.Control]:
    from leipzig_app.ui.notices.view import back_to_letter

    t = ctx.t
    letter = overview.letter
    service = ctx.services.notices
    info = service.objection(letter.id)
    remedy = info.remedy.value
    deadline = info.deadline
    controls: list[ft.Control] = [
        back_to_letter(ctx, letter.id),
        heading(t(f"notices.object.title_{remedy}"), key="notices.object.heading"),
        ft.Text(t("notices.object.never_files"), key="notices.object.never_files", weight=ft.FontWeight.BOLD),
    ]
    steps = [
        ft.Text(t("notices.deadline.step_line", step=line), key=f"notices.object.step.{i}")
        for i, line in enumerate(deadline_steps(deadline, t, lambda value: day(ctx, value)))
    ]
    deadline_lines: list[ft.Control] = [
        ft.Text(
            t("notices.object.deadline", day=day(ctx, deadline.deadline)),
            key="notices.object.deadline",
            theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
            weight=ft.FontWeight.BOLD,
        ),
        ft.Text(deadline_rule(deadline, t, with_presumption=False), key="notices.object.rule"),
        *steps,
    ]
    if deadline.may_be_later:
        deadline_lines.append(ft.Text(t("notices.object.may_be_later")))
    if info.posting_assumed:
        deadline_lines.append(ft.Text(t("notices.object.posting_assumed")))
    delivered_notes, delivered_inputs = _delivered(ctx, letter.id, info)
    deadline_lines += delivered_notes
    if info.deadline_passed:
        deadline_lines.append(
            ft.Text(
                t("notices.object.deadline_passed"), key="notices.object.passed", weight=ft.FontWeight.BOLD
            )
        )
    controls += [
        ft.Container(
            key="notices.object.deadline_box",
            bgcolor=ft.Colors.SECONDARY_CONTAINER,
            border_radius=8,
            padding=12,
            content=ft.Column(deadline_lines, spacing=4),
        ),
        # The field sits outside the box: the box stays one block of text for screen readers.
        ft.Column(delivered_inputs, spacing=4, key="notices.object.delivered_box"),
        fact(
            t("notices.object.authority"),
            "\n".join(p for p in (info.authority_name, info.authority_address) if p)
            or t("notices.object.authority_unknown"),
            key="notices.object.authority",
        ),
        ft.Text(t("notices.later.no_postponement")),
        ft.Text(t("notices.object.reason_later")),
        heading(t("notices.object.channels"), level=2),
    ]
    controls += _online_form(ctx, info.online_form_url, info.online_form_domain)
    controls += _letter_channel(ctx, overview, info.latest_posting_day, info.too_late_by_post)
    controls += [
        heading(t("notices.object.in_person_title"), level=3),
        ft.Text(t("notices.object.in_person_text")),
        secondary_button(
            t("notices.object.in_person"),
            key="notices.object.in_person",
            icon=ft.Icons.EVENT,
            on_click=lambda e: ctx.navigate("/appointments"),
        ),
    ]
    return controls


def _delivered(
    ctx: ViewContext, letter_id: str, info: ObjectionInfo
) -> tuple[list[ft.Control], list[ft.Control]]:
    """The day the letter was delivered (optional): a formally delivered letter (a fine notice always is)
    starts its period on that day, which can be earlier than the day presumed from posting. Gives the
    notes for the deadline box and the field with its buttons."""
    t = ctx.t
    service = ctx.services.notices
    route = letter_route(letter_id, "object")
    lines: list[ft.Control] = []
    if info.delivered is None:
        lines.append(
            ft.Text(
                t(f"notices.object.delivered_unknown_{info.remedy.value}"),
                key="notices.object.delivered_unknown",
                weight=ft.FontWeight.BOLD,
            )
        )
    elif info.delivered_later_than_presumed:
        lines.append(
            ft.Text(
                t("notices.object.delivered_later", day=day(ctx, info.delivered)),
                key="notices.object.delivered_later",
            )
        )
    else:
        lines.append(
            ft.Text(
                t("notices.object.delivered_used", day=day(ctx, info.delivered)),
                key="notices.object.delivered_used",
            )
        )
    field = ft.TextField(
        error_max_lines=4,
        label=t("notices.object.delivered_label"),
        hint_text=t("notices.date_hint"),
        # The form the dates beside it are written in (Arabic: 30/12/2026), so the two agree.
        value=field_day(ctx, info.delivered) if info.delivered else "",
        key="notices.object.delivered",
        keyboard_type=ft.KeyboardType.DATETIME,
    )

    def save(e: object = None) -> None:
        typed = (field.value or "").strip()
        try:
            new = service.set_delivered(letter_id, typed)
        except AppError as error:
            field.error = error_text(ctx, error)
            field.update()
            ctx.announce(error_text(ctx, error))
            return
        ctx.navigate(route)
        key = "notices.object.delivered_saved" if typed else "notices.object.delivered_removed"
        ctx.announce(t(key, day=day(ctx, new.deadline.deadline)))

    today = service.today()
    pick = calendar_button(
        field,
        t("notices.object.delivered_pick"),
        key="notices.object.delivered_pick",
        picker_key="notices.object.delivered_picker",
        first=info.deadline.notified - timedelta(days=30),
        last=today,
        initial=info.delivered or today,
        help_text=t("notices.object.delivered_label"),
        on_picked=lambda value: save(),
        write=lambda value: field_day(ctx, value),
    )
    inputs: list[ft.Control] = [
        labelled(field),
        ft.Row(
            [
                secondary_button(
                    t("notices.object.delivered_save"),
                    key="notices.object.delivered_save",
                    icon=ft.Icons.EVENT_AVAILABLE,
                    on_click=save,
                ),
                pick,
            ],
            wrap=True,
        ),
    ]
    return lines, inputs


def _online_form(ctx: ViewContext, url: str | None, domain: str) -> list[ft.Control]:
    t = ctx.t
    if not url:
        return [
            heading(t("notices.object.online_title"), level=3),
            ft.Text(t("notices.object.online_none"), key="notices.object.online_none"),
        ]

    review = t("notices.object.online_review", domain=domain)

    async def open_form(e: object) -> None:
        opened = await launch(url)
        ctx.announce(
            t("notices.object.online_opened", domain=domain)
            if opened
            else t("notices.pay.open_failed", url=url)
        )

    box = confirm_step(
        ctx,
        review=review,
        confirm_label=t("notices.object.online_confirm"),
        on_confirm=open_form,
        box_key="notices.object.online_confirm_box",
        confirm_key="notices.object.online_confirm",
        cancel_key="notices.object.online_cancel",
    )
    return [
        heading(t("notices.object.online_title"), level=3),
        ft.Text(t("notices.object.online_text", domain=domain)),
        secondary_button(
            t("notices.object.online"),
            key="notices.object.online",
            icon=ft.Icons.OPEN_IN_NEW,
            on_click=lambda e: toggle_step(ctx, box, True, review),
        ),
        box,
    ]


def _letter_channel(
    ctx: ViewContext, overview: LetterOverview, latest: object, too_late: bool
) -> list[ft.Control]:
    t = ctx.t
    letter = overview.letter
    service = ctx.services.notices
    draft = overview.draft
    name = ft.TextField(
        error_max_lines=4,
        label=t("notices.object.sender_name"),
        value=draft.sender_name if draft else "",
        key="notices.object.sender_name",
    )
    address = ft.TextField(
        error_max_lines=4,
        label=t("notices.object.sender_address"),
        value=draft.sender_address if draft else "",
        key="notices.object.sender_address",
        multiline=True,
        min_lines=2,
    )
    reason = ft.TextField(
        error_max_lines=4,
        label=t("notices.object.reason"),
        hint_text=t("notices.object.reason_hint"),
        value=draft.reason if draft else "",
        key="notices.object.reason",
        multiline=True,
        min_lines=3,
    )

    def save_draft() -> bool:
        try:
            service.save_draft(
                letter.id,
                reason=reason.value or "",
                sender_name=name.value or "",
                sender_address=address.value or "",
            )
        except AppError as error:
            reason.error = error_text(ctx, error)
            reason.update()
            ctx.announce(error_text(ctx, error))
            return False
        return True

    def save_clicked(e: object) -> None:
        if save_draft():
            ctx.announce(t("notices.object.draft_saved"))

    review = t("notices.object.pdf_review", day=day(ctx, latest))

    async def make_pdf(e: object) -> None:
        if not save_draft():
            return
        try:
            file_name, data = service.objection_pdf(letter.id, t.base_language)
        except AppError as error:
            ctx.announce(error_text(ctx, error))
            return
        saved = await save_file(ctx, file_name, data, "pdf")
        if not saved:
            ctx.announce(t("notices.save_failed"))
        elif service.objection_notes_language(t.base_language) != t.base_language:
            ctx.announce(t("notices.object.pdf_saved_german_notes", name=file_name))
        else:
            ctx.announce(t("notices.object.pdf_saved", name=file_name))

    box = confirm_step(
        ctx,
        review=review,
        confirm_label=t("notices.object.pdf_confirm"),
        on_confirm=make_pdf,
        box_key="notices.object.pdf_confirm_box",
        confirm_key="notices.object.pdf_confirm",
        cancel_key="notices.object.pdf_cancel",
        icon=ft.Icons.PICTURE_AS_PDF,
    )
    controls: list[ft.Control] = [
        heading(t("notices.object.letter_title"), level=3),
        ft.Text(t("notices.object.letter_text", day=day(ctx, latest)), key="notices.object.posting_day"),
    ]
    if too_late:
        controls.append(
            ft.Text(
                t("notices.object.too_late_by_post"), key="notices.object.too_late", weight=ft.FontWeight.BOLD
            )
        )
    controls += [
        labelled(name),
        labelled(address),
        labelled(reason),
        ft.Row(
            [
                secondary_button(
                    t("notices.object.save_draft"),
                    key="notices.object.save_draft",
                    icon=ft.Icons.SAVE_OUTLINED,
                    on_click=save_clicked,
                ),
                secondary_button(
                    t("notices.object.pdf"),
                    key="notices.object.pdf",
                    icon=ft.Icons.PICTURE_AS_PDF,
                    on_click=lambda e: toggle_step(ctx, box, True, review),
                ),
            ],
            wrap=True,
        ),
        box,
    ]
    return controls
