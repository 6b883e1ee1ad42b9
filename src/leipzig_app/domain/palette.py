"""The colours the app draws with, per theme, and every text/background pair the views use.

A palette is the city's colours (`[colors]` in the profile) plus neutral surfaces and texts fixed here,
chosen for contrast with each other and with the city's colours. `theme_pairs` lists every pair the views
draw with the contrast it needs (WCAG 2.1 AA: 4.5:1 for text, 3:1 for the outline of controls). It is the
one list both sides use: the profile's validation refuses colours that fail a pair (`domain/profile.py`),
and the UI builds its light and dark theme from the same palettes (`ui/theme.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leipzig_app.domain.profile import Colors

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

#: The two themes, in the order `palettes` returns them.
THEMES = ("light", "dark")

#: Which city colour (a `Colors` field) each of a palette's colours is, per theme; the others are fixed above.
CITY_COLOURS: dict[str, dict[str, str]] = {
    "light": {
        "primary": "primary",
        "on_primary": "on_primary",
        "secondary": "secondary",
        "on_secondary": "on_secondary",
        "link": "primary",
    },
    "dark": {
        "primary": "primary_dark",
        "on_primary": "on_primary_dark",
        "secondary": "secondary",
        "on_secondary": "on_secondary",
        "link": "primary_dark",
    },
}

#: Every (foreground, background, required ratio) of `Palette` colours the views draw.
PAIRS: tuple[tuple[str, str, float], ...] = (
    ("on_primary", "primary", 4.5),
    ("on_secondary", "secondary", 4.5),
    ("on_surface", "surface", 4.5),
    ("on_surface_variant", "surface", 4.5),
    ("on_surface", "surface_variant", 4.5),
    ("on_surface_variant", "surface_variant", 4.5),
    ("link", "surface", 4.5),
    ("link", "surface_variant", 4.5),
    ("on_error", "error", 4.5),
    ("error", "surface", 4.5),
    ("on_error_container", "error_container", 4.5),
    ("outline", "surface", 3.0),
)


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
    """The light and the dark palette of a city's colours."""
    light, dark = ({k: getattr(colors, v) for k, v in CITY_COLOURS[theme].items()} for theme in THEMES)
    return (
        Palette(
            **light,
            surface=LIGHT_SURFACE,
            surface_variant=LIGHT_SURFACE_VARIANT,
            on_surface=LIGHT_ON_SURFACE,
            on_surface_variant=LIGHT_ON_SURFACE_VARIANT,
            error=LIGHT_ERROR,
            on_error=LIGHT_ON_ERROR,
            error_container=LIGHT_ERROR_CONTAINER,
            on_error_container=LIGHT_ON_ERROR_CONTAINER,
            outline=LIGHT_OUTLINE,
        ),
        Palette(
            **dark,
            surface=DARK_SURFACE,
            surface_variant=DARK_SURFACE_VARIANT,
            on_surface=DARK_ON_SURFACE,
            on_surface_variant=DARK_ON_SURFACE_VARIANT,
            error=DARK_ERROR,
            on_error=DARK_ON_ERROR,
            error_container=DARK_ERROR_CONTAINER,
            on_error_container=DARK_ON_ERROR_CONTAINER,
            outline=DARK_OUTLINE,
        ),
    )


def pair_name(foreground: str, background: str) -> str:
    return f"{foreground}/{background}"


def theme_pairs(palette: Palette) -> list[tuple[str, str, str, float]]:
    """(name, foreground, background, required ratio) for every pair the views draw."""
    return [
        (pair_name(fg, bg), getattr(palette, fg), getattr(palette, bg), required)
        for fg, bg, required in PAIRS
    ]
