"""The city's colours in the themes: every text/background pair the views draw is readable, in every
shipped city, and a profile whose colours would break one of them does not load.

One list of pairs (`domain/palette.py`) serves both the profile's validation and the UI's themes.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import pytest

from leipzig_app.adapters.paths import cities_dir
from leipzig_app.adapters.profiles import available_cities, load_profile
from leipzig_app.domain import palette
from leipzig_app.domain.contrast import contrast_ratio, parse_hex_color
from leipzig_app.domain.errors import ProfileError
from leipzig_app.domain.profile import parse_profile
from leipzig_app.ui import theme


def _raw(city: str) -> dict[str, Any]:
    return copy.deepcopy(tomllib.loads((cities_dir() / f"{city}.toml").read_text(encoding="utf-8")))


@pytest.mark.parametrize("city", available_cities())
@pytest.mark.parametrize("mode", [0, 1], ids=["light", "dark"])
def test_every_pair_of_every_shipped_city_is_readable(city: str, mode: int) -> None:
    colours = palette.palettes(load_profile(city).colors)[mode]
    pairs = palette.theme_pairs(colours)
    assert len(pairs) == len(palette.PAIRS)
    assert {"link/surface", "link/surface_variant", "on_primary/primary"} <= {name for name, *_ in pairs}
    for name, fg, bg, required in pairs:
        ratio = contrast_ratio(parse_hex_color(fg), parse_hex_color(bg))
        assert ratio >= required, f"{city} {name}: {ratio:.2f} < {required}"


def test_the_theme_draws_with_the_pairs_the_profile_was_checked_for() -> None:
    assert theme.theme_pairs is palette.theme_pairs
    assert theme.palettes is palette.palettes
    colors = load_profile("offenbach").colors
    light, dark = theme.build_themes(colors)
    for built, colours in zip((light, dark), palette.palettes(colors), strict=True):
        scheme = built.color_scheme
        assert scheme is not None
        assert (scheme.primary, scheme.on_primary, scheme.surface) == (
            colours.primary,
            colours.on_primary,
            colours.surface,
        )


@pytest.mark.parametrize("city", available_cities())
@pytest.mark.parametrize(
    ("colours", "field", "pair"),
    [
        # a yellow the white text on it fails: on_primary/primary (this the old check covered too)
        ({"primary": "#F5B400"}, "colors.on_primary", "on_primary on primary in the light theme"),
        # the same yellow with black text on it: buttons are fine, links on the white surface are not
        (
            {"primary": "#F5B400", "on_primary": "#000000"},
            "colors.primary",
            "link on surface in the light theme (is 1.84:1)",
        ),
        # a dark red for the dark theme: white on it reads well, as a link on the dark surface it does not
        (
            {"primary_dark": "#7A0010", "on_primary_dark": "#FFFFFF"},
            "colors.primary_dark",
            "link on surface in the dark theme",
        ),
        # a light grey-blue link is readable on white but not on the cards' surface variant
        (
            {"primary": "#62717F", "on_primary": "#FFFFFF"},
            "colors.primary",
            "link on surface_variant in the light theme",
        ),
    ],
)
def test_colours_that_make_links_unreadable_are_refused(
    city: str, colours: dict[str, str], field: str, pair: str
) -> None:
    data = _raw(city)
    data["colors"].update(colours)
    with pytest.raises(ProfileError) as info:
        parse_profile(data, f"{city}.toml")
    assert info.value.field == field
    assert "contrast of at least 4.5:1" in info.value.expected
    assert pair in info.value.expected
