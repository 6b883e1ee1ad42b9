"""Accessible building blocks shared by every view.

Each helper gives its control an accessible name in the way measured to work in Flet 1.0.5 (see
docs/accessibility.md): icon buttons carry the name on the icon's `semantics_label`, headings are marked
as headers, and every interactive control gets a stable `key` for tests and a minimum 48 px target.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, cast

import flet as ft

MIN_TARGET = 48


def heading(text: str, *, level: int = 1, key: str | None = None) -> ft.Control:
    style = {1: ft.TextThemeStyle.HEADLINE_SMALL, 2: ft.TextThemeStyle.TITLE_LARGE}.get(
        level, ft.TextThemeStyle.TITLE_MEDIUM
    )
    return ft.Semantics(
        header=True, key=key, content=ft.Text(text, theme_style=style, weight=ft.FontWeight.BOLD)
    )


def icon_button(
    icon: Any, label: str, *, key: str, on_click: Callable[..., Any] | None = None, disabled: bool = False
) -> ft.IconButton:
    """An icon button whose icon carries the accessible name (a tooltip alone does not reach the button)."""
    return ft.IconButton(
        icon=ft.Icon(icon, semantics_label=label),
        tooltip=label,
        key=key,
        on_click=on_click,
        disabled=disabled,
        size_constraints=ft.BoxConstraints(min_width=MIN_TARGET, min_height=MIN_TARGET),
    )


def calendar_button(
    field: ft.TextField,
    label: str,
    *,
    key: str,
    picker_key: str,
    first: date,
    last: date,
    initial: date,
    help_text: str | None = None,
    on_picked: Callable[[str], Any],
    write: Callable[[date], str] | None = None,
) -> ft.IconButton:
    """A calendar button for a date field: the chosen day is written into `field` as 20.11.2026 (the form
    a resident types too), or as `write` writes it, then `on_picked` gets that text."""

    def picked(e: Any) -> None:
        value = picker.value
        if value is None:
            return
        chosen = value.date() if isinstance(value, datetime) else value
        field.value = write(chosen) if write is not None else f"{chosen:%d.%m.%Y}"
        on_picked(field.value)

    picker = ft.DatePicker(
        value=initial,
        first_date=first,
        last_date=last,
        help_text=help_text,
        on_change=picked,
        key=picker_key,
    )
    return icon_button(
        ft.Icons.CALENDAR_MONTH, label, key=key, on_click=lambda e: e.control.page.show_dialog(picker)
    )


#: Vertical padding that makes a one-line button at least 48 px high (14 + 20 line + 14) and lets it grow
#: with larger text instead of clipping it.
BUTTON_STYLE = ft.ButtonStyle(padding=ft.Padding.symmetric(vertical=14, horizontal=20))


def primary_button(
    label: str,
    *,
    key: str,
    on_click: Callable[..., Any] | None = None,
    icon: Any = None,
    disabled: bool = False,
) -> ft.FilledButton:
    return ft.FilledButton(
        content=label,
        icon=icon,
        key=key,
        on_click=on_click,
        disabled=disabled,
        style=BUTTON_STYLE,
    )


def secondary_button(
    label: str,
    *,
    key: str,
    on_click: Callable[..., Any] | None = None,
    icon: Any = None,
    disabled: bool = False,
) -> ft.OutlinedButton:
    return ft.OutlinedButton(
        content=label,
        icon=icon,
        key=key,
        on_click=on_click,
        disabled=disabled,
        style=BUTTON_STYLE,
    )


def text_button(
    label: str, *, key: str, on_click: Callable[..., Any] | None = None, icon: Any = None
) -> ft.TextButton:
    return ft.TextButton(
        content=label,
        icon=icon,
        key=key,
        on_click=on_click,
        style=BUTTON_STYLE,
    )


def empty_state(
    icon: Any, title: str, text: str, *, key: str, action: ft.Control | None = None
) -> ft.Control:
    """An honest empty state: what is (not) here, why, and what the resident can do."""
    controls: list[ft.Control] = [
        ft.Icon(icon, size=40, color=ft.Colors.ON_SURFACE_VARIANT, semantics_label=None),
        ft.Text(title, theme_style=ft.TextThemeStyle.TITLE_MEDIUM, text_align=ft.TextAlign.CENTER),
        ft.Text(text, color=ft.Colors.ON_SURFACE_VARIANT, text_align=ft.TextAlign.CENTER),
    ]
    if action is not None:
        controls.append(action)
    return ft.Container(
        key=key,
        padding=ft.Padding.all(24),
        content=ft.Column(controls, horizontal_alignment=ft.CrossAxisAlignment.CENTER, spacing=8),
    )


def callout(
    text: str,
    *,
    key: str,
    icon: Any,
    bgcolor: Any = ft.Colors.SECONDARY_CONTAINER,
    color: Any = ft.Colors.ON_SECONDARY_CONTAINER,
) -> ft.Control:
    """A coloured box with an icon and a text that needs attention (the icon adds no words for screen
    readers: the text says it all). Colour pairs as the theme defines them (container / on-container)."""
    return ft.Container(
        key=key,
        bgcolor=bgcolor,
        border_radius=8,
        padding=12,
        content=ft.Row(
            [
                ft.Icon(icon, color=color, semantics_label=None),
                ft.Text(text, color=color, expand=True),
            ],
            vertical_alignment=ft.CrossAxisAlignment.START,
        ),
    )


def error_banner(text: str, *, key: str, action: ft.Control | None = None) -> ft.Control:
    row: list[ft.Control] = [
        ft.Icon(ft.Icons.ERROR_OUTLINE, color=ft.Colors.ON_ERROR_CONTAINER, semantics_label=None),
        # Selectable text needs its own label, or screen readers get an empty, unnamed text box.
        ft.Text(text, color=ft.Colors.ON_ERROR_CONTAINER, expand=True, selectable=True, semantics_label=text),
    ]
    if action is not None:
        row.append(action)
    return ft.Container(
        key=key,
        bgcolor=ft.Colors.ERROR_CONTAINER,
        border_radius=8,
        padding=ft.Padding.all(12),
        content=ft.Row(row, wrap=False, vertical_alignment=ft.CrossAxisAlignment.CENTER),
    )


def card(content: ft.Control, *, key: str, on_click: Callable[..., Any] | None = None) -> ft.Control:
    return ft.Card(
        key=key,
        content=ft.Container(content=content, padding=ft.Padding.all(16), on_click=on_click),
    )


def labelled(field: ft.TextField | ft.Dropdown) -> ft.Control:
    """`field` (a text field or a dropdown) with its label shown above it as ordinary text that wraps at
    any text size.

    A floating label inside the field's border is one line high: at 200 % text a longer label wraps across
    the border or is cut off. Here the field keeps the label only as its accessible name (screen readers
    still read it, also once something is typed or chosen; a dropdown keeps its tooltip too) and the
    visible text above is hidden from them, so it is read once."""
    if isinstance(field, ft.TextField):
        follow_writing_direction(field)
    text = field.label if isinstance(field.label, str) else None
    if not text:
        return field
    field.label = ft.Text("", semantics_label=text)
    caption = ft.Semantics(exclude_semantics=True, content=ft.Text(text, weight=ft.FontWeight.W_500))
    wrapper = ft.Column(
        [caption, field], spacing=4, tight=True, key=f"{field.key}.labelled" if field.key else None
    )
    if field.expand:
        wrapper.expand, field.expand = field.expand, None
    return wrapper


def follow_writing_direction(field: ft.TextField) -> ft.TextField:
    """Let a field run right to left while what is typed into it is written right to left.

    A resident who keeps the app in German may write an address or a description in Arabic: the field
    then runs right to left (the full stop at the sentence's end, the lines aligned right), as a browser's
    `dir="auto"` would do; it follows the text's first strong character (`writing_direction`).
    The other way round is not possible in Flet 1.0.5: `rtl=False` does not make a field left to right,
    it leaves the screen's direction, so on an Arabic screen a German sentence stays right to left."""
    from leipzig_app.domain.languages import writing_direction

    def apply(value: str | None) -> bool:
        rtl = writing_direction(value) == "rtl"
        if field.rtl == rtl:
            return False
        try:
            field.rtl = rtl
        except Exception:  # noqa: BLE001 - Flet froze the field (its screen was rebuilt): leave it be
            return False
        return True

    apply(field.value)
    own = cast("Callable[[Any], Any] | None", field.on_change)

    async def on_change(e: Any) -> None:
        if apply(field.value):
            with contextlib.suppress(Exception):  # the field left the page meanwhile
                field.update()
        if own is not None:
            result = own(e)
            if inspect.isawaitable(result):
                await result

    field.on_change = on_change
    return field


def search_field(
    label: str,
    *,
    key: str,
    on_change: Callable[..., Any],
    value: str = "",
    on_submit: Callable[..., Any] | None = None,
    expand: bool | None = None,
) -> ft.Control:
    """A search box with its label above it (see `labelled`)."""
    return labelled(
        ft.TextField(
            key=key,
            label=label,
            error_max_lines=4,
            value=value,
            prefix_icon=ft.Icons.SEARCH,
            on_change=on_change,
            on_submit=on_submit,
            expand=expand,
        )
    )
