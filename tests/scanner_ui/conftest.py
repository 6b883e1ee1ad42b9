"""Fixtures for the scanner screen: QR images made with the qrcode package, a fake camera, the real app.

The fake camera stands in for the one thing that cannot run here, a webcam: it satisfies the screen's
`CameraProvider` port and delivers generated frames (BGR arrays, with a JPEG preview like the OpenCV
adapter's) in a fixed order, repeating the last one, as a camera pointed at a still letter does.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import qrcode
from numpy.typing import NDArray
from tests.support.flet_fake import FakeFletClient

from leipzig_app.adapters.camera import CameraFrame, encode_preview
from leipzig_app.adapters.decoding import QrDecoder
from leipzig_app.adapters.profiles import load_profile
from leipzig_app.adapters.settings_store import SqliteSettingsStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.app import AppRuntime, migrations
from leipzig_app.services.container import AppServices
from leipzig_app.services.scanner import ScannerService
from leipzig_app.services.settings import SettingsService
from leipzig_app.ui.scanner.ports import ScannerPorts


def qr_image(text: str, *, box: int = 6) -> NDArray[np.uint8]:
    """A black-on-white QR code (greyscale array) with the standard quiet zone."""
    code = qrcode.QRCode(border=4, box_size=box, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    matrix = np.array(code.get_matrix(), dtype=bool)
    pixels = np.where(matrix, 0, 255).astype(np.uint8)
    return np.kron(pixels, np.ones((box, box), dtype=np.uint8))


def letter_frame(texts: Sequence[str], *, width: int = 960, height: int = 720) -> NDArray[np.uint8]:
    """A camera frame (BGR) of a light page with the codes side by side."""
    frame = np.full((height, width, 3), 235, dtype=np.uint8)
    x = 40
    for text in texts:
        code = qr_image(text, box=5)
        h, w = code.shape
        y = (height - h) // 2
        frame[y : y + h, x : x + w] = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
        x += w + 40
    return frame


def focus_frame(sharp: str, blurred: str, *, sigma: float = 1.5) -> NDArray[np.uint8]:
    """A 1280x960 camera frame (BGR) with a sharp code and, beside it, a code with small modules that is
    slightly out of focus (Gaussian blur of `sigma` pixels), as when the camera focuses on one of two."""
    frame = np.full((960, 1280, 3), 230, dtype=np.uint8)
    first = qr_image(sharp, box=6)
    second = cv2.GaussianBlur(qr_image(blurred, box=3), (0, 0), sigma)
    for code, x in ((first, 100), (second, 650)):
        h, w = code.shape
        frame[100 : 100 + h, x : x + w] = cv2.cvtColor(code, cv2.COLOR_GRAY2BGR)
    return frame


def blank_frame(width: int = 960, height: int = 720, level: int = 235) -> NDArray[np.uint8]:
    return np.full((height, width, 3), level, dtype=np.uint8)


def encode(image: NDArray[np.uint8], ext: str = ".png") -> bytes:
    ok, buffer = cv2.imencode(ext, image)
    assert ok
    return bytes(buffer.tobytes())


@dataclass
class FakeFeed:
    """An opened fake camera: `read` returns the frames in order, then repeats the last one."""

    frames: list[NDArray[np.uint8]]
    has_torch: bool = False
    name: str = "fake camera"
    delay: float = 0.01
    reads: int = 0
    torch_calls: list[bool] = field(default_factory=list)
    closed: threading.Event = field(default_factory=threading.Event)

    def read(self) -> CameraFrame | None:
        if self.closed.is_set():
            return None
        index = min(self.reads, len(self.frames) - 1)
        self.reads += 1
        threading.Event().wait(self.delay)
        image = self.frames[index]
        return CameraFrame(
            image=image, preview=encode_preview(image), width=image.shape[1], height=image.shape[0]
        )

    def set_torch(self, on: bool) -> bool:
        self.torch_calls.append(on)
        return self.has_torch

    def close(self) -> None:
        self.closed.set()


@dataclass
class FakeCameras:
    """The `CameraProvider` port with one fake device (or none)."""

    feed: FakeFeed | None
    opened: int = 0

    def available(self) -> bool:
        return self.feed is not None

    def open(self) -> FakeFeed | None:
        """The device again (a real webcam can be opened again after it was released)."""
        self.opened += 1
        if self.feed is not None:
            self.feed.closed.clear()
        return self.feed


@pytest.fixture
async def full_runtime(tmp_path: Path) -> AsyncIterator[AppRuntime]:
    """The whole app (every feature wired, demo city running) on a temporary folder; closed afterwards."""
    app = AppRuntime.create(data_dir=tmp_path / "data")
    try:
        yield app
    finally:
        await app.aclose()


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[AppRuntime]:
    """The real shell, profile, settings and database, with only the scanner wired (no demo city).

    The scanner needs no server, and starting the demo city for every screen test would cost more than
    the test itself; the hand-over to the notice screen uses `full_runtime`.
    """
    profile = load_profile().bind_sandbox("http://127.0.0.1:9")
    data = tmp_path / "data"
    data.mkdir()
    db = Database(data / "app.sqlite3", migrations())
    settings = SettingsService(SqliteSettingsStore(db), languages=profile.languages)
    app = AppRuntime(data_dir=data, db=db, services=AppServices(profile=profile, settings=settings))
    app.ready.set()  # wired (by `use_scanner`): pages may open
    try:
        yield app
    finally:
        await app.aclose()


def use_scanner(runtime: AppRuntime, cameras: FakeCameras | None = None) -> ScannerPorts:
    """Replace the webcam with a fake one; decoding stays the real engine.

    Other features' background jobs (news refresh, outbox) are not started: they have nothing to do with
    this screen and would only add network traffic to the demo city while the test runs.
    """
    ports = ScannerPorts(
        service=ScannerService(QrDecoder()), cameras=cameras, upload_dir=runtime.data_dir / "uploads"
    )
    runtime.services.scanner = ports
    runtime.services.background.clear()
    return ports


async def wait_for(
    client: FakeFletClient, condition: Callable[[], Any], *, timeout: float = 10.0, step: float = 0.05
) -> None:
    """Let the app run (its camera loop is a background task) until `condition()` is true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await client.settle()
        try:
            if condition():
                return
        except AssertionError:
            pass
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s; screen texts: {client.texts()}")
        await asyncio.sleep(step)


class CameraClient(FakeFletClient):
    """The fake client, answering method calls that carry no arguments as well.

    Flet 1.0.5 leaves "args" out of a method call without arguments (`get_available_cameras`,
    `take_picture`, `medium_impact`, ...); the Dart client treats that as no arguments.
    """

    async def _answer_method(self, body: dict[str, Any]) -> None:
        await super()._answer_method({"args": None, **body})


def notice_screen_exists() -> bool:
    """Whether the notice screen (built alongside this one) is part of the app yet."""
    import importlib.util

    return importlib.util.find_spec("leipzig_app.ui.notices") is not None
