"""OpenCV's curved-surface decoder, run in a separate worker process.

`QRCodeDetector.decodeCurved` (OpenCV 4.x) crashes the whole process with a segmentation fault on some
images (measured: photos of letters with a thumb over a code). A crash in native code cannot be caught in
Python, so the call runs in a long-lived worker process: if the worker dies or hangs, that one attempt
returns nothing and the next call starts a fresh worker. Where no worker process can be started (phones),
the curved decoder is simply not used.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from numpy.typing import NDArray

#: Longest time one curved decode may take before the worker is considered hung.
CALL_TIMEOUT_S = 5.0


def _serve(connection: Any) -> None:
    """Worker loop: (bytes, height, width) in, (text, points) or None out, until the pipe closes."""
    import cv2
    import numpy as np

    cv2.setNumThreads(1)
    detector = cv2.QRCodeDetector()
    while True:
        try:
            data, height, width = connection.recv()
        except (EOFError, OSError):
            return
        gray = np.frombuffer(data, dtype=np.uint8).reshape(height, width)
        answer: tuple[str, list[tuple[float, float]]] | None = None
        try:
            ok, points = detector.detect(gray)
            if ok and points is not None:
                text = detector.decodeCurved(gray, points)[0]
                if text:
                    answer = (text, [(float(x), float(y)) for x, y in points.reshape(-1, 2)])
        except cv2.error:
            answer = None
        connection.send(answer)


def can_spawn() -> bool:
    """Whether a worker process can be started: a real Python interpreter, not a phone app bundle."""
    mobile = {"android", "ios"}
    if sys.platform in mobile or os.environ.get("FLET_PLATFORM", "").lower() in mobile:
        return False
    return os.path.basename(sys.executable or "").lower().startswith("python")


class CurvedWorker:
    """A worker process for the curved decoder, restarted after a crash. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: Any = None
        self._connection: Any = None
        self.crashes = 0

    def _start(self) -> bool:
        if not can_spawn():
            return False
        try:
            import multiprocessing

            context = multiprocessing.get_context("spawn")
            parent, child = context.Pipe()
            process = context.Process(target=_serve, args=(child,), daemon=True, name="leipzig-qr-curved")
            process.start()
            child.close()
        except (ImportError, OSError, RuntimeError, ValueError):
            return False
        self._process, self._connection = process, parent
        return True

    def _stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._process is not None:
            self._process.kill()
            self._process.join(timeout=2)
        self._process = self._connection = None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else int(self._process.pid)

    def decode(self, gray: NDArray[Any]) -> tuple[str, list[tuple[float, float]]] | None:
        """(text, corner points) of the code OpenCV reads on the bent surface, or None."""
        import numpy as np

        array = np.ascontiguousarray(gray, dtype=np.uint8)
        with self._lock:
            if (self._process is None or not self._process.is_alive()) and not self._restart():
                return None
            try:
                self._connection.send((array.tobytes(), array.shape[0], array.shape[1]))
                if not self._connection.poll(CALL_TIMEOUT_S):
                    raise TimeoutError
                answer: tuple[str, list[tuple[float, float]]] | None = self._connection.recv()
            except (EOFError, OSError, TimeoutError, BrokenPipeError):
                self.crashes += 1
                self._stop()
                return None
            return answer

    def _restart(self) -> bool:
        self._stop()
        return self._start()

    def close(self) -> None:
        with self._lock:
            self._stop()


_shared: CurvedWorker | None = None
_shared_lock = threading.Lock()


def shared_worker() -> CurvedWorker:
    """The process-wide worker (started on first use)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = CurvedWorker()
        return _shared
