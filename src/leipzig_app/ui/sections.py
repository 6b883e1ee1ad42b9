"""The app's top-level sections: route, icons, label key and the module that builds the view.

Views are imported when first shown, so a section's heavy dependencies (OpenCV for the scanner) never
slow down the start. Each view module exposes `build(ctx: ViewContext, route: str) -> ft.Control`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import flet as ft


@dataclass(frozen=True)
class Section:
    id: str
    route: str
    icon: Any
    selected_icon: Any
    label_key: str
    module: str
    #: The module id in the city profile that must be enabled for this section (None: always shown).
    requires: str | None = None


#: Every section there is. Which of them a city shows, and in what order, is up to its profile (see
#: `visible_sections`).
SECTIONS: tuple[Section, ...] = (
    Section("home", "/", ft.Icons.HOME_OUTLINED, ft.Icons.HOME, "nav.home", "leipzig_app.ui.home.view"),
    Section(
        "news",
        "/news",
        ft.Icons.NEWSPAPER_OUTLINED,
        ft.Icons.NEWSPAPER,
        "nav.news",
        "leipzig_app.ui.news.view",
        requires="news",
    ),
    Section(
        "appointments",
        "/appointments",
        ft.Icons.EVENT_OUTLINED,
        ft.Icons.EVENT,
        "nav.appointments",
        "leipzig_app.ui.appointments.view",
        requires="appointments",
    ),
    Section(
        "reports",
        "/reports",
        ft.Icons.REPORT_PROBLEM_OUTLINED,
        ft.Icons.REPORT_PROBLEM,
        "nav.reports",
        "leipzig_app.ui.reports.view",
        requires="reports",
    ),
    Section(
        "scanner",
        "/scanner",
        ft.Icons.QR_CODE_SCANNER_OUTLINED,
        ft.Icons.QR_CODE_SCANNER,
        "nav.scanner",
        "leipzig_app.ui.scanner.view",
        requires="scanner",
    ),
    Section("more", "/more", ft.Icons.MENU_OUTLINED, ft.Icons.MENU, "nav.more", "leipzig_app.ui.more.view"),
)


def visible_sections(enabled_modules: tuple[str, ...]) -> list[Section]:
    """The sections a city shows, in the order its profile enables them (`[modules] enabled`).

    Home is always first and "Mehr" always last (the services hub, which lists the other modules in the
    profile's order); between them come the enabled top-level sections (news, appointments, reports,
    scanner) in the profile's order. `SECTIONS` fixes only which sections exist.
    """
    by_module = {s.requires: s for s in SECTIONS if s.requires is not None}
    first = [s for s in SECTIONS if s.requires is None and s.id == "home"]
    last = [s for s in SECTIONS if s.requires is None and s.id != "home"]
    middle = [by_module[m] for m in dict.fromkeys(enabled_modules) if m in by_module]
    return [*first, *middle, *last]


def section_for_route(route: str, sections: list[Section]) -> Section:
    """The section owning a route: the longest matching prefix ("/news/42" -> news), home otherwise."""
    path = (route or "/").split("?")[0]
    best = sections[0]
    for section in sections:
        if section.route != "/" and (path == section.route or path.startswith(section.route + "/")):
            best = section
    return best
