"""City profile validation: a wrong or missing field names the file, the field and what was expected."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest

from leipzig_app.adapters.paths import cities_dir
from leipzig_app.adapters.profiles import available_cities, load_profile
from leipzig_app.domain.errors import ProfileError
from leipzig_app.domain.profile import parse_profile


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
