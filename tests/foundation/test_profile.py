"""City profile validation: a wrong or missing field names the file, the field and what was expected."""

from __future__ import annotations

import copy
import dataclasses
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from leipzig_app.adapters.paths import cities_dir
from leipzig_app.adapters.profiles import available_cities, load_profile
from leipzig_app.domain.errors import ProfileError
from leipzig_app.domain.profile import SUPPORTED_LANGUAGES, CityProfile, parse_profile


def _raw() -> dict[str, Any]:
    return tomllib.loads((cities_dir() / "leipzig.toml").read_text(encoding="utf-8"))


def test_every_shipped_profile_is_valid() -> None:
    assert "leipzig" in available_cities()
    for name in available_cities():
        profile = load_profile(name)
        assert profile.id == name
        assert profile.languages[0] == "de"


def test_leipzig_profile_values() -> None:
    profile = load_profile()
    assert profile.name == "Leipzig"
    assert profile.state == "SN"
    assert profile.municipality_key == "14713000"
    assert profile.demo is True
    assert profile.start_sandbox is True
    assert [f.id for f in profile.news.feeds] == ["stadt", "kultur"]
    assert profile.reports.mode == "open311"
    assert profile.payments.official_accounts == ("DE20860555921090000004",)


def test_a_city_is_named_in_the_residents_language_and_in_german_where_it_has_no_name_in_it() -> None:
    leipzig, offenbach = load_profile("leipzig"), load_profile("offenbach")
    assert (leipzig.name, leipzig.name_in("de"), leipzig.name_in("en")) == ("Leipzig", "Leipzig", "Leipzig")
    assert (leipzig.name_in("uk"), leipzig.name_in("ar")) == ("Лейпциг", "لايبزيغ")
    assert offenbach.name == offenbach.name_in("en") == "Offenbach am Main"
    assert (offenbach.name_in("uk"), offenbach.name_in("ar")) == ("Оффенбах-на-Майні", "أوفنباخ أم ماين")
    # a plain text is the German name, and the name in every language
    data = copy.deepcopy(_raw())
    data["city"]["name"] = "Musterstadt"
    profile = parse_profile(data, "city.toml")
    assert [profile.name_in(lang) for lang in SUPPORTED_LANGUAGES] == ["Musterstadt"] * 4


def test_bind_sandbox_replaces_every_placeholder() -> None:
    bound = load_profile().bind_sandbox("http://127.0.0.1:4711/")
    assert bound.news.feeds[0].url == "http://127.0.0.1:4711/feeds/stadt.rss"
    assert bound.appointments.endpoint == "http://127.0.0.1:4711/terminvereinbarung/api/citizen/"
    assert bound.reports.endpoint == "http://127.0.0.1:4711/open311/v2/"
    assert bound.notices.objection_forms["default"] == "http://127.0.0.1:4711/notices/objection-form"
    assert "{sandbox}" not in repr(bound)


@pytest.mark.parametrize(
    ("mutate", "field", "expected"),
    [
        (lambda d: d["city"].pop("name"), "city.name", "missing"),
        (lambda d: d["city"].update(state="Sachsen"), "city.state", "two-letter"),
        (lambda d: d["city"].update(languages=["fr"]), "city.languages", "starting with"),
        (lambda d: d["colors"].update(on_primary="#00549F"), "colors.on_primary", "4.5:1"),
        (lambda d: d["colors"].update(primary="blue"), "colors.primary", "#0A5EA8"),
        (lambda d: d["modules"].update(enabled=["news", "teleport"]), "modules.enabled", "teleport"),
        (
            lambda d: d["reports"].update(endpoint="http://open311.example.org/v2/"),
            "reports.endpoint",
            "HTTPS",
        ),
        (
            lambda d: d["news"]["feeds"][0].update(url="ftp://example.org/feed"),
            "news.feeds[0].url",
            "http(s)",
        ),
        (lambda d: d["sandbox"].update(start=False), "news.feeds[0].url", "sandbox.start"),
        (lambda d: d.update(schema_version=2), "schema_version", "1"),
        (lambda d: d["reports"].pop("endpoint"), "reports.endpoint", "Open311"),
        (lambda d: d["legal"].pop("imprint"), "legal.imprint", "missing"),
        # the city's name per language: German (the official name) always, only languages the app speaks
        (lambda d: d["city"].update(name={"uk": "Лейпциг"}), "city.name", "'de'"),
        (lambda d: d["city"].update(name={"de": "Leipzig", "ua": "Лейпциг"}), "city.name", "de, en, uk, ar"),
        (lambda d: d["city"].update(name={"de": "Leipzig", "ar": " "}), "city.name", "non-empty"),
        (lambda d: d["city"].update(name={"de": "Leipzig", "uk": 1}), "city.name", "non-empty"),
        (lambda d: d["city"].update(name=""), "city.name", "non-empty"),
    ],
)
def test_invalid_profile_names_field(mutate: Any, field: str, expected: str) -> None:
    data = copy.deepcopy(_raw())
    mutate(data)
    with pytest.raises(ProfileError) as info:
        parse_profile(data, "city.toml")
    assert info.value.source == "city.toml"
    assert info.value.field == field
    assert expected in info.value.expected
    assert "city.toml" in str(info.value)


def _offenbach_raw() -> dict[str, Any]:
    return tomllib.loads((cities_dir() / "offenbach.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("mutate", "field", "expected"),
    [
        # a time zone the app cannot use (news, reminders and appointments are shown in it)
        (lambda d: d["city"].update(timezone="Mars/Olympus"), "city.timezone", "IANA time zone"),
        (lambda d: d["city"].update(timezone="../../etc/passwd"), "city.timezone", "IANA time zone"),
        # a typo in a field name is named, not ignored
        (lambda d: d["city"].update(colour="#FF0000"), "city.colour", "no such field in [city]"),
        (lambda d: d.update(modul={"enabled": []}), "modul", "no such field in the top level"),
        (lambda d: d["news"].update(feed=d["news"].pop("feeds")), "news.feed", "no such field in [news]"),
        (lambda d: d["news"]["feeds"][1].update(titel="Kultur"), "news.feeds[1].titel", "known fields"),
        (lambda d: d["reports"].update(endpiont="x"), "reports.endpiont", "no such field in [reports]"),
        (lambda d: d["legal"].update(imprnt="x"), "legal.imprnt", "no such field in [legal]"),
        # free-form tables (a payment page's parameters) keep their own names; the fields around them not
        (
            lambda d: d["payments"]["parameters"].update(extra="x") or d["payments"].update(stat_url="x"),
            "payments.stat_url",
            "no such field",
        ),
        (lambda d: d["colors"].update(tertiary="#FFFFFF"), "colors.tertiary", "no such field in [colors]"),
        (lambda d: d["sandbox"].update(port=8000), "sandbox.port", "no such field in [sandbox]"),
        # every enabled module has the section it needs
        (lambda d: d.pop("news"), "news.feeds", "'news' is enabled"),
        (lambda d: d["news"].update(feeds=[]), "news.feeds", "'news' is enabled"),
        (lambda d: d.pop("appointments"), "appointments.endpoint", "'appointments' is enabled"),
        (lambda d: d["appointments"].pop("endpoint"), "appointments.endpoint", "'appointments' is enabled"),
        (lambda d: d.pop("reports"), "reports.mode", "'reports' is enabled"),
        (lambda d: d["reports"].update(mode="none"), "reports.mode", "'reports' is enabled"),
    ],
)
def test_a_half_configured_profile_is_refused(mutate: Any, field: str, expected: str) -> None:
    data = copy.deepcopy(_raw())
    mutate(data)
    with pytest.raises(ProfileError) as info:
        parse_profile(data, "city.toml")
    assert (info.value.source, info.value.field) == ("city.toml", field)
    assert expected in info.value.expected
    assert f"city.toml: field '{field}'" in str(info.value)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["city"].update(timezone="Mars/Olympus"), "city.timezone"),
        (lambda d: d["city"].update(languages_=["de"]), "city.languages_"),
        (lambda d: d["news"].update(feed=d["news"].pop("feeds")), "news.feed"),
        (lambda d: d["appointments"].pop("endpoint"), "appointments.endpoint"),
    ],
)
def test_the_second_city_is_held_to_the_same_rules(mutate: Any, field: str) -> None:
    data = copy.deepcopy(_offenbach_raw())
    mutate(data)
    with pytest.raises(ProfileError) as info:
        parse_profile(data, "offenbach.toml")
    assert info.value.field == field


def test_a_section_of_a_module_that_is_not_enabled_may_stay_empty() -> None:
    data = copy.deepcopy(_raw())
    data["modules"]["enabled"] = ["scanner", "numbers"]
    for section in ("news", "appointments", "reports"):
        del data[section]
    profile = parse_profile(data, "city.toml")
    assert profile.modules == ("scanner", "numbers")
    assert profile.news.feeds == ()
    assert profile.appointments.endpoint is None
    assert profile.reports.mode == "none"


def _replace_sandbox(value: Any, base: str) -> Any:
    if isinstance(value, str):
        return value.replace("{sandbox}", base)
    if isinstance(value, list):
        return [_replace_sandbox(v, base) for v in value]
    if isinstance(value, dict):
        return {k: _replace_sandbox(v, base) for k, v in value.items()}
    return value


def test_https_endpoints_are_accepted() -> None:
    data = _replace_sandbox(copy.deepcopy(_raw()), "https://www.leipzig.de")
    data["sandbox"]["start"] = False
    data["city"]["demo"] = False
    data["notices"]["trusted_keys"] = []
    data["notices"]["key_list_signers"] = []
    profile = parse_profile(data, "real.toml")
    assert profile.start_sandbox is False
    assert profile.reports.endpoint == "https://www.leipzig.de/open311/v2/"


def test_demo_keys_are_refused_in_a_real_profile() -> None:
    data = _replace_sandbox(copy.deepcopy(_raw()), "https://www.leipzig.de")
    data["sandbox"]["start"] = False
    data["city"]["demo"] = False
    with pytest.raises(ProfileError) as info:
        parse_profile(data, "real.toml")
    assert info.value.field.startswith("notices.trusted_keys[0]")
    assert "demo" in info.value.expected


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as info:
        load_profile(str(tmp_path / "nowhere.toml"))
    assert "leipzig" in info.value.expected
    bad = tmp_path / "bad.toml"
    bad.write_text("schema_version = [", encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(str(bad))
    assert info.value.field == "(syntax)"


def _local_texts(value: Any, path: str) -> Iterator[tuple[str, Mapping[str, str]]]:
    """Every per-language text (a mapping keyed by language codes) anywhere in a loaded profile."""
    if isinstance(value, Mapping):
        if value and "de" in value and set(value) <= set(SUPPORTED_LANGUAGES):
            yield path, value
            return
        for key, item in value.items():
            yield from _local_texts(item, f"{path}.{key}")
    elif isinstance(value, tuple | list):
        for i, item in enumerate(value):
            yield from _local_texts(item, f"{path}[{i}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if isinstance(value, CityProfile) and f.name == "names":
                continue  # the city's name: a language without its own shows the German one, by design
            yield from _local_texts(getattr(value, f.name), f"{path}.{f.name}" if path else f.name)


def _untranslated(profile: CityProfile) -> list[str]:
    return [
        f"{path}: {language}"
        for path, text in _local_texts(profile, "")
        for language in profile.languages
        if not (text.get(language) or "").strip()
    ]


@pytest.mark.parametrize("city", available_cities())
def test_every_text_is_in_every_language_the_city_offers(city: str) -> None:
    profile = load_profile(city)
    texts = dict(_local_texts(profile, ""))
    assert len(texts) >= 10, sorted(texts)
    assert "legal.imprint" in texts
    assert "appointments.hints[0]" in texts
    assert not _untranslated(profile), f"{profile.source} lacks texts: {_untranslated(profile)}"


def test_the_text_walk_finds_every_localised_field() -> None:
    texts = dict(_local_texts(load_profile(), ""))
    assert len(texts) > 20, sorted(texts)
    for path in (
        "legal.accessibility_known_gaps[1].text",
        "legal.accessibility_known_gaps[1].alternative",
        "services.library.number_hint",
        "services.online_services.items[0].description",
        "services.participation.items[1].title",
        "services.numbers.items[1].description",
    ):
        assert path in texts
    assert not any(path.startswith(("payments", "notices")) for path in texts), sorted(texts)


def test_a_missing_translation_is_found() -> None:
    data = copy.deepcopy(_raw())
    del data["services"]["library"]["number_hint"]["uk"]
    data["services"]["numbers"]["items"][0]["title"] = "Stadtverwaltung Leipzig (Zentrale)"
    missing = _untranslated(parse_profile(data, "city.toml"))
    assert missing == [
        "services.library.number_hint: uk",
        "services.numbers.items[0].title: en",
        "services.numbers.items[0].title: uk",
        "services.numbers.items[0].title: ar",
    ]


def test_a_city_text_missing_in_a_language_falls_back_to_english_then_german() -> None:
    from leipzig_app.domain.profile import local_text

    text = {"de": "Neue Termine um 10 Uhr", "en": "New appointments at 10:00", "uk": ""}
    assert local_text(text, "de") == "Neue Termine um 10 Uhr"
    assert local_text(text, "uk") == "New appointments at 10:00"  # empty counts as missing
    assert local_text(text, "ar") == "New appointments at 10:00"
    assert local_text({"de": "Nur Deutsch"}, "ar") == "Nur Deutsch"
    assert local_text({}, "de") == ""
    assert local_text(None, "de") == ""
