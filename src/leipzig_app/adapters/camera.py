"""Webcams on a desktop, through OpenCV's VideoCapture, for the scanner's live viewfinder.

Phones and browsers film through the flet-camera control in the UI; a desktop window has no such control,
so frames come from here: a BGR array for the decoder and a small JPEG the screen shows a few times a
second. Opening a device can hang for seconds on some drivers (or forever on a broken one), so probing runs
in a worker thread with a short timeout, and every failure - no OpenCV, no device, a device that delivers
nothing - means "no camera", never an exception.
"""

from __future__ import annotations

import glob
import logging
import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

#: The preview the screen shows is at most this wide (it is a guide, not the picture that is decoded).
PREVIEW_WIDTH = 640
PREVIEW_QUALITY = 70


@dataclass(frozen=True)
class CameraFrame:
    """One picture from a camera: `image` goes to the decoder, `preview` (JPEG) to the screen."""

    image: NDArray[np.uint8]
    preview: bytes
    width: int
    height: int


def encode_preview(image: NDArray[np.uint8], max_width: int = PREVIEW_WIDTH) -> bytes:
    """A JPEG of the frame, scaled down to `max_width`, for showing in the viewfinder."""
    import cv2

    height, width = image.shape[:2]
    shown: Any = image
    if width > max_width:
        size = (max_width, max(1, round(height * max_width / width)))
        shown = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    ok, buffer = cv2.imencode(".jpg", shown, [cv2.IMWRITE_JPEG_QUALITY, PREVIEW_QUALITY])
    if not ok:
        raise ValueError("the frame could not be encoded as JPEG")
    return bytes(buffer.tobytes())


class OpenCvCamera:
    """An opened webcam. `read` blocks for one frame (call it off the UI loop); `close` releases it."""

    has_torch = False

    def __init__(self, capture: Any, name: str) -> None:
        self._capture = capture
        self._lock = threading.Lock()
        self.name = name

    def read(self) -> CameraFrame | None:
        """The next frame, or None when the device stopped delivering (unplugged, taken by another app)."""
        with self._lock:
            if self._capture is None:
                return None
            try:
                ok, image = self._capture.read()
            except Exception:  # cv2.error from a failing driver: the camera is gone for this session
                log.info("the camera stopped delivering frames", exc_info=True)
                return None
        if not ok or image is None or image.size == 0:
            return None
        height, width = image.shape[:2]
        return CameraFrame(image=image, preview=encode_preview(image), width=int(width), height=int(height))

    def set_torch(self, on: bool) -> bool:
        """Webcams have no torch; False tells the screen to keep its torch button hidden."""
        return False

    def close(self) -> None:
        with self._lock:
            capture, self._capture = self._capture, None
        if capture is not None:
            try:
                capture.release()
            except Exception:  # releasing a vanished device must not fail the screen
                log.info("releasing the camera failed", exc_info=True)


def _device_nodes() -> list[str] | None:
    """Video device nodes on Linux (None elsewhere: there the only way to know is to try)."""
    if sys.platform.startswith("linux"):
        return sorted(glob.glob("/dev/video*"))
    return None


def _open_capture(index: int) -> Any:
    """Open device `index` and read one frame; the capture on success, None otherwise."""
    try:
        import cv2
    except ImportError:
        return None
    try:
        capture = cv2.VideoCapture(index)
        if not capture.isOpened():
            capture.release()
            return None
        ok, image = capture.read()
        if not ok or image is None:
            capture.release()
            return None
        return capture
    except Exception:  # cv2.error from a driver: treat as "no camera here"
        log.info("probing camera %s failed", index, exc_info=True)
        return None


class OpenCvCameras:
    """Finds a webcam for the scanner. `open()` blocks up to `timeout` seconds (call it off the UI loop)."""

    def __init__(self, indices: tuple[int, ...] = (0, 1), timeout: float = 3.0) -> None:
        self._indices = indices
        self._timeout = timeout

    def available(self) -> bool:
        """A cheap guess whether a camera may exist (False on Linux without any /dev/video node)."""
        nodes = _device_nodes()
        return nodes is None or bool(nodes)

    def open(self) -> OpenCvCamera | None:
        """The first device that delivers a frame within the timeout, or None."""
        if not self.available():
            return None
        for index in self._indices:
            capture = self._probe(index)
            if capture is not None:
                return OpenCvCamera(capture, name=f"camera {index}")
        return None

    def _probe(self, index: int) -> Any:
        result: list[Any] = []
        lock = threading.Lock()
        abandoned = False

        def work() -> None:
            capture = _open_capture(index)
            with lock:
                if not abandoned:
                    result.append(capture)
                    return
            if capture is not None:
                capture.release()  # the caller gave up waiting; do not keep the device busy

        worker = threading.Thread(target=work, name=f"camera-probe-{index}", daemon=True)
        worker.start()
        worker.join(self._timeout)
        with lock:
            if not result:
                abandoned = True
                log.info("camera %s did not answer within %.1f s", index, self._timeout)
                return None
            return result[0]
