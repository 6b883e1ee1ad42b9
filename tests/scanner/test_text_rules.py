"""The domain's rule for turning QR payload bytes into text, and merging of duplicate findings."""

from __future__ import annotations

import pytest

from leipzig_app.domain.scanning import DecodedCode, merge_codes, payload_text


@pytest.mark.parametrize(
    "text", ["Süd", "Straße", "Grüße\r\naus Leipzig", "€ 12,34", "\x1d\x01ctl", "内側QRコード", ""]
)
def test_valid_utf8_is_utf8(text: str) -> None:
    assert payload_text(text.encode("utf-8")) == text


@pytest.mark.parametrize("text", ["Bäckerei Müller", "Süd", "Café", "Ärger", "Weiß", "Grüße"])
def test_latin1_stays_latin1_and_is_never_read_as_shift_jis(text: str) -> None:
    assert payload_text(text.encode("iso-8859-1")) == text


@pytest.mark.parametrize("text", ["[外側QRコード]", "ダブルQR", "ﾃﾞｻﾞｲﾝQR\r\nhttp://d-qr.net/ex/"])
def test_shift_jis_without_eci_is_recognised(text: str) -> None:
    assert payload_text(text.encode("shift_jis")) == text


def test_declared_eci_wins() -> None:
    assert payload_text("Привет".encode("iso-8859-5"), eci=7) == "Привет"
    assert payload_text("Süd".encode(), eci=26) == "Süd"
    # ECI 3 (ISO-8859-1) declared for bytes that are also valid UTF-8: the declaration wins.
    assert payload_text("Süd".encode(), eci=3) == "SÃ¼d"


def test_a_wrong_eci_falls_back_to_the_content_rule() -> None:
    assert payload_text(b"S\xfcd", eci=26) == "Süd"
    assert payload_text(b"abc", eci=999) == "abc"


def _code(text: str, x: float, decoder: str = "zxing") -> DecodedCode:
    corners = ((x, 0.0), (x + 100, 0.0), (x + 100, 100.0), (x, 100.0))
    return DecodedCode(text=text, format="QRCode", corners=corners, raw=text.encode(), decoder=decoder)


def test_merge_keeps_first_finding_of_the_same_code_in_the_same_place() -> None:
    merged = merge_codes([_code("a", 0), _code("a", 10, "zbar"), _code("b", 0), _code("a", 500)])
    assert [(c.text, c.decoder, c.corners[0][0]) for c in merged] == [
        ("a", "zxing", 0),
        ("b", "zxing", 0),
        ("a", "zxing", 500),
    ]
    assert merged[0].side == pytest.approx(100)
    assert merged[0].center == (50, 50)
