"""Pay now: the hand-off to the city's payment page (review, confirm, read the result back), and the bank
transfer with copy buttons and the GiroCode shown large for a banking app on another device."""

from __future__ import annotations

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.letters import PaymentRecord, PaymentStatus, TrustState
from leipzig_app.domain.urls import host_of
from leipzig_app.services.notices import LetterOverview
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.notices.common import (
    confirm_step,
    copy_row,
    day,
    error_text,
    fact,
    letter_route,
    money,
    payment_differs_text,
    qr_image,
    still_shown,
    toggle_step,
)
from leipzig_app.ui.widgets.common import heading, primary_button, secondary_button
from leipzig_app.ui.widgets.links import launch


def _paid_text(ctx: ViewContext, overview: LetterOverview) -> ft.Control:
    payment = overview.payment
    assert payment is not None
    when = day(ctx, payment.paid_at.date()) if payment.paid_at else ""
    key = "notices.paid.transfer" if payment.channel == "bank_transfer" else "notices.paid.page"
    return ft.Text(
        ctx.t(key, day=when, reference=payment.reference), key="notices.paid", weight=ft.FontWeight.BOLD
    )


#: Flet's web server names the page by its websocket's address (ws://host:port/path): the browser's is http.
_PAGE_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}


def _return_url(ctx: ViewContext, letter_id: str) -> str | None:
    """Where the payment page links back to: the app's own page on the web (a phone app has no URL)."""
    if not ctx.page.web or not ctx.page.url:
        return None
    scheme, sep, rest = str(ctx.page.url).split("#")[0].rstrip("/").partition("://")
    if not sep or scheme.lower() not in _PAGE_SCHEMES:
        return None  # no address a browser could open (a payment page follows only http(s) links)
    return f"{_PAGE_SCHEMES[scheme.lower()]}://{rest}{letter_route(letter_id, 'pay')}"


def build_pay(ctx: ViewContext, overview: LetterOverview) -> list[ft.Control]:
    from leipzig_app.ui.notices.view import back_to_letter

    t = ctx.t
    letter = overview.letter
    service = ctx.services.notices
    route = letter_route(letter.id, "pay")
    controls: list[ft.Control] = [
        back_to_letter(ctx, letter.id),
        heading(t("notices.pay.title"), key="notices.pay.heading"),
    ]
    if overview.paid:
        return [*controls, _paid_text(ctx, overview)]
    if overview.payment_differs:
        text = payment_differs_text(ctx, overview)
        return [*controls, ft.Text(text, key="notices.pay.differs", weight=ft.FontWeight.BOLD)]
    if not overview.pay_now:
        return [*controls, ft.Text(t("notices.error.no_payment_page"), key="notices.pay.unavailable")]
    settings = ctx.profile.payments
    domain = host_of(settings.page_url or "")
    controls += [
        ft.Text(t("notices.pay.review"), key="notices.pay.review"),
        fact(t("notices.summary.payee"), letter.payee or letter.issuer, key="notices.pay.payee"),
        fact(t("notices.summary.cash_reference"), letter.cash_reference, key="notices.pay.cash_reference"),
        fact(t("notices.summary.amount"), money(ctx, letter.amount), key="notices.pay.amount"),
        fact(
            t("notices.pay.page"),
            f"{domain} ({settings.provider})" if settings.provider else domain,
            key="notices.pay.domain",
        ),
        ft.Text(t("notices.pay.no_card_data"), color=ft.Colors.ON_SURFACE_VARIANT),
    ]
    payment = overview.payment
    if payment is not None and payment.status in (
        PaymentStatus.CANCELLED,
        PaymentStatus.FAILED,
        PaymentStatus.PENDING,
    ):
        controls.append(
            ft.Text(
                t(f"notices.pay.status.{payment.status.value}"),
                key="notices.pay.status",
                weight=ft.FontWeight.BOLD,
            )
        )

    async def confirm(e: object) -> None:
        try:
            url = await service.start_payment(letter.id, return_url=_return_url(ctx, letter.id))
        except AppError as error:
            ctx.navigate(route)
            ctx.announce(error_text(ctx, error))
            return
        opened = await launch(url)
        ctx.navigate(route)
        ctx.announce(t("notices.pay.opened") if opened else t("notices.pay.open_failed", url=url))

    def show_result(record: PaymentRecord) -> None:
        ctx.navigate(route if not record.paid else letter_route(letter.id))
        if record.status in (PaymentStatus.UNDERPAID, PaymentStatus.DIFFERS):
            ctx.announce(payment_differs_text(ctx, service.overview(letter.id)))
            return
        when = day(ctx, record.paid_at.date()) if record.paid_at else ""
        ctx.announce(t(f"notices.pay.result.{record.status.value}", day=when, reference=record.reference))

    async def check(e: object) -> None:
        try:
            record = await service.check_payment(letter.id)
        except AppError as error:
            ctx.announce(error_text(ctx, error))
            return
        show_result(record)

    async def check_once() -> None:
        # Back from the payment page (its link back, or the app opened again): read the result once.
        try:
            record = await service.check_payment(letter.id)
        except AppError:
            return  # offline or the city's service failed: the button is there for another try
        if record.status is not PaymentStatus.PENDING and still_shown(anchor):
            show_result(record)

    buttons: list[ft.Control] = []
    if payment is not None and payment.status is PaymentStatus.PENDING:
        buttons.append(
            primary_button(
                t("notices.pay.check"), key="notices.pay.check", icon=ft.Icons.REFRESH, on_click=check
            )
        )
        buttons.append(
            secondary_button(
                t("notices.pay.reopen"),
                key="notices.pay.confirm",
                icon=ft.Icons.OPEN_IN_NEW,
                on_click=confirm,
            )
        )
    else:
        buttons.append(
            primary_button(
                t("notices.pay.confirm"),
                key="notices.pay.confirm",
                icon=ft.Icons.OPEN_IN_NEW,
                on_click=confirm,
            )
        )
    buttons.append(
        secondary_button(
            t("common.cancel"),
            key="notices.pay.cancel",
            on_click=lambda e: ctx.navigate(letter_route(letter.id)),
        )
    )
    anchor = ft.Column(buttons, spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH)
    controls.append(anchor)
    if payment is not None and payment.status is PaymentStatus.PENDING:
        ctx.page.run_task(check_once)
        # A phone app has no link back from the payment page: ask again when the resident returns.
        ctx.on_resume(check_once)
    return controls


def build_transfer(ctx: ViewContext, overview: LetterOverview) -> list[ft.Control]:
    from leipzig_app.ui.notices.view import back_to_letter

    t = ctx.t
    letter = overview.letter
    service = ctx.services.notices
    controls: list[ft.Control] = [
        back_to_letter(ctx, letter.id),
        heading(t("notices.transfer.title"), key="notices.transfer.heading"),
    ]
    if overview.paid:
        return [*controls, _paid_text(ctx, overview)]
    data = service.transfer_data(letter.id)
    if letter.trust is TrustState.UNSIGNED:
        controls.append(ft.Text(t("notices.transfer.unsigned_official"), key="notices.transfer.unsigned"))
    amount_text = money(ctx, data.amount) if data.amount is not None else t("notices.transfer.amount_open")
    controls += [
        ft.Text(t("notices.transfer.intro")),
        copy_row(ctx, t("notices.transfer.name"), data.name, key="notices.transfer.name"),
        copy_row(ctx, t("notices.transfer.iban"), data.iban, key="notices.transfer.iban"),
    ]
    if data.bic:
        controls.append(copy_row(ctx, t("notices.transfer.bic"), data.bic, key="notices.transfer.bic"))
    controls += [
        copy_row(
            ctx,
            t("notices.transfer.amount"),
            amount_text,
            key="notices.transfer.amount",
            copy_value=_plain_amount(ctx, data.amount),
        ),
        copy_row(ctx, t("notices.transfer.purpose"), data.purpose, key="notices.transfer.purpose"),
        heading(t("notices.transfer.qr_title"), level=2),
        ft.Text(t("notices.transfer.qr_hint")),
        ft.Row(
            [
                qr_image(
                    data.girocode,
                    t("notices.transfer.qr_label", amount=amount_text, name=data.name),
                    key="notices.transfer.qr",
                )
            ],
            alignment=ft.MainAxisAlignment.CENTER,
        ),
    ]

    review = t("notices.transfer.mark_review", amount=amount_text)

    async def mark(e: object) -> None:
        try:
            service.mark_transferred(letter.id)
        except AppError as error:
            ctx.announce(error_text(ctx, error))
            return
        ctx.navigate(letter_route(letter.id))
        ctx.announce(t("notices.transfer.marked"))

    confirm_box = confirm_step(
        ctx,
        review=review,
        confirm_label=t("notices.transfer.mark_confirm"),
        on_confirm=mark,
        box_key="notices.transfer.confirm_box",
        confirm_key="notices.transfer.mark_confirm",
        cancel_key="notices.transfer.mark_cancel",
    )
    controls += [
        secondary_button(
            t("notices.transfer.mark"),
            key="notices.transfer.mark",
            icon=ft.Icons.DONE,
            on_click=lambda e: toggle_step(ctx, confirm_box, True, review),
        ),
        confirm_box,
    ]
    return controls


def _plain_amount(ctx: ViewContext, amount: object) -> str:
    """The amount as banking apps take it: digits with the language's decimal sign, no currency."""
    from decimal import Decimal

    if not isinstance(amount, Decimal):
        return ""
    text = f"{amount:.2f}"
    return text.replace(".", ",") if ctx.t.base_language == "de" else text
