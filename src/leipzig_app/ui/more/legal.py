"""Imprint, privacy notice and the accessibility statement, all from the city profile."""

from __future__ import annotations

import flet as ft

from leipzig_app.domain.hub_settings import AccessibilityGap
from leipzig_app.domain.profile import local_text
from leipzig_app.domain.urls import host_of
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.formatting import day
from leipzig_app.ui.services.common import confirm_open
from leipzig_app.ui.widgets.common import heading, icon_button, text_button
from leipzig_app.ui.widgets.links import launch


def _selectable(text: str, key: str | None = None) -> ft.Control:
    # Selectable text without its own label is an unnamed, empty text box for screen readers in Flet 1.0.5.
    return ft.Text(text, selectable=True, semantics_label=text, key=key)


def _at_start(button: ft.Control) -> ft.Control:
    """A button where the text begins (left, or right in Arabic): a list stretches its items to its whole
    width, and a stretched button draws its label in the middle of a wide page. The wrapping row still
    gives the button the line's width, so its label breaks into lines at large text."""
    return ft.Row([button], wrap=True)


def _gap(ctx: ViewContext, gap: AccessibilityGap, index: int) -> ft.Control:
    """One non-accessible content: what, why (BITV 2.0 / EU 2018/1523 reasons) and the alternative."""
    t, lang = ctx.t, ctx.t.base_language
    lines: list[ft.Control] = [
        ft.Text("• " + local_text(gap.text, lang), key=f"a11y.gap.{index}"),
        ft.Text(t(f"a11y.reason.{gap.reason}"), key=f"a11y.gap.{index}.reason"),
    ]
    if gap.alternative:
        lines.append(
            ft.Text(
                t("a11y.alternative", text=local_text(gap.alternative, lang)),
                key=f"a11y.gap.{index}.alternative",
            )
        )
    return ft.Column(lines, spacing=2)


def build(ctx: ViewContext, which: str) -> ft.Control:
    t = ctx.t
    legal = ctx.profile.legal
    lang = t.base_language
    body: list[ft.Control]
    if which == "imprint":
        title = t("more.imprint")
        body = [
            _selectable(local_text(legal.imprint, lang)),
            _selectable(t("legal.contact", email=legal.contact_email, phone=legal.contact_phone)),
        ]
    elif which == "privacy":
        title = t("more.privacy")
        body = [_selectable(local_text(legal.privacy, lang))]
    else:
        title = t("more.accessibility")
        assessed = day(legal.accessibility_assessed_on, lang) or "-"
        body = [
            ft.Text(t(f"a11y.status.{legal.accessibility_status}", app=ctx.profile.app_name)),
            heading(t("a11y.gaps"), level=2),
            *[_gap(ctx, gap, i) for i, gap in enumerate(legal.accessibility_known_gaps)],
            heading(t("a11y.assessment"), level=2),
            ft.Text(t("a11y.assessed_on", date=assessed)),
            ft.Text(local_text(legal.accessibility_method, lang)),
            heading(t("a11y.feedback"), level=2),
            _selectable(t("a11y.feedback.text", email=legal.accessibility_feedback_email)),
            _at_start(
                text_button(
                    t("a11y.feedback.write"),
                    key="a11y.feedback.mail",
                    on_click=lambda e: ctx.page.run_task(
                        launch, f"mailto:{legal.accessibility_feedback_email}"
                    ),
                )
            ),
            heading(t("a11y.enforcement"), level=2),
            ft.Text(t("a11y.enforcement.text", body=legal.enforcement_body_name)),
            # a real link, opened like every other: the domain is shown first, the allow-list decides
            _at_start(
                text_button(
                    t("a11y.enforcement.open", domain=host_of(legal.enforcement_body_url)),
                    key="a11y.enforcement.url",
                    icon=ft.Icons.OPEN_IN_NEW,
                    on_click=lambda e: confirm_open(
                        ctx, legal.enforcement_body_url, key="a11y.enforcement.confirm"
                    ),
                )
            ),
        ]
    return ft.ListView(
        [
            ft.Row(
                [
                    icon_button(
                        ft.Icons.ARROW_BACK,
                        t("common.back"),
                        key=f"{which}.back",
                        on_click=lambda e: ctx.navigate("/more"),
                    ),
                    heading(title, key=f"{which}.heading"),
                ],
                # A title too long for the line moves under the back button and wraps between words
                # there, instead of running off the screen or breaking inside a word at large text.
                wrap=True,
                vertical_alignment=ft.CrossAxisAlignment.CENTER,
            ),
            *body,
        ],
        padding=16,
        spacing=12,
        expand=True,
        key=f"legal.{which}",
    )
