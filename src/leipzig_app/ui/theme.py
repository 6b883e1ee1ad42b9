"""Light and dark themes from the city's colours.

Text/background pairs are fixed here (not generated from a seed) so that their contrast can be checked:
`theme_pairs()` lists every pair the views use, and the test suite asserts at least 4.5:1 for each.
"""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

from leipzig_app.domain.profile import Colors

#: Neutral surfaces and texts, chosen for contrast with each other and with the city's colours.
LIGHT_SURFACE = "#FFFFFF"
LIGHT_SURFACE_VARIANT = "#EEF2F6"
LIGHT_ON_SURFACE = "#1B1F24"
LIGHT_ON_SURFACE_VARIANT = "#3F4853"
LIGHT_ERROR = "#B3261E"
LIGHT_ON_ERROR = "#FFFFFF"
LIGHT_ERROR_CONTAINER = "#FCE8E6"
LIGHT_ON_ERROR_CONTAINER = "#5C0E0A"
LIGHT_OUTLINE = "#6B7580"

DARK_SURFACE = "#121417"
DARK_SURFACE_VARIANT = "#22272E"
DARK_ON_SURFACE = "#E6E9ED"
DARK_ON_SURFACE_VARIANT = "#C2C9D1"
DARK_ERROR = "#FFB4AB"
DARK_ON_ERROR = "#690005"
DARK_ERROR_CONTAINER = "#5C0E0A"
DARK_ON_ERROR_CONTAINER = "#FFDAD6"
DARK_OUTLINE = "#8D96A0"


@dataclass(frozen=True)
class Palette:
    primary: str
    on_primary: str
    secondary: str
    on_secondary: str
    surface: str
    surface_variant: str
    on_surface: str
    on_surface_variant: str
    error: str
    on_error: str
    error_container: str
    on_error_container: str
    outline: str
    #: The colour used for text links and text buttons on the surface.
    link: str


def palettes(colors: Colors) -> tuple[Palette, Palette]:
    light = Palette(
        primary=colors.primary,
        on_primary=colors.on_primary,
        secondary=colors.secondary,
        on_secondary=colors.on_secondary,
        surface=LIGHT_SURFACE,
        surface_variant=LIGHT_SURFACE_VARIANT,
        on_surface=LIGHT_ON_SURFACE,
        on_surface_variant=LIGHT_ON_SURFACE_VARIANT,
        error=LIGHT_ERROR,
        on_error=LIGHT_ON_ERROR,
        error_container=LIGHT_ERROR_CONTAINER,
        on_error_container=LIGHT_ON_ERROR_CONTAINER,
        outline=LIGHT_OUTLINE,
        link=colors.primary,
    )
    dark = Palette(
        primary=colors.primary_dark,
        on_primary=colors.on_primary_dark,
        secondary=colors.secondary,
        on_secondary=colors.on_secondary,
        surface=DARK_SURFACE,
        surface_variant=DARK_SURFACE_VARIANT,
        on_surface=DARK_ON_SURFACE,
        on_surface_variant=DARK_ON_SURFACE_VARIANT,
        error=DARK_ERROR,
        on_error=DARK_ON_ERROR,
        error_container=DARK_ERROR_CONTAINER,
        on_error_container=DARK_ON_ERROR_CONTAINER,
        outline=DARK_OUTLINE,
        link=colors.primary_dark,
    )
    return light, dark


def theme_pairs(palette: Palette) -> list[tuple[str, str, str, float]]:
    """(name, foreground, background, required ratio) for every pair the views draw."""
    return [
        ("on_primary/primary", palette.on_primary, palette.primary, 4.5),
        ("on_secondary/secondary", palette.on_secondary, palette.secondary, 4.5),
        ("on_surface/surface", palette.on_surface, palette.surface, 4.5),
        ("on_surface_variant/surface", palette.on_surface_variant, palette.surface, 4.5),
        ("on_surface/surface_variant", palette.on_surface, palette.surface_variant, 4.5),
        ("on_surface_variant/surface_variant", palette.on_surface_variant, palette.surface_variant, 4.5),
        ("link/surface", palette.link, palette.surface, 4.5),
        ("link/surface_variant", palette.link, palette.surface_variant, 4.5),
        ("on_error/error", palette.on_error, palette.error, 4.5),
        ("error/surface", palette.error, palette.surface, 4.5),
        ("on_error_container/error_container", palette.on_error_container, palette.error_container, 4.5),
        ("outline/surface (controls)", palette.outline, palette.surface, 3.0),
    ]


def _theme(palette: Palette, text_scale: float, font_family: str | None = None) -> ft.Theme:
    scheme = ft.ColorScheme(
        primary=palette.primary,
        on_primary=palette.on_primary,
        secondary=palette.secondary,
        on_secondary=palette.on_secondary,
        surface=palette.surface,
        on_surface=palette.on_surface,
        surface_container_highest=palette.surface_variant,
        on_surface_variant=palette.on_surface_variant,
        error=palette.error,
        on_error=palette.on_error,
        error_container=palette.error_container,
        on_error_container=palette.on_error_container,
        outline=palette.outline,
        primary_container=palette.primary,
        on_primary_container=palette.on_primary,
        secondary_container=palette.secondary,
        on_secondary_container=palette.on_secondary,
    )
    return ft.Theme(
        color_scheme=scheme,
        use_material3=True,
        visual_density=ft.VisualDensity.STANDARD,
        font_family=font_family,
        # The family goes into each style too: the client applies a text theme after the theme's family.
        text_theme=_scaled_text_theme(text_scale, palette.on_surface, font_family),
    )


#: Material 3 type scale (sp); multiplied by the resident's text size setting.
_TYPE_SCALE = {
    "display_large": 57,
    "display_medium": 45,
    "display_small": 36,
    "headline_large": 32,
    "headline_medium": 28,
    "headline_small": 24,
    "title_large": 22,
    "title_medium": 16,
    "title_small": 14,
    "body_large": 16,
    "body_medium": 14,
    "body_small": 12,
    "label_large": 14,
    "label_medium": 12,
    "label_small": 11,
}


def _scaled_text_theme(scale: float, color: str, font_family: str | None) -> ft.TextTheme:
    # The colour is part of each style: a style without one is drawn near-black, also in the dark theme
    # (headings were unreadable there). Controls with their own text colour (buttons, chips) keep it.
    return ft.TextTheme(
        **{
            name: ft.TextStyle(size=round(size * scale, 1), color=color, font_family=font_family)
            for name, size in _TYPE_SCALE.items()
        }
    )


def build_themes(
    colors: Colors, text_scale: float = 1.0, font_family: str | None = None
) -> tuple[ft.Theme, ft.Theme]:
    """Light and dark theme; `font_family` (a font in `page.fonts`) for scripts the default font lacks."""
    light, dark = palettes(colors)
    return _theme(light, text_scale, font_family), _theme(dark, text_scale, font_family)


def theme_mode(name: str) -> ft.ThemeMode:
    return {"light": ft.ThemeMode.LIGHT, "dark": ft.ThemeMode.DARK}.get(name, ft.ThemeMode.SYSTEM)
