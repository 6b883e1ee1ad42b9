"""The news list: cached items at once, then a refresh; filters, search, "neu" and per-feed errors.

The list is built from the cache before any network call, so it shows immediately (offline too); a
refresh then runs in the background and replaces it. Which items count as new is decided against the
previous visit of the section, taken once per visit (`visit.py`), so the markers stay put while the
resident reads, also after opening an item and coming back.
Pulling the list down at its top refreshes it (`ui/widgets/pull.py` reads the gesture from the list's
scroll events, as Flet 1.0.5 has no RefreshIndicator); the refresh button does the same for everyone who
does not pull: keyboards, switches, screen readers and mice.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from datetime import datetime
from typing import Any

import flet as ft

from leipzig_app.domain.languages import in_own_direction
from leipzig_app.domain.news import NewsItem, is_new
from leipzig_app.services.news import NewsService, NewsSnapshot
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.news.visit import Visit
from leipzig_app.ui.widgets.common import (
    callout,
    empty_state,
    error_banner,
    heading,
    icon_button,
    search_field,
    secondary_button,
)
from leipzig_app.ui.widgets.pull import PullToRefresh

log = logging.getLogger(__name__)


def fresh_root_key() -> str:
    """A key no earlier build used: Flet 1.0.5 freezes (makes immutable) a new control that replaces an
    old one with the same key, together with all its children, so each build gets its own root key."""
    return f"news.view.{next(_BUILDS)}"


_BUILDS = itertools.count()

#: Items shown at first (and added by "Weitere Nachrichten"): the first screen stays quick with long feeds.
PAGE_SIZE = 30
#: Pictures are fetched for the first items of each page only (those shown first, and the first ones
#: "Weitere Nachrichten" reveals); the rest show text alone until opened, so a page costs few downloads.
IMAGES_IN_LIST = 12


class NewsList:
    def __init__(self, ctx: ViewContext, service: NewsService, visit: Visit | None = None):
        self.ctx = ctx
        self.service = service
        self.feed_id = ""
        self.category = ""
        self.query = ""
        self.snapshot: NewsSnapshot = service.cached()
        # One baseline for the whole visit of the section: back from an item, the same items are new.
        self.last_visit: datetime | None = (visit or Visit(service)).begin()
        self.status = ft.Column(spacing=8, key="news.status")
        self.chips = ft.Row(wrap=True, spacing=8, run_spacing=8, key="news.filters")
        self.items = ft.Column(spacing=12, key="news.items")
        self.count = ft.Text("", key="news.count", color=ft.Colors.ON_SURFACE_VARIANT)
        self.refresh_button = icon_button(
            ft.Icons.REFRESH, ctx.t("news.refresh"), key="news.refresh", on_click=self._on_refresh
        )
        self.progress = ft.ProgressBar(
            key="news.progress", visible=False, semantics_label=ctx.t("news.refreshing")
        )
        self.pull_hint = ft.Row(
            [
                ft.Icon(ft.Icons.ARROW_DOWNWARD, color=ft.Colors.PRIMARY, size=20),
                ft.Text(ctx.t("news.pull.release"), color=ft.Colors.ON_SURFACE),
            ],
            key="news.pull",
            alignment=ft.MainAxisAlignment.CENTER,
            visible=False,
        )
        self.pull = PullToRefresh(on_pull=self._on_pull, on_armed=self._on_pull_armed)
        self._refreshing = False
        self._images: dict[str, tuple[str, _Card]] = {}
        self._cards: dict[str, _Card] = {}
        self._chips: dict[str, ft.Chip] = {}
        self.limit = PAGE_SIZE
        self.more = secondary_button(ctx.t("news.more"), key="news.more", on_click=self._on_more)

    # --- building ------------------------------------------------------------------------------------

    def build(self) -> ft.Control:
        t = self.ctx.t
        search = search_field(
            t("news.search.label"),
            key="news.search",
            on_change=self._on_search,
            on_submit=self._on_search_submit,
            expand=True,
        )
        tools = ft.Row([search, self.refresh_button], vertical_alignment=ft.CrossAxisAlignment.END)
        self._fill()
        self.ctx.page.run_task(self._refresh)
        return ft.Container(
            key=fresh_root_key(),
            expand=True,
            content=ft.ListView(
                key="news.list",
                controls=[
                    self.pull_hint,
                    heading(t("news.heading"), key="news.heading"),
                    tools,
                    self.progress,
                    self.status,
                    self.chips,
                    self.count,
                    self.items,
                ],
                padding=16,
                spacing=12,
                expand=True,
                on_scroll=self.pull.on_scroll,
            ),
        )

    def _fill(self) -> None:
        self._fill_status()
        self._fill_chips()
        self._fill_items()

    def _fill_status(self) -> None:
        t = self.ctx.t
        language = t.base_language
        snapshot = self.snapshot
        controls: list[ft.Control] = []
        if snapshot.updated_at is not None:
            stand = t("news.updated_at", when=self.service.stamp(snapshot.updated_at, language))
        else:
            stand = t("news.never_updated")
        controls.append(ft.Text(stand, key="news.stand", color=ft.Colors.ON_SURFACE_VARIANT))
        if snapshot.offline:
            controls.append(callout(t("news.offline"), key="news.offline", icon=ft.Icons.CLOUD_OFF))
        else:
            for status in snapshot.errors:
                error = status.error
                assert error is not None
                reason = t(error.key, **error.params) if t.has(error.key) else str(error)
                controls.append(
                    error_banner(
                        t("news.feed_error", source=status.title, reason=reason),
                        key=f"news.error.{status.feed_id}",
                    )
                )
        self.status.controls = controls

    def _fill_chips(self) -> None:
        t = self.ctx.t
        chips: list[ft.Control] = [
            self._chip(
                t("news.filter.all"), "news.filter.all", not self.feed_id and not self.category, "", ""
            )
        ]
        if len(self.service.feeds) > 1:
            for feed in self.service.feeds:
                chips.append(
                    self._chip(
                        feed.title, f"news.filter.source.{feed.id}", self.feed_id == feed.id, feed.id, ""
                    )
                )
        for category in self.snapshot.categories:
            chips.append(
                self._chip(
                    category, f"news.filter.category.{category}", self.category == category, "", category
                )
            )
        self.chips.controls = chips

    def _chip(self, label: str, key: str, selected: bool, feed_id: str, category: str) -> ft.Control:
        async def select(e: Any) -> None:
            if feed_id or category:
                same = (feed_id, category) == (self.feed_id, self.category)
                self.feed_id, self.category = ("", "") if same else (feed_id, category)
            else:
                self.feed_id, self.category = "", ""
            self.limit = PAGE_SIZE
            self._fill_chips()
            self._fill_items()
            self._update()
            await self._load_images()
            self.ctx.announce(self._results(len(self._visible())))

        # Controls are reused across refreshes: Flet 1.0.5 freezes a new control that replaces one with
        # the same key, and a frozen control can no longer change.
        chip = self._chips.get(key)
        if chip is None:
            chip = self._chips[key] = ft.Chip(label=ft.Text(label), key=key, on_select=select)
        chip.selected = selected
        return chip

    def _results(self, count: int) -> str:
        return self.ctx.t("news.results.one" if count == 1 else "news.results", count=count)

    def _visible(self) -> list[NewsItem]:
        return self.service.visible(
            self.snapshot, feed_id=self.feed_id, category=self.category, query=self.query
        )

    def _fill_items(self) -> None:
        t = self.ctx.t
        visible = self._visible()
        self.count.value = self._results(len(visible))
        if not self.snapshot.items:
            self.items.controls = [
                empty_state(
                    ft.Icons.NEWSPAPER_OUTLINED, t("news.empty.title"), t("news.empty.text"), key="news.empty"
                )
            ]
            return
        if not visible:
            self.items.controls = [
                empty_state(
                    ft.Icons.SEARCH_OFF,
                    t("news.no_match.title"),
                    t("news.no_match.text"),
                    key="news.no_match",
                )
            ]
            return
        shown = visible[: self.limit]
        controls = [self._card(item, i % PAGE_SIZE < IMAGES_IN_LIST) for i, item in enumerate(shown)]
        self.more.visible = len(visible) > len(shown)
        self.items.controls = [*controls, self.more]

    def _card(self, item: NewsItem, with_image: bool) -> ft.Control:
        card = self._cards.get(item.id)
        if card is None:
            card = self._cards[item.id] = _Card(item.id, self.ctx)
        t = self.ctx.t
        when = self.service.when(item, t.base_language)
        card.show(
            item,
            meta=" · ".join(part for part in (in_own_direction(item.sources, t.rtl), when) if part),
            new=is_new(item, self.last_visit),
            image=self.service.cached_image(item.image) if item.image and with_image else None,
        )
        if item.image and with_image and card.image.content is None:
            self._images[item.id] = (item.image, card)
        return card.control

    # --- events --------------------------------------------------------------------------------------

    async def _on_more(self, e: Any) -> None:
        self.limit += PAGE_SIZE
        self._fill_items()
        self._update()
        await self._load_images()

    async def _on_search(self, e: Any) -> None:
        self.query = str(e.control.value or "")
        self.limit = PAGE_SIZE
        self._fill_items()
        self._update()
        await self._load_images()

    async def _on_search_submit(self, e: Any) -> None:
        await self._on_search(e)
        self.ctx.announce(self._results(len(self._visible())))

    async def _on_refresh(self, e: Any) -> None:
        await self._refresh(announce=True)

    def _on_pull_armed(self, armed: bool) -> None:
        self.pull_hint.visible = armed
        self._update()

    def _on_pull(self) -> None:
        self.ctx.page.run_task(self._refresh, True)

    async def _refresh(self, announce: bool = False) -> None:
        if self._refreshing:  # a pull or a tap during a refresh: the running one brings the news
            return
        self._refreshing = True
        t = self.ctx.t
        self.refresh_button.disabled = True
        self.progress.visible = True
        self._update()
        if announce:
            self.ctx.announce(t("news.refreshing"))
        try:
            self.snapshot = await self.service.refresh()
        except Exception:  # the cached list stays; the problem is logged and said once
            log.exception("news refresh failed")
            self.ctx.announce(t("news.refresh_failed"))
        else:
            self.service.mark_visited()  # what this refresh brought is on the screen now: seen
            if announce or self.snapshot.offline or self.snapshot.errors:
                self.ctx.announce(self._summary())
        finally:
            self.refresh_button.disabled = False
            self.progress.visible = False
            self._refreshing = False
        self._fill()
        self._update()
        await self._load_images()

    def _summary(self) -> str:
        t = self.ctx.t
        if self.snapshot.offline:
            return t("news.offline")
        if self.snapshot.errors:
            return t(
                "news.refreshed_with_errors", count=len(self.snapshot.items), failed=len(self.snapshot.errors)
            )
        return t("news.refreshed", count=len(self.snapshot.items))

    async def _load_images(self) -> None:
        pending, self._images = self._images, {}
        for url, card in pending.values():
            data = await self.service.image(url)
            if data is not None:
                card.set_image(data)

    def _update(self) -> None:
        with contextlib.suppress(Exception):  # not mounted yet (first build) or already left
            self.ctx.page.update()


class _Card:
    """One item's card, built once and updated in place (see `_chip` on why controls are reused)."""

    def __init__(self, item_id: str, ctx: ViewContext):
        self.ctx = ctx
        self.item_id = item_id
        self.image = ft.Container(
            key=f"news.item.{item_id}.image",
            border_radius=8,
            clip_behavior=ft.ClipBehavior.HARD_EDGE,
            visible=False,
        )
        self.badge = ft.Container(
            key=f"news.item.{item_id}.new",
            bgcolor=ft.Colors.PRIMARY,
            border_radius=4,
            padding=ft.Padding.symmetric(horizontal=6, vertical=2),
            content=ft.Text(
                ctx.t("news.new"), color=ft.Colors.ON_PRIMARY, size=12, weight=ft.FontWeight.BOLD
            ),
        )
        self.meta = ft.Text("", color=ft.Colors.ON_SURFACE_VARIANT)
        self.heading = ft.Text("", theme_style=ft.TextThemeStyle.TITLE_MEDIUM, weight=ft.FontWeight.BOLD)
        self.teaser = ft.Text("", max_lines=4, overflow=ft.TextOverflow.ELLIPSIS)
        self.control = ft.Card(
            key=f"news.item.{item_id}",
            # A button to screen readers, named by everything on the card (source, date, title, teaser).
            content=ft.Semantics(
                button=True,
                content=ft.Container(
                    padding=16,
                    content=ft.Column(
                        [
                            self.image,
                            ft.Row([self.badge, self.meta], wrap=True, spacing=8),
                            self.heading,
                            self.teaser,
                        ],
                        spacing=6,
                    ),
                    on_click=lambda e: ctx.navigate(f"/news/{item_id}"),
                    ink=True,
                ),
            ),
        )

    def show(self, item: NewsItem, *, meta: str, new: bool, image: bytes | None) -> None:
        self.meta.value = meta
        self.badge.visible = new
        # German news on an Arabic screen (and the other way round) runs in its own direction.
        rtl = self.ctx.t.rtl
        self.heading.value = in_own_direction(item.title, rtl)
        self.teaser.value = in_own_direction(item.teaser, rtl)
        self.teaser.visible = bool(item.teaser)
        if image is not None:
            self.set_image(image)

    def set_image(self, data: bytes) -> None:
        # Decorative here: the card is one button already named by its title, so a labelled picture
        # inside it would only repeat the title (and split the card into two stops for a screen reader).
        # The item's own page names the picture.
        self.image.content = ft.Image(
            src=data,
            exclude_from_semantics=True,
            fit=ft.BoxFit.COVER,
            height=180,
        )
        self.image.visible = True
        with contextlib.suppress(Exception):  # not on the page (filtered out, or the resident left)
            self.image.update()
