"""GiroCode (EPC069-12): every rule, umlauts, CRLF, character sets, and building one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from leipzig_app.domain.notices.girocode import (
    GiroCodeError,
    build_girocode,
    is_girocode,
    parse_girocode,
    parse_girocode_bytes,
)

IBAN = "DE20860555921090000004"


def giro(**fields: str) -> str:
    lines = {
        "service": "BCD",
        "version": "002",
        "charset": "1",
        "ident": "SCT",
        "bic": "WELADE8LXXX",
        "name": "Stadtkasse Leipzig",
        "iban": IBAN,
        "amount": "EUR123.45",
        "purpose": "",
        "reference": "",
        "remittance": "Kassenzeichen 5.0123.456789.3",
        "note": "",
    }
    lines.update(fields)
    return "\n".join(lines.values()).rstrip("\n")


def problem_codes(text: str) -> list[str]:
    with pytest.raises(GiroCodeError) as caught:
        parse_girocode(text)
    return [p.code for p in caught.value.problems]


def test_a_valid_code_gives_every_field() -> None:
    code = parse_girocode(giro(purpose="GOVT", note="Danke"))
    assert code.fields() == {
        "name": "Stadtkasse Leipzig",
        "iban": IBAN,
        "bic": "WELADE8LXXX",
        "amount": "123.45",
        "currency": "EUR",
        "reference": "",
        "remittance": "Kassenzeichen 5.0123.456789.3",
        "purpose": "GOVT",
        "note": "Danke",
    }
    assert code.amount == Decimal("123.45")


def test_crlf_lf_and_trailing_newline_are_all_accepted() -> None:
    text = giro()
    assert parse_girocode(text.replace("\n", "\r\n")) == parse_girocode(text) == parse_girocode(text + "\n")


def test_umlauts_in_utf8_and_in_iso_8859_charsets() -> None:
    name = "Stadtkasse Leipzig – Südvorstadt Größe"
    assert parse_girocode(giro(name=name)).name == name
    latin = giro(charset="2", name="Bürgeramt Süd").encode("iso8859-1")
    assert parse_girocode_bytes(latin).name == "Bürgeramt Süd"
    assert parse_girocode_bytes(giro(name="Bürgeramt").encode("utf-8")).name == "Bürgeramt"
    with pytest.raises(GiroCodeError):
        parse_girocode_bytes(giro(charset="1", name="Bürgeramt").encode("iso8859-1"))
    # a Cyrillic name cannot be carried in ISO 8859-1
    assert "charset_mismatch" in problem_codes(giro(charset="2", name="Київ"))
    for charset, codec, name in (("5", "iso8859-5", "Город Киев"), ("7", "iso8859-10", "Ísafjörður ŊŦ")):
        assert parse_girocode_bytes(giro(charset=charset, name=name).encode(codec)).name == name
    with pytest.raises(GiroCodeError) as caught:
        parse_girocode_bytes(giro(charset="9", name="Bürgeramt").encode("iso8859-1"))
    assert "charset_invalid" in [p.code for p in caught.value.problems]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"service": "BCX"}, "not_girocode"),
        ({"version": "003"}, "version_invalid"),
        ({"charset": "9"}, "charset_invalid"),
        ({"ident": "INST"}, "identification_invalid"),
        ({"version": "001", "bic": ""}, "bic_missing"),
        ({"bic": "WELADE8"}, "bic_invalid"),
        ({"bic": "welade8lxxx"}, "bic_invalid"),
        ({"bic": "WELAZZ8LXXX"}, "bic_invalid"),
        ({"name": ""}, "name_missing"),
        ({"name": "N" * 71}, "name_too_long"),
        ({"iban": ""}, "iban_missing"),
        ({"iban": "DE20860555921090000005"}, "iban_invalid"),
        ({"iban": "DE20 8605 5592 1090 0000 04"}, "iban_invalid"),
        ({"amount": "EUR0.00"}, "amount_out_of_range"),
        ({"amount": "EUR1000000000.00"}, "amount_invalid"),
        ({"amount": "EUR12,34"}, "amount_invalid"),
        ({"amount": "EUR12.345"}, "amount_invalid"),
        ({"amount": "USD12.34"}, "amount_invalid"),
        ({"amount": "12.34"}, "amount_invalid"),
        ({"purpose": "GOVERNMENT"}, "purpose_invalid"),
        ({"reference": "RF18539007547034"}, "reference_and_remittance"),
        ({"reference": "RF19539007547034", "remittance": ""}, "reference_checksum"),
        ({"reference": "5.0123.456789.3", "remittance": ""}, "reference_invalid"),
        ({"remittance": "R" * 141}, "remittance_too_long"),
        ({"note": "N" * 71}, "note_too_long"),
    ],
)
def test_each_rule(fields: dict[str, str], code: str) -> None:
    assert code in problem_codes(giro(**fields))


def test_limits_and_optional_parts() -> None:
    assert parse_girocode(giro(version="002", bic="")).bic == ""
    assert parse_girocode(giro(amount="")).amount is None
    assert parse_girocode(giro(amount="EUR0.01")).amount_text == "0.01"
    assert parse_girocode(giro(amount="EUR999999999.99")).amount_text == "999999999.99"
    assert parse_girocode(giro(amount="EUR7")).amount_text == "7.00"
    assert parse_girocode(giro(remittance="", reference="RF18539007547034")).reference == "RF18539007547034"
    assert parse_girocode(giro(remittance="")).remittance == ""
    assert parse_girocode(giro(bic="WELADE8L")).bic == "WELADE8L"


def test_too_many_lines_and_too_many_bytes() -> None:
    assert "too_many_lines" in problem_codes(giro(note="x") + "\nextra")
    # 70 + 140 + 70 characters of two-byte umlauts exceed 331 bytes
    big = giro(name="Ä" * 70, remittance="Ö" * 140, note="Ü" * 70)
    assert "too_long" in problem_codes(big)
    # the same text counted in ISO 8859-1 is smaller: within the limit
    assert len(parse_girocode(giro(charset="2", name="Ä" * 70, remittance="Ö" * 100)).remittance) == 100


def test_all_problems_are_reported_at_once() -> None:
    codes = problem_codes(giro(version="009", iban="XX00", amount="EUR-1", note="N" * 80))
    assert {"version_invalid", "iban_invalid", "amount_invalid", "note_too_long"} <= set(codes)


def test_is_girocode() -> None:
    assert is_girocode(giro())
    assert is_girocode(giro().replace("\n", "\r\n"))
    assert not is_girocode("BCDE\n001")
    assert not is_girocode("https://example.org")


def test_build_makes_a_code_that_parses_back() -> None:
    text = build_girocode(
        name="Stadtkasse Leipzig",
        iban="DE20 8605 5592 1090 0000 04",
        amount=Decimal("35"),
        reference="rf18 5390 0754 7034",
    )
    code = parse_girocode(text)
    assert code.iban == IBAN
    assert code.amount_text == "35.00"
    assert code.reference == "RF18539007547034"
    crlf = build_girocode(name="Süd", iban=IBAN, amount=None, remittance="Test", newline="\r\n")
    assert "\r\n" in crlf
    assert parse_girocode(crlf).name == "Süd"
    with pytest.raises(GiroCodeError):
        build_girocode(name="x", iban=IBAN, amount=Decimal(1), reference="RF18539007547034", remittance="y")
    with pytest.raises(ValueError, match="newline"):
        build_girocode(name="x", iban=IBAN, amount=None, newline="\r")
