"""The notice screen, reached from the scanner at "/scanner/notice..." (see `flow.py` for the contract).

Routes:
- "/scanner/notice": the letter opened last (or how to open one);
- "/scanner/notice/<id>": trust state, summary, problems and the actions the letter offers;
- "/scanner/notice/<id>/pay", ".../transfer", ".../later", ".../object": one action each, every one with
  a review-and-confirm step before anything legal or financial happens;
- "/scanner/manual" (also "/scanner/notice/manual"): typing in a letter without a code.
"""

from __future__ import annotations

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.letters import TrustState
from leipzig_app.services.notices import LetterOverview
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.notices.common import MANUAL_ROUTES, NOTICE_ROUTE, error_text, letter_route
from leipzig_app.ui.notices.summary import facts, problems, summary, trust_badge
from leipzig_app.ui.widgets.common import (
    empty_state,
    error_banner,
    heading,
    primary_button,
    secondary_button,
    text_button,
)


def build_notice_view(ctx: ViewContext, route: str) -> ft.Control:
    path = (route or NOTICE_ROUTE).split("?")[0].rstrip("/")
    service = ctx.services.notices
    if service is None:
        return _page(
            ctx,
            [
                empty_state(
                    ft.Icons.MAIL_OUTLINE,
                    ctx.t("notices.title"),
                    ctx.t("notices.unavailable"),
                    key="notices.unavailable",
                )
            ],
        )
    if path in MANUAL_ROUTES:
        from leipzig_app.ui.notices.manual import build_manual

        return _page(ctx, build_manual(ctx))
    parts = path[len(NOTICE_ROUTE) :].strip("/").split("/") if path.startswith(NOTICE_ROUTE) else []
    letter_id = parts[0] if parts and parts[0] else None
    step = parts[1] if len(parts) > 1 else ""
    if letter_id is None:
        latest = service.latest()
        if latest is None:
            return _page(ctx, [_nothing_open(ctx)])
        letter_id = latest.id
    try:
        overview: LetterOverview = service.overview(letter_id)
    except AppError as error:
        return _page(ctx, [error_banner(error_text(ctx, error), key="notices.error"), _nothing_open(ctx)])
    try:
        controls = _step(ctx, overview, step)
    except AppError as error:
        controls = [error_banner(error_text(ctx, error), key="notices.error"), *_letter(ctx, overview)]
    return _page(ctx, controls)


#: The view for the scanner section's router (same signature as every section's `build`).
build = build_notice_view


def _step(ctx: ViewContext, overview: LetterOverview, step: str) -> list[ft.Control]:
    if step == "pay":
        from leipzig_app.ui.notices.pay import build_pay

        return build_pay(ctx, overview)
    if step == "transfer":
        from leipzig_app.ui.notices.pay import build_transfer

        return build_transfer(ctx, overview)
    if step == "later":
        from leipzig_app.ui.notices.later import build_later

        return build_later(ctx, overview)
    if step == "object":
        from leipzig_app.ui.notices.objection import build_objection

        return build_objection(ctx, overview)
    return _letter(ctx, overview)


def _page(ctx: ViewContext, controls: list[ft.Control]) -> ft.Control:
    return ft.ListView(controls=controls, padding=16, spacing=12, expand=True, key="notices.page")


def _nothing_open(ctx: ViewContext) -> ft.Control:
    t = ctx.t
    return empty_state(
        ft.Icons.QR_CODE_SCANNER,
        t("notices.none.title"),
        t("notices.none.text"),
        key="notices.none",
        action=ft.Row(
            [
                secondary_button(
                    t("notices.scan_again"), key="notices.scan", on_click=lambda e: ctx.navigate("/scanner")
                ),
                text_button(
                    t("notices.manual.open"),
                    key="notices.manual.open",
                    on_click=lambda e: ctx.navigate(MANUAL_ROUTES[0]),
                ),
            ],
            wrap=True,
            alignment=ft.MainAxisAlignment.CENTER,
        ),
    )


def back_to_letter(ctx: ViewContext, letter_id: str) -> ft.Control:
    return text_button(
        ctx.t("notices.back_to_letter"),
        key="notices.back",
        icon=ft.Icons.ARROW_BACK,
        on_click=lambda e: ctx.navigate(letter_route(letter_id)),
    )


def _letter(ctx: ViewContext, overview: LetterOverview) -> list[ft.Control]:
    t = ctx.t
    letter = overview.letter
    controls: list[ft.Control] = [
        heading(t("notices.title"), key="notices.heading"),
        trust_badge(ctx, letter),
        summary(ctx, overview),
    ]
    found = problems(ctx, letter)
    # A warning that the letter may be forged belongs before anything to act on; notes come last.
    alarming = any(p.get("severity") == "error" for p in letter.problems)
    if found is not None and alarming:
        controls += [heading(t("notices.problems.title"), level=2), found]
    actions: list[ft.Control] = []
    paid = overview.paid
    if overview.pay_now:
        actions.append(
            primary_button(
                t("notices.action.pay_now"),
                key="notices.action.pay_now",
                icon=ft.Icons.PAYMENT,
                on_click=lambda e: ctx.navigate(letter_route(letter.id, "pay")),
            )
        )
    if letter.offers("bank_transfer") and not paid:
        actions.append(
            secondary_button(
                t("notices.action.bank_transfer"),
                key="notices.action.bank_transfer",
                icon=ft.Icons.ACCOUNT_BALANCE,
                on_click=lambda e: ctx.navigate(letter_route(letter.id, "transfer")),
            )
        )
    if letter.offers("pay_later") and not paid:
        label = "notices.action.pay_later_set" if overview.reminder else "notices.action.pay_later"
        actions.append(
            secondary_button(
                t(label),
                key="notices.action.pay_later",
                icon=ft.Icons.NOTIFICATIONS_OUTLINED,
                on_click=lambda e: ctx.navigate(letter_route(letter.id, "later")),
            )
        )
    if letter.offers("object"):
        actions.append(
            secondary_button(
                t(f"notices.action.object_{letter.remedy.value}"),
                key="notices.action.object",
                icon=ft.Icons.GAVEL,
                on_click=lambda e: ctx.navigate(letter_route(letter.id, "object")),
            )
        )
    if actions:
        controls += [
            heading(t("notices.actions.title"), level=2),
            ft.Column(actions, spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
        ]
    elif letter.trust in (TrustState.FORGED, TrustState.MISMATCH):
        controls.append(
            ft.Text(t("notices.actions.none_suspect"), key="notices.actions.none", weight=ft.FontWeight.BOLD)
        )
    elif not paid:
        controls.append(ft.Text(t("notices.actions.none"), key="notices.actions.none"))
    controls += [heading(t("notices.facts.title"), level=2), facts(ctx, letter)]
    if found is not None and not alarming:
        controls += [heading(t("notices.problems.title"), level=2), found]
    controls.append(
        ft.Row(
            [
                text_button(
                    t("notices.scan_again"),
                    key="notices.scan",
                    icon=ft.Icons.QR_CODE_SCANNER,
                    on_click=lambda e: ctx.navigate("/scanner"),
                ),
                text_button(
                    t("notices.manual.open"),
                    key="notices.manual.open",
                    icon=ft.Icons.EDIT_NOTE,
                    on_click=lambda e: ctx.navigate(MANUAL_ROUTES[0]),
                ),
            ],
            wrap=True,
        )
    )
    return controls
