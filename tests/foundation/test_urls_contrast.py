"""HTTPS rule, link allow-list and WCAG contrast computations."""

from __future__ import annotations

import pytest

from leipzig_app.adapters.profiles import load_profile
from leipzig_app.domain.contrast import contrast_ratio, parse_hex_color
from leipzig_app.domain.urls import check_endpoint_url, host_of, is_allowed_link, is_loopback_host
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


#: Addresses on which Python's `urlsplit` and a browser (WHATWG URL) disagree, or that hide where they
#: go: each names an allowed host to Python's parser, and none may be shown or opened as that host.
MISLEADING = [
    "https://evil.example\\@www.leipzig.de/",  # a browser reads "\\" as "/": the host is evil.example
    "https://evil.example\\@leipzig.de",
    "https://www.leipzig.de\\.evil.example/",
    "https://leipzig.de@evil.example/",  # user info
    "https://evil.example@www.leipzig.de/",
    "https://user:pass@www.leipzig.de/",
    "https://www.leipzig.de:443@evil.example/",
    "https://www.leip\tzig.de/",  # a browser drops tabs and line breaks
    "https://www.leip\nzig.de/",
    "https://www.leipzig.de /x",
    "https://www.leipzig.de\x00.evil.example/",
    "https://www.leipzig\u200b.de/",  # zero-width space
    "https://\u202eed.gizpiel.www/",  # right-to-left override
    "https://www.leipzig%2Ede/",  # a browser decodes the percent sign in a host
    "https://www.leipzig.de:80x/",
    "https://www.leipzig.de:99999/",
    "//www.leipzig.de/",
]


@pytest.mark.parametrize("url", MISLEADING)
def test_addresses_that_could_lead_elsewhere_have_no_host_and_never_open(url: str) -> None:
    assert host_of(url) == ""
    assert not is_allowed_link(url, ["leipzig.de", "evil.example"])


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.leipzig.de/buergerservice", "www.leipzig.de"),
        ("HTTPS://WWW.Leipzig.DE:8443/x?a=b@c#d\\e".replace("\\", "/"), "www.leipzig.de"),
        ("https://www.leipzig.de/@evil.example", "www.leipzig.de"),
        (
            "https://ｗｗｗ.ｌｅｉｐｚｉｇ.ｄｅ/",
            "www.leipzig.de",
        ),  # full-width letters, as a browser maps them
        ("https://lеipzig.de/", "xn--lipzig-3of.de"),  # Cyrillic "е": shown in Punycode
        ("https://straße.de/", "xn--strae-oqa.de"),  # non-transitional, as browsers: not "strasse.de"
        ("https://XN--STRAE-OQA.de/", "xn--strae-oqa.de"),
        ("http://127.0.0.1:8000/x", "127.0.0.1"),
        ("http://[::1]:8000/x", "::1"),
    ],
)
def test_host_is_the_one_a_browser_goes_to(url: str, host: str) -> None:
    assert host_of(url) == host


def test_allow_list_compares_hosts_after_the_same_idna_mapping() -> None:
    assert is_allowed_link("https://ｗｗｗ.ｌｅｉｐｚｉｇ.ｄｅ/", ["leipzig.de"])
    assert is_allowed_link("https://www.leipzig.de/", ["LEIPZIG.DE."])
    assert is_allowed_link("https://xn--strae-oqa.de/", ["straße.de"])
    assert not is_allowed_link("https://straße.de/", ["strasse.de"])
    assert not is_allowed_link("https://lеipzig.de/", ["leipzig.de"])


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
