"""Codes without an ECI declaration, read from real QR images on the full and the portable path.

Latin-1 texts are the QR default and must come out as written: runs of accented capitals and symbols
("ÆØÅ", "ÄÖÜ", "©®°") are the same bytes as Shift-JIS half-width katakana, and reading them as such
garbles them ("ﾆﾘﾅ Fjord"). Japanese half-width katakana that no Latin text could be still read as
katakana.
"""

from __future__ import annotations

import pytest

from leipzig_app.adapters.decoding import QrDecoder

from .conftest import encode, qr_array

LATIN1_TEXTS = [
    "ÆØÅ Fjord",
    "ÄÖÜ-Straße",
    "©®°",
    "Ærø, Åland, Øresund",
    "GRÖßE FÜßE",
    "«Ä» und »Ö«",
    "Café Crème, 12 °C",
]
KATAKANA_TEXTS = ["*ﾃﾞｻﾞｲﾝQR*\r\nhttp://d-qr.net/ex/", "ﾀﾞﾌﾞﾙQR", "ｲﾗｽﾄ"]


@pytest.mark.parametrize("text", LATIN1_TEXTS)
def test_latin1_bytes_read_as_latin1_on_both_paths(
    full_decoder: QrDecoder, portable_decoder: QrDecoder, text: str
) -> None:
    image = encode(qr_array(text.encode("iso-8859-1")))
    for decoder in (full_decoder, portable_decoder):
        outcome = decoder.decode_image(image)
        assert outcome.texts == (text,), decoder.path
        assert outcome.codes[0].raw == text.encode("iso-8859-1")


@pytest.mark.parametrize("text", KATAKANA_TEXTS)
def test_half_width_katakana_still_reads_as_katakana(
    full_decoder: QrDecoder, portable_decoder: QrDecoder, text: str
) -> None:
    image = encode(qr_array(text.encode("shift_jis")))
    for decoder in (full_decoder, portable_decoder):
        assert decoder.decode_image(image).texts == (text,), decoder.path


# GiroCodes declare their character set on their third line (EPC069-12), not with an ECI:
# (set, Python codec, beneficiary name that only that set carries among the eight).
GIROCODE_SETS = [
    ("2", "iso8859-1", "Bäckerei Müller"),
    ("3", "iso8859-2", "Urząd Miasta Łódź"),
    ("4", "iso8859-4", "Rīgas pilsēta Ģ"),
    ("5", "iso8859-5", "Город Киев"),
    ("6", "iso8859-7", "Δήμος Αθηναίων"),
    ("7", "iso8859-10", "Ísafjörður ŊŦ"),
    ("8", "iso8859-15", "Café Œuvre €"),
]


def _girocode(charset: str, name: str) -> str:
    return f"BCD\n002\n{charset}\nSCT\n\n{name}\nDE20860555921090000004\nEUR12.00\n\n\nKassenzeichen 1"


@pytest.mark.parametrize(("charset", "codec", "name"), GIROCODE_SETS, ids=[s[0] for s in GIROCODE_SETS])
def test_a_girocode_reads_in_the_character_set_it_declares(
    full_decoder: QrDecoder, portable_decoder: QrDecoder, charset: str, codec: str, name: str
) -> None:
    from leipzig_app.domain.notices.inspect import InspectionContext, inspect_letter

    text = _girocode(charset, name)
    raw = text.encode(codec)
    assert raw.decode("iso-8859-1") != text or charset == "2"  # the QR default would garble it
    image = encode(qr_array(raw))
    for decoder in (full_decoder, portable_decoder):
        outcome = decoder.decode_image(image)
        assert outcome.texts == (text,), decoder.path
        assert outcome.codes[0].raw == raw, decoder.path
        (result,) = inspect_letter(outcome.texts, InspectionContext())
        assert result.kind == "girocode"
        assert result.fields["name"] == name
        assert [p.code for p in result.problems] == ["unsigned", "iban_not_official"]
