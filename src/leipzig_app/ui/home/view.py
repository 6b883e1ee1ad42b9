"""Home: the latest news, the next appointment, open reports, payment reminders that are due and, where
the city has a waste calendar, the next collections with the reminders that have gone off.

Each card asks its feature service for a `HomeCard`; a feature that has nothing to show says so honestly
(nothing yet, not offered by this city, or could not be loaded) and links to its section.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import flet as ft

from leipzig_app.domain.languages import in_own_direction
from leipzig_app.services.container import HomeCard
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.widgets.common import error_banner, heading, text_button

log = logging.getLogger(__name__)

#: (service attribute, card title key, empty-state key, section route, icon)
CARDS: tuple[tuple[str, str, str, str, Any], ...] = (
    ("news", "home.news.title", "home.news.empty", "/news", ft.Icons.NEWSPAPER_OUTLINED),
    (
        "appointments",
        "home.appointments.title",
        "home.appointments.empty",
        "/appointments",
        ft.Icons.EVENT_OUTLINED,
    ),
    ("reports", "home.reports.title", "home.reports.empty", "/reports", ft.Icons.REPORT_PROBLEM_OUTLINED),
    ("notices", "home.reminders.title", "home.reminders.empty", "/scanner", ft.Icons.NOTIFICATIONS_OUTLINED),
    ("waste", "home.waste.title", "home.waste.empty", "/more/waste", ft.Icons.DELETE_OUTLINE),
)


def build(ctx: ViewContext, route: str) -> ft.Control:
    t = ctx.t
    controls: list[ft.Control] = [
        heading(t("home.welcome", city=ctx.profile.name_in(t.base_language)), key="home.heading"),
        ft.Text(t("home.intro"), color=ft.Colors.ON_SURFACE_VARIANT),
    ]
    if ctx.profile.demo:
        controls.append(
            ft.Container(
                key="home.demo",
                bgcolor=ft.Colors.SECONDARY_CONTAINER,
                border_radius=8,
                padding=12,
                content=ft.Text(t("home.demo_notice"), color=ft.Colors.ON_SECONDARY_CONTAINER),
            )
        )
    for i, problem in enumerate(ctx.services.problems):
        controls.append(
            error_banner(
                t(problem.key, **problem.params) if ctx.t.has(problem.key) else problem.message,
                key=f"home.problem.{i}",
            )
        )
    grid = ft.ResponsiveRow(key="home.cards", spacing=12, run_spacing=12)
    for attr, title_key, empty_key, section_route, icon in CARDS:
        if not _enabled(ctx, attr):
            continue
        body = ft.Column(
            [ft.ProgressRing(width=20, height=20, semantics_label=t("common.loading"))], spacing=4
        )
        card = ft.Card(
            key=f"home.card.{attr}",
            col={"xs": 12, "md": 6},
            content=ft.Container(
                padding=16,
                content=ft.Column(
                    [
                        ft.Row(
                            [
                                ft.Icon(icon, color=ft.Colors.PRIMARY),
                                # expand: the title wraps instead of running past the card at large text
                                ft.Container(heading(t(title_key), level=3), expand=True),
                            ],
                            spacing=8,
                            vertical_alignment=ft.CrossAxisAlignment.START,
                        ),
                        body,
                        text_button(
                            t("home.open_section"),
                            key=f"home.open.{attr}",
                            on_click=lambda e, r=section_route: ctx.navigate(r),
                        ),
                    ],
                    spacing=8,
                ),
            ),
        )
        grid.controls.append(card)
        ctx.page.run_task(_fill_card, ctx, attr, empty_key, body)
    controls.append(grid)
    return ft.ListView(controls=controls, padding=16, spacing=12, expand=True, key="home.list")


def _enabled(ctx: ViewContext, attr: str) -> bool:
    module = {"notices": "scanner"}.get(attr, attr)
    return module in ctx.profile.modules


def _provider(ctx: ViewContext, attr: str) -> Any:
    """The service that fills a card: a feature service, or for a hub module the hub's service of it."""
    if attr == "waste":
        hub = ctx.services.hub
        return hub.waste if hub is not None else None
    return getattr(ctx.services, attr, None)


async def _fill_card(ctx: ViewContext, attr: str, empty_key: str, body: ft.Column) -> None:
    t = ctx.t
    if ctx.services.when_ready is not None:
        await ctx.services.when_ready()
    service = _provider(ctx, attr)
    card: HomeCard | None = None
    problem = None
    if service is None:
        problem = "home.not_available"
    else:
        try:
            card = await service.home_card(t.base_language)
        except Exception:  # a card that cannot load must not break Home
            log.exception("home card %s failed", attr)
            problem = "home.card_failed"
    controls: list[ft.Control] = []
    if card is not None and card.problem_key:
        problem = card.problem_key
    if problem:
        controls.append(ft.Text(t(problem), color=ft.Colors.ON_SURFACE_VARIANT))
    if card is not None:
        for i, item in enumerate(card.items):
            controls.append(
                ft.ListTile(
                    key=f"home.{attr}.item.{i}",
                    # a German news title or office name on an Arabic screen runs in its own direction
                    title=ft.Text(
                        in_own_direction(item.title, t.rtl), max_lines=2, overflow=ft.TextOverflow.ELLIPSIS
                    ),
                    subtitle=ft.Text(item.subtitle) if item.subtitle else None,
                    on_click=(lambda e, r=item.route: ctx.navigate(r)) if item.route else None,
                    content_padding=0,
                )
            )
        if not card.items and not problem:
            controls.append(ft.Text(t(empty_key), color=ft.Colors.ON_SURFACE_VARIANT))
        if card.stale:
            controls.append(
                ft.Text(t("common.offline_copy"), italic=True, color=ft.Colors.ON_SURFACE_VARIANT)
            )
    body.controls = controls
    with contextlib.suppress(Exception):  # the page may have moved on meanwhile
        body.update()
