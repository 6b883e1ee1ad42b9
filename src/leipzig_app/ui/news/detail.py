"""One news item read in full: safe text, its links with their domains, "Im Browser öffnen" and "Teilen".

Links open only over http(s), and never without the resident seeing the domain first: the button says
where it leads, and a confirmation names the domain again. A domain outside the city's list is not
opened from the app at all; the resident may copy the link and decide for themselves. Sharing uses the
platform share sheet (Flet's `Share` service) and falls back to copying the link where there is none.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from typing import Any

import flet as ft

from leipzig_app.domain.languages import in_own_direction
from leipzig_app.domain.news import NewsItem, link_domain, openable_link
from leipzig_app.domain.urls import is_allowed_link
from leipzig_app.services.news import NewsService
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.news.list_view import fresh_root_key
from leipzig_app.ui.widgets.common import empty_state, heading, primary_button, secondary_button, text_button
from leipzig_app.ui.widgets.links import launch

log = logging.getLogger(__name__)


def build_detail(ctx: ViewContext, service: NewsService, item_id: str) -> ft.Control:
    t = ctx.t
    back = text_button(
        t("news.back"), key="news.back", icon=ft.Icons.ARROW_BACK, on_click=lambda e: ctx.navigate("/news")
    )
    item = service.item(item_id)
    if item is None:
        return ft.ListView(
            key="news.detail",
            padding=16,
            controls=[
                back,
                empty_state(
                    ft.Icons.SEARCH_OFF,
                    t("news.not_found.title"),
                    t("news.not_found.text"),
                    key="news.not_found",
                ),
            ],
            expand=True,
        )
    language = t.base_language
    # The feed's own words run in their own direction (German news on an Arabic screen, ...).
    own = functools.partial(in_own_direction, screen_rtl=t.rtl)
    meta = [own(item.sources)]
    if item.published is not None:
        meta.append(f"{service.when(item, language)} ({service.stamp(item.published, language)})")
    else:
        meta.append(t("news.no_date"))
    controls: list[ft.Control] = [
        back,
        heading(own(item.title), level=2, key="news.detail.title"),
        ft.Text(" · ".join(meta), key="news.detail.meta", color=ft.Colors.ON_SURFACE_VARIANT),
    ]
    if item.image:
        slot = ft.Container(key="news.detail.image", border_radius=8, clip_behavior=ft.ClipBehavior.HARD_EDGE)
        cached = service.cached_image(item.image)
        if cached is not None:
            slot.content = ft.Image(
                src=cached, semantics_label=t("news.image", title=item.title), fit=ft.BoxFit.COVER
            )
        else:
            slot.visible = False
            ctx.page.run_task(_load_image, ctx, service, item, slot)
        controls.append(slot)
    body = ft.Column(
        [ft.Text(own(p)) for p in item.paragraphs] or [ft.Text(t("news.no_text"))],
        spacing=12,
        key="news.detail.body",
    )
    controls.append(body)
    if item.links:
        controls.append(heading(t("news.detail.links"), level=2, key="news.detail.links"))
        for i, link in enumerate(item.links):
            controls.append(
                ft.ListTile(
                    key=f"news.detail.link.{i}",
                    leading=ft.Icon(ft.Icons.LINK),
                    title=ft.Text(own(link.text)),
                    subtitle=ft.Text(link.domain),
                    on_click=lambda e, url=link.url: _confirm_open(ctx, url),
                    content_padding=0,
                )
            )
    actions: list[ft.Control] = []
    target = openable_link(item.link)

    async def share(e: Any) -> None:
        if target:
            await _share(ctx, target)

    if target:
        actions.append(
            primary_button(
                t("news.open_in_browser", domain=link_domain(target)),
                key="news.open",
                icon=ft.Icons.OPEN_IN_BROWSER,
                on_click=lambda e: _confirm_open(ctx, target),
            )
        )
        actions.append(
            secondary_button(
                t("news.share"),
                key="news.share",
                icon=ft.Icons.SHARE,
                on_click=share,
            )
        )
    if actions:
        controls.append(ft.Row(actions, wrap=True, spacing=12, run_spacing=12))
    return ft.Container(
        key=fresh_root_key(),
        expand=True,
        content=ft.ListView(key="news.detail", controls=controls, padding=16, spacing=12, expand=True),
    )


async def _load_image(ctx: ViewContext, service: NewsService, item: NewsItem, slot: ft.Container) -> None:
    assert item.image is not None
    data = await service.image(item.image)
    if data is None:
        return
    with contextlib.suppress(Exception):  # the resident may have gone back meanwhile
        slot.content = ft.Image(
            src=data, semantics_label=ctx.t("news.image", title=item.title), fit=ft.BoxFit.COVER
        )
        slot.visible = True
        slot.update()


def _confirm_open(ctx: ViewContext, url: str) -> None:
    """Name the domain before leaving the app; a domain the city does not list is only offered to copy."""
    t = ctx.t
    domain = link_domain(url)
    allowed = is_allowed_link(url, ctx.profile.links.allowed_domains)

    def close(e: Any = None) -> None:
        with contextlib.suppress(Exception):
            ctx.page.pop_dialog()

    async def open_it(e: Any) -> None:
        close()
        if await launch(url):
            ctx.announce(t("news.opened", domain=domain))
        else:
            ctx.announce(t("news.open_failed"))

    async def copy_it(e: Any) -> None:
        close()
        await _copy(ctx, url)

    if allowed:
        text = t("news.confirm.text", domain=domain)
        main_action = primary_button(t("news.confirm.open"), key="news.confirm.open", on_click=open_it)
    else:
        text = t("news.confirm.foreign", domain=domain)
        main_action = primary_button(t("news.copy_link"), key="news.confirm.copy", on_click=copy_it)
    dialog = ft.AlertDialog(
        key="news.confirm",
        modal=True,
        title=ft.Text(t("news.confirm.title")),
        semantics_label=t("news.confirm.title"),  # else screen readers on the web meet a nameless dialog
        content=ft.Column(
            [
                ft.Text(domain, weight=ft.FontWeight.BOLD, key="news.confirm.domain"),
                ft.Text(text),
            ],
            tight=True,
            spacing=8,
        ),
        actions=[
            text_button(t("news.confirm.cancel"), key="news.confirm.cancel", on_click=close),
            main_action,
        ],
    )
    ctx.page.show_dialog(dialog)


async def _share(ctx: ViewContext, url: str) -> None:
    try:
        result = await ft.Share().share_uri(url)
    except (RuntimeError, TimeoutError):  # no share sheet here (desktop, some browsers): copy instead
        log.info("sharing is not available; copying the link instead")
        await _copy(ctx, url)
        return
    if result.status == ft.ShareResultStatus.SUCCESS:
        ctx.announce(ctx.t("news.shared"))


async def _copy(ctx: ViewContext, url: str) -> None:
    try:
        await ft.Clipboard().set(url)
    except (RuntimeError, TimeoutError):
        log.info("the clipboard is not available")
        ctx.announce(ctx.t("news.copy_failed"))
    else:
        ctx.announce(ctx.t("news.link_copied"))
