"""Contrast of every colour pair the views draw, in the light and the dark theme (WCAG 2.1 AA).

`tests/foundation` checks the theme's own pairs (`theme_pairs`). Here the UI code itself is read (AST) for
the colours it sets: a `color=` inside a container with `bgcolor=` is a pair; a `color=` with no coloured
container around it is drawn on the page surface and on cards (surface variant). Fixed pairs kept in
tables (the trust states of a letter) are checked from those tables. Text needs 4.5:1, icons and other
graphical parts 3:1. A colour the resolver below does not know fails the suite, so a new colour in a
view cannot slip past the check.
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass
from pathlib import Path

import flet as ft
import pytest

import leipzig_app
from leipzig_app.adapters.profiles import load_profile
from leipzig_app.domain.contrast import contrast_ratio, parse_hex_color
from leipzig_app.ui.notices import summary
from leipzig_app.ui.theme import Palette, build_themes, palettes

UI = Path(leipzig_app.__file__).parent / "ui"
TEXT, GRAPHIC = 4.5, 3.0

#: Material colours used by name (same in both themes): (hex, opacity).
FIXED: dict[str, tuple[str, float]] = {
    "green50": ("#E8F5E9", 1.0),
    "green900": ("#1B5E20", 1.0),
    "amber50": ("#FFF8E1", 1.0),
    "brown900": ("#3E2723", 1.0),
    "white": ("#FFFFFF", 1.0),
    "black": ("#000000", 1.0),
    "white70": ("#FFFFFF", 0.7),
}
#: Where the theme (ui/theme.py `_theme`) maps Material roles onto the palette.
ROLES = {
    "primary": "primary",
    "onprimary": "on_primary",
    "primarycontainer": "primary",
    "onprimarycontainer": "on_primary",
    "secondary": "secondary",
    "onsecondary": "on_secondary",
    "secondarycontainer": "secondary",
    "onsecondarycontainer": "on_secondary",
    "surface": "surface",
    "onsurface": "on_surface",
    "surfacecontainerhighest": "surface_variant",
    "onsurfacevariant": "on_surface_variant",
    "error": "error",
    "onerror": "on_error",
    "errorcontainer": "error_container",
    "onerrorcontainer": "on_error_container",
    "outline": "outline",
}
#: Colours used for drawing that carry no information on their own (decorative borders around text
#: that is itself readable; camera overlays drawn over a live picture with no fixed background).
DECORATIVE = frozenset({"outlinevariant"})


def resolve(name: str, palette: Palette) -> tuple[str, float]:
    if name in ROLES:
        return str(getattr(palette, ROLES[name])), 1.0
    if name in FIXED:
        return FIXED[name]
    raise KeyError(f"colour {name!r} is not known to the contrast check: add it to FIXED or ROLES")


def blend(fg: tuple[str, float], bg: str) -> tuple[int, int, int]:
    """The colour a translucent foreground shows on an opaque background."""
    (colour, alpha), under = fg, parse_hex_color(bg)
    over = parse_hex_color(colour)
    r, g, b = (round(alpha * o + (1 - alpha) * u) for o, u in zip(over, under, strict=True))
    return r, g, b


@dataclass(frozen=True)
class Pair:
    where: str
    fg: str
    bg: str | None  # None: on the page surface and on cards
    required: float


def _colour_name(node: ast.expr | None) -> str | None:
    """`ft.Colors.GREEN_50` -> "green50" (Flet's own value); None for variables and calls."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "Colors"
    ):
        return str(getattr(ft.Colors, node.attr).value)
    return None


def _kw(node: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in node.keywords if kw.arg == name), None)


def _assignments(scope: ast.AST) -> dict[str, list[ast.expr]]:
    """Values bound to local names (`row = [...]`), so a container's `content=row` can be followed."""
    bound: dict[str, list[ast.expr]] = {}
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(node.value)
    return bound


def _pairs_in(
    node: ast.AST,
    path: str,
    bg: str | None,
    found: list[Pair],
    bound: dict[str, list[ast.expr]],
    seen: set[int],
) -> None:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        bound = _assignments(node)
    if isinstance(node, ast.Call):
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        own_bg = _colour_name(_kw(node, "bgcolor"))
        fg = _colour_name(_kw(node, "color"))
        if fg is not None and callee in ("Text", "Icon"):
            required = TEXT if callee == "Text" else GRAPHIC
            found.append(Pair(f"ui/{path}:{node.lineno}", fg, own_bg or bg, required))
        bg = own_bg or bg
    if bg is not None and isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        for value in bound.get(node.id, []):
            if id(value) not in seen:  # each bound value once per container, also for `a = [..a..]`
                _pairs_in(value, path, bg, found, bound, seen | {id(value)})
    for child in ast.iter_child_nodes(node):
        _pairs_in(child, path, bg, found, bound, seen)


def view_pairs() -> list[Pair]:
    found: list[Pair] = []
    for file in sorted(UI.rglob("*.py")):
        if file.name == "theme.py":
            continue
        tree = ast.parse(file.read_text(encoding="utf-8"))
        _pairs_in(tree, file.relative_to(UI).as_posix(), None, found, {}, set())
    # A text bound to a name and shown in a coloured container is also seen where it was written
    # (with no background): both are checked, which is stricter, never weaker.
    return sorted(set(found), key=lambda p: (p.where, p.bg or ""))


def trust_pairs() -> list[Pair]:
    pairs = []
    for state, (_icon, bg, fg) in summary._TRUST_STYLE.items():
        pairs.append(Pair(f"trust badge {state.value} (text)", str(fg.value), str(bg.value), TEXT))
    return pairs


def test_the_scan_sees_the_colours_of_the_views() -> None:
    pairs = view_pairs()
    assert len(pairs) >= 20
    banners = {(p.fg, p.bg) for p in pairs}
    assert ("onsecondarycontainer", "secondarycontainer") in banners  # the demo and offline banners
    assert ("onprimary", "primary") in banners  # the news item's "neu" marker
    assert ("onerrorcontainer", "errorcontainer") in banners  # error banners


def test_every_colour_the_views_name_is_known_to_the_check() -> None:
    names: set[str] = set()
    for file in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            name = _colour_name(node) if isinstance(node, ast.Attribute) else None
            if name is not None:
                names.add(name)
    unknown = sorted(n for n in names if n not in ROLES and n not in FIXED and n not in DECORATIVE)
    assert not unknown, f"colours without a contrast rule: {unknown}"


@pytest.mark.parametrize("mode", [0, 1], ids=["light", "dark"])
def test_every_colour_pair_the_views_draw_has_enough_contrast(mode: int) -> None:
    palette = palettes(load_profile().colors)[mode]
    failures: list[str] = []
    for pair in [*view_pairs(), *trust_pairs()]:
        backgrounds = [pair.bg] if pair.bg else ["surface", "surfacecontainerhighest"]
        for bg_name in backgrounds:
            bg_hex, _ = resolve(bg_name, palette)
            ratio = contrast_ratio(blend(resolve(pair.fg, palette), bg_hex), parse_hex_color(bg_hex))
            if ratio < pair.required:
                failures.append(f"{pair.where}: {pair.fg} on {bg_name} {ratio:.2f} < {pair.required}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("mode", [0, 1], ids=["light", "dark"])
def test_controls_and_focus_colours_stand_out_from_the_page(mode: int) -> None:
    """Buttons, switches and chips are drawn in primary or outline: 3:1 against both page surfaces."""
    palette = palettes(load_profile().colors)[mode]
    for colour in (palette.primary, palette.outline):
        for bg in (palette.surface, palette.surface_variant):
            ratio = contrast_ratio(parse_hex_color(colour), parse_hex_color(bg))
            assert ratio >= GRAPHIC, f"{colour} on {bg}: {ratio:.2f}"


@pytest.mark.parametrize("mode", [0, 1], ids=["light", "dark"])
def test_every_text_style_of_the_theme_carries_the_themes_text_colour(mode: int) -> None:
    """Headings use theme styles; a style without a colour is drawn near-black, also on the dark page."""
    colors = load_profile().colors
    palette = palettes(colors)[mode]
    theme = build_themes(colors)[mode]
    assert theme.text_theme is not None
    styles = {
        name: getattr(theme.text_theme, name)
        for name in (f.name for f in dataclasses.fields(theme.text_theme))
        if name.endswith(("_large", "_medium", "_small"))
    }
    assert len(styles) >= 10
    wrong = {
        name: style.color
        for name, style in styles.items()
        if style is None or style.color != palette.on_surface
    }
    assert not wrong, wrong
