"""Small pieces shared by the notice screens: routes, error texts, copy rows, saving files, QR images."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.ui import formatting
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.widgets.common import icon_button, primary_button, secondary_button

log = logging.getLogger(__name__)

NOTICE_ROUTE = "/scanner/notice"
MANUAL_ROUTES = ("/scanner/manual", "/scanner/notice/manual")


def letter_route(letter_id: str, step: str = "") -> str:
    return f"{NOTICE_ROUTE}/{letter_id}" + (f"/{step}" if step else "")


def error_text(ctx: ViewContext, error: AppError) -> str:
    """The translated text of a domain error; its English message when no translation exists."""
    return ctx.t(error.key, **error.params) if ctx.t.has(error.key) else error.message


def money(ctx: ViewContext, amount: object, currency: str = "EUR") -> str:
    from decimal import Decimal

    return formatting.money(amount if isinstance(amount, Decimal) else None, ctx.t.base_language, currency)


def day(ctx: ViewContext, value: object) -> str:
    return formatting.day(value if isinstance(value, date) else None, ctx.t.base_language)


def field_day(ctx: ViewContext, value: date) -> str:
    """A day to fill a date field of a letter with: the way the screen writes the dates beside the field,
    where the field reads that form back. Arabic writes 30/12/2026, day first, with the direction marks
    that keep it reading right to left (shown as 2026/12/30 from the left), and the field is filled so
    too; German writes 30.12.2026. English and Ukrainian write the month in words, which a date field
    does not read: their fields take 30.12.2026, as their hint says."""
    from leipzig_app.domain.letters import LetterError, parse_day

    shown = day(ctx, value)
    with contextlib.suppress(LetterError):
        if parse_day(shown, field_key="date") == value:
            return shown
    return f"{value:%d.%m.%Y}"


def payment_differs_text(ctx: ViewContext, overview: Any) -> str:
    """What the screen says when the city received a payment that does not settle the letter."""
    payment, letter = overview.payment, overview.letter
    status = payment.status.value if payment is not None else "differs"
    # The payment in the currency it was made in (a payment that does not match may be in another one).
    paid = money(ctx, payment.amount, payment.currency) if payment is not None and payment.currency else ""
    text = ctx.t(
        f"notices.paid.{status}",
        paid=paid,
        owed=money(ctx, letter.amount),
        open=money(ctx, overview.outstanding),
        reference=(payment.reference if payment is not None else "") or "–",
        payee=letter.payee or letter.issuer or ctx.t("notices.summary.unknown_sender"),
    )
    if status == "differs" and paid:
        text += "\n" + ctx.t("notices.paid.differs_reported", paid=paid)
    return text


def fact(label: str, value: str, *, key: str) -> ft.Control:
    """A label and its value; wraps on narrow screens and large text."""
    return ft.Container(
        key=key,
        content=ft.Column(
            [
                # A style of the theme, not a size of its own: the theme's sizes follow the text size setting.
                ft.Text(label, color=ft.Colors.ON_SURFACE_VARIANT, theme_style=ft.TextThemeStyle.BODY_MEDIUM),
                ft.Text(value, weight=ft.FontWeight.W_500),
            ],
            spacing=0,
        ),
    )


def copy_row(
    ctx: ViewContext, label: str, value: str, *, key: str, copy_value: str | None = None
) -> ft.Control:
    """A value with a copy button whose accessible name says what is copied."""

    async def copy(e: object) -> None:
        copied = False
        with contextlib.suppress(Exception):  # the platform refused: say so rather than claim success
            await ft.Clipboard().set(value if copy_value is None else copy_value)
            copied = True
        ctx.announce(ctx.t("notices.copied", what=label) if copied else ctx.t("notices.copy_failed"))

    return ft.Row(
        [
            ft.Container(fact(label, value, key=f"{key}.value"), expand=True),
            icon_button(
                ft.Icons.CONTENT_COPY,
                ctx.t("notices.copy_label", what=label),
                key=f"{key}.copy",
                on_click=copy,
            ),
        ],
        vertical_alignment=ft.CrossAxisAlignment.CENTER,
    )


def still_shown(control: ft.Control) -> bool:
    """True while the control is on the screen: every ancestor up to the page still holds its child.

    A background result must not navigate or speak for a screen the resident has already left (the
    shell replaces the section's content, which breaks the chain at that point).
    """
    node: object = control
    while not isinstance(node, ft.Page):
        parent = getattr(node, "parent", None)
        if parent is None:
            return False
        children = [getattr(parent, name, None) for name in ("content", "controls", "views")]
        held = any(c is node or (isinstance(c, list) and any(x is node for x in c)) for c in children)
        if not held:
            return False
        node = parent
    return True


def qr_png(text: str) -> bytes:
    """A QR code (error correction M, as EPC069-12 asks) as PNG bytes."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_image(text: str, label: str, *, key: str, size: int = 300) -> ft.Control:
    """The code shown large on a white ground (a banking app on another device scans it)."""
    return ft.Container(
        key=key,
        bgcolor=ft.Colors.WHITE,
        padding=8,
        border_radius=8,
        content=ft.Image(
            src=qr_png(text), width=size, height=size, fit=ft.BoxFit.CONTAIN, semantics_label=label
        ),
    )


async def save_file(ctx: ViewContext, name: str, data: bytes, extension: str) -> bool:
    """Offer the bytes as a file (a download on the web, a save dialog elsewhere); True when handed over."""
    picker = ft.FilePicker()
    path: str | None = None
    handed_over = False
    with contextlib.suppress(Exception):  # no file dialog on this platform, or the client refused
        path = await picker.save_file(
            file_name=name,
            src_bytes=data,
            file_type=ft.FilePickerFileType.CUSTOM,
            allowed_extensions=[extension],
        )
        handed_over = True
    if not handed_over:
        log.info("saving a file is not available")
        return False
    if ctx.page.web:
        return True
    if not path:
        return False
    target = Path(path)
    # Desktop dialogs return a path only; the app writes the file itself there.
    if not target.exists() or target.stat().st_size == 0:
        with contextlib.suppress(OSError):
            target.write_bytes(data)
    return target.exists()


def toggle_step(ctx: ViewContext, box: ft.Container, visible: bool, message: str) -> None:
    """Show or hide a confirmation step and say so (focus does not move to it by itself)."""
    box.visible = visible
    box.update()
    ctx.announce(message)


def confirm_step(
    ctx: ViewContext,
    *,
    review: str,
    confirm_label: str,
    on_confirm: Callable[..., Any],
    box_key: str,
    confirm_key: str,
    cancel_key: str,
    icon: ft.IconData | None = None,
) -> ft.Container:
    """The review-and-confirm step of a legal or financial action: hidden until the action's button opens
    it with `toggle_step(ctx, box, True, review)`; it repeats what will happen and offers confirm and
    cancel (cancel closes it again and says so)."""
    box = ft.Container(visible=False, key=box_key)
    box.content = ft.Column(
        [
            ft.Text(review),
            ft.Row(
                [
                    primary_button(confirm_label, key=confirm_key, icon=icon, on_click=on_confirm),
                    secondary_button(
                        ctx.t("common.cancel"),
                        key=cancel_key,
                        on_click=lambda e: toggle_step(ctx, box, False, ctx.t("notices.confirm_cancelled")),
                    ),
                ],
                wrap=True,
            ),
        ],
        spacing=8,
    )
    return box
