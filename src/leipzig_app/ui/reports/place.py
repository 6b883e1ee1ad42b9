"""Where the problem is: a typed address (always there), the device's position on request, an optional
map pin (only where map tiles load), photos.

The position comes from `flet-geolocator` where the platform offers it (phones, and browsers that grant
location), asked for through `ui/location.py` (permission checked and requested first); anything else (no
permission, no location service, a desktop without location) ends in a message that says so and points to
the address field, which is always enough, with a button to the settings where they can fix it. No map is
needed to report.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import flet as ft

from leipzig_app.ui.location import current_position, open_settings
from leipzig_app.ui.widgets.common import icon_button, labelled, secondary_button, text_button

if TYPE_CHECKING:
    from leipzig_app.ui.reports.wizard import ReportWizard

log = logging.getLogger(__name__)


def location_controls(wizard: ReportWizard) -> list[ft.Control]:
    t = wizard.t
    address = ft.TextField(
        error_max_lines=4,
        key="reports.address",
        label=t("reports.address"),
        hint_text=t("reports.address.hint"),
        value=wizard.address,
        on_change=wizard.setter("address"),
        error=wizard.field_errors.get("location"),
    )
    wizard.focusable["location"] = address
    controls: list[ft.Control] = [
        labelled(address),
        secondary_button(
            t("reports.gps"),
            key="reports.gps",
            icon=ft.Icons.MY_LOCATION,
            on_click=lambda e: wizard.ctx.page.run_task(locate, wizard),
        ),
    ]
    problem = wizard.gps_problem
    if problem is not None and problem.problem:
        controls.append(ft.Text(t(f"reports.gps.{problem.problem}"), key="reports.gps.problem"))
        if problem.settings:
            controls.append(
                secondary_button(
                    t(f"reports.gps.settings.{problem.settings}"),
                    key="reports.gps.settings",
                    icon=ft.Icons.SETTINGS,
                    on_click=lambda e: wizard.ctx.page.run_task(open_settings, problem),
                )
            )
    if wizard.position:
        lat, long = wizard.position
        controls.append(
            ft.Row(
                [
                    ft.Text(t("reports.position", position=f"{lat:.5f}, {long:.5f}"), key="reports.position"),
                    text_button(
                        t("reports.position.clear"),
                        key="reports.position.clear",
                        on_click=lambda e: clear(wizard),
                    ),
                ],
                wrap=True,
            )
        )
    controls += map_controls(wizard)
    return controls + wizard.photo_controls()


def map_controls(wizard: ReportWizard) -> list[ft.Control]:
    """The optional map pin: only once a tile has loaded; never the only way to give the place."""
    service = wizard.service_api
    if wizard.map_ok is None:
        wizard.map_ok = False
        wizard.ctx.page.run_task(_probe_map, wizard)
    if not wizard.map_ok or not service.map_tile_url:
        return []
    import flet_map as fm

    t = wizard.t
    center = wizard.position or wizard.ctx.profile.reports.map_center
    markers = []
    if wizard.position:
        markers.append(
            fm.Marker(
                content=ft.Icon(ft.Icons.PLACE, color=ft.Colors.ERROR, size=36, semantics_label=None),
                coordinates=fm.MapLatitudeLongitude(*wizard.position),
            )
        )

    def tapped(e: Any) -> None:
        wizard.use_position((float(e.coordinates.latitude), float(e.coordinates.longitude)))

    the_map = fm.Map(
        key="reports.map",
        height=280,
        initial_center=fm.MapLatitudeLongitude(*center),
        initial_zoom=16,
        on_tap=tapped,
        # The step scrolls: a mouse wheel over the map scrolls it like anywhere else on the page, instead
        # of zooming the map under the pointer (a page that stops scrolling halfway is a trap). The map
        # zooms with its buttons below, a pinch or a double tap.
        interaction_configuration=fm.InteractionConfiguration(
            flags=fm.InteractionFlag.ALL & ~fm.InteractionFlag.SCROLL_WHEEL_ZOOM
        ),
        layers=[fm.TileLayer(url_template=service.map_tile_url), fm.MarkerLayer(markers=markers)],
    )
    return [
        ft.Text(t("reports.map.hint"), color=ft.Colors.ON_SURFACE_VARIANT),
        # The map is for sighted pointer users; its inner parts (tiles, attribution) stay out of the
        # accessibility tree, which offers the address field instead.
        ft.Semantics(label=t("reports.map.label"), exclude_semantics=True, content=the_map),
        ft.Row(
            [
                icon_button(
                    ft.Icons.ADD,
                    t("reports.map.zoom_in"),
                    key="reports.map.zoom_in",
                    on_click=lambda e: wizard.ctx.page.run_task(the_map.zoom_in),
                ),
                icon_button(
                    ft.Icons.REMOVE,
                    t("reports.map.zoom_out"),
                    key="reports.map.zoom_out",
                    on_click=lambda e: wizard.ctx.page.run_task(the_map.zoom_out),
                ),
            ],
            wrap=True,
        ),
    ]


async def _probe_map(wizard: ReportWizard) -> None:
    if await wizard.service_api.map_available(_browser_origin(wizard.ctx.page)):
        wizard.map_ok = True
        wizard.refresh()


def clear(wizard: ReportWizard) -> None:
    wizard.position = None
    wizard.changed()
    wizard.refresh()


async def locate(wizard: ReportWizard) -> None:
    result = await current_position()
    if result.position is None:
        wizard.gps_problem = result
        wizard.refresh()
        wizard.ctx.announce(wizard.t(f"reports.gps.{result.problem}"))
        return
    wizard.gps_problem = None
    wizard.use_position(result.position)


def _browser_origin(page: ft.Page) -> str | None:
    """The web page's origin (scheme, host, port) when a browser draws the map, else None."""
    if not page.web or not page.url:
        return None
    parts = urlsplit(page.url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None
