"""Symbols that declare their character set (ECI), read on the full and the portable path.

Each symbol is generated with its bytes in the declared character set, so a decoder that ignores the ECI
gives different text ("Größe ¤ ¾" instead of "Größe € Ÿ", "Ïðèâåò" instead of "Привет"). One symbol must
give exactly one code with the declared text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leipzig_app.adapters.decoding import QrDecoder, backends, zbar
from leipzig_app.cli.main import main

from .conftest import encode, on_page, qr_array
from .eci_symbols import Segment, eci_qr

# (ECI, Python codec, text): the character sets a letter from anywhere in Europe (and beyond) may use.
DECLARED = [
    (17, "iso-8859-15", "Größe € Ÿ"),
    (22, "cp1251", "Привет мир"),
    (7, "iso-8859-5", "Привет мир"),
    (9, "iso-8859-7", "Ελληνικά"),
    (21, "cp1250", "Żółć Łódź"),
    (24, "cp1256", "مرحبا"),
    (25, "utf-16-be", "Grüße"),
    (25, "utf-16-be", "ASCII only"),
    (26, "utf-8", "Grüße € 漢字"),
    (28, "big5", "中文字"),
    (29, "gb18030", "中文字"),
    (30, "euc-kr", "한국어"),
    (20, "shift_jis", "テスト"),
    # ECI 3 (ISO-8859-1) declared for bytes that are also valid UTF-8: the declaration wins.
    (3, "iso-8859-1", "SÃ¼d"),
]
IDS = [f"eci{eci}-{text.isascii()}" for eci, _, text in DECLARED]

# ECIs zbar converts itself (ISO-8859-x, Shift-JIS, UTF-8) read right even without the ECI-aware merge.
ZBAR_CONVERTS = {3, 7, 9, 17, 20, 26}


def _symbol(eci: int, charset: str, text: str) -> bytes:
    return encode(eci_qr([(eci, text.encode(charset))]))


@pytest.mark.parametrize(("eci", "charset", "text"), DECLARED, ids=IDS)
def test_full_path_reads_the_declared_character_set(
    full_decoder: QrDecoder, eci: int, charset: str, text: str
) -> None:
    outcome = full_decoder.decode_image(_symbol(eci, charset, text))
    assert outcome.texts == (text,)
    assert outcome.codes[0].eci == eci
    assert outcome.codes[0].raw == text.encode(charset)


@pytest.mark.parametrize(("eci", "charset", "text"), DECLARED, ids=IDS)
def test_portable_path_reads_the_declared_character_set(
    portable_decoder: QrDecoder, eci: int, charset: str, text: str
) -> None:
    # zbar reads first and cannot tell the ECI; OpenCV reports it, and its text replaces zbar's.
    outcome = portable_decoder.decode_image(_symbol(eci, charset, text))
    assert outcome.texts == (text,)


@pytest.mark.parametrize(("eci", "charset", "text"), DECLARED, ids=IDS)
def test_zbar_alone_cannot_tell_the_eci(eci: int, charset: str, text: str) -> None:
    codes = zbar.decode(eci_qr([(eci, text.encode(charset))]))
    assert len(codes) == 1
    assert codes[0].eci is None
    assert (codes[0].text == text) == (eci in ZBAR_CONVERTS)


@pytest.mark.parametrize("kind", ["aruco", "classic"])
def test_opencv_reports_the_eci(kind: str) -> None:
    image = eci_qr([(22, "Привет мир".encode("cp1251"))], box=8)
    codes, _ = backends.opencv_read(image, kind=kind)
    assert [(c.text, c.eci) for c in codes] == [("Привет мир", 22)]


def test_opencv_without_eci_reports_none() -> None:
    plain, _ = backends.opencv_read(qr_array("Grüße aus Süd", box=8))
    assert [(c.text, c.eci) for c in plain] == [("Grüße aus Süd", None)]


def test_opencv_shift_jis_without_eci_is_restored() -> None:
    # OpenCV turns undeclared bytes that are not UTF-8 into UTF-8 as if they were ISO-8859-1.
    codes, _ = backends.opencv_read(eci_qr([(None, "テスト".encode("shift_jis"))], box=8))
    assert [(c.text, c.raw) for c in codes] == [("テスト", "テスト".encode("shift_jis"))]


def test_several_eci_segments_in_one_symbol(full_decoder: QrDecoder) -> None:
    segments: list[Segment] = [
        (None, b"Pfad C:\\Briefe "),
        (22, "Привет".encode("cp1251")),
        (17, " Größe €".encode("iso-8859-15")),
        (26, " – 漢字".encode()),
    ]
    outcome = full_decoder.decode_image(encode(eci_qr(segments, version=8)))
    assert outcome.texts == ("Pfad C:\\Briefe Привет Größe € – 漢字",)


def test_an_eci_no_table_knows_falls_back_to_the_content(full_decoder: QrDecoder) -> None:
    outcome = full_decoder.decode_image(encode(eci_qr([(899, "Grüße".encode())])))
    assert outcome.texts == ("Grüße",)
    latin = full_decoder.decode_image(encode(eci_qr([(811, "Grüße".encode("iso-8859-1"))])))
    assert latin.texts == ("Grüße",)


def test_portable_path_on_a_symbol_opencv_cannot_read(portable_decoder: QrDecoder) -> None:
    # OpenCV 4.x refuses symbols with more than one ECI segment; zbar alone then reads them. Segments in
    # character sets zbar converts itself come out right.
    segments: list[Segment] = [(26, "Grüße ".encode()), (17, "€ 5".encode("iso-8859-15"))]
    outcome = portable_decoder.decode_image(encode(eci_qr(segments)))
    assert outcome.texts == ("Grüße € 5",)
    assert outcome.codes[0].decoder.startswith("zbar")
    # The known limit of the portable path (docs/scanner.md): bytes in a character set zbar does not
    # know arrive unconverted and without their ECI, and are read as ISO-8859-1. Still one code.
    foreign: list[Segment] = [(None, b"Name: "), (22, "Привет".encode("cp1251"))]
    blind = portable_decoder.decode_image(encode(eci_qr(foreign)))
    assert [c.raw for c in blind.codes] == [b"Name: " + "Привет".encode("cp1251")]
    assert blind.codes[0].eci is None


@pytest.mark.parametrize("prefix", [b"\x01\x10AD:", b"Gr\xfc\xdfe "], ids=["control", "latin1"])
def test_kanji_mode_beside_byte_mode_without_eci(prefix: bytes) -> None:
    # Kanji mode switches the character set without an ECI: the text follows the segments.
    codes, _ = backends.zxing_read(eci_qr([(None, prefix), (None, "漢字テスト")], version=4))
    assert [c.text for c in codes] == [prefix.decode("iso-8859-1") + "漢字テスト"]


def test_one_code_per_symbol_beside_other_codes(full_decoder: QrDecoder, portable_decoder: QrDecoder) -> None:
    giro = "BCD\n002\n1\nSCT\n\nStadtkasse Süd\nDE12500105170648489890\nEUR5.00"
    page = on_page([qr_array(giro, box=4), eci_qr([(22, "Привет мир".encode("cp1251"))], box=5)])
    for decoder in (full_decoder, portable_decoder):
        assert sorted(decoder.decode_image(encode(page)).texts) == sorted([giro, "Привет мир"])


def test_live_frames_read_the_declared_character_set(full_decoder: QrDecoder) -> None:
    frame = on_page([eci_qr([(17, "Größe € Ÿ".encode("iso-8859-15"))], box=5)], size=(640, 480))
    assert full_decoder.decode_frame(frame, budget_ms=200).texts == ("Größe € Ÿ",)


@pytest.mark.parametrize("portable", [False, True], ids=["full", "portable"])
def test_command_line(portable: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = []
    for eci, charset, text in DECLARED[:3]:
        path = tmp_path / f"eci{eci}.png"
        path.write_bytes(_symbol(eci, charset, text))
        files.append(str(path))
    assert main(["scan", *(["--portable"] if portable else []), *files]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [[c["text"] for c in line["codes"]] for line in lines] == [[t] for _, _, t in DECLARED[:3]]
