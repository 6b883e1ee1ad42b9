"""Library card: number validation, barcodes that decode back to the number, storage in a private file."""

from __future__ import annotations

import base64
import io
import os
import stat
from pathlib import Path

import pytest

from leipzig_app.adapters.barcodes import BarcodeError, PythonBarcodeRenderer
from leipzig_app.adapters.card_store import FileCardStore
from leipzig_app.domain.hub_settings import LibrarySettings
from leipzig_app.domain.library import SYMBOLOGIES, CardNumberError, check_card_number, gtin_check_digit
from leipzig_app.services.library import LibraryCardService

zxingcpp = pytest.importorskip("zxingcpp")
PIL_Image = pytest.importorskip("PIL.Image")

#: symbology -> (number typed, zxing format name, text zxing reads back)
CASES = {
    "codabar": ("20001234567", "Codabar", "A20001234567B"),
    "code39": ("le 1234 567", "Code39", "LE1234567"),
    "code128": ("BIB-2026/0042", "Code128", "BIB-2026/0042"),
    "ean13": ("400638133393", "EAN13", "4006381333931"),
    "ean8": ("9638507", "EAN8", "96385074"),
    "itf": ("12345678", "ITF", "12345678"),
}


def decode(png: bytes) -> list[tuple[str, str]]:
    image = PIL_Image.open(io.BytesIO(png)).convert("L")
    return [(r.text, r.format.name) for r in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("symbology", sorted(CASES))
def test_each_symbology_renders_a_barcode_that_decodes_to_the_number(symbology: str) -> None:
    typed, zx_format, expected = CASES[symbology]
    number = check_card_number(typed, symbology, SYMBOLOGIES[symbology].pattern)
    png = PythonBarcodeRenderer().render(number, symbology, "png")
    assert png.startswith(b"\x89PNG")
    found = decode(png)
    assert found, f"zxing-cpp found no {symbology} barcode"
    text, fmt = found[0]
    assert fmt == zx_format
    # zxing reports Codabar's start/stop characters and an EAN's computed check digit
    assert text == expected


def test_svg_export_contains_the_number() -> None:
    svg = PythonBarcodeRenderer().render("20001234567", "code128", "svg")
    assert b"<svg" in svg
    assert b"20001234567" in svg


@pytest.mark.parametrize(
    ("raw", "symbology", "pattern", "key"),
    [
        ("", "code128", r"^.*$", "hub.library.empty"),
        ("   ", "codabar", r"^[0-9]{11}$", "hub.library.empty"),
        ("2000123456", "codabar", r"^[0-9]{11}$", "hub.library.invalid"),
        ("2000123456X", "codabar", r"^[0-9A-Z]{11}$", "hub.library.invalid"),
        ("LE_1234", "code39", r"^.*$", "hub.library.invalid"),
        ("4006381333932", "ean13", r"^[0-9]{13}$", "hub.library.check_digit"),
        ("123", "itf", r"^.*$", "hub.library.invalid"),
        ("Bücher", "code128", r"^.*$", "hub.library.invalid"),
    ],
)
def test_bad_numbers_are_refused_with_a_hint(raw: str, symbology: str, pattern: str, key: str) -> None:
    with pytest.raises(CardNumberError) as caught:
        check_card_number(raw, symbology, pattern, hint="11 Ziffern")
    assert caught.value.key == key
    assert caught.value.params["hint"] == "11 Ziffern"


def test_gtin_check_digit() -> None:
    assert gtin_check_digit("400638133393") == 1
    assert gtin_check_digit("9638507") == 4


def test_renderer_refuses_what_it_cannot_draw() -> None:
    with pytest.raises(BarcodeError):
        PythonBarcodeRenderer().render("12", "qr", "png")
    with pytest.raises(BarcodeError):
        PythonBarcodeRenderer().render("ÄÖÜ", "code39", "png")


def settings(symbology: str = "codabar") -> LibrarySettings:
    return LibrarySettings(
        name="Stadtbibliothek (Demo)",
        symbology=symbology,
        number_pattern=r"^[0-9]{11}$",
        number_hint={"de": "11 Ziffern", "en": "11 digits"},
    )


async def test_service_keeps_the_number_in_a_private_file_and_shows_it(tmp_path: Path) -> None:
    store = FileCardStore(tmp_path)
    service = LibraryCardService(settings(), store, PythonBarcodeRenderer(), city="leipzig")
    assert await service.card_number() is None
    with pytest.raises(CardNumberError) as caught:
        await service.save("12 34", language="en")
    assert caught.value.params["hint"] == "11 digits"
    assert not store.path.exists()

    assert await service.save("200 0123 4567") == "20001234567"
    assert await service.card_number() == "20001234567"
    if os.name == "posix":
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    # another city's card is another entry
    other = LibraryCardService(settings(), store, PythonBarcodeRenderer(), city="offenbach")
    assert await other.card_number() is None

    image = service.image("20001234567")
    assert image.symbology_label == "Codabar"
    assert decode(base64.b64decode(image.png_base64))[0][0] == "A20001234567B"

    await service.remove()
    assert await service.card_number() is None
