"""A symbol partly hidden under a thumb: read module by module with the hidden modules as erasures."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest
import qrcode
from numpy.typing import NDArray
from qrcode import base
from qrcode.util import LUT

from leipzig_app.adapters.decoding import QrDecoder, backends, grid, strategy

from .conftest import encode
from .test_hidden_codes import GIRO, NOTICE, _letter

THUMB_GREY = 150


def _with_thumb(share: float) -> NDArray[np.uint8]:
    """The test letter with a grey thumb over `share` of the notice code's area, away from its finder
    patterns (the bottom-right part, where an alignment pattern sits), photographed softly."""
    page, (x0, y0, x1, _y1) = _letter()
    side = x1 - x0
    radius = side * np.sqrt(share / np.pi) * 1.2
    centre = (int(x0 + 0.72 * side), int(y0 + 0.75 * side))
    cv2.ellipse(page, centre, (int(radius), int(radius * 1.4)), 20, 0, 360, THUMB_GREY, -1)
    soft = cv2.GaussianBlur(page, (0, 0), 0.8).astype(np.float32)
    noisy = soft + np.random.default_rng(2).normal(0, 2.0, soft.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _block(data: list[int], nsym: int) -> list[int]:
    """Data plus Reed-Solomon codewords, computed by the qrcode package (the encoder of the app's codes)."""
    generator = base.Polynomial(LUT.rsPoly_LUT[nsym], 0)
    remainder = base.Polynomial(data, len(generator) - 1) % generator
    shift = len(remainder) - nsym
    return [*data, *(remainder[i + shift] if i + shift >= 0 else 0 for i in range(nsym))]


@pytest.mark.parametrize("portable", [False, True], ids=["full", "portable"])
def test_a_notice_code_under_a_thumb_is_read(portable: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = encode(_with_thumb(0.12), ".jpg")
    decoder = QrDecoder(use_zxing=not portable)
    outcome = decoder.decode_image(photo)
    assert set(outcome.texts) == {GIRO, NOTICE}
    assert next(c for c in outcome.codes if c.text == NOTICE).decoder.endswith("+modules+native")
    # The decoders alone cannot: half of the hidden modules come out wrong, too many for level M.
    monkeypatch.setattr(strategy, "_module_reader", lambda decode: lambda gray: ([], []))
    assert decoder.decode_image(photo).texts == (GIRO,)


def test_a_symbol_hidden_beyond_its_error_correction_is_not_guessed() -> None:
    outcome = QrDecoder().decode_image(encode(_with_thumb(0.2), ".jpg"))
    assert outcome.texts == (GIRO,)


def test_reed_solomon_corrects_erasures_and_errors_within_capacity() -> None:
    rng = random.Random(5)
    for _ in range(200):
        nsym = rng.choice([10, 18, 22, 28])
        data = [rng.randrange(256) for _ in range(rng.randint(10, 60))]
        block = _block(data, nsym)
        erasures = rng.randint(0, nsym - 2)
        errors = (nsym - 2 - erasures) // 2
        positions = rng.sample(range(len(block)), erasures + errors)
        damaged = list(block)
        for position in positions:
            damaged[position] ^= rng.randrange(1, 256)
        assert grid.rs_correct(damaged, nsym, positions[:erasures], spare=2) == block


def test_reed_solomon_refuses_damage_beyond_capacity() -> None:
    block = _block(list(range(40)), 22)
    damaged = list(block)
    for position in range(0, 24, 2):  # 12 errors: 2 x 12 > 22
        damaged[position] ^= 0x5A
    with pytest.raises(grid.Uncorrectable):
        grid.rs_correct(damaged, 22, [])
    # 6 errors and 10 erasures use all 22 codewords: corrected without spare ones, refused with two spare.
    damaged = list(block)
    for position in range(0, 12, 2):
        damaged[position] ^= 0x5A
    erased = list(range(21, 41, 2))
    assert grid.rs_correct(damaged, 22, erased) == block
    with pytest.raises(grid.Uncorrectable):
        grid.rs_correct(damaged, 22, erased, spare=2)


@pytest.mark.parametrize(
    ("text", "level"),
    [("hello", qrcode.constants.ERROR_CORRECT_L), (NOTICE, qrcode.constants.ERROR_CORRECT_M), (GIRO, 3)],
)
def test_the_codewords_are_read_where_the_encoder_put_them(text: str, level: int) -> None:
    symbol = qrcode.QRCode(error_correction=level, box_size=1, border=0)
    symbol.add_data(text.encode("utf-8"))
    symbol.make(fit=True)
    modules = np.array(symbol.modules, dtype=bool)
    nothing_hidden = np.zeros_like(modules)
    read_level, mask = grid._format(modules, nothing_hidden) or (-1, -1)
    assert read_level == level
    assert grid._corrected_codewords(modules, nothing_hidden, symbol.version, read_level, mask) == list(
        symbol.data_cache
    )
    redrawn = grid._render(symbol.version, read_level, mask, list(symbol.data_cache))
    assert [c.text for c in backends.zxing_read(redrawn)[0]] == [text]
