""" "Meinen Standort verwenden" (and the appointments' distance) through `ui/location.py`: the geolocator is
asked in the order flet-geolocator 1.0.5 wants (service on? permission? ask; then the position), and
every way without a position is said plainly. The geolocator is the fake client's (no GPS here)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has, shows, tap, wait_for

from leipzig_app.app import AppRuntime

POSITION = {"latitude": 51.3397, "longitude": 12.3731, "timestamp": 0, "accuracy": 5.0}


class Phone(FakeFletClient):
    """Flet 1.0.5 leaves "args" out of method calls without arguments (`get_permission_status`, ...); the
    Dart client reads that as no arguments, and so does this client."""

    async def _answer_method(self, body: dict[str, Any]) -> None:
        await super()._answer_method({"args": None, **body})


def geolocator(client: Phone, **answers: Any) -> list[str]:
    """Answer the Geolocator's methods; returns the names of the calls in the order they came."""
    calls: list[str] = []
    for name, result in answers.items():

        def handler(_: object, args: dict[str, Any] | None, name: str = name, result: Any = result) -> Any:
            calls.append(name)
            if isinstance(result, Exception):
                raise result
            return result

        client.method_handlers[("Geolocator", name)] = handler
    return calls


async def _to_place_step(client: FakeFletClient) -> None:
    await client.navigate("/reports/new")
    await client.wait_until(lambda: has(client, "reports.category.ampel"))
    await client.click("reports.category.ampel")
    await client.type("reports.description", "Ampel blinkt gelb.")
    await client.click("reports.next")
    await client.wait_until(lambda: has(client, "reports.gps"))


async def test_permission_is_asked_for_before_the_position(runtime: AppRuntime) -> None:
    async with Phone(runtime.create_main(), platform="android", width=360, height=800) as client:
        calls = geolocator(
            client,
            is_location_service_enabled=True,
            get_permission_status="denied",  # not asked yet
            request_permission="whileInUse",  # the resident allows it in the prompt
            get_current_position=POSITION,
        )
        await _to_place_step(client)
        await client.click("reports.gps")
        await client.wait_until(lambda: has(client, "reports.position"))
        assert calls == [
            "is_location_service_enabled",
            "get_permission_status",
            "request_permission",
            "get_current_position",
        ]
        assert shows(client, "Position: 51.33970, 12.37310")
        assert not has(client, "reports.gps.problem")


async def test_allowed_before_the_position_comes_without_a_prompt(runtime: AppRuntime) -> None:
    async with Phone(runtime.create_main(), platform="android", width=360, height=800) as client:
        calls = geolocator(
            client,
            is_location_service_enabled=True,
            get_permission_status="always",
            request_permission=AssertionError("no prompt when already allowed"),
            get_current_position=POSITION,
        )
        await _to_place_step(client)
        await client.click("reports.gps")
        await client.wait_until(lambda: has(client, "reports.position"))
        assert calls == ["is_location_service_enabled", "get_permission_status", "get_current_position"]


async def test_denied_says_so_and_asks_for_no_position(runtime: AppRuntime) -> None:
    async with Phone(runtime.create_main(), platform="android", width=360, height=800) as client:
        calls = geolocator(
            client,
            is_location_service_enabled=True,
            get_permission_status="denied",
            request_permission="denied",
            get_current_position=POSITION,
        )
        await _to_place_step(client)
        await client.click("reports.gps")
        await client.wait_until(lambda: has(client, "reports.gps.problem"))
        assert calls == ["is_location_service_enabled", "get_permission_status", "request_permission"]
        assert shows(
            client,
            "Sie haben den Zugriff auf Ihren Standort nicht erlaubt. Bitte geben Sie eine Adresse ein.",
        )
        assert not has(client, "reports.position")
        assert not has(client, "reports.gps.settings")  # asking again is possible: no settings needed
        assert has(client, "reports.address")  # the address is always there and enough


async def test_denied_forever_offers_the_app_settings(runtime: AppRuntime) -> None:
    async with Phone(runtime.create_main(), platform="android", width=360, height=800) as client:
        calls = geolocator(
            client,
            is_location_service_enabled=True,
            get_permission_status="deniedForever",
            open_app_settings=True,
        )
        await _to_place_step(client)
        await client.click("reports.gps")
        await client.wait_until(lambda: has(client, "reports.gps.settings"))
        assert calls == ["is_location_service_enabled", "get_permission_status"]  # no prompt: it cannot show
        assert shows(client, "App-Einstellungen öffnen")
        await client.click("reports.gps.settings")
        await client.wait_until(lambda: "open_app_settings" in calls)
        assert not has(client, "reports.position")


async def test_location_service_off_offers_its_settings(runtime: AppRuntime) -> None:
    async with Phone(runtime.create_main(), platform="android", width=360, height=800) as client:
        calls = geolocator(client, is_location_service_enabled=False, open_location_settings=True)
        await _to_place_step(client)
        await client.click("reports.gps")
        await client.wait_until(lambda: has(client, "reports.gps.settings"))
        assert calls == ["is_location_service_enabled"]
        assert shows(client, "Standort-Einstellungen öffnen")
        await client.click("reports.gps.settings")
        await client.wait_until(lambda: "open_location_settings" in calls)


@pytest.mark.parametrize(
    ("platform", "settings"), [("android", True), ("web", False)]
)  # Flet opens no settings pages on the web (the browser has its own site settings)
async def test_no_settings_button_where_flet_cannot_open_them(
    runtime: AppRuntime, platform: str, settings: bool
) -> None:
    async with Phone(runtime.create_main(), platform=platform, width=360, height=800) as client:
        geolocator(client, is_location_service_enabled=True, get_permission_status="deniedForever")
        await _to_place_step(client)
        await client.click("reports.gps")
        await client.wait_until(lambda: has(client, "reports.gps.problem"))
        assert has(client, "reports.gps.settings") is settings


async def test_a_platform_without_location_points_to_the_address(runtime: AppRuntime) -> None:
    async with Phone(runtime.create_main(), platform="android", width=360, height=800) as client:
        geolocator(client, is_location_service_enabled=RuntimeError("MissingPluginException"))
        await _to_place_step(client)
        await client.click("reports.gps")
        await client.wait_until(lambda: has(client, "reports.gps.problem"))
        assert shows(client, "Standortbestimmung ist hier nicht verfügbar. Bitte geben Sie eine Adresse ein.")


async def to_offices_step(client: Phone, **answers: object) -> list[str]:
    """Open a booking up to the offices step, with the geolocator answering `answers`; returns its calls."""
    client.method_handlers[("SecureStorage", "get_all")] = lambda _, a: {}
    client.method_handlers[("SecureStorage", "get")] = lambda _, a: None
    calls = geolocator(client, **answers)
    await client.navigate("/appointments/new")
    await tap(client, "appointments.service.120686")
    await wait_for(client, lambda: has(client, "appointments.location"))
    return calls


async def test_appointments_ask_for_permission_and_work_when_denied(runtime: AppRuntime) -> None:
    async with Phone(runtime.create_main(), platform="android", width=360, height=800) as client:
        calls = await to_offices_step(
            client,
            is_location_service_enabled=True,
            get_permission_status="denied",
            request_permission="denied",
            get_current_position=POSITION,
        )
        await client.click("appointments.location")
        await wait_for(
            client, lambda: shows(client, "Sie haben den Zugriff auf Ihren Standort nicht erlaubt.")
        )
        assert calls == ["is_location_service_enabled", "get_permission_status", "request_permission"]
        assert has(client, "appointments.office.10002")  # the list works without the position


async def test_appointments_offer_the_settings_that_can_allow_the_location(runtime: AppRuntime) -> None:
    async with Phone(runtime.create_main(), platform="android", width=360, height=800) as client:
        calls = await to_offices_step(
            client,
            is_location_service_enabled=True,
            get_permission_status="deniedForever",
            open_app_settings=True,
        )
        assert not has(client, "appointments.location.settings")  # nothing to fix before asking
        await client.click("appointments.location")
        await wait_for(client, lambda: has(client, "appointments.location.settings"))
        assert shows(client, "App-Einstellungen öffnen")
        assert has(client, "appointments.office.10002")  # the list works without the position
        await client.click("appointments.location.settings")
        await client.wait_until(lambda: "open_app_settings" in calls)
