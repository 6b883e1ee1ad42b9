"""OpenCV's curved decoder runs in a worker process: a crash there never takes the app down."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from leipzig_app.adapters.decoding.isolated import CurvedWorker, can_spawn

from .conftest import qr_array


def _code() -> np.ndarray:
    return qr_array("gebogen", box=10)


def test_worker_decodes_and_survives_the_death_of_its_process() -> None:
    worker = CurvedWorker()
    try:
        first = worker.decode(_code())
        assert first is not None
        assert first[0] == "gebogen"
        assert len(first[1]) == 4
        pid = worker.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)  # what a segmentation fault in OpenCV does to the worker
        # The attempt that meets the dead worker gives nothing; the next one gets a fresh worker.
        attempts = [worker.decode(_code()) for _ in range(2)]
        assert attempts[-1] is not None
        assert attempts[-1][0] == "gebogen"
        assert worker.pid != pid
        assert worker.crashes == attempts.count(None)
    finally:
        worker.close()
    assert worker.pid is None


def test_a_worker_dying_during_a_call_gives_no_result_and_is_replaced() -> None:
    worker = CurvedWorker()
    try:
        assert worker.decode(np.full((50, 50), 255, dtype=np.uint8)) is None  # starts the worker
        assert worker.crashes == 0
        # A request the worker cannot unpack kills it, as a native crash would; the reply never comes.
        worker._connection.send((b"abc", 5, 5))
        assert worker.decode(_code()) is None
        assert worker.crashes == 1
        assert worker.decode(_code()) is not None
    finally:
        worker.close()


def test_no_worker_where_no_python_process_can_be_started(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLET_PLATFORM", "android")
    assert not can_spawn()
    worker = CurvedWorker()
    assert worker.decode(_code()) is None
    assert worker.pid is None
    assert worker.crashes == 0
