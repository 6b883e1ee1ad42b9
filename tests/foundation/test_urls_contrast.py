"""HTTPS rule, link allow-list and WCAG contrast computations."""

from __future__ import annotations

import pytest

from leipzig_app.adapters.profiles import load_profile
from leipzig_app.domain.contrast import contrast_ratio, parse_hex_color
from leipzig_app.domain.urls import check_endpoint_url, is_allowed_link, is_loopback_host
from leipzig_app.ui.theme import palettes, theme_pairs


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.leipzig.de/x", True),
        ("http://127.0.0.1:8000/x", True),
        ("http://localhost:8000/x", True),
        ("http://[::1]:8000/x", True),
        ("http://www.leipzig.de/x", False),
        ("http://127.0.0.1.nip.io/x", False),
        ("javascript:alert(1)", False),
        ("https://", False),
    ],
)
def test_endpoint_rule(url: str, ok: bool) -> None:
    assert (check_endpoint_url(url) is None) is ok


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://www.leipzig.de/buergerservice", True),
        ("https://leipzig.de/", True),
        ("https://leipzig.de.evil.example/", False),
        ("https://evilleipzig.de/", False),
        ("http://www.leipzig.de/", False),
        ("https://user@leipzig.de.evil.example/", False),
        ("not a url", False),
    ],
)
def test_link_allow_list(url: str, allowed: bool) -> None:
    assert is_allowed_link(url, ["leipzig.de"]) is allowed


def test_loopback_hosts() -> None:
    assert is_loopback_host("127.0.0.5")
    assert not is_loopback_host("10.0.0.1")


def test_contrast_known_values() -> None:
    assert contrast_ratio(parse_hex_color("#000000"), parse_hex_color("#FFFFFF")) == pytest.approx(21.0)
    assert contrast_ratio(parse_hex_color("#777777"), parse_hex_color("#FFFFFF")) == pytest.approx(
        4.48, abs=0.01
    )
    with pytest.raises(ValueError, match="RRGGBB"):
        parse_hex_color("red")


@pytest.mark.parametrize("mode", [0, 1], ids=["light", "dark"])
def test_every_theme_pair_has_enough_contrast(mode: int) -> None:
    palette = palettes(load_profile().colors)[mode]
    for name, fg, bg, required in theme_pairs(palette):
        ratio = contrast_ratio(parse_hex_color(fg), parse_hex_color(bg))
        assert ratio >= required, f"{name}: {ratio:.2f} < {required}"
