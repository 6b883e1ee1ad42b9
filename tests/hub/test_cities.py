"""Two cities from the same code: each shipped profile starts, shows its own name, colours, sections and
hub modules, and talks to its own jurisdiction of the demo city; Settings switches between them."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has, wait_for

from leipzig_app.adapters.profiles import available_cities, load_profile
from leipzig_app.app import AppRuntime

#: The modules that are top-level sections (the others are services in "Mehr").
TOP_LEVEL = ("news", "appointments", "reports", "scanner")


def keys(client: FakeFletClient, prefix: str) -> list[str]:
    return [str(c.key) for c in client.find_all(lambda c: str(c.key or "").startswith(prefix))]


def test_both_cities_are_shipped() -> None:
    assert {"leipzig", "offenbach"} <= set(available_cities())
    offenbach = load_profile("offenbach")
    assert (offenbach.state, offenbach.municipality_key) == ("HE", "06413000")
    assert offenbach.colors.primary != load_profile("leipzig").colors.primary
    # Offenbach lists reports before appointments, unlike the order the sections are declared in
    own = [m for m in offenbach.modules if m in TOP_LEVEL]
    assert own.index("reports") < own.index("appointments")


@pytest.mark.parametrize("city", ["leipzig", "offenbach"])
async def test_the_app_starts_on_each_profile(city: str, tmp_path: Path) -> None:
    runtime = AppRuntime.create(city=city, data_dir=tmp_path / "app")
    try:
        profile = runtime.services.profile
        assert runtime.services.problems == []
        async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
            await wait_for(client, lambda: any(profile.name in t for t in client.texts()))
            # Home, then the profile's own sections in the order it enables them, then "Mehr"
            own = [m for m in profile.modules if m in TOP_LEVEL]
            expected = ["nav.home", *(f"nav.{m}" for m in own), "nav.more"]
            shown = [
                k for k in keys(client, "nav.") if k != "nav.settings" and k not in ("nav.bar", "nav.rail")
            ]
            assert shown == expected
            assert client.session.page.title == profile.app_name
            await client.navigate("/more")
            await wait_for(client, lambda: bool(keys(client, "hub.tile.")))
            hub_modules = [m for m in profile.modules if m in runtime.services.profile.services]
            assert keys(client, "hub.tile.") == [f"hub.tile.{m}" for m in hub_modules]
    finally:
        await runtime.aclose()


async def test_offenbach_talks_to_its_own_jurisdiction(tmp_path: Path) -> None:
    runtime = AppRuntime.create(city="offenbach", data_dir=tmp_path / "app")
    try:
        profile = runtime.services.profile
        async with httpx.AsyncClient() as http:
            services = (await http.get(f"{profile.reports.endpoint}services.json",
                                       params={"jurisdiction_id": "offenbach.de"})).json()  # fmt: skip
            leipzig = (await http.get(f"{profile.reports.endpoint}services.json")).json()
            catalog = (await http.get(f"{profile.appointments.endpoint}offices-and-services/")).json()
            feed = (await http.get(profile.news.feeds[0].url)).text
        codes = {s["service_code"] for s in services}
        assert codes
        assert all(c.startswith("of-") for c in codes)
        assert not codes & {s["service_code"] for s in leipzig}
        assert {o["address"]["city"] for o in catalog["offices"]} == {"Offenbach am Main"}
        assert {r["officeId"] for r in catalog["relations"]} == {o["id"] for o in catalog["offices"]}
        assert "Wilhelmsplatz" in feed
        # the app's own services use those endpoints
        snapshot = await runtime.services.news.refresh()
        assert any("Wilhelmsplatz" in item.title for item in snapshot.items)
        categories, _ = await runtime.services.reports.categories()
        assert {c.code for c in categories} == codes
    finally:
        await runtime.aclose()


async def test_switching_the_city_in_settings_changes_name_modules_and_feeds(tmp_path: Path) -> None:
    runtime = AppRuntime.create(data_dir=tmp_path / "app")
    try:
        async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
            await client.navigate("/more/settings")
            await wait_for(client, lambda: bool(keys(client, "settings.city")))
            page = client.session.page
            assert str(page.theme.color_scheme.primary).upper() == "#00549F"
            await client.choose("settings.city", "offenbach")
            await wait_for(client, lambda: runtime.services.profile.id == "offenbach")
            await wait_for(client, lambda: str(page.theme.color_scheme.primary).upper() == "#B3121B")
            assert "nav.scanner" not in keys(client, "nav.")
            assert runtime.services.hub.settings("library") is None
            assert [f.id for f in runtime.services.profile.news.feeds] == ["offenbach"]
            await client.navigate("/")
            await wait_for(client, lambda: any("Offenbach am Main" in t for t in client.texts()))
        # the choice is remembered for the next start
        assert runtime.services.settings.load().city == "offenbach"
    finally:
        await runtime.aclose()


async def test_switching_the_city_after_the_first_tab_has_closed(tmp_path: Path) -> None:
    """In web mode the background jobs are started by the first page; once that tab's session has ended,
    a resident in another tab must still be able to switch the city (it showed Flet's "Error running app")."""
    runtime = AppRuntime.create(data_dir=tmp_path / "app")
    try:
        async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800):
            first = runtime.background_jobs
            assert first
        async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
            await client.navigate("/more/settings")
            await wait_for(client, lambda: bool(keys(client, "settings.city")))
            await client.choose("settings.city", "offenbach")
            await wait_for(client, lambda: runtime.services.profile.id == "offenbach")
            await client.navigate("/")
            await wait_for(client, lambda: any("Offenbach am Main" in t for t in client.texts()))
            assert not client.errors
            # the old city's jobs are stopped, the new city's run
            assert all(job.cancelled() or job.done() for job in first)
            jobs = runtime.background_jobs
            assert len(jobs) == len(runtime.services.background)
            assert not any(job.done() for job in jobs)
    finally:
        await runtime.aclose()


async def test_a_tab_without_connection_shows_the_new_city_when_it_is_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A tab whose connection dropped (a phone in a tunnel) is rebuilt for the new city when it comes back,
    not while nobody can see it: Home could not start loading its cards then and showed an error."""
    runtime = AppRuntime.create(data_dir=tmp_path / "app")
    try:
        async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as phone:
            await wait_for(phone, lambda: any("Willkommen in Leipzig" in t for t in phone.texts()))
            connection = phone.session.connection
            await phone.session.disconnect(60)
            async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as other:
                await other.navigate("/more/settings")
                await wait_for(other, lambda: bool(keys(other, "settings.city")))
                await other.choose("settings.city", "offenbach")
                await wait_for(other, lambda: any("Offenbach" in t for t in other.texts()))
            assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
            await phone.session.connect(connection)
            await wait_for(phone, lambda: any("Willkommen in Offenbach am Main" in t for t in phone.texts()))
            assert not has(phone, "home.failed")
            assert not phone.errors
    finally:
        await runtime.aclose()


async def test_switching_the_city_offers_the_new_citys_languages(tmp_path: Path) -> None:
    runtime = AppRuntime.create(city="offenbach", data_dir=tmp_path / "app", defer_start=True)
    try:
        settings = runtime.services.settings
        assert settings.languages == ("de", "en")
        await runtime.switch_city("leipzig")
        assert settings.languages == load_profile("leipzig").languages
        assert settings.update(language="ar").language == "ar"  # offered by Leipzig, not by Offenbach
        await runtime.switch_city("offenbach")
        # Offenbach has no Arabic: its default language is shown and kept, easy German off with it.
        prefs = settings.load()
        assert (prefs.language, prefs.city) == ("de", "offenbach")
        with pytest.raises(ValueError, match="not offered"):
            settings.update(language="uk")
        await runtime.switch_city("leipzig")
        assert settings.load().language == "de"  # the Arabic of before does not come back unasked
    finally:
        await runtime.aclose()


async def test_a_language_of_the_new_city_can_be_chosen_after_switching(tmp_path: Path) -> None:
    from leipzig_app.i18n import Translator

    runtime = AppRuntime.create(city="offenbach", data_dir=tmp_path / "app")
    try:
        async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
            await client.navigate("/more/settings")
            await wait_for(client, lambda: bool(keys(client, "settings.city")))
            await client.choose("settings.city", "leipzig")
            await wait_for(client, lambda: runtime.services.profile.id == "leipzig")
            await client.navigate("/more/settings")
            await wait_for(client, lambda: bool(keys(client, "settings.language")))
            await client.choose("settings.language", "uk")
            title = Translator("uk")("settings.title")
            await wait_for(client, lambda: title in client.texts())
            assert not client.errors
        assert runtime.services.settings.load().language == "uk"
    finally:
        await runtime.aclose()


async def test_settings_name_every_city_by_its_full_name(tmp_path: Path) -> None:
    """The city choice showed the profile's file name ("Offenbach"), not the city's name."""
    runtime = AppRuntime.create(city="offenbach", data_dir=tmp_path / "app")
    try:
        async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as client:
            await client.navigate("/more/settings")
            await wait_for(client, lambda: has(client, "settings.city"))
            city = client.find("settings.city")
            options = {str(o["key"]): str(o["text"]) for o in city.get("options")}
            assert options == {name: load_profile(name).name for name in available_cities()}
            assert options["offenbach"] == "Offenbach am Main"
            assert "Offenbach am Main" in city.own_texts()  # the chosen entry, as the field shows it
            assert city.get("tooltip") == "Stadt: Offenbach am Main"
    finally:
        await runtime.aclose()


@pytest.mark.parametrize(("language", "name"), [("uk", "Лейпциг"), ("ar", "لايبزيغ")])
async def test_the_city_is_named_in_the_residents_language(tmp_path: Path, language: str, name: str) -> None:
    """Ukrainian and Arabic screens kept "Leipzig" in Latin letters in the middle of their own script."""
    from leipzig_app.i18n import Translator

    t = Translator(language)
    runtime = AppRuntime.create(data_dir=tmp_path / "app")
    try:
        runtime.services.settings.update(language=language)
        async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as client:
            await wait_for(client, lambda: t("home.welcome", city=name) in client.texts())
            await client.navigate("/more/numbers")
            await wait_for(client, lambda: t("hub.numbers.city", city=name) in client.texts())
            await client.navigate("/more/settings")
            await wait_for(client, lambda: has(client, "settings.city"))
            city = client.find("settings.city")
            options = {str(o["key"]): str(o["text"]) for o in city.get("options")}
            assert options["leipzig"] == name
            assert options["offenbach"] == load_profile("offenbach").name_in(language)
            assert city.get("tooltip") == t("settings.choice", label=t("settings.city"), value=name)
            assert not [text for text in client.texts() if "Leipzig" in text and "Leipzig App" not in text]

            runtime.services.cities = runtime.services.cities[:1]  # a build that ships only this city
            await client.navigate("/more")
            await client.navigate("/more/settings")
            await wait_for(client, lambda: has(client, "settings.city.current"))
            assert client.find("settings.city.current").get("value") == t("settings.city.current", city=name)
    finally:
        await runtime.aclose()
