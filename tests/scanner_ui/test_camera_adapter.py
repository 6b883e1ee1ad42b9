"""The desktop webcam adapter (OpenCV VideoCapture) and the scanner's wiring in the composition root.

This machine has no webcam, which is exactly the case that must never crash or hang; a device that
delivers frames, or one that never answers, is stood in for by objects with VideoCapture's interface.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import cv2
import numpy as np
import pytest
from tests.scanner_ui.conftest import letter_frame

from leipzig_app.adapters import camera
from leipzig_app.adapters.camera import OpenCvCamera, OpenCvCameras, encode_preview
from leipzig_app.app import AppRuntime
from leipzig_app.ui.scanner.ports import ScannerPorts


class Capture:
    """VideoCapture's interface: `read()` -> (ok, image), `release()`."""

    def __init__(self, frames: list[Any]) -> None:
        self.frames = frames
        self.released = threading.Event()

    def isOpened(self) -> bool:
        return True

    def read(self) -> tuple[bool, Any]:
        if not self.frames:
            return False, None
        return True, self.frames.pop(0)

    def release(self) -> None:
        self.released.set()


def test_no_device_means_no_camera_quickly() -> None:
    cameras = OpenCvCameras()
    started = time.perf_counter()
    assert cameras.open() is None
    assert time.perf_counter() - started < 2.0


def test_a_device_that_never_answers_is_given_up_after_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    late = Capture([])
    answered = threading.Event()

    def slow_open(index: int) -> Capture:
        time.sleep(0.5)
        answered.set()
        return late

    monkeypatch.setattr(camera, "_open_capture", slow_open)
    monkeypatch.setattr(camera, "_device_nodes", lambda: ["/dev/video0"])
    started = time.perf_counter()
    assert OpenCvCameras(indices=(0,), timeout=0.1).open() is None
    assert time.perf_counter() - started < 0.4
    assert answered.wait(2)
    assert late.released.wait(2)  # the device is not kept busy by a probe nobody waits for


def test_frames_come_with_a_small_jpeg_preview() -> None:
    image = letter_frame(["Süd"], width=1280, height=720)
    capture = Capture([image])
    feed = OpenCvCamera(capture, name="camera 0")
    frame = feed.read()
    assert frame is not None
    assert (frame.width, frame.height) == (1280, 720)
    assert frame.image is image
    preview = cv2.imdecode(np.frombuffer(frame.preview, np.uint8), cv2.IMREAD_COLOR)
    assert preview.shape[:2] == (360, 640)
    assert feed.read() is None  # the device stopped delivering
    assert feed.set_torch(True) is False
    feed.close()
    assert capture.released.is_set()
    assert feed.read() is None


def test_a_failing_driver_is_a_camera_that_delivers_nothing() -> None:
    class Broken(Capture):
        def read(self) -> tuple[bool, Any]:
            raise cv2.error("driver gone")

    assert OpenCvCamera(Broken([]), name="camera 0").read() is None


def test_small_frames_are_not_enlarged() -> None:
    image = np.zeros((120, 160, 3), np.uint8)
    preview = cv2.imdecode(np.frombuffer(encode_preview(image), np.uint8), cv2.IMREAD_COLOR)
    assert preview.shape[:2] == (120, 160)


def test_the_app_wires_decoder_webcam_and_upload_folder(full_runtime: AppRuntime) -> None:
    ports = full_runtime.services.scanner
    assert isinstance(ports, ScannerPorts)
    assert isinstance(ports.cameras, OpenCvCameras)
    assert ports.upload_dir == full_runtime.data_dir / "uploads"
    assert ports.service.decoder_path in ("full", "portable")
