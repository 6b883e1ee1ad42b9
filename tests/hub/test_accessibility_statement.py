"""The accessibility statement's parts with rules (BITV 2.0, EU model statement 2018/1523): every known
gap names its reason, and the enforcement body's address is an https link on the city's allow-list."""

from __future__ import annotations

from typing import Any

import pytest

from leipzig_app.adapters.profiles import available_cities, load_profile
from leipzig_app.domain.errors import ProfileError
from leipzig_app.domain.hub_settings import GAP_REASONS
from leipzig_app.domain.profile import parse_profile
from leipzig_app.domain.urls import host_of, is_allowed_link

SOURCE = "cities/test.toml"


def expect_error(data: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(data, SOURCE)
    assert caught.value.field == field, caught.value
    assert words in caught.value.expected, caught.value.expected


@pytest.mark.parametrize("city", available_cities())
def test_shipped_profiles_give_each_gap_a_reason_and_link_the_enforcement_body(city: str) -> None:
    profile = load_profile(city)
    legal = profile.legal
    assert legal.accessibility_known_gaps
    for gap in legal.accessibility_known_gaps:
        assert gap.reason in GAP_REASONS
        assert gap.text["de"]
        assert gap.alternative["de"]
    assert legal.enforcement_body_url.startswith("https://")
    assert is_allowed_link(legal.enforcement_body_url, profile.links.allowed_domains)


def test_the_enforcement_body_must_be_https(leipzig_data: dict[str, Any]) -> None:
    leipzig_data["legal"]["enforcement_body_url"] = "http://www.durchsetzungsstelle-sachsen.de"
    expect_error(leipzig_data, "legal.enforcement_body_url", "HTTPS")


def test_the_enforcement_body_must_be_on_the_allow_list(leipzig_data: dict[str, Any]) -> None:
    leipzig_data["legal"]["enforcement_body_url"] = "https://www.schlichtungsstelle-bgg.de"
    expect_error(leipzig_data, "legal.enforcement_body_url", "links.allowed_domains")


def test_a_gap_needs_one_of_the_statement_reasons(leipzig_data: dict[str, Any]) -> None:
    gaps = leipzig_data["legal"]["accessibility_known_gaps"]
    gaps[1]["reason"] = "too expensive"
    expect_error(leipzig_data, "legal.accessibility_known_gaps[1].reason", "disproportionate_burden")
    del gaps[1]["reason"]
    expect_error(leipzig_data, "legal.accessibility_known_gaps[1].reason", "missing")


def test_a_gap_is_a_table_not_a_bare_text(leipzig_data: dict[str, Any]) -> None:
    leipzig_data["legal"]["accessibility_known_gaps"] = ["Die Karte ist nicht barrierefrei."]
    expect_error(leipzig_data, "legal.accessibility_known_gaps", "a list of tables")


def test_the_alternative_is_optional_and_shown_per_language(leipzig_data: dict[str, Any]) -> None:
    gap = leipzig_data["legal"]["accessibility_known_gaps"][0]
    del gap["alternative"]
    profile = parse_profile(leipzig_data, SOURCE)
    assert profile.legal.accessibility_known_gaps[0].alternative == {}
    assert profile.legal.accessibility_known_gaps[1].alternative["en"].startswith("Choose a photo")
    assert host_of(profile.legal.enforcement_body_url) == "www.durchsetzungsstelle-sachsen.de"
