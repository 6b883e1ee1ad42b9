"""Codes on bent paper: flattening along the outline of the sheet they are printed on."""

from __future__ import annotations

import cv2
import numpy as np

from leipzig_app.adapters.decoding import QrDecoder, backends
from leipzig_app.adapters.decoding.dewarp import flatten

from .conftest import encode, qr_array

TEXT = "Gebogenes Etikett: Straße 7"


def _bent_label(bend: float) -> tuple[np.ndarray, tuple[tuple[float, float], ...]]:
    """A white label with a code, bent like paper over a cylinder, on a dark table."""
    label = qr_array(TEXT, box=5, border=3)
    size = label.shape[0]
    frame = np.full((size + 160, size + 160), 40, dtype=np.uint8)
    ys, xs = np.mgrid[0 : frame.shape[0], 0 : frame.shape[1]].astype(np.float32)
    # Inverse map: each frame pixel looks up the label; rows sag in the middle by `bend` pixels.
    u = (xs - 80) / size * 2 - 1
    map_x = xs - 80
    map_y = ys - 80 - bend * (1 - u * u)
    warped = cv2.remap(label, map_x, map_y, cv2.INTER_LINEAR, borderValue=40)
    corners = ((80.0, 80.0), (80.0 + size, 80.0), (80.0 + size, 80.0 + size), (80.0, 80.0 + size))
    return warped, corners


def test_flattening_follows_the_outline_of_the_paper() -> None:
    image, corners = _bent_label(bend=18)
    flat = flatten(image, corners, 300)
    assert flat is not None
    assert flat.shape == (300, 300)
    assert [c.text for c in backends.zxing_read(flat)[0]] == [TEXT]


def test_flattening_gives_up_without_paper_around_the_symbol() -> None:
    dark = np.full((200, 200), 30, dtype=np.uint8)
    dark[20:60, 20:60] = 220  # a bright patch elsewhere: not around the located region
    assert flatten(dark, ((100.0, 100.0), (150.0, 100.0), (150.0, 150.0), (100.0, 150.0)), 100) is None


def test_engine_reads_a_bent_label() -> None:
    image, _ = _bent_label(bend=18)
    outcome = QrDecoder().decode_image(encode(image))
    assert outcome.texts == (TEXT,)
