"""The module registry: the profile enables and orders hub modules; each section is validated at load."""

from __future__ import annotations

from typing import Any

import pytest

from leipzig_app.domain.errors import ProfileError
from leipzig_app.domain.hub_settings import LibrarySettings, TicketSettings
from leipzig_app.domain.modules import BUILT_IN, REGISTRY, ModuleRegistry, ModuleSpec
from leipzig_app.domain.profile import parse_profile
from leipzig_app.services.hub import HubService, platform_name

SOURCE = "cities/test.toml"


def parse(data: dict[str, Any]) -> Any:
    return parse_profile(data, SOURCE)


def expect_error(data: dict[str, Any], field: str, words: str) -> ProfileError:
    with pytest.raises(ProfileError) as caught:
        parse(data)
    assert caught.value.field == field, caught.value
    assert words in caught.value.expected
    assert caught.value.source == SOURCE
    return caught.value


def test_shipped_profile_parses_every_enabled_hub_section(leipzig_data: dict[str, Any]) -> None:
    profile = parse(leipzig_data)
    assert isinstance(profile.services["ticket"], TicketSettings)
    assert isinstance(profile.services["library"], LibrarySettings)
    assert set(profile.services) == {
        "ticket",
        "library",
        "waste",
        "online_services",
        "participation",
        "numbers",
    }


def test_the_profile_orders_and_enables_hub_modules(leipzig_data: dict[str, Any]) -> None:
    leipzig_data["modules"]["enabled"] = ["numbers", "news", "waste", "ticket"]
    profile = parse(leipzig_data)
    hub = HubService(profile)
    assert [m.id for m in hub.modules("android")] == ["numbers", "waste", "ticket"]
    # sections of modules that are not enabled are not required and not parsed
    assert set(profile.services) == {"numbers", "waste", "ticket"}


def test_a_disabled_module_needs_no_section(leipzig_data: dict[str, Any]) -> None:
    leipzig_data["modules"]["enabled"] = ["news", "numbers"]
    del leipzig_data["services"]["library"]
    assert [m.id for m in HubService(parse(leipzig_data)).modules()] == ["numbers"]


def test_platforms_filter_modules() -> None:
    phone_only = ModuleSpec(
        id="ticket", title_key="t", subtitle_key="s", icon="x", route="/more/ticket",
        platforms=frozenset({"android", "ios"}), parse=lambda r: None,
    )  # fmt: skip
    registry = ModuleRegistry([phone_only, *[s for s in BUILT_IN if s.id != "ticket"]])
    assert [s.id for s in registry.enabled(("ticket", "numbers"), "android")] == ["ticket", "numbers"]
    assert [s.id for s in registry.enabled(("ticket", "numbers"), "web")] == ["numbers"]
    assert platform_name("android", False) == "android"
    assert platform_name("linux", True) == "web"
    assert platform_name("linux", False) == "desktop"


def test_registry_refuses_duplicates_bad_platforms_and_routes() -> None:
    spec = BUILT_IN[0]
    with pytest.raises(ValueError, match="twice"):
        ModuleRegistry([spec, spec])
    with pytest.raises(ValueError, match="platforms"):
        ModuleRegistry([ModuleSpec(**{**vars(spec), "platforms": frozenset({"tv"})})])
    with pytest.raises(ValueError, match="/more/"):
        ModuleRegistry([ModuleSpec(**{**vars(spec), "route": "/ticket"})])


def test_search_matches_titles_and_keywords_in_the_residents_language(leipzig_data: dict[str, Any]) -> None:
    from leipzig_app.i18n import Translator

    hub = HubService(parse(leipzig_data))
    de, en = Translator("de"), Translator("en")
    assert [m.id for m in hub.modules("web", "müll", de)] == ["waste"]
    assert [m.id for m in hub.modules("web", "Deutschlandticket", de)] == ["ticket"]
    assert [m.id for m in hub.modules("web", "library", en)] == ["library"]
    assert [m.id for m in hub.modules("web", "polizei 110", de)] == ["numbers"]
    assert hub.modules("web", "xyzzy", de) == []
    assert len(hub.modules("web", "  ", de)) == 6


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda s: s.pop("library"), "services.library.symbology", "missing"),
        (lambda s: s["library"].update(symbology="qr"), "services.library.symbology", "codabar"),
        (lambda s: s["library"].update(number_pattern="(["), "services.library.number_pattern", "regular"),
        (lambda s: s["ticket"].update(web_url="https://evil.example/shop"), "services.ticket.web_url",
         "allowed_domains"),
        (lambda s: s["ticket"].update(web_url="http://www.lvb.de/"), "services.ticket.web_url", "HTTPS"),
        (lambda s: s["ticket"].update(app_url="javascript:alert(1)"), "services.ticket.app_url", "scheme"),
        (lambda s: s["ticket"].update(app_url="no scheme"), "services.ticket.app_url", "scheme"),
        (lambda s: s["waste"].update(feed_url="ftp://x"), "services.waste.feed_url", "http(s)"),
        (lambda s: s["waste"].update(bin_types=["Papier", "Papier"]), "services.waste.bin_types", "once"),
        (lambda s: s["online_services"].update(items=[]), "services.online_services.items", "at least 1"),
        (lambda s: s["online_services"]["items"][1].update(id="wohnsitz"),
         "services.online_services.items[1].id", "unique"),
        (lambda s: s["online_services"]["items"][0].update(title={"en": "x"}),
         "services.online_services.items[0].title", "'de'"),
        (lambda s: s["numbers"]["items"][0].update(number="call me"), "services.numbers.items[0].number",
         "phone number"),
        (lambda s: s.update(parking={}), "services.parking", "hub module section"),
        (lambda s: s.update(library="yes"), "services.library", "a table"),
    ],
)  # fmt: skip
def test_a_bad_section_stops_the_profile_naming_file_field_and_expectation(
    leipzig_data: dict[str, Any], change: Any, field: str, words: str
) -> None:
    change(leipzig_data["services"])
    expect_error(leipzig_data, field, words)


def test_sandbox_urls_need_a_demo_city(leipzig_data: dict[str, Any]) -> None:
    # Only the hub's own field is wrong: the other sections' {sandbox} URLs are replaced by real ones.
    for section in ("news", "appointments", "reports", "payments", "notices"):
        leipzig_data.pop(section, None)
    leipzig_data["modules"]["enabled"] = ["waste"]
    leipzig_data["sandbox"]["start"] = False
    expect_error(leipzig_data, "services.waste.feed_url", "sandbox.start")


def test_registry_ids_are_profile_module_ids() -> None:
    from leipzig_app.domain.profile import MODULE_IDS

    assert set(REGISTRY.ids) <= set(MODULE_IDS)
    assert all(s.route == f"/more/{s.id}" for s in BUILT_IN)
