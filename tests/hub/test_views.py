"""The hub and its modules on the in-process Flet client, with the app's own demo city."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import flet as ft
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has, shows, tap, wait_for

from leipzig_app.app import AppRuntime


async def test_hub_lists_enabled_modules_in_order_and_searches(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        await client.navigate("/more")
        await wait_for(client, lambda: has(client, "hub.tiles"))
        tiles = [c.key for c in client.find_all(lambda c: str(c.key).startswith("hub.tile."))]
        order = ("ticket", "library", "waste", "online_services", "participation", "numbers")
        assert tiles == [f"hub.tile.{m}" for m in order]
        await client.type("hub.search", "müll")
        await wait_for(client, lambda: not has(client, "hub.tile.ticket"))
        assert has(client, "hub.tile.waste")
        assert shows(client, "1 Treffer")
        await client.type("hub.search", "xyzzy")
        await wait_for(client, lambda: shows(client, "Nichts gefunden"))


async def test_ticket_names_the_domain_before_opening(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await client.navigate("/more")
        await tap(client, "hub.tile.ticket")
        await wait_for(client, lambda: has(client, "hub.ticket.web"))
        assert not has(client, "hub.ticket.app")  # no operator app on desktop
        assert shows(client, "Leipziger Verkehrsbetriebe (LVB)")
        assert shows(client, "www.lvb.de")
        await client.click("hub.ticket.web")
        await wait_for(client, lambda: has(client, "hub.ticket.confirm.open"))
        assert client.state.launched_urls == []  # nothing opens before the resident confirms
        assert shows(client, "www.lvb.de")
        await client.click("hub.ticket.confirm.open")
        await wait_for(client, lambda: client.state.launched_urls == ["https://www.lvb.de/de/tickets"])


async def test_ticket_app_falls_back_to_the_shop_on_phones(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:

        def no_app(_: Any, args: dict[str, Any] | None) -> None:
            url = str((args or {}).get("url"))
            if url.startswith("leipzigmove:"):
                raise RuntimeError("no app for this link")
            client.state.launched_urls.append(url)

        client.method_handlers[("UrlLauncher", "launch_url")] = no_app
        await client.navigate("/more/ticket")
        await tap(client, "hub.ticket.app")
        await wait_for(client, lambda: has(client, "hub.ticket.confirm.domain"))
        assert client.find("hub.ticket.confirm.domain").get("value") == "Leipziger Verkehrsbetriebe (LVB)"
        await tap(client, "hub.ticket.confirm.open")
        await wait_for(client, lambda: client.state.launched_urls == ["https://www.lvb.de/de/tickets"])
        await wait_for(client, lambda: shows(client, "im Browser geöffnet"))


async def test_library_card_on_a_phone_lives_in_secure_storage(runtime: AppRuntime, tmp_path: Path) -> None:
    secure: dict[str, str] = {}
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        client.method_handlers[("SecureStorage", "get")] = lambda _, a: secure.get((a or {})["key"])
        client.method_handlers[("SecureStorage", "set")] = lambda _, a: secure.update({a["key"]: a["value"]})
        client.method_handlers[("SecureStorage", "remove")] = lambda _, a: secure.pop(a["key"], None)
        await client.navigate("/more/library")
        await wait_for(client, lambda: has(client, "hub.library.input"))
        await client.type("hub.library.input", "1234")
        await client.click("hub.library.save")
        await wait_for(client, lambda: "11 Ziffern" in str(client.find("hub.library.input").get("error")))
        await client.type("hub.library.input", "200 0123 4567")
        await client.click("hub.library.save")
        await wait_for(client, lambda: has(client, "hub.library.barcode"))
        assert secure == {"library.card_number.leipzig": "20001234567"}
        assert not (tmp_path / "app" / "secrets.json").exists()  # not in the desktop file
        assert "20001234567" in str(client.find("hub.library.barcode").get("semantics_label"))
        assert str(client.find("hub.library.barcode").get("src"))  # the PNG as base64
        assert shows(client, "Ausweis 20001234567 gespeichert.")
        await client.click("hub.library.remove")
        await wait_for(client, lambda: has(client, "hub.library.input"))
        assert secure == {}


async def test_library_card_when_secure_storage_fails(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="ios", width=360, height=800) as client:

        def broken(_: Any, args: dict[str, Any] | None) -> None:
            raise RuntimeError("keychain locked")

        client.method_handlers[("SecureStorage", "get")] = broken
        await client.navigate("/more/library")
        await wait_for(client, lambda: has(client, "hub.library.store_failed"))
        assert shows(client, "kann auf diesem Gerät nicht gelesen werden")


async def test_library_card_on_desktop_uses_the_private_file(runtime: AppRuntime, tmp_path: Path) -> None:
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        client.method_handlers[("FilePicker", "save_file")] = lambda _, a: str(tmp_path / "karte.svg")
        await client.navigate("/more/library")
        await wait_for(client, lambda: has(client, "hub.library.input"))
        await client.type("hub.library.input", "20001234567")
        await client.click("hub.library.save")
        await wait_for(client, lambda: has(client, "hub.library.barcode"))
        await client.click("hub.library.save_image")
        await wait_for(client, lambda: shows(client, "als Bild gespeichert"))
        assert b"<svg" in (tmp_path / "karte.svg").read_bytes()
    assert (runtime.data_dir / "secrets.json").stat().st_mode & 0o777 == 0o600


async def test_waste_pick_street_see_next_set_reminder_and_export(
    runtime: AppRuntime, tmp_path: Path
) -> None:
    saved: list[dict[str, Any]] = []

    def save_file(_: Any, args: dict[str, Any] | None) -> str:
        saved.append(dict(args or {}))
        return str(tmp_path / "abfall.ics")

    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        client.method_handlers[("FilePicker", "save_file")] = save_file
        # Home's waste card asks for a street first
        await wait_for(client, lambda: shows(client, "Wählen Sie im Abfuhrkalender Ihre Straße"))
        await client.navigate("/more/waste")
        await wait_for(client, lambda: has(client, "hub.waste.street"))
        await client.type("hub.waste.street", "Kochstr")
        await tap(client, "hub.waste.street.0")
        await wait_for(client, lambda: has(client, "hub.waste.next.3"))
        assert shows(client, "Ihr Stadtbezirk: Süd")
        titles = {str(client.find(f"hub.waste.next.{i}").get("title")) for i in range(4)}
        assert all(any(b in t for t in titles) for b in ("Restabfall", "Bioabfall", "Gelbe Tonne", "Papier"))

        await client.update_props("hub.waste.remind.Papier", {"value": True})
        await client.trigger("hub.waste.remind.Papier", "change", "true")
        await wait_for(client, lambda: has(client, "hub.waste.due.0"))
        assert shows(client, "Papier:")
        assert [r.bin_type for r in runtime.services.hub.waste.reminders()] == ["Papier"]

        await client.click("hub.waste.export")
        await wait_for(client, lambda: bool(saved))
        assert saved[0]["file_name"] == "abfuhrkalender-süd.ics"
        await wait_for(client, lambda: (tmp_path / "abfall.ics").exists())
        assert b"VALARM" in (tmp_path / "abfall.ics").read_bytes()

        # Home now names the next collection of each bin and leads to the calendar
        await client.navigate("/")
        await wait_for(client, lambda: has(client, "home.waste.item.3"))
        home_titles = [client.live(f"home.waste.item.{i}").title.value for i in range(4)]  # type: ignore[attr-defined]
        assert sorted(home_titles) == sorted(("Restabfall", "Bioabfall", "Gelbe Tonne", "Papier"))
        await tap(client, "home.waste.item.0")
        await wait_for(client, lambda: has(client, "hub.waste.next.0"))


async def test_numbers_are_there_offline_and_call(tmp_path: Path) -> None:
    rt = AppRuntime.create(data_dir=tmp_path / "app")
    try:
        rt.close()  # the demo city is gone: numbers must not need it
        async with FakeFletClient(rt.create_main(), platform="ios", width=360, height=800) as client:
            await client.navigate("/more/numbers")
            await wait_for(client, lambda: has(client, "hub.numbers.112"))
            assert shows(client, "Feuerwehr und Rettungsdienst: 112")
            assert shows(client, "Behördennummer: 115")
            assert shows(client, "Stadtverwaltung Leipzig (Zentrale): +49 341 123-0")
            await client.click("hub.numbers.110")
            await wait_for(client, lambda: client.state.launched_urls == ["tel:110"])
    finally:
        await rt.aclose()


async def test_online_services_search_and_open(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="linux", width=1000, height=800) as client:
        await client.navigate("/more/online_services")
        await wait_for(client, lambda: has(client, "hub.online_services.item.bundid"))
        await client.type("hub.online_services.search", "hund")
        await wait_for(client, lambda: not has(client, "hub.online_services.item.bundid"))
        await client.click("hub.online_services.item.hundesteuer")
        await wait_for(client, lambda: has(client, "hub.online_services.confirm.domain"))
        assert shows(client, "www.leipzig.de")
        await client.click("hub.online_services.confirm.open")
        await wait_for(client, lambda: len(client.state.launched_urls) == 1)
        assert client.state.launched_urls[0].startswith("https://www.leipzig.de/")


async def test_waste_screen_names_the_bins_in_english(runtime: AppRuntime) -> None:
    runtime.services.settings.update(language="en")
    try:
        async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
            await client.navigate("/more/waste")
            await wait_for(client, lambda: has(client, "hub.waste.street"))
            await client.type("hub.waste.street", "Kochstr")
            await tap(client, "hub.waste.street.0")
            await wait_for(client, lambda: has(client, "hub.waste.remind.Restabfall"))
            assert client.find("hub.waste.remind.Restabfall").get("label") == "Remind me of Residual waste"
            assert client.find("hub.waste.remind.Gelbe Tonne").get("label") == (
                "Remind me of Yellow bin (packaging)"
            )
            titles = {str(client.find(f"hub.waste.next.{i}").get("title")) for i in range(4)}
            assert any("Paper" in t for t in titles)
            assert not any("Restabfall" in t for t in titles)
    finally:
        runtime.services.settings.update(language="de")


async def test_leaving_for_another_authority_does_not_call_it_the_citys_page(runtime: AppRuntime) -> None:
    """The enforcement body, the transport operator and BundID are not the city's pages: the dialog says
    the city has approved the address, not that the page is the city's."""
    async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as client:
        await client.navigate("/more/accessibility")
        await tap(client, "a11y.enforcement.url")
        await wait_for(client, lambda: has(client, "a11y.enforcement.confirm.domain"))
        assert shows(client, "Die Stadt hat diese Adresse freigegeben.")
        assert not shows(client, "Seite der Stadt")


async def test_ticket_intro_reads_right_for_any_operators_name(tmp_path: Path) -> None:
    """The operator's name comes from the city profile, with or without an article ("die LVB", "der
    RMV"): the sentence around it must not depend on it."""
    for city, operator in (
        ("leipzig", "Leipziger Verkehrsbetriebe (LVB)"),
        ("offenbach", "Rhein-Main-Verkehrsverbund (RMV)"),
    ):
        runtime = AppRuntime.create(city=city, data_dir=tmp_path / city)
        try:
            async with FakeFletClient(
                runtime.create_main(), platform="web", width=1280, height=800
            ) as client:
                await client.navigate("/more/ticket")
                await wait_for(client, lambda: has(client, "hub.ticket.operator"))
                assert client.find("hub.ticket.operator").get("value") == (
                    f"Anbieter der Fahrkarten: {operator}. Die App öffnet dessen App oder Ticketshop."
                )
        finally:
            await runtime.aclose()


async def test_module_titles_move_under_the_back_button_instead_of_breaking_inside_a_word(
    runtime: AppRuntime,
) -> None:
    """At 200 % text on a phone "Abfuhrkalender" did not fit beside the back button and broke as
    "Abfuhrkalend / er": the title row must let the title move to a line of its own, as on the settings and
    legal screens."""
    modules = ("ticket", "library", "waste", "online_services", "participation", "numbers")
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        for module in (*modules, "settings", "accessibility"):
            await client.navigate(f"/more/{module}")
            key = f"hub.{module}.heading" if module in modules else f"{module}.heading"
            await wait_for(client, lambda k=key: has(client, k))  # type: ignore[misc]
            row = client.live(key).parent
            assert isinstance(row, ft.Row), module
            assert row.wrap, f"{module}: the title cannot move under the back button"
