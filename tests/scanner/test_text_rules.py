"""The domain's rule for turning QR payload bytes into text, and merging of duplicate findings."""

from __future__ import annotations

import codecs

import pytest

from leipzig_app.domain.scanning import (
    ECI_CHARSETS,
    DecodedCode,
    EciSegment,
    merge_codes,
    parse_eci_protocol,
    payload_text,
)


@pytest.mark.parametrize(
    "text", ["Süd", "Straße", "Grüße\r\naus Leipzig", "€ 12,34", "\x1d\x01ctl", "内側QRコード", ""]
)
def test_valid_utf8_is_utf8(text: str) -> None:
    assert payload_text(text.encode("utf-8")) == text


@pytest.mark.parametrize(
    "text",
    [
        "Bäckerei Müller",
        "Süd",
        "Café",
        "Ärger",
        "Weiß",
        "Grüße",
        # Runs of accented capitals and symbols are also bytes of half-width katakana.
        "ÆØÅ Fjord",
        "ÄÖÜ-Straße",
        "©®°",
        "GRÖßE FÜßE",
        "«Ä» und »Ö«",
    ],
)
def test_latin1_stays_latin1_and_is_never_read_as_shift_jis(text: str) -> None:
    assert payload_text(text.encode("iso-8859-1")) == text


@pytest.mark.parametrize(
    "text", ["[外側QRコード]", "ダブルQR", "ﾃﾞｻﾞｲﾝQR\r\nhttp://d-qr.net/ex/", "ﾀﾞﾌﾞﾙQR", "ﾊﾟﾝ", "ｲﾗｽﾄ"]
)
def test_shift_jis_without_eci_is_recognised(text: str) -> None:
    assert payload_text(text.encode("shift_jis")) == text


@pytest.mark.parametrize(
    ("charset", "codec", "name"),
    [
        ("2", "iso8859-1", "Bäckerei Müller"),
        ("3", "iso8859-2", "Urząd Miasta Łódź"),
        ("4", "iso8859-4", "Rīgas pilsēta"),
        ("5", "iso8859-5", "Город Киев"),
        ("6", "iso8859-7", "Δήμος Αθηναίων"),
        ("7", "iso8859-10", "Ísafjörður ŊŦ"),
        ("8", "iso8859-15", "Café Œuvre €"),
    ],
)
def test_a_girocode_is_read_in_the_character_set_its_third_line_declares(
    charset: str, codec: str, name: str
) -> None:
    text = f"BCD\r\n002\r\n{charset}\r\nSCT\r\n\r\n{name}\r\nDE20860555921090000004\r\nEUR1.00"
    assert payload_text(text.encode(codec)) == text
    # Also when a wrong ECI declaration (UTF-8 here) is refused by the bytes.
    assert payload_text(text.encode(codec), eci=26) == text


def test_a_girocode_in_utf8_or_with_an_unknown_set_keeps_the_content_rule() -> None:
    utf8 = "BCD\n002\n2\nSCT\n\nBäckerei Müller\nDE20860555921090000004"
    assert payload_text(utf8.encode("utf-8")) == utf8  # written in UTF-8 although it declares set 2
    unknown = "BCD\n002\n9\nSCT\n\nBäckerei\nDE20860555921090000004"
    assert payload_text(unknown.encode("iso8859-1")) == unknown
    assert payload_text("BCD Müller".encode("iso8859-1")) == "BCD Müller"


def test_declared_eci_wins() -> None:
    assert payload_text("Привет".encode("iso-8859-5"), eci=7) == "Привет"
    assert payload_text("Süd".encode(), eci=26) == "Süd"
    # ECI 3 (ISO-8859-1) declared for bytes that are also valid UTF-8: the declaration wins.
    assert payload_text("Süd".encode(), eci=3) == "SÃ¼d"


def test_a_wrong_eci_falls_back_to_the_content_rule() -> None:
    assert payload_text(b"S\xfcd", eci=26) == "Süd"
    assert payload_text(b"abc", eci=999) == "abc"


def test_an_unknown_eci_gives_utf8_or_latin1_and_never_guesses_shift_jis() -> None:
    assert payload_text("Süd €".encode(), eci=811) == "Süd €"
    assert payload_text(b"\x83e\x83X\x83g", eci=811) == "\x83e\x83X\x83g"  # Shift-JIS bytes stay bytes
    assert payload_text(b"\x83e\x83X\x83g") == "テスト"  # without any ECI the Shift-JIS rule applies


CODECS_BY_ECI = {
    1: "latin_1",
    3: "latin_1",
    4: "iso8859_2",
    13: "iso8859_11",
    15: "iso8859_13",
    18: "iso8859_16",
    20: "shift_jis",
    21: "cp1250",
    22: "cp1251",
    23: "cp1252",
    24: "cp1256",
    25: "utf_16_be",
    26: "utf_8",
    27: "ascii",
    28: "big5",
    29: "gb18030",
    30: "euc_kr",
}


@pytest.mark.parametrize(("eci", "codec"), CODECS_BY_ECI.items())
def test_eci_numbers_name_python_codecs(eci: int, codec: str) -> None:
    assert codecs.lookup(ECI_CHARSETS[eci]).name == codecs.lookup(codec).name


def test_every_eci_charset_is_a_python_codec() -> None:
    for number in (*range(4, 14), *range(15, 19)):
        assert codecs.lookup(ECI_CHARSETS[number]).name == f"iso8859-{number - 2}"
    for name in ECI_CHARSETS.values():
        codecs.lookup(name)


def test_eci_protocol_with_one_designator() -> None:
    payload = parse_eci_protocol(b"]Q2\\000017Gr\xf6\xdfe \xa4 \xbe")
    assert payload.symbology == "]Q2"
    assert payload.segments == (EciSegment(17, b"Gr\xf6\xdfe \xa4 \xbe"),)
    assert payload.has_eci
    assert payload.first_eci == 17
    assert payload.raw == b"Gr\xf6\xdfe \xa4 \xbe"
    assert payload.text() == "Größe € Ÿ"


def test_eci_protocol_with_several_segments_and_data_before_the_first() -> None:
    data = b"]Q2Name: \\000022\xcf\xf0\xe8\xe2\xe5\xf2\\000026 \xe2\x82\xac \\000009\xc5\xeb"
    payload = parse_eci_protocol(data)
    assert [s.eci for s in payload.segments] == [None, 22, 26, 9]
    assert payload.first_eci == 22
    assert payload.text() == "Name: Привет € Ελ"


def test_eci_protocol_backslashes() -> None:
    # A doubled backslash is one backslash of data, even before six digits.
    doubled = parse_eci_protocol(b"]Q2\\000026C:\\\\000026\\\\x")
    assert doubled.segments == (EciSegment(26, b"C:\\000026\\x"),)
    assert doubled.text() == "C:\\000026\\x"
    # A backslash followed by anything else is data: input that never went through the escaping.
    loose = parse_eci_protocol(b"a\\12345b\\")
    assert loose.segments == (EciSegment(None, b"a\\12345b\\"),)
    assert not loose.has_eci
    assert loose.symbology == ""


def test_eci_protocol_without_eci_uses_the_content_rule() -> None:
    payload = parse_eci_protocol(b"]Q1B\xe4ckerei M\xfcller")
    assert payload.symbology == "]Q1"
    assert not payload.has_eci
    assert payload.text() == "Bäckerei Müller"
    assert parse_eci_protocol("]Q1Süd".encode()).text() == "Süd"


def test_eci_protocol_edge_cases() -> None:
    assert parse_eci_protocol(b"").segments == (EciSegment(None, b""),)
    assert parse_eci_protocol(b"]Q2").text() == ""
    # A designator with nothing after it, and two designators in a row: only data forms segments.
    assert parse_eci_protocol(b"]Q2\\000022\\000026\xc3\xa4\\000003").segments == (
        EciSegment(26, b"\xc3\xa4"),
    )
    # A declaration the bytes contradict (not UTF-8 under ECI 26) falls back to the content rule.
    assert parse_eci_protocol(b"]Q2\\000026S\xfcd").text() == "Süd"
    # Unknown ECI numbers: UTF-8 when valid, else ISO-8859-1.
    assert parse_eci_protocol(b"]Q2\\000899\xc3\xa4").text() == "ä"
    assert parse_eci_protocol(b"]Q2\\000811\xe4").text() == "ä"


def _code(text: str, x: float, decoder: str = "zxing", eci: int | None = None) -> DecodedCode:
    corners = ((x, 0.0), (x + 100, 0.0), (x + 100, 100.0), (x, 100.0))
    return DecodedCode(
        text=text, format="QRCode", corners=corners, raw=text.encode(), decoder=decoder, eci=eci
    )


def test_merge_keeps_first_finding_of_the_same_code_in_the_same_place() -> None:
    merged = merge_codes([_code("a", 0), _code("a", 10, "zbar"), _code("b", 0), _code("a", 500)])
    assert [(c.text, c.decoder, c.corners[0][0]) for c in merged] == [
        ("a", "zxing", 0),
        ("b", "zxing", 0),
        ("a", "zxing", 500),
    ]
    assert merged[0].side == pytest.approx(100)
    assert merged[0].center == (50, 50)


def test_merge_prefers_the_text_decoded_with_the_declared_eci() -> None:
    blind = _code("Ïðèâåò", 0, "zbar")
    declared = _code("Привет", 8, "opencv", eci=22)
    # One symbol read by zbar (blind to ECIs) and by a decoder that saw the ECI: one code, either order.
    assert [c.text for c in merge_codes([blind, declared])] == ["Привет"]
    assert [c.text for c in merge_codes([declared, blind])] == ["Привет"]
    # Elsewhere on the page it is another symbol.
    assert [c.text for c in merge_codes([blind, _code("Привет", 400, "opencv", eci=22)])] == [
        "Ïðèâåò",
        "Привет",
    ]
    # Two decoders that both saw no ECI and disagree: both kept, as before (nothing says which is right).
    assert len(merge_codes([_code("a", 0), _code("b", 5, "zbar")])) == 2
