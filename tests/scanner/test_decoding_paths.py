"""Round trips of generated codes through every decoding path: zxing-cpp, zbar (raw bytes), OpenCV."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from pyzbar import pyzbar

from leipzig_app.adapters.decoding import QrDecoder, backends, zbar
from leipzig_app.domain.scanning import DecoderPath

from .conftest import TRICKY_TEXTS, encode, on_page, qr_array
from .eci_symbols import eci_qr


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_zxing_reads_exact_text(text: str) -> None:
    codes, unread = backends.zxing_read(qr_array(text))
    assert [c.text for c in codes] == [text]
    assert codes[0].raw == text.encode("utf-8")
    assert unread == []


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_zbar_raw_bytes_read_exact_text(text: str) -> None:
    codes = zbar.decode(qr_array(text))
    assert [c.text for c in codes] == [text]
    assert codes[0].decoder == "zbar"


@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_opencv_reads_exact_text(text: str) -> None:
    codes, _ = backends.opencv_read(qr_array(text, box=8))
    assert [c.text for c in codes] == [text]


def test_pyzbar_as_shipped_garbles_umlauts_and_the_raw_path_does_not() -> None:
    image = qr_array("Süd")
    shipped = pyzbar.decode(image)[0].data.decode("utf-8")
    assert shipped != "Süd"  # zbar's charset guess, e.g. "S羹d": the reason for the raw-byte path
    assert [c.text for c in zbar.decode(image)] == ["Süd"]


def test_latin1_payload_is_read_as_latin1_on_every_path() -> None:
    image = qr_array("Bäckerei Müller".encode("iso-8859-1"), box=8)
    assert [c.text for c in backends.zxing_read(image)[0]] == ["Bäckerei Müller"]
    assert [c.text for c in zbar.decode(image)] == ["Bäckerei Müller"]
    assert [c.text for c in backends.opencv_read(image)[0]] == ["Bäckerei Müller"]


@pytest.mark.parametrize("use_zxing", [True, False], ids=["full", "portable"])
def test_several_codes_in_one_image_with_corners(use_zxing: bool) -> None:
    texts = ["Erster Code: Süd", "Zweiter Code: Straße", "LZ1:ABC$%*+-./:"]
    page = on_page([qr_array(t, box=5) for t in texts])
    outcome = QrDecoder(use_zxing=use_zxing).decode_image(encode(page))
    assert sorted(outcome.texts) == sorted(texts)
    assert (outcome.width, outcome.height) == (900, 1200)
    for code in outcome.codes:
        xs = [p[0] for p in code.corners]
        assert 0 <= min(xs) < max(xs) <= 900
        assert 100 < code.side < 400


@pytest.mark.parametrize(
    "rotation", [None, cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE]
)
@pytest.mark.parametrize("use_zxing", [True, False], ids=["full", "portable"])
def test_rotated_codes(rotation: int | None, use_zxing: bool) -> None:
    image = on_page([qr_array(TRICKY_TEXTS[1], box=5)], size=(500, 400))
    if rotation is not None:
        image = cv2.rotate(image, rotation)
    outcome = QrDecoder(use_zxing=use_zxing).decode_image(encode(image))
    assert outcome.texts == (TRICKY_TEXTS[1],)


def test_tilted_code_in_a_large_photo_has_corners_in_original_pixels() -> None:
    image = np.full((400, 400), 255, dtype=np.uint8)
    code = qr_array("gekippt", box=5)
    h, w = code.shape
    image[200 - h // 2 : 200 - h // 2 + h, 200 - w // 2 : 200 - w // 2 + w] = code
    tilted = cv2.warpAffine(image, cv2.getRotationMatrix2D((200, 200), 30, 1.0), (400, 400), borderValue=255)
    # 4000x4000 = 16 MP: above the working size, so the engine decodes a reduced copy.
    big = cv2.resize(tilted, None, fx=10, fy=10, interpolation=cv2.INTER_NEAREST)
    outcome = QrDecoder().decode_image(encode(big))
    assert outcome.texts == ("gekippt",)
    assert (outcome.width, outcome.height) == (4000, 4000)
    cx, cy = outcome.codes[0].center
    assert abs(cx - 2000) < 60
    assert abs(cy - 2000) < 60
    symbol = w - 2 * 4 * 5  # without the 4-module quiet zone
    assert 10 * 0.9 * symbol < outcome.codes[0].side < 10 * 1.1 * symbol


def test_the_path_is_chosen_at_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    assert QrDecoder().path is DecoderPath.FULL
    assert QrDecoder(use_zxing=False).path is DecoderPath.PORTABLE
    monkeypatch.setenv(backends.NO_ZXING_ENV, "1")
    hidden = QrDecoder()
    assert hidden.path is DecoderPath.PORTABLE
    assert "zxing" not in hidden.decoders


def test_portable_path_never_calls_zxing(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("zxing-cpp used on the portable path")

    monkeypatch.setattr(backends, "zxing_read", forbidden)
    outcome = QrDecoder(use_zxing=False).decode_image(encode(qr_array(TRICKY_TEXTS[4], box=5)))
    assert outcome.texts == (TRICKY_TEXTS[4],)
    assert not any(name.startswith("zxing") for name in outcome.decoders_tried)


def test_without_zbar_the_engine_works_with_what_is_left() -> None:
    decoder = QrDecoder(use_zxing=False, use_zbar=False)
    assert decoder.decoders == ("opencv",)
    assert decoder.decode_image(encode(qr_array("nur OpenCV", box=8))).texts == ("nur OpenCV",)


def test_a_decoder_failure_is_contained(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("4294967295 is not a valid ZBarOrientation")

    monkeypatch.setattr(zbar, "decode", broken)
    outcome = QrDecoder(use_zxing=False).decode_image(encode(qr_array("trotzdem", box=8)))
    assert outcome.texts == ("trotzdem",)


def test_blurred_low_contrast_photo_is_rescued_by_preprocessing() -> None:
    image = on_page([qr_array("verschwommen", box=3)], size=(400, 400)).astype(np.float32)
    soft = cv2.GaussianBlur(image * 0.35 + 110, (0, 0), 1.1).astype(np.uint8)
    outcome = QrDecoder(use_zxing=False).decode_image(encode(soft))
    assert outcome.texts == ("verschwommen",)


def test_an_image_without_codes_gives_an_empty_outcome() -> None:
    noise = np.random.default_rng(3).integers(0, 255, (300, 400), dtype=np.uint8)
    outcome = QrDecoder().decode_image(encode(noise))
    assert outcome.codes == ()
    assert outcome.brightness is not None
    assert 100 < outcome.brightness < 155


@pytest.mark.parametrize("index", [0, 1, 2])
def test_one_part_of_a_structured_append_group(index: int) -> None:
    # zbar joins the parts of a group it sees and marks missing ones with a NUL byte; a photo of one
    # part must give that part's text, once.
    parts = [b"Erster Teil, ", b"zweiter Teil, ", b"dritter Teil"]
    parity = 0
    for byte in b"".join(parts):
        parity ^= byte
    image = eci_qr([(None, parts[index])], version=3, part=(index, 3, parity))
    assert [c.text for c in zbar.decode(image)] == [parts[index].decode()]
    for use_zxing in (True, False):
        outcome = QrDecoder(use_zxing=use_zxing).decode_image(encode(image))
        assert outcome.texts == (parts[index].decode(),)
