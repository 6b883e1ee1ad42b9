"""Fixtures for the scanner tests: QR images generated with the `qrcode` package, as arrays and files."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode
from numpy.typing import NDArray

from leipzig_app.adapters.decoding import QrDecoder

#: Payloads that garble in naive decoders: umlauts, ß, CRLF, a control character, a GiroCode.
TRICKY_TEXTS = [
    "Straße der Einheit 7, 04109 Leipzig",
    "Bürgeramt Süd: Öffnungszeiten ändern sich",
    "line one\r\nline two\r\n",
    "GS1\x1dcontrol\x01chars",
    "BCD\n002\n1\nSCT\n\nStadtkasse Leipzig – Gebühren Süd\nDE12500105170648489890\nEUR12.34\n\n\nKZ 4711",
]


def qr_array(payload: str | bytes, *, box: int = 6, border: int = 4, level: str = "M") -> NDArray[np.uint8]:
    """A greyscale image of one QR code (bytes are put in byte mode exactly as given)."""
    levels = {
        "L": qrcode.constants.ERROR_CORRECT_L,
        "M": qrcode.constants.ERROR_CORRECT_M,
        "Q": qrcode.constants.ERROR_CORRECT_Q,
        "H": qrcode.constants.ERROR_CORRECT_H,
    }
    code = qrcode.QRCode(error_correction=levels[level], box_size=box, border=border)
    code.add_data(payload.encode("utf-8") if isinstance(payload, str) else payload)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    return np.array(image, dtype=np.uint8)


def on_page(codes: list[NDArray[np.uint8]], *, size: tuple[int, int] = (900, 1200)) -> NDArray[np.uint8]:
    """Several codes pasted side by side (wrapping) on a white page."""
    width, height = size
    page = np.full((height, width), 255, dtype=np.uint8)
    x, y, row = 40, 40, 0
    for code in codes:
        h, w = code.shape
        if x + w > width:
            x, y = 40, y + row + 40
            row = 0
        page[y : y + h, x : x + w] = code
        x += w + 40
        row = max(row, h)
    return page


def encode(image: NDArray[np.uint8], ext: str = ".png") -> bytes:
    ok, buffer = cv2.imencode(ext, image)
    assert ok
    return bytes(buffer.tobytes())


@pytest.fixture(scope="session")
def full_decoder() -> QrDecoder:
    decoder = QrDecoder(use_zxing=True)
    assert decoder.path == "full", "zxing-cpp is a dev dependency and must be installed for the tests"
    return decoder


@pytest.fixture(scope="session")
def portable_decoder() -> QrDecoder:
    return QrDecoder(use_zxing=False)


@pytest.fixture
def write_image(tmp_path: Path) -> Iterator[Callable[[str, bytes], Path]]:
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write
