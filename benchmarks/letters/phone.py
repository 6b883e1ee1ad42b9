"""Camera-stream frames of a letter at phone resolutions (720p, 1080p, portrait).

The page lies on a table in front of a phone held by hand: each corner slightly off (a tilt), rendered at
twice the size and reduced (optics), a little focus blur and sensor noise, and the JPEG a stream delivers.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray


def phone_frame(
    page: NDArray[np.uint8], size: tuple[int, int], share: float, seed: int, *, quality: int = 85
) -> bytes:
    """A JPEG frame of `size` (width, height) in which the page fills `share` of the width."""
    width, height = size
    rng = np.random.default_rng(seed)
    page_h, page_w = page.shape
    shown_w = width * share
    shown_h = page_h * shown_w / page_w
    cx, cy = width / 2, height / 2
    source = np.float32([[0, 0], [page_w, 0], [page_w, page_h], [0, page_h]])
    target = np.float32(
        [
            [cx - shown_w / 2, cy - shown_h / 2],
            [cx + shown_w / 2, cy - shown_h / 2],
            [cx + shown_w / 2, cy + shown_h / 2],
            [cx - shown_w / 2, cy + shown_h / 2],
        ]
    )
    target += (rng.uniform(-0.02, 0.02, (4, 2)) * np.float32([shown_w, shown_h])).astype(np.float32)
    matrix = np.diag([2.0, 2.0, 1.0]) @ cv2.getPerspectiveTransform(source, target)
    large = cv2.warpPerspective(page, matrix, (2 * width, 2 * height), flags=cv2.INTER_AREA, borderValue=90)
    frame = cv2.resize(large, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32)
    frame = cv2.GaussianBlur(frame, (0, 0), 0.7)
    frame = frame * 0.9 + 10 + rng.normal(0, 2.0, frame.shape)
    ok, buffer = cv2.imencode(
        ".jpg", np.clip(frame, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return bytes(buffer.tobytes())
