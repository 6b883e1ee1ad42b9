"""The app shell on the in-process Flet client: navigation, layouts, settings remembered, honest problems."""

from __future__ import annotations

from pathlib import Path

import flet as ft
import pytest
from tests.support.flet_fake import FakeFletClient
from tests.support.view import has, wait_for

from leipzig_app.app import AppRuntime
from leipzig_app.ui.sections import SECTIONS


async def _select(client: FakeFletClient, bar_key: str, index: int) -> None:
    await client.update_props(bar_key, {"selected_index": index})
    await client.trigger(bar_key, "change", index)


async def test_home_is_the_first_screen_with_a_bottom_bar_on_phones(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="android", width=390, height=844) as client:
        texts = client.texts()
        assert "Willkommen in Leipzig" in texts
        assert client.find("nav.bar").get("selected_index") in (0, None)
        labels = [
            c.get("label")
            for c in client.find_all(
                lambda c: (c.key or "").startswith("nav.") and c.type == "NavigationBarDestination"
            )
        ]
        assert labels == ["Start", "Aktuell", "Termine", "Melden", "Scannen", "Mehr"]
        assert client.find("home.demo")
        for card in ("news", "appointments", "reports", "notices"):
            assert client.find(f"home.card.{card}")


async def test_wide_screens_get_a_rail_and_resizing_switches(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as client:
        assert client.find("nav.rail")
        await client.resize(390, 800)
        assert client.find("nav.bar")
        await client.resize(1024, 800)
        assert client.find("nav.rail")


@pytest.mark.parametrize(("index", "section"), list(enumerate(s.id for s in SECTIONS)))
async def test_every_section_opens(runtime: AppRuntime, index: int, section: str) -> None:
    async with FakeFletClient(runtime.create_main(), platform="android", width=390, height=844) as client:
        await _select(client, "nav.bar", index)
        assert (client.find("nav.bar").get("selected_index") or 0) == index
        assert not client.find_all(lambda c: c.key == f"{section}.failed"), "section failed to build"


async def test_deep_link_opens_the_section(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as client:
        await client.navigate("/more/imprint")
        assert client.find("legal.imprint")
        assert any("Demo-Stadt Leipzig" in t for t in client.texts())


async def test_language_switch_is_applied_and_remembered(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as client:
        await client.navigate("/more/settings")
        await client.update_props("settings.language", {"value": "en"})
        await client.trigger("settings.language", "select", "en")
        assert "Settings" in client.texts()
        assert "Setting saved" in client.texts()
    async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as client:
        assert "Welcome to Leipzig" in client.texts()
    assert runtime.services.settings.load().language == "en"


async def test_theme_and_text_size_are_applied(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as client:
        await client.navigate("/more/settings")
        await client.update_props("settings.theme", {"value": "dark"})
        await client.trigger("settings.theme", "change", "dark")
        assert client.live("settings.theme").page.theme_mode.value == "dark"  # type: ignore[union-attr]
        await client.update_props("settings.text_scale", {"value": "2.0"})
        await client.trigger("settings.text_scale", "change", "2.0")
    prefs = runtime.services.settings.load()
    assert (prefs.theme, prefs.text_scale) == ("dark", 2.0)


async def test_accessibility_statement_comes_from_the_profile(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as client:
        await client.navigate("/more/accessibility")
        texts = "\n".join(client.texts())
        assert "teilweise barrierefrei" in texts
        assert "barrierefreiheit@example.org" in texts
        assert "Durchsetzungsstelle" in texts
        # every gap with its reason and its alternative, from the profile
        assert "Die Kartenansicht beim Melden ist nicht barrierefrei." in texts
        assert "Grund: Die Umsetzung wäre eine unverhältnismäßige Belastung." in texts
        assert "Alternative: Adresse eingeben." in texts
        assert "Grund: noch nicht mit der BITV 2.0 vereinbar (Nichtvereinbarkeit)." in texts
        # the enforcement body is a link, opened like every other: its domain is shown first
        assert "www.durchsetzungsstelle-sachsen.de" in str(client.find("a11y.enforcement.url").get("content"))
        await client.click("a11y.enforcement.url")
        await wait_for(client, lambda: has(client, "a11y.enforcement.confirm.domain"))
        assert (
            client.find("a11y.enforcement.confirm.domain").get("value")
            == "www.durchsetzungsstelle-sachsen.de"
        )
        assert client.state.launched_urls == []
        await client.click("a11y.enforcement.confirm.open")
        await wait_for(
            client, lambda: client.state.launched_urls == ["https://www.durchsetzungsstelle-sachsen.de"]
        )


async def test_startup_problems_are_shown_on_home(tmp_path: Path) -> None:
    bad = tmp_path / "city.toml"
    bad.write_text("schema_version = 1\n", encoding="utf-8")
    rt = AppRuntime.create(city=str(bad), data_dir=tmp_path / "data")
    try:
        async with FakeFletClient(rt.create_main(), platform="android", width=390, height=844) as client:
            banner = "\n".join(client.texts())
            assert "city.toml" in banner
            assert "city" in banner
    finally:
        await rt.aclose()


async def test_background_jobs_run_once_per_runtime_not_per_page(runtime: AppRuntime) -> None:
    assert runtime.services.background, "the demo city's features have background jobs"
    async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800):
        first = runtime.background_jobs
        assert len(first) == len(runtime.services.background)
        async with FakeFletClient(runtime.create_main(), platform="android", width=390, height=844):
            assert runtime.background_jobs == first
    await runtime.aclose()
    assert all(job.cancelled() or job.done() for job in first)


async def test_background_jobs_start_when_the_first_page_lost_its_connection_while_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first page starts the background jobs once the features are wired; a phone that lost its
    connection meanwhile must not leave the app without them (news refresh, reminders)."""
    runtime = AppRuntime.create(data_dir=tmp_path / "app", defer_start=True)
    wait_ready = runtime.wait_ready

    async def connection_drops_while_starting() -> None:
        await ft.context.page.session.disconnect(60)
        await wait_ready()

    monkeypatch.setattr(runtime, "wait_ready", connection_drops_while_starting)
    try:
        async with FakeFletClient(
            runtime.create_main(), platform="android", width=390, height=844, settle_timeout=30
        ) as client:
            await client.wait_until(lambda: runtime.ready.is_set(), timeout=30)
            await client.wait_until(lambda: len(runtime.background_jobs) == len(runtime.services.background))
            assert runtime.services.background
            assert not any(job.done() for job in runtime.background_jobs)
    finally:
        await runtime.aclose()


@pytest.mark.parametrize(
    ("language", "expected"), [("uk", "Демо-місто Лейпциг"), ("ar", "مدينة لايبزيغ التجريبية")]
)
async def test_legal_texts_come_in_the_residents_language(
    runtime: AppRuntime, language: str, expected: str
) -> None:
    runtime.services.settings.update(language=language)
    async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as client:
        await client.navigate("/more/imprint")
        assert any(expected in text for text in client.texts())


def _bar_behavior(client: FakeFletClient) -> str:
    return str(client.find("nav.bar").get("label_behavior") or "alwaysShow")


async def test_bar_labels_follow_the_measured_device_text_size(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=780) as client:
        assert _bar_behavior(client) == "alwaysShow"
        # The phone's text size is set to 200 %: the invisible probe line is drawn twice as high.
        await client.trigger("shell.text_scale_probe", "size_change", {"w": 70.0, "h": 80.0})
        assert _bar_behavior(client) == "onlyShowSelected"  # "Start" still fits, "Scannen" would break
        await _select(client, "nav.bar", 4)
        assert _bar_behavior(client) == "alwaysHide"
        assert "Scannen" in client.texts()  # the app bar still names the section
        await client.trigger("shell.text_scale_probe", "size_change", {"w": 35.0, "h": 40.0})
        assert _bar_behavior(client) == "alwaysShow"


async def test_a_narrower_window_hides_labels_that_would_break(runtime: AppRuntime) -> None:
    runtime.services.settings.update(language="uk")
    async with FakeFletClient(runtime.create_main(), platform="android", width=390, height=844) as client:
        assert _bar_behavior(client) == "alwaysShow"
        await client.resize(300, 844)
        assert _bar_behavior(client) in ("onlyShowSelected", "alwaysHide")


async def test_the_text_size_probe_is_silent_and_untouchable(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="android", width=390, height=844) as client:
        probe = client.live("shell.text_scale_probe")
        semantics = probe.parent
        container = semantics.parent if semantics else None
        assert isinstance(semantics, ft.Semantics)
        assert semantics.exclude_semantics
        assert isinstance(container, ft.Container)
        assert container.ignore_interactions
        assert container.opacity == 0


async def test_the_status_line_goes_with_the_screen_it_was_about(
    runtime: AppRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leipzig_app.ui import shell as shell_module

    client = FakeFletClient(runtime.create_main(), platform="android", width=360, height=800, route="/news")
    async with client:
        await wait_for(client, lambda: bool(runtime.services.news and runtime.services.news.cached().items))
        await wait_for(client, lambda: not client.find("news.refresh").get("disabled"))
        shell = runtime.listeners[-1].__self__  # type: ignore[attr-defined]
        item = runtime.services.news.cached().items[0]

        # Said and then moved on in one go: the message is about what comes next, and stays.
        shell.announce("Termin aus der Liste entfernt.")
        shell.navigate(f"/news/{item.id}")
        await wait_for(client, lambda: has(client, "news.detail.title"))
        assert client.find("shell.status").get("value") == "Termin aus der Liste entfernt."

        # Said a while before the resident moves on within the section: it was about the screen left.
        monkeypatch.setattr(shell_module, "STATUS_CARRIES_OVER_S", 0.0)
        shell.announce("1 Nachricht")
        await client.settle()
        await client.click("news.back")
        await wait_for(client, lambda: has(client, "news.list"))
        assert client.find("shell.status").get("value") in ("", None)


@pytest.mark.parametrize("language", ["de", "en", "uk", "ar"])
async def test_accessibility_statement_has_no_doubled_full_stops(runtime: AppRuntime, language: str) -> None:
    """Ukrainian dates end in "р." ("1 лист. 2026 р."): a sentence must not put its own full stop after it."""
    runtime.services.settings.update(language=language)
    async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as client:
        await client.navigate("/more/accessibility")
        await wait_for(client, lambda: has(client, "a11y.feedback.mail"))
        assert not [text for text in client.texts() if ".." in text]


async def test_settings_choices_name_their_current_value_for_screen_readers(runtime: AppRuntime) -> None:
    """Flet's dropdown gives a screen reader only its tooltip (measured in Chromium: the chosen entry is not
    read): without the value in it, "Sprache der App, Schaltfläche" left the resident guessing."""
    async with FakeFletClient(runtime.create_main(), platform="web", width=1280, height=800) as client:
        await client.navigate("/more/settings")
        await wait_for(client, lambda: has(client, "settings.city"))
        assert client.find("settings.language").get("tooltip") == "Sprache der App: Deutsch"
        assert client.find("settings.city").get("tooltip") == "Stadt: Leipzig"
        await client.update_props("settings.language", {"value": "en"})
        await client.trigger("settings.language", "select", "en")
        await wait_for(client, lambda: "Settings" in client.texts())
        assert client.find("settings.language").get("tooltip") == "App language: English"
