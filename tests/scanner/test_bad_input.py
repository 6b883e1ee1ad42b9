"""Unreadable input gives a clear `ScanError` with a message key, never a traceback or a huge allocation."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from leipzig_app.adapters.decoding import QrDecoder, images
from leipzig_app.domain.scanning import (
    CorruptImageError,
    EmptyFileError,
    FileAccessError,
    ImageTooLargeError,
    NotAnImageError,
    ScanError,
    UnsupportedFrameError,
)

from .conftest import encode, qr_array

WriteImage = Callable[[str, bytes], Path]


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims the given size, followed by a tiny compressed body (a bomb's shape)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + chunk(b"IEND", b"")
    )


def _scan(decoder: QrDecoder, source: str | bytes) -> ScanError:
    with pytest.raises(ScanError) as caught:
        decoder.decode_image(source)
    error = caught.value
    assert error.key.startswith("scan.error.")
    assert error.message
    assert "\n" not in error.message
    return error


def test_empty_file(full_decoder: QrDecoder, write_image: WriteImage) -> None:
    error = _scan(full_decoder, str(write_image("empty.png", b"")))
    assert isinstance(error, EmptyFileError)
    assert isinstance(_scan(full_decoder, b""), EmptyFileError)


@pytest.mark.parametrize("ext", [".png", ".jpg"])
def test_truncated_image(full_decoder: QrDecoder, write_image: WriteImage, ext: str) -> None:
    data = encode(qr_array("abgeschnitten"), ext)
    error = _scan(full_decoder, str(write_image(f"cut{ext}", data[: len(data) // 2])))
    assert isinstance(error, CorruptImageError)
    assert error.key == "scan.error.corrupt"


def test_text_file(full_decoder: QrDecoder, write_image: WriteImage) -> None:
    error = _scan(full_decoder, str(write_image("letter.png", b"Sehr geehrte Damen und Herren")))
    assert isinstance(error, NotAnImageError)
    assert error.key == "scan.error.not_an_image"


def test_unsupported_image_format(full_decoder: QrDecoder) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (8, 8), 255).save(buffer, format="GIF")
    gif = buffer.getvalue()
    error = _scan(full_decoder, gif)
    assert isinstance(error, NotAnImageError)
    assert "GIF" in error.message


def test_huge_dimensions_in_the_header_are_refused_before_decoding(full_decoder: QrDecoder) -> None:
    error = _scan(full_decoder, _png_header_only(60_000, 60_000))
    assert isinstance(error, ImageTooLargeError)
    assert error.key == "scan.error.too_large"


def test_large_but_sane_image_is_reduced_not_refused() -> None:
    data = _png_header_only(100, 100)  # the body does not match: a corrupt, not a too-large image
    with pytest.raises(CorruptImageError):
        images.decode_image_bytes(data)
    photo = np.full((5000, 3000), 255, dtype=np.uint8)  # 15 MP
    loaded = images.decode_image_bytes(encode(photo, ".jpg"))
    assert loaded.gray.size <= images.MAX_WORK_PIXELS
    assert (loaded.width, loaded.height) == (3000, 5000)
    assert loaded.scale == pytest.approx(2.0)  # JPEG reduced while decoding


def test_file_larger_than_the_limit(
    full_decoder: QrDecoder, write_image: WriteImage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images, "MAX_FILE_BYTES", 1000)
    path = write_image("big.png", encode(qr_array("x" * 200)))
    assert isinstance(_scan(full_decoder, str(path)), ImageTooLargeError)


def test_directory(full_decoder: QrDecoder, tmp_path: Path) -> None:
    error = _scan(full_decoder, str(tmp_path))
    assert isinstance(error, FileAccessError)
    assert "directory" in error.message


def test_missing_file(full_decoder: QrDecoder, tmp_path: Path) -> None:
    error = _scan(full_decoder, str(tmp_path / "nope.png"))
    assert isinstance(error, FileAccessError)
    assert "does not exist" in error.message


def test_pdf_without_renderer_names_the_missing_piece(full_decoder: QrDecoder) -> None:
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        error = _scan(full_decoder, b"%PDF-1.7\n%broken")
        assert error.key == "scan.error.pdf_unsupported"
        assert "pypdfium2" in error.message
    else:  # pragma: no cover - where a renderer is installed, a broken PDF is a corrupt file
        assert isinstance(_scan(full_decoder, b"%PDF-1.7\n%broken"), CorruptImageError)


@pytest.mark.parametrize("frame", [None, "text", np.zeros((0, 0), np.uint8), np.zeros((4, 4, 2), np.uint8)])
def test_unsupported_frames(full_decoder: QrDecoder, frame: object) -> None:
    with pytest.raises(UnsupportedFrameError):
        full_decoder.decode_frame(frame, budget_ms=50)


def test_one_bad_file_does_not_affect_the_next(full_decoder: QrDecoder, write_image: WriteImage) -> None:
    bad = write_image("bad.jpg", b"\xff\xd8\xff\xe0garbage")
    good = write_image("good.png", encode(qr_array("danach")))
    with pytest.raises(ScanError):
        full_decoder.decode_image(str(bad))
    assert full_decoder.decode_image(str(good)).texts == ("danach",)
