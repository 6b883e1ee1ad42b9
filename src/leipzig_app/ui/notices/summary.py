"""The top of the notice screen: the trust state (icon and text, never colour alone), the plain-language
summary of who wants what by when, and the problems the inspection found."""

from __future__ import annotations

from typing import Any

import flet as ft

from leipzig_app.domain.letters import Letter, TrustState
from leipzig_app.services.notices import LetterOverview
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.notices.common import day, fact, money, payment_differs_text
from leipzig_app.ui.widgets.common import callout

#: icon, background, foreground per trust state; the text always says the same as the colour.
_TRUST_STYLE: dict[TrustState, tuple[Any, Any, Any]] = {
    TrustState.VERIFIED: (ft.Icons.VERIFIED_USER, ft.Colors.GREEN_50, ft.Colors.GREEN_900),
    TrustState.UNSIGNED: (ft.Icons.INFO_OUTLINE, ft.Colors.AMBER_50, ft.Colors.BROWN_900),
    TrustState.MISMATCH: (ft.Icons.GPP_BAD, ft.Colors.ERROR_CONTAINER, ft.Colors.ON_ERROR_CONTAINER),
    TrustState.FORGED: (ft.Icons.GPP_BAD, ft.Colors.ERROR_CONTAINER, ft.Colors.ON_ERROR_CONTAINER),
    TrustState.MANUAL: (ft.Icons.EDIT_NOTE, ft.Colors.SURFACE_CONTAINER_HIGHEST, ft.Colors.ON_SURFACE),
    TrustState.UNKNOWN: (ft.Icons.HELP_OUTLINE, ft.Colors.SURFACE_CONTAINER_HIGHEST, ft.Colors.ON_SURFACE),
}
_SEVERITY_ICON = {
    "error": ft.Icons.ERROR_OUTLINE,
    "warning": ft.Icons.WARNING_AMBER,
    "info": ft.Icons.INFO_OUTLINE,
}


def trust_badge(ctx: ViewContext, letter: Letter) -> ft.Control:
    t = ctx.t
    icon, bg, fg = _TRUST_STYLE[letter.trust]
    state = letter.trust.value
    lines: list[ft.Control] = [
        ft.Text(
            t(f"notices.trust.{state}.title"), weight=ft.FontWeight.BOLD, color=fg, key="notices.trust.title"
        ),
        ft.Text(t(f"notices.trust.{state}.text"), color=fg),
    ]
    if letter.demo and letter.trust is TrustState.VERIFIED:
        lines.append(ft.Text(t("notices.trust.demo"), color=fg, italic=True))
    return ft.Container(
        key=f"notices.trust.{state}",
        bgcolor=bg,
        border_radius=8,
        padding=12,
        content=ft.Row(
            [
                ft.Icon(icon, color=fg, size=32, semantics_label=None),
                ft.Column(lines, spacing=4, expand=True),
            ],
            vertical_alignment=ft.CrossAxisAlignment.START,
        ),
    )


def summary(ctx: ViewContext, overview: LetterOverview) -> ft.Control:
    """Who wants what, how much, by when, and the Kassenzeichen, in plain words."""
    t = ctx.t
    letter = overview.letter
    who = letter.issuer or letter.payee or t("notices.summary.unknown_sender")
    controls: list[ft.Control] = []
    if letter.trust in (TrustState.FORGED, TrustState.MISMATCH):
        controls.append(ft.Text(t("notices.summary.claims"), italic=True))
    if letter.amount is not None and letter.due_date is not None:
        sentence = t(
            "notices.summary.sentence",
            who=who,
            amount=money(ctx, letter.amount),
            due=day(ctx, letter.due_date),
        )
    elif letter.amount is not None:
        sentence = t("notices.summary.sentence_no_due", who=who, amount=money(ctx, letter.amount))
    else:
        sentence = t("notices.summary.sentence_no_amount", who=who)
    controls.append(
        ft.Text(sentence, key="notices.summary.sentence", theme_style=ft.TextThemeStyle.TITLE_MEDIUM)
    )
    if letter.cash_reference:
        controls.append(
            ft.Text(t("notices.summary.cash_line", cash=letter.cash_reference), key="notices.summary.cash")
        )
    if overview.paid and overview.payment is not None:
        payment = overview.payment
        key = "notices.paid.transfer" if payment.channel == "bank_transfer" else "notices.paid.page"
        when = day(ctx, payment.paid_at.date()) if payment.paid_at else ""
        controls.append(
            callout(
                t(key, day=when, reference=payment.reference),
                key="notices.paid",
                icon=ft.Icons.CHECK_CIRCLE,
                bgcolor=ft.Colors.GREEN_50,
                color=ft.Colors.GREEN_900,
            )
        )
    elif overview.payment_differs:
        controls.append(
            callout(
                payment_differs_text(ctx, overview),
                key="notices.payment_differs",
                icon=ft.Icons.WARNING_AMBER,
                bgcolor=ft.Colors.ERROR_CONTAINER,
                color=ft.Colors.ON_ERROR_CONTAINER,
            )
        )
    return ft.Column(controls, spacing=8, key="notices.summary")


def facts(ctx: ViewContext, letter: Letter) -> ft.Control:
    """Every detail of the letter the app knows, each with its label (wraps on narrow screens)."""
    t = ctx.t
    facts = [
        (
            "notices.summary.type",
            t(f"notices.type.{letter.notice_type}")
            if letter.source == "manual" or letter.case_number
            else "",
        ),
        ("notices.summary.cash_reference", letter.cash_reference),
        ("notices.summary.case_number", letter.case_number),
        ("notices.summary.amount", money(ctx, letter.amount)),
        ("notices.summary.due_date", day(ctx, letter.due_date)),
        ("notices.summary.notice_date", day(ctx, letter.notice_date)),
        ("notices.summary.payee", letter.payee),
        ("notices.summary.iban", letter.iban),
        ("notices.summary.purpose", letter.rf_reference or letter.remittance),
    ]
    grid = ft.ResponsiveRow(spacing=12, run_spacing=8)
    for label_key, value in facts:
        if value:
            grid.controls.append(
                ft.Container(
                    fact(t(label_key), value, key=label_key.replace("summary", "fact")),
                    col={"xs": 12, "sm": 6},
                )
            )
    return grid


def problems(ctx: ViewContext, letter: Letter) -> ft.Control | None:
    """What the inspection found, most serious first, translated where a text exists."""
    order = {"error": 0, "warning": 1, "info": 2}
    found = sorted(letter.problems, key=lambda p: order.get(str(p.get("severity")), 3))
    if not found:
        return None
    rows: list[ft.Control] = []
    for i, problem in enumerate(found):
        code = str(problem.get("code", ""))
        key = f"notices.problem.{code}"
        params = {k: str(v) for k, v in dict(problem.get("params") or {}).items()}
        text = ctx.t(key, **params) if ctx.t.has(key) else str(problem.get("message", code))
        severity = str(problem.get("severity", "info"))
        rows.append(
            ft.Row(
                [
                    ft.Icon(
                        _SEVERITY_ICON.get(severity, ft.Icons.INFO_OUTLINE),
                        semantics_label=ctx.t(f"notices.severity.{severity}"),
                    ),
                    ft.Text(text, expand=True),
                ],
                key=f"notices.problem.{i}",
                vertical_alignment=ft.CrossAxisAlignment.START,
            )
        )
    return ft.Column(rows, spacing=6, key="notices.problems")
