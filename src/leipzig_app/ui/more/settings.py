"""Settings: language, easy German, theme, text size and the city profile; every change is remembered."""

from __future__ import annotations

from typing import Any

import flet as ft

from leipzig_app.domain.settings import TEXT_SCALES, THEMES
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.widgets.common import heading, icon_button, labelled

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "uk": "Українська", "ar": "العربية"}


def build(ctx: ViewContext) -> ft.Control:
    t = ctx.t
    prefs = ctx.prefs
    services = ctx.services

    def change(**values: Any) -> None:
        services.settings.update(**values)
        ctx.refresh(announce_key="settings.saved")

    language = ft.Dropdown(
        key="settings.language",
        label=t("settings.language"),
        # Flet's dropdown gives a screen reader only its tooltip, not the chosen entry: name both.
        tooltip=t(
            "settings.choice",
            label=t("settings.language"),
            value=LANGUAGE_NAMES.get(prefs.language, prefs.language),
        ),
        value=prefs.language,
        options=[
            ft.DropdownOption(key=code, text=LANGUAGE_NAMES.get(code, code)) for code in ctx.profile.languages
        ],
        on_select=lambda e: change(language=e.control.value),
    )
    easy = ft.Switch(
        key="settings.easy_language",
        label=t("settings.easy_language"),
        value=prefs.easy_language,
        disabled=prefs.language != "de",
        on_change=lambda e: change(easy_language=bool(e.control.value)),
    )
    theme = ft.RadioGroup(
        key="settings.theme",
        value=prefs.theme,
        on_change=lambda e: change(theme=e.control.value),
        content=ft.Column(
            [
                ft.Radio(value=name, label=t(f"settings.theme.{name}"), key=f"settings.theme.{name}")
                for name in THEMES
            ]
        ),
    )
    scale = ft.RadioGroup(
        key="settings.text_scale",
        value=str(prefs.text_scale),
        on_change=lambda e: change(text_scale=float(e.control.value)),
        content=ft.Column(
            [
                ft.Radio(value=str(s), label=f"{int(s * 100)} %", key=f"settings.text_scale.{int(s * 100)}")
                for s in TEXT_SCALES
            ]
        ),
    )
    controls: list[ft.Control] = [
        ft.Row(
            [
                icon_button(
                    ft.Icons.ARROW_BACK,
                    t("common.back"),
                    key="settings.back",
                    on_click=lambda e: ctx.navigate("/more"),
                ),
                heading(t("settings.title"), key="settings.heading"),
            ],
            # A title too long for the line moves under the back button instead of being cut at large text.
            wrap=True,
            vertical_alignment=ft.CrossAxisAlignment.CENTER,
        ),
        heading(t("settings.language_section"), level=2),
        labelled(language),
        easy,
        ft.Text(t("settings.easy_language.hint"), color=ft.Colors.ON_SURFACE_VARIANT),
        heading(t("settings.theme"), level=2),
        theme,
        heading(t("settings.text_scale"), level=2),
        scale,
    ]
    if len(services.cities) > 1 and services.switch_city is not None:
        switch_city = services.switch_city

        async def on_city(e: Any) -> None:
            await switch_city(str(e.control.value))

        controls += [
            heading(t("settings.city"), level=2),
            labelled(
                ft.Dropdown(
                    key="settings.city",
                    label=t("settings.city"),
                    tooltip=t(
                        "settings.choice",
                        label=t("settings.city"),
                        value=ctx.profile.name_in(t.base_language),
                    ),
                    value=ctx.profile.id,
                    options=[
                        ft.DropdownOption(key=city.id, text=city.name_in(t.base_language))
                        for city in services.cities
                    ],
                    on_select=on_city,
                )
            ),
        ]
    else:
        controls += [
            heading(t("settings.city"), level=2),
            ft.Text(
                t("settings.city.current", city=ctx.profile.name_in(t.base_language)),
                key="settings.city.current",
            ),
        ]
    return ft.ListView(controls, padding=16, spacing=12, expand=True, key="settings.list")
