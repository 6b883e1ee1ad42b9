"""Codes no decoder locates: smeared by a moving hand, found by their texture and deconvolved.

A letter photographed while the hand moves: the large GiroCode survives, the small notice code beside it
is smeared over two of its modules, its finder patterns with it, so no decoder even reports it as located.
The region search (`locate.py`) finds it by its texture and quiet zone, and the crop is deconvolved with
the smear estimated from the crop itself (`variants.smears`).
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from leipzig_app.adapters.decoding import QrDecoder, locate, variants

from .conftest import encode, qr_array

GIRO = "BCD\n002\n1\nSCT\n\nStadtkasse Leipzig – Gebühren Süd\nDE12500105170648489890\nEUR12.34\n\n\nKZ 4711"
NOTICE = "LZ1:" + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:" * 9
PAPER = 235


def _letter(module: int = 4) -> tuple[NDArray[np.uint8], tuple[int, int, int, int]]:
    """A page with lines of text, a GiroCode (6-px modules) and a notice code (`module` px), and the
    notice code's box (x0, y0, x1, y1) with its quiet zone."""
    page = np.full((1300, 1800), PAPER, np.uint8)
    rng = np.random.default_rng(7)
    for row in range(8):
        x = 200
        while x < 1500:
            word = int(rng.integers(30, 120))
            page[120 + 40 * row : 134 + 40 * row, x : x + word] = 60
            x += word + 20
    giro = np.minimum(qr_array(GIRO, box=6), PAPER)
    notice = np.minimum(qr_array(NOTICE, box=module), PAPER)
    page[500 : 500 + giro.shape[0], 200 : 200 + giro.shape[1]] = giro
    x0 = 350 + giro.shape[1]
    page[500 : 500 + notice.shape[0], x0 : x0 + notice.shape[1]] = notice
    return page, (x0, 500, x0 + notice.shape[1], 500 + notice.shape[0])


def _smeared(image: NDArray[np.uint8], length: float, angle_deg: float) -> NDArray[np.uint8]:
    angle = math.radians(angle_deg)
    kernel = variants.smear_kernel(length * math.cos(angle), length * math.sin(angle))
    blurred = cv2.filter2D(image.astype(np.float32), -1, kernel)
    noisy = blurred + np.random.default_rng(3).normal(0, 2.0, blurred.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


@pytest.mark.parametrize("angle", [30, 100, 160])
@pytest.mark.parametrize("portable", [False, True], ids=["full", "portable"])
def test_a_smeared_notice_code_beside_a_sharp_giro_code_is_read(
    angle: int, portable: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, _box = _letter()
    photo = encode(_smeared(page, 8, angle), ".jpg")  # two modules of the notice code
    decoder = QrDecoder(use_zxing=not portable)
    outcome = decoder.decode_image(photo)
    assert set(outcome.texts) == {GIRO, NOTICE}
    notice = next(c for c in outcome.codes if c.text == NOTICE)
    assert "deblur" in notice.decoder
    assert outcome.candidates == ()
    # Without the region search the notice code is never looked at: no decoder located it.
    monkeypatch.setattr(locate, "code_like_regions", lambda gray: [])
    assert decoder.decode_image(photo).texts == (GIRO,)


def test_the_smear_is_measured_from_the_crop() -> None:
    page, (x0, y0, x1, y1) = _letter()
    for length, angle_deg in ((8, 30), (6, 100), (8, 0), (7, 160)):
        crop = _smeared(page, length, angle_deg)[y0 - 40 : y1 + 40, x0 - 40 : x1 + 40]
        dx, dy = variants.smears(crop)[0]
        assert math.hypot(dx, dy) == pytest.approx(length, abs=1.0)
        # A smear has no sign: the direction is the same line either way round.
        found = math.degrees(math.atan2(dy, dx)) % 180
        assert min(abs(found - angle_deg), 180 - abs(found - angle_deg)) < 8, (length, angle_deg, found)


def test_an_unsmeared_crop_is_not_deconvolved() -> None:
    page, (x0, y0, x1, y1) = _letter()
    sharp = page[y0 - 40 : y1 + 40, x0 - 40 : x1 + 40]
    defocused = cv2.GaussianBlur(sharp, (0, 0), 2.0)  # blur the same in every direction: no smear
    assert variants.smears(sharp) == []
    assert variants.smears(defocused) == []


def test_regions_that_look_like_codes_are_the_codes_not_the_text() -> None:
    page, (x0, y0, x1, y1) = _letter()
    regions = locate.code_like_regions(_smeared(page, 8, 30))
    assert len(regions) == 2  # the GiroCode and the notice code; no line of text
    centres = [(sum(p[0] for p in q) / 4, sum(p[1] for p in q) / 4) for q in regions]
    assert any(x0 < cx < x1 and y0 < cy < y1 for cx, cy in centres)
    assert all(cy > 480 for _cx, cy in centres)  # the text lines end at y = 414


def test_no_region_in_text_texture_or_a_blank_page() -> None:
    page, _box = _letter()
    text_only = page[:450, :]
    texture = np.random.default_rng(4).integers(0, 255, (900, 1200), dtype=np.uint8)
    assert locate.code_like_regions(text_only) == []
    assert locate.code_like_regions(texture) == []  # no quiet zone anywhere
    assert locate.code_like_regions(np.full((600, 800), 200, np.uint8)) == []


def test_a_code_cut_off_by_the_edge_of_the_image_is_no_region() -> None:
    page, (x0, _y0, x1, _y1) = _letter()
    cut = page[:, : (x0 + x1) // 2]
    centres = [sum(p[0] for p in q) / 4 for q in locate.code_like_regions(cut)]
    assert len(centres) == 1
    assert centres[0] < x0  # only the GiroCode, which is whole


def test_live_frames_do_not_search_for_regions(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def counting(gray: NDArray[np.uint8]) -> list[object]:
        calls.append(1)
        return []

    monkeypatch.setattr(locate, "code_like_regions", counting)
    page, _box = _letter()
    decoder = QrDecoder()
    decoder.decode_frame(page, budget_ms=500)
    assert calls == []
    decoder.decode_frame(page, budget_ms=1500, thorough=True)  # a thorough look is a still's search
    assert calls == [1]
