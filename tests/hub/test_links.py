"""Links from the hub open only on the city's allow-list; ticket targets per platform; offline numbers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from leipzig_app.adapters.profiles import load_profile
from leipzig_app.domain.hub_settings import LinkItem, LinkListSettings
from leipzig_app.services.hub import HubService, tel_url


def hub(city: str | None = None) -> HubService:
    return HubService(load_profile(city))


def test_links_are_checked_against_the_allow_list_by_host_never_by_substring() -> None:
    h = hub()
    assert h.check_link("https://www.leipzig.de/x").allowed
    assert h.check_link("https://www.leipzig.de/x").host == "www.leipzig.de"
    for url in (
        "https://leipzig.de.evil.example/",
        "http://www.leipzig.de/",  # plain HTTP outside loopback
        "javascript:alert(1)",
        "https://evil.example/?leipzig.de",
        "{sandbox}/x",
    ):
        assert not h.check_link(url).allowed, url


def test_ticket_opens_the_app_on_phones_and_the_shop_everywhere() -> None:
    h = hub()
    phone = h.ticket_targets("android")
    assert [(t.kind, t.url) for t in phone] == [
        ("app", "leipzigmove://tickets"),
        ("web", "https://www.lvb.de/de/tickets"),
    ]
    assert phone[1].host == "www.lvb.de"
    assert [t.kind for t in h.ticket_targets("web")] == ["web"]
    assert [t.kind for t in h.ticket_targets("desktop")] == ["web"]
    # the profile's own app link may open (its scheme was checked at load); any other scheme may not
    assert h.check_link("leipzigmove://tickets").allowed
    assert h.check_link("leipzigmove://tickets").host == "leipzigmove"
    assert not h.check_link("otherapp://tickets").allowed
    assert not h.check_link("leipzigmove://elsewhere").allowed
    offenbach = hub("offenbach").ticket_targets("ios")
    assert [t.url for t in offenbach] == ["rmvgo://tickets", "https://www.rmv.de/c/de/tickets"]


def test_online_services_are_searchable_in_the_residents_language() -> None:
    h = hub()
    assert [i.id for i in h.links("online_services")] == [
        "wohnsitz",
        "anwohnerparken",
        "hundesteuer",
        "bundid",
    ]
    assert [i.id for i in h.links("online_services", "hund")] == ["hundesteuer"]
    assert [i.id for i in h.links("online_services", "parking permit", "en")] == ["anwohnerparken"]
    assert [i.id for i in h.links("online_services", "umzug")] == ["wohnsitz"]  # a keyword
    assert h.links("online_services", "reisepass") == []
    assert [i.id for i in h.links("participation")] == ["beteiligung", "stadtrat"]


def test_a_link_that_is_not_allowed_is_never_listed() -> None:
    profile = load_profile()
    sneaky = LinkItem("x", {"de": "Gefälscht"}, "https://leipzig.de.evil.example/", {})
    services: dict[str, Any] = dict(profile.services)
    services["online_services"] = LinkListSettings(items=(sneaky, *services["online_services"].items))
    h = HubService(replace(profile, services=services))
    assert "x" not in [i.id for i in h.links("online_services")]


def test_numbers_work_offline_with_tel_links() -> None:
    entries = hub().numbers("de")
    ids = [e.id for e in entries]
    assert ids[:4] == ["112", "110", "115", "116117"]
    assert {e.tel_url for e in entries[:4]} == {"tel:112", "tel:110", "tel:115", "tel:116117"}
    zentrale = next(e for e in entries if e.id == "zentrale")
    assert zentrale.tel_url == "tel:+493411230"
    assert zentrale.title == "Stadtverwaltung Leipzig (Zentrale)"
    assert (
        next(e for e in hub().numbers("en") if e.id == "zentrale").title
        == "City administration (switchboard)"
    )
    assert tel_url("0341 / 123-45") == "tel:034112345"
