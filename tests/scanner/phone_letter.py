"""Camera frames of the project's own demo letter at phone sizes.

The letter comes from `leipzig-app notice issue` (a signed notice code and a GiroCode as the city prints
them); a frame puts the page on a table in front of a phone held by hand: a slight tilt of each corner,
rendered at twice the size and reduced (optics), a little focus blur and sensor noise, and the JPEG the
camera stream delivers.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

CLI = str(Path(sys.executable).with_name("leipzig-app"))


@dataclass(frozen=True)
class PrintedLetter:
    page: NDArray[np.uint8]
    texts: frozenset[str]


def issue_letter(folder: Path) -> PrintedLetter:
    """A demo letter as a tester prints it, with the texts of both codes."""
    out = folder / "letter.png"
    issued = subprocess.run(
        [CLI, "notice", "issue", "--out", str(out), "--posted", "2026-11-11", "--amount", "48.50"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer = json.loads(issued.stdout)
    page = cv2.imread(str(out), cv2.IMREAD_GRAYSCALE)
    assert page is not None
    return PrintedLetter(page=page, texts=frozenset({answer["payload"], answer["girocode"]}))


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
    table = 90
    large = cv2.warpPerspective(
        page, matrix, (2 * width, 2 * height), flags=cv2.INTER_AREA, borderValue=table
    )
    frame = cv2.resize(large, (width, height), interpolation=cv2.INTER_AREA).astype(np.float32)
    frame = cv2.GaussianBlur(frame, (0, 0), 0.7)
    frame = frame * 0.9 + 10 + rng.normal(0, 2.0, frame.shape)
    ok, buffer = cv2.imencode(
        ".jpg", np.clip(frame, 0, 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    assert ok
    return bytes(buffer.tobytes())
