"""The city profile's [reports] section: mode, photos, hand-off and the optional map."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from leipzig_app.adapters.paths import cities_dir
from leipzig_app.domain.errors import ProfileError
from leipzig_app.domain.profile import parse_profile


def _leipzig() -> dict[str, Any]:
    with open(cities_dir() / "leipzig.toml", "rb") as handle:
        return tomllib.load(handle)


def test_leipzig_reports_section() -> None:
    reports = parse_profile(_leipzig(), "leipzig.toml").reports
    assert (reports.mode, reports.photo_upload, reports.jurisdiction_id) == (
        "open311",
        "multipart",
        "leipzig.de",
    )
    assert reports.map_center == (51.3397, 12.3731)
    assert reports.map_tile_url is not None
    assert reports.map_tile_url.endswith("/{z}/{x}/{y}.png")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"map_center": [100, 12]}, "reports.map_center"),
        ({"map_center": "Markt"}, "reports.map_center"),
        ({"map_tile_url": "http://tiles.example.org/{z}/{x}/{y}.png"}, "reports.map_tile_url"),
        ({"mode": "handoff"}, "reports.handoff_url"),
        ({"photo_upload": "media_url"}, "reports.media_upload_url"),
    ],
)
def test_bad_reports_settings_name_the_field(changes: dict[str, Any], field: str) -> None:
    data = _leipzig()
    data["reports"] = {**data["reports"], **changes}
    with pytest.raises(ProfileError) as caught:
        parse_profile(data, "city.toml")
    assert caught.value.field == field


def test_handoff_city() -> None:
    data = _leipzig()
    data["reports"] = {
        "mode": "handoff",
        "handoff_url": "https://buergerbeteiligung.sachsen.de/portal/leipzig/",
    }
    reports = parse_profile(data, "city.toml").reports
    assert reports.mode == "handoff"
    assert reports.map_tile_url is None
