"""Flattening a code printed on bent paper, from the outline of the sheet or label it is printed on.

A decoder maps the module grid through one perspective transform; paper bent around a curve breaks that
model and the read fails even though the symbol is located. The outline of the paper carries the bend:
its four edges are curves. A Coons patch (bilinear blending of the four edge curves) maps the unit square
onto the area they enclose, which follows a smooth bend of the interior closely. Resampling through that
patch gives a flat, upright image of the region for the decoders to read again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from leipzig_app.domain.scanning import Quad

if TYPE_CHECKING:
    from numpy.typing import NDArray


def _edge(contour: NDArray[Any], start: int, end: int, count: int) -> NDArray[Any]:
    """`count` points spaced evenly by arc length along the contour from index `start` to `end`."""
    import numpy as np

    n = len(contour)
    points = contour[[(start + j) % n for j in range((end - start) % n + 1)]].astype(np.float32)
    steps = np.sqrt((np.diff(points, axis=0) ** 2).sum(axis=1))
    along = np.concatenate([[0.0], np.cumsum(steps)])
    targets = np.linspace(0.0, float(along[-1]), count)
    return np.stack(
        [np.interp(targets, along, points[:, 0]), np.interp(targets, along, points[:, 1])], axis=1
    )


def outline_around(gray: NDArray[Any], quad: Quad) -> NDArray[Any] | None:
    """The outline (N x 2 points) of the largest bright region that contains the located symbol."""
    import cv2
    import numpy as np

    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Close the dark modules so that the symbol and its paper form one region.
    side = max(3, int(min(gray.shape[:2]) / 16) | 1)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((side, side), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cx = sum(p[0] for p in quad) / 4.0
    cy = sum(p[1] for p in quad) / 4.0
    best = None
    for contour in contours:
        if cv2.pointPolygonTest(contour, (cx, cy), False) > 0 and (
            best is None or cv2.contourArea(contour) > cv2.contourArea(best)
        ):
            best = contour
    if best is None or len(best) < 16:
        return None
    outline: NDArray[Any] = best[:, 0, :]
    return outline


def flatten(gray: NDArray[Any], quad: Quad, side: int) -> NDArray[Any] | None:
    """The region inside the paper outline around `quad`, flattened to `side` x `side` pixels."""
    flat = flatten_with_grid(gray, quad, side)
    return None if flat is None else flat[0]


def flatten_with_grid(gray: NDArray[Any], quad: Quad, side: int) -> tuple[NDArray[Any], NDArray[Any]] | None:
    """`flatten`, and the grid (side x side x 2) that gives each flattened pixel's (x, y) in `gray`."""
    import cv2
    import numpy as np

    outline = outline_around(gray, quad)
    if outline is None:
        return None
    centre = np.mean(np.array(quad, dtype=np.float64), axis=0)
    # The outline point furthest out in the direction of each symbol corner is that corner of the sheet.
    corners = []
    for corner in quad:
        direction = np.array(corner, dtype=np.float64) - centre
        norm = float(np.linalg.norm(direction))
        if norm == 0:
            return None
        corners.append(int(np.argmax(outline @ (direction / norm))))
    n = len(outline)
    if len(set(corners)) < 4:
        return None
    if (corners[1] - corners[0]) % n > (corners[3] - corners[0]) % n:
        outline = outline[::-1].copy()
        corners = [n - 1 - i for i in corners]
    top = _edge(outline, corners[0], corners[1], side)
    right = _edge(outline, corners[1], corners[2], side)
    bottom = _edge(outline, corners[2], corners[3], side)[::-1]
    left = _edge(outline, corners[3], corners[0], side)[::-1]
    u = np.linspace(0.0, 1.0, side)[None, :, None]
    v = np.linspace(0.0, 1.0, side)[:, None, None]
    ruled = (1 - v) * top[None] + v * bottom[None] + (1 - u) * left[:, None] + u * right[:, None]
    p00, p10, p11, p01 = (outline[i].astype(np.float64) for i in corners)
    bilinear = (1 - u) * (1 - v) * p00 + u * (1 - v) * p10 + u * v * p11 + (1 - u) * v * p01
    grid = (ruled - bilinear).astype(np.float32)
    return cv2.remap(gray, grid[..., 0], grid[..., 1], cv2.INTER_LINEAR, borderValue=255), grid
