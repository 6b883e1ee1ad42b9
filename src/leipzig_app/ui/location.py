"""The device's position for any screen, asked for the way `flet-geolocator` 1.0.5 wants it.

Order: is the location service on (`is_location_service_enabled`)? What may the app do
(`get_permission_status`)? If not yet allowed, ask (`request_permission`, the system's or browser's
prompt); only then `get_current_position`. Every way it can end without a position is named, so the
screen can say what happened and what the resident can do (the address or the list work without it):

- `unavailable`: no geolocator on this platform (a desktop without location, the package missing);
- `service_off`: the device's location service is switched off (phones can open its settings);
- `denied`: the resident said no this time;
- `denied_forever`: said no for good; only the app's settings can change that (phones can open them,
  a browser has its own site settings);
- `failed`: allowed, but no position came (timeout, no fix).

The texts live with each feature (`<prefix>.<problem>`, e.g. `reports.gps.denied`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import flet as ft

log = logging.getLogger(__name__)

#: How long the device may take for a position.
POSITION_TIMEOUT = 15.0
PROBLEMS = ("unavailable", "service_off", "denied", "denied_forever", "failed")
_ALLOWED = ("whileInUse", "always")


@dataclass(frozen=True)
class LocationResult:
    position: tuple[float, float] | None = None
    #: One of `PROBLEMS` when there is no position.
    problem: str | None = None
    #: "app" or "location" when a settings page can fix the problem and can be opened here.
    settings: str | None = None
    locator: Any = field(default=None, compare=False, repr=False)


def _status(value: Any) -> str:
    return str(getattr(value, "value", value))


def _new_locator() -> Any:
    import flet_geolocator as geo

    return geo.Geolocator()


def _is_web() -> bool:
    try:
        return bool(ft.context.page.web)
    except RuntimeError:  # no page in this context
        return True


async def current_position(
    *, timeout: float = POSITION_TIMEOUT, make_locator: Callable[[], Any] | None = None
) -> LocationResult:
    """The position, or the reason there is none; never raises."""
    try:
        locator = (make_locator or _new_locator)()
    except Exception:  # noqa: BLE001 - the package is missing (ImportError) or the page cannot take it
        log.info("no geolocator on this platform")
        return LocationResult(problem="unavailable")
    settings_possible = not _is_web()  # Flet's open_*_settings raise on the web
    try:
        if not await asyncio.wait_for(locator.is_location_service_enabled(), timeout):
            return LocationResult(
                problem="service_off", settings="location" if settings_possible else None, locator=locator
            )
        status = _status(await asyncio.wait_for(locator.get_permission_status(), timeout))
        if status not in _ALLOWED and status != "deniedForever":
            # Not asked yet (denied), or the platform cannot tell: asking shows the prompt.
            status = _status(await locator.request_permission())
    except Exception:  # the platform has no location support
        log.info("location permission not available", exc_info=True)
        return LocationResult(problem="unavailable")
    if status == "deniedForever":
        return LocationResult(
            problem="denied_forever", settings="app" if settings_possible else None, locator=locator
        )
    if status == "denied":
        return LocationResult(problem="denied", locator=locator)
    try:
        position = await asyncio.wait_for(locator.get_current_position(), timeout)
        return LocationResult(position=(float(position.latitude), float(position.longitude)))
    except Exception:  # timeout, no fix, refused after all
        log.info("no position from the geolocator", exc_info=True)
        return LocationResult(problem="failed", locator=locator)


async def open_settings(result: LocationResult) -> bool:
    """Open the settings page that can fix `result` (the app's, or the device's location settings)."""
    if result.locator is None or result.settings is None:
        return False
    try:
        if result.settings == "app":
            return bool(await result.locator.open_app_settings())
        return bool(await result.locator.open_location_settings())
    except Exception:  # not supported here after all
        log.info("settings could not be opened", exc_info=True)
        return False
