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
