"""Time as a resident experiences it: the still limit is wall-clock time, and warm-up comes before timing."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from leipzig_app.adapters.decoding import QrDecoder, backends, engine
from leipzig_app.domain.scanning import DecodedCode
from leipzig_app.services.scanner import ScannerService

from .conftest import encode, on_page, qr_array


def test_the_still_limit_counts_time_spent_outside_this_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # The curved-surface decoder runs in a worker process: while it works, this thread only waits. The
    # limit must count that waiting, or a still photo could keep a resident waiting far beyond it.
    calls: list[float] = []

    def slow_worker(gray: np.ndarray, *, name: str = "opencv-curved") -> list[DecodedCode]:
        calls.append(time.perf_counter())
        threading.Event().wait(0.15)
        return []

    monkeypatch.setattr(backends, "opencv_read_curved", slow_worker)
    monkeypatch.setattr(engine, "STILL_LIMIT_MS", 600.0)
    # A code with a damaged middle: located but unreadable, so the rescue steps (many of them curved)
    # try it until the limit ends the search.
    # Whole modules are damaged, dark or light at random, over a quarter of the symbol: wrong modules,
    # not erasures (noise finer than a module averages to grey, which the module reader takes as
    # erased and corrects), and far more than error correction can repair.
    code = qr_array("LZ1:" + "A1B2C3D4E5" * 30, box=4)
    h, w = code.shape
    top, left, rows, columns = h // 16 * 4, w // 16 * 4, h // 8, w // 8  # in whole 4-px modules
    modules = np.random.default_rng(1).integers(0, 2, (rows, columns)) * 255
    code[top : top + 4 * rows, left : left + 4 * columns] = np.kron(modules, np.ones((4, 4), dtype=np.int64))
    page = on_page([code], size=(700, 600))
    started = time.perf_counter()
    outcome = QrDecoder().decode_image(encode(page))
    waited_ms = (time.perf_counter() - started) * 1000.0
    assert outcome.candidates
    assert calls, outcome.decoders_tried  # the slow step was reached ...
    assert outcome.exhausted  # ... and the limit, not the end of the strategy, stopped the search
    # A step that has started cannot be interrupted: at most one more of them, plus slack for a busy machine.
    assert waited_ms < 600 + 150 + 400, (waited_ms, len(calls))


def test_a_budget_is_wall_clock_too(full_decoder: QrDecoder) -> None:
    texture = np.random.default_rng(4).integers(0, 255, (1200, 1600), dtype=np.uint8)
    outcome = full_decoder.decode_image(encode(texture), budget_ms=80)
    assert outcome.exhausted
    assert outcome.elapsed_ms < 80 + 300  # the first step always runs; slack for a busy machine


_FIRST_FILE = """
import json, sys
from leipzig_app.adapters.decoding import QrDecoder
from leipzig_app.adapters.decoding.isolated import shared_worker

if __name__ == "__main__":  # the worker process imports this module again
    decoder = QrDecoder()
    decoder.warm_up()
    before = set(sys.modules)
    worker = shared_worker().pid
    outcome = decoder.decode_image(sys.argv[1])
    loaded = sorted(m for m in set(sys.modules) - before if not m.startswith("encodings."))
    print(json.dumps({"texts": outcome.texts, "loaded": loaded, "worker": worker}))
"""


def test_warm_up_leaves_nothing_to_load_for_the_first_file(tmp_path: Path) -> None:
    letter = tmp_path / "letter.png"
    letter.write_bytes(encode(on_page([qr_array("Erster Brief: Süd", box=5)], size=(500, 400))))
    script = tmp_path / "first_file.py"  # a file, not -c: the worker process imports the main module
    script.write_text(_FIRST_FILE)
    done = subprocess.run(
        [sys.executable, str(script), str(letter)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["texts"] == ["Erster Brief: Süd"]
    assert result["loaded"] == []  # no library import is charged to the first file
    assert result["worker"] is not None  # the curved-surface worker process was started beforehand


def test_thorough_frames_use_the_still_strategy(full_decoder: QrDecoder) -> None:
    page = on_page([qr_array("Eins", box=5), qr_array("Zwei: Straße", box=5)], size=(700, 400))
    live = full_decoder.decode_frame(page, budget_ms=500)
    thorough = full_decoder.decode_frame(page, budget_ms=500, thorough=True)
    assert sorted(thorough.texts) == sorted(live.texts) == ["Eins", "Zwei: Straße"]
    # A live frame stops once everything in view is read; the still strategy always takes a second look.
    assert len(thorough.decoders_tried) > len(live.decoders_tried)


def test_service_frames_default_to_the_live_budget(full_decoder: QrDecoder) -> None:
    outcome = ScannerService(full_decoder).scan_frame(on_page([qr_array("Live", box=5)], size=(400, 300)))
    assert outcome.texts == ("Live",)
