"""Library card: type the number once, then show it as the barcode the library's terminals read.

The number is checked against the profile (pattern, symbology, check digit) before it is kept; phones keep
it in secure storage, desktop and web in a private file. The barcode is drawn on a white ground with a
quiet zone, and the number is written below it for the staff at the desk.
"""

from __future__ import annotations

import logging
from typing import Any

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.services.library import LibraryCardService
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.services.common import hub_of, not_offered, page, page_platform
from leipzig_app.ui.services.secure_store import SECURE_PLATFORMS, FletSecureCardStore
from leipzig_app.ui.widgets.common import (
    error_banner,
    labelled,
    primary_button,
    secondary_button,
    text_button,
)

log = logging.getLogger(__name__)


def _service(ctx: ViewContext) -> LibraryCardService | None:
    hub = hub_of(ctx)
    service = hub.library if hub else None
    if service is None:
        return None
    if page_platform(ctx) in SECURE_PLATFORMS:
        return service.using(FletSecureCardStore())
    return service


def build(ctx: ViewContext, module_id: str) -> ft.Control:
    service = _service(ctx)
    if service is None:
        return not_offered(ctx, module_id)
    t = ctx.t
    body = ft.Column(
        [ft.ProgressRing(width=20, height=20, semantics_label=t("common.loading"))],
        spacing=12,
        key="hub.library.body",
    )
    ctx.page.run_task(_show, ctx, service, body)
    return page(ctx, module_id, [ft.Text(t("hub.library.intro", library=service.settings.name)), body])


async def _show(
    ctx: ViewContext, service: LibraryCardService, body: ft.Column, editing: bool = False
) -> None:
    t = ctx.t
    try:
        number = await service.card_number()
    except AppError as error:
        log.info("card store unavailable: %s", error)
        body.controls = [error_banner(t("hub.library.store_failed"), key="hub.library.store_failed")]
        body.update()
        return
    if number and not editing:
        body.controls = _card(ctx, service, body, number)
    else:
        body.controls = _form(ctx, service, body, number)
    body.update()


def _card(ctx: ViewContext, service: LibraryCardService, body: ft.Column, number: str) -> list[ft.Control]:
    t = ctx.t
    try:
        image = service.image(number)
    except AppError:
        return [error_banner(t("hub.library.render_failed"), key="hub.library.render_failed")]

    async def edit(e: Any) -> None:
        await _show(ctx, service, body, editing=True)

    async def save_svg(e: Any) -> None:
        from leipzig_app.ui.notices.common import save_file

        try:
            data = service.svg(number)
        except AppError:
            ctx.announce(t("hub.library.render_failed"))
            return
        saved = await save_file(ctx, "bibliotheksausweis.svg", data, "svg")
        ctx.announce(t("hub.library.image_saved" if saved else "hub.library.image_failed"))

    async def remove(e: Any) -> None:
        await service.remove()
        ctx.announce(t("hub.library.removed"))
        await _show(ctx, service, body)

    return [
        ft.Container(
            key="hub.library.card",
            bgcolor=ft.Colors.WHITE,
            padding=16,
            border_radius=8,
            content=ft.Image(
                src=image.png_base64,
                key="hub.library.barcode",
                fit=ft.BoxFit.CONTAIN,
                semantics_label=t("hub.library.barcode", number=number, symbology=image.symbology_label),
            ),
        ),
        ft.Text(
            number,
            key="hub.library.number",
            selectable=True,
            semantics_label=number,
            theme_style=ft.TextThemeStyle.HEADLINE_SMALL,
        ),
        ft.Text(
            t("hub.library.show_hint", symbology=image.symbology_label), color=ft.Colors.ON_SURFACE_VARIANT
        ),
        ft.Row(
            [
                secondary_button(t("hub.library.change"), key="hub.library.change", on_click=edit),
                secondary_button(
                    t("hub.library.save_image"), key="hub.library.save_image", on_click=save_svg
                ),
                text_button(t("hub.library.remove"), key="hub.library.remove", on_click=remove),
            ],
            wrap=True,
        ),
    ]


def _form(
    ctx: ViewContext, service: LibraryCardService, body: ft.Column, current: str | None
) -> list[ft.Control]:
    t = ctx.t
    language = t.base_language
    field = ft.TextField(
        error_max_lines=4,
        helper_max_lines=4,
        key="hub.library.input",
        label=t("hub.library.input"),
        value=current or "",
        helper=service.hint(language) or None,
        autocorrect=False,
        enable_suggestions=False,
    )

    async def save(e: Any) -> None:
        try:
            number = await service.save(str(field.value or ""), language)
        except AppError as error:
            field.error = t(error.key, **error.params) if t.has(error.key) else str(error)
            field.update()
            ctx.announce(str(field.error))
            return
        ctx.announce(t("hub.library.saved", number=number))
        await _show(ctx, service, body)

    field.on_submit = save
    controls: list[ft.Control] = [
        labelled(field),
        primary_button(t("hub.library.save"), key="hub.library.save", on_click=save),
        ft.Text(t("hub.library.privacy"), color=ft.Colors.ON_SURFACE_VARIANT),
    ]
    if current:

        async def cancel(e: Any) -> None:
            await _show(ctx, service, body)

        controls.append(text_button(t("hub.library.cancel"), key="hub.library.cancel", on_click=cancel))
    return controls
