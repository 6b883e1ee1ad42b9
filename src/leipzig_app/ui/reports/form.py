"""Building blocks of the report wizard: the category list, the attribute form and the photo panel.

The attribute form turns an Open311 service definition into fields: text and number fields, a date
field, a dropdown for single choice and checkboxes for multiple choice; required questions carry a `*`
in their label (and the note at the top says what it means, so the mark is never the only cue).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date
from typing import Any

import flet as ft

from leipzig_app.domain.reports import (
    ProcessedPhoto,
    Region,
    Service,
    ServiceAttribute,
    ServiceDefinition,
    group_services,
)
from leipzig_app.i18n import Translator
from leipzig_app.ui.widgets.common import calendar_button, heading, icon_button, labelled, secondary_button

Answers = dict[str, list[str]]
#: The controls that can take the focus, by field (attribute code, "description", "address", ...).
Focusable = dict[str, ft.TextField | ft.Dropdown]


def category_list(
    t: Translator, services: list[Service], on_choose: Callable[[Service], Awaitable[None]]
) -> list[ft.Control]:
    controls: list[ft.Control] = []
    for group, items in group_services(services):
        controls.append(heading(group or t("reports.group.other"), level=3))
        for service in items:

            async def choose(e: Any, chosen: Service = service) -> None:
                await on_choose(chosen)

            controls.append(
                ft.ListTile(
                    key=f"reports.category.{service.code}",
                    title=ft.Text(service.name),
                    subtitle=ft.Text(service.description) if service.description else None,
                    on_click=choose,
                    content_padding=ft.Padding.symmetric(horizontal=4),
                )
            )
    return controls


def _label(t: Translator, attr: ServiceAttribute) -> str:
    return t("reports.required_mark", label=attr.description) if attr.required else attr.description


def attribute_fields(
    t: Translator,
    definition: ServiceDefinition | None,
    answers: Answers,
    on_change: Callable[[], Any] = lambda: None,
    *,
    errors: Mapping[str, str] | None = None,
    focusable: Focusable | None = None,
) -> list[ft.Control]:
    """One control per attribute; edits write straight into `answers` (code -> values), then `on_change()`.
    A field with an entry in `errors` shows it as its own error; fields that can take the focus are put
    into `focusable`."""
    if definition is None:
        return []
    errors = errors or {}
    controls: list[ft.Control] = []
    if any(a.required for a in definition.attributes):
        controls.append(ft.Text(t("reports.required_note"), color=ft.Colors.ON_SURFACE_VARIANT))
    for attr in definition.attributes:
        if not attr.variable:
            controls.append(ft.Text(attr.description))
            continue
        controls.append(_field(t, attr, answers, on_change, errors.get(attr.code), focusable))
    return controls


def _field(
    t: Translator,
    attr: ServiceAttribute,
    answers: Answers,
    on_change: Callable[[], Any],
    error: str | None,
    focusable: Focusable | None,
) -> ft.Control:
    def _set(answers: Answers, code: str, value: str) -> None:
        answers[code] = [value] if value.strip() else []
        on_change()

    key = f"reports.attr.{attr.code}"
    label = _label(t, attr)
    current = answers.get(attr.code, [])
    if attr.datatype == "singlevaluelist":
        dropdown = ft.Dropdown(
            key=key,
            label=label,
            tooltip=label,
            value=current[0] if current else None,
            options=[ft.DropdownOption(key=v.key, text=v.name) for v in attr.values],
            on_select=lambda e, c=attr.code: _set(answers, c, str(e.control.value or "")),
            expand=True,
            error_text=error,
        )
        if focusable is not None:
            focusable[attr.code] = dropdown
        return labelled(dropdown)
    if attr.datatype == "multivaluelist":
        boxes: list[ft.Control] = [ft.Text(label, weight=ft.FontWeight.BOLD)]
        for value in attr.values:

            def toggle(e: Any, code: str = attr.code, chosen: str = value.key) -> None:
                values = answers.setdefault(code, [])
                if e.control.value and chosen not in values:
                    values.append(chosen)
                elif not e.control.value and chosen in values:
                    values.remove(chosen)
                on_change()

            boxes.append(
                ft.Checkbox(
                    key=f"{key}.{value.key}",
                    label=value.name,
                    value=value.key in current,
                    on_change=toggle,
                    error=error is not None,
                )
            )
        if error is not None:  # a checkbox has no error text of its own
            boxes.append(ft.Text(error, key=f"{key}.error", color=ft.Colors.ERROR))
        return ft.Column(boxes, spacing=0)
    hint = {"number": t("reports.number_hint"), "datetime": t("reports.date_hint")}.get(
        attr.datatype, attr.datatype_description or None
    )
    field = ft.TextField(
        error_max_lines=4,
        key=key,
        label=label,
        hint_text=hint,
        value=current[0] if current else "",
        multiline=attr.datatype == "text",
        min_lines=3 if attr.datatype == "text" else None,
        on_change=lambda e, c=attr.code: _set(answers, c, str(e.control.value or "")),
        error=error,
    )
    if focusable is not None:
        focusable[attr.code] = field
    if attr.datatype == "number":
        field.keyboard_type = ft.KeyboardType.NUMBER
    if attr.datatype == "datetime":
        return _date_field(t, attr, field, lambda value: _set(answers, attr.code, value))
    return labelled(field)


def _date_field(
    t: Translator, attr: ServiceAttribute, field: ft.TextField, keep: Callable[[str], Any]
) -> ft.Control:
    """A date: typed as 20.11.2026 or 2026-11-20 (the domain sends ISO 8601), or chosen in a calendar."""
    key = f"reports.attr.{attr.code}"
    field.keyboard_type = ft.KeyboardType.DATETIME

    def picked(value: str) -> None:
        keep(value)
        field.update()

    today = date.today()
    pick = calendar_button(
        field,
        t("reports.date_pick", name=attr.description),
        key=f"{key}.pick",
        picker_key=f"{key}.picker",
        first=date(today.year - 10, 1, 1),
        last=date(today.year + 1, 12, 31),
        initial=today,
        help_text=attr.description,
        on_picked=picked,
    )
    return ft.Row(
        [
            ft.Container(labelled(field), expand=True),
            pick,
        ],
        vertical_alignment=ft.CrossAxisAlignment.END,
    )


def photo_panel(
    t: Translator,
    number: int,
    photo: ProcessedPhoto,
    kept: set[int],
    detected: Sequence[Region],
    on_toggle: Callable[[int, bool], Any],
    on_remove: Callable[[], Any],
    on_add_area: Callable[[int], Any],
) -> ft.Control:
    """The processed photo as it will be sent, its blur regions (untick to keep an area visible) and a
    way to blur one more ninth of the picture (a face or plate the detectors missed), chosen by name."""
    image = ft.Image(
        src=photo.data,
        width=320,
        fit=ft.BoxFit.CONTAIN,
        semantics_label=t("reports.photos.image", number=number),
    )
    regions: list[ft.Control] = [
        ft.Checkbox(
            key=f"reports.photo.{number}.region.{index + 1}",
            label=t(
                "reports.photos.region",
                number=index + 1,
                kind=t(f"reports.photos.region.{region.kind}"),
            ),
            value=index in kept,
            on_change=lambda e, i=index: on_toggle(i, bool(e.control.value)),
        )
        for index, region in enumerate(detected)
    ]
    return ft.Container(
        key=f"reports.photo.{number}",
        border=ft.Border.all(1, ft.Colors.OUTLINE_VARIANT),
        border_radius=8,
        padding=8,
        content=ft.Column(
            [
                ft.Row(
                    [
                        ft.Container(image, expand=True),
                        icon_button(
                            ft.Icons.DELETE_OUTLINE,
                            t("reports.photos.remove", number=number),
                            key=f"reports.photo.{number}.remove",
                            on_click=lambda e: on_remove(),
                        ),
                    ],
                    vertical_alignment=ft.CrossAxisAlignment.START,
                ),
                *regions,
                _area_picker(t, number, on_add_area),
            ],
            spacing=4,
        ),
    )


def _area_picker(t: Translator, number: int, on_add_area: Callable[[int], Any]) -> ft.Control:
    label = t("reports.photos.add_area")
    picker = ft.Dropdown(
        key=f"reports.photo.{number}.area",
        label=label,
        tooltip=label,
        options=[
            ft.DropdownOption(key=str(cell), text=t(f"reports.photos.cell.{cell}")) for cell in range(9)
        ],
    )

    def add(e: Any) -> None:
        if picker.value is not None:
            on_add_area(int(picker.value))

    # A wrapping row (the button moves below the picker at large text) lays its children out one by one:
    # an expanding child has no width to fill there, and Flutter draws the whole photo step from the
    # picker on as an error box, "Weiter" included.
    return ft.Row(
        [
            labelled(picker),
            secondary_button(
                t("reports.photos.add_area.button"), key=f"reports.photo.{number}.area.add", on_click=add
            ),
        ],
        wrap=True,
        vertical_alignment=ft.CrossAxisAlignment.END,
    )
