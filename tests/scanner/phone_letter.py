"""The project's own demo letter for camera frames at phone sizes (`benchmarks/letters/phone.py`).

The letter comes from `leipzig-app notice issue` (a signed notice code and a GiroCode as the city prints
them); a frame puts the page on a table in front of a phone held by hand: a slight tilt of each corner,
rendered at twice the size and reduced (optics), a little focus blur and sensor noise, and the JPEG the
camera stream delivers (`phone_frame`, shared with the live benchmark).
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
LETTER = ("--posted", "2026-11-11", "--amount", "48.50")


@dataclass(frozen=True)
class PrintedLetter:
    page: NDArray[np.uint8]
    texts: frozenset[str]


def issue_letter(folder: Path) -> PrintedLetter:
    """A demo letter as a tester prints it, with the texts of both codes."""
    out = folder / "letter.png"
    issued = subprocess.run(
        # A demo city of its own: the same letter number, so the same letter, on every run.
        [CLI, "--data-dir", str(folder / "issuer"), "notice", "issue", "--out", str(out), *LETTER],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer = json.loads(issued.stdout)
    page = cv2.imread(str(out), cv2.IMREAD_GRAYSCALE)
    assert page is not None
    return PrintedLetter(page=page, texts=frozenset({answer["payload"], answer["girocode"]}))
