"""What the scanner screen needs from outside, and how it finds it in `ctx.services.scanner`.

The screen decodes through `services.scanner.ScannerService`. A desktop has no flet-camera control, so
its webcam arrives through the `CameraProvider` port (implemented by `adapters.camera.OpenCvCameras`, or
by a fake camera in tests); the composition root puts both, and the folder web uploads land in, into one
`ScannerPorts`. The protocols are structural: adapters satisfy them without importing the UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from leipzig_app.services.scanner import ScannerService


class CameraFrame(Protocol):
    """One picture: `image` is opaque and goes to the decoder, `preview` is a JPEG for the screen."""

    @property
    def image(self) -> Any: ...

    @property
    def preview(self) -> bytes: ...

    @property
    def width(self) -> int: ...

    @property
    def height(self) -> int: ...


class CameraFeed(Protocol):
    """An opened camera. `read` and `close` block: the screen calls them in a worker thread."""

    name: str
    has_torch: bool

    def read(self) -> CameraFrame | None: ...

    def set_torch(self, on: bool) -> bool: ...

    def close(self) -> None: ...


class CameraProvider(Protocol):
    """Finds and opens a camera; `open` returns None when there is none (never raises)."""

    def available(self) -> bool: ...

    def open(self) -> CameraFeed | None: ...


@dataclass
class ScannerPorts:
    """Everything the scanner screen uses: the decoding service, a desktop camera, the upload folder."""

    service: ScannerService
    #: A webcam source for desktops (None: no desktop camera support in this build).
    cameras: CameraProvider | None = None
    #: Where the web server stores uploaded files (web mode only; see cli/run.py).
    upload_dir: Path | None = None


def scanner_ports(value: Any) -> ScannerPorts | None:
    """The screen's ports from `ctx.services.scanner`: a `ScannerPorts`, a bare service, or None."""
    if isinstance(value, ScannerPorts):
        return value
    if isinstance(value, ScannerService):
        return ScannerPorts(service=value)
    return None
