"""Light and dark themes from the city's colours.

Text/background pairs are fixed (not generated from a seed) so that their contrast can be checked: the
palettes and `theme_pairs()`, the list of every pair the views use, live in `domain/palette.py`, where the
profile's validation refuses colours that fail a pair. They are re-exported here for the views and tests.
"""

from __future__ import annotations

import flet as ft

from leipzig_app.domain.palette import Palette, palettes, theme_pairs
from leipzig_app.domain.profile import Colors

__all__ = ["Palette", "build_themes", "palettes", "theme_mode", "theme_pairs"]


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
