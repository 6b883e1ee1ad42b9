"""Regions that look like a QR code although no decoder located a symbol there.

The decoders find a symbol by its finder patterns. Motion blur smears the finder pattern's one-module light
ring shut, and a code with modules of about 2 px in a 12-MP photo loses it to the first smoothing, so such a
code is neither read nor reported as "located but unread", and none of the rescue steps ever looks at it.
This looks for what survives blur and small modules: the code's texture. A region qualifies when it is

- dense, high-contrast texture (the local standard deviation is well above the image's noise),
- roughly square (after perspective) and solid,
- about half dark (QR codes balance dark and light modules through their masks; blurred text, the other
  dense texture on a letter, is mostly light),
- surrounded by a quiet zone (ISO/IEC 18004 requires four light modules around a symbol; a word or a
  patch of text has more text right next to it), and
- at least `MIN_SIDE_PX` wide, the smallest a 21-module symbol can be read at.

The regions are hints for crops (`strategy.py`), not findings: the outcome never reports them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leipzig_app.domain.scanning import Quad

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: The search runs on a copy whose longer side is at most this (a 12-MP photo is halved).
WORK_SIDE = 2000
#: Side of the window, in work pixels, over which the local contrast is measured.
WINDOW = 15
#: The smallest region, in original pixels: 21 modules of about 2 px.
MIN_SIDE_PX = 40
#: A square within this aspect ratio (perspective stretches one side).
MAX_ASPECT = 1.6
#: Share of the region's bounding rectangle the textured area must fill.
MIN_SOLIDITY = 0.7
#: Share of dark pixels (Otsu's threshold inside the region).
DARK_SHARE = (0.3, 0.7)
#: Share of textured pixels allowed in the band around the region (its quiet zone).
MAX_BUSY_SURROUNDING = 0.25
#: At most this many regions, the cleanest quiet zones first.
MAX_REGIONS = 3


def code_like_regions(gray: NDArray[Any]) -> list[Quad]:
    """Quads (original pixels, clockwise) of regions that look like a code, best first."""
    import cv2
    import numpy as np

    from leipzig_app.adapters.decoding.backends import order_clockwise

    height, width = gray.shape[:2]
    factor = min(1.0, WORK_SIDE / max(height, width))
    work = (
        gray if factor == 1.0 else cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    )
    if min(work.shape[:2]) < 2 * WINDOW:
        return []
    values = work.astype(np.float32)
    mean = cv2.boxFilter(values, -1, (WINDOW, WINDOW))
    square = cv2.boxFilter(values * values, -1, (WINDOW, WINDOW))
    spread = np.sqrt(np.maximum(square - mean * mean, 0.0))
    sample = work[::4, ::4]
    low, high = np.percentile(sample, (2, 98))
    # The noise level from neighbouring pixels: most of a photo is smooth, so the median difference
    # measures the sensor noise, not the texture (median |N(0, s*sqrt(2))| = 0.954 s).
    noise = float(np.median(np.abs(np.diff(sample.astype(np.float32), axis=1)))) / 0.954
    textured = (spread > max(0.2 * float(high - low), 2.5 * noise, 4.0)).astype(np.uint8) * 255
    closed = cv2.morphologyEx(textured, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    # Opening with a kernel of about 1 % of the image removes text lines and thin structures.
    side = max(5, int(0.012 * max(work.shape[:2])) | 1)
    solid = cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    contours, _ = cv2.findContours(solid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found: list[tuple[float, Quad]] = []
    for contour in contours:
        rect = cv2.minAreaRect(contour)
        (_cx, _cy), (rect_w, rect_h), _angle = rect
        shorter, longer = min(rect_w, rect_h), max(rect_w, rect_h)
        if shorter < MIN_SIDE_PX * factor or longer > MAX_ASPECT * shorter:
            continue
        if cv2.contourArea(contour) < MIN_SOLIDITY * rect_w * rect_h:
            continue
        if not _inside(rect, work.shape):
            continue
        if not DARK_SHARE[0] <= _dark_share(work, contour) <= DARK_SHARE[1]:
            continue
        busy = _busy_surrounding(textured, rect)
        if busy > MAX_BUSY_SURROUNDING:
            continue
        corners = cv2.boxPoints(rect) / factor
        found.append((busy, order_clockwise([(float(x), float(y)) for x, y in corners])))
    found.sort(key=lambda item: item[0])
    return [quad for _busy, quad in found[:MAX_REGIONS]]


def _inside(rect: Any, shape: tuple[int, ...]) -> bool:
    """Whether the region and the inner edge of its quiet zone lie within the image (a symbol cut off by
    the image's edge cannot be read)."""
    import cv2

    (cx, cy), (w, h), angle = rect
    corners = cv2.boxPoints(((cx, cy), (w * 1.08, h * 1.08), angle))
    height, width = shape[:2]
    return bool((corners[:, 0] >= 0).all() and (corners[:, 0] <= width - 1).all()) and bool(
        (corners[:, 1] >= 0).all() and (corners[:, 1] <= height - 1).all()
    )


def _dark_share(work: NDArray[Any], contour: NDArray[Any]) -> float:
    import cv2
    import numpy as np

    x, y, w, h = cv2.boundingRect(contour)
    inside = np.zeros((h, w), np.uint8)
    cv2.drawContours(inside, [contour - [x, y]], -1, 255, -1)
    values = work[y : y + h, x : x + w][inside > 0].reshape(-1, 1)
    if values.size < 16:
        return 0.0
    threshold, _ = cv2.threshold(values, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float((values <= threshold).mean())


def _busy_surrounding(textured: NDArray[Any], rect: Any) -> float:
    """Share of textured pixels in the band from 8 % to 35 % beyond the region's sides."""
    import cv2
    import numpy as np

    (cx, cy), (w, h), angle = rect
    band = np.zeros(textured.shape, np.uint8)
    outer = cv2.boxPoints(((cx, cy), (w * 1.35, h * 1.35), angle))
    inner = cv2.boxPoints(((cx, cy), (w * 1.08, h * 1.08), angle))
    cv2.fillPoly(band, [np.round(outer).astype(np.int32)], 255)
    cv2.fillPoly(band, [np.round(inner).astype(np.int32)], 0)
    values = textured[band > 0]
    return float((values > 0).mean()) if values.size else 1.0
