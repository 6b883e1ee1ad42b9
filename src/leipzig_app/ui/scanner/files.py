"""Choosing a photo or file to scan, per platform, and decoding it off the UI loop.

- Web: the browser never hands out a path, so the picked file is uploaded to the app's own web server
  (Flet's signed upload URL, stored under the upload folder `cli/run.py` configures), decoded from there
  and deleted right after.
- Desktop: the picker returns a path.
- Android/iOS: the picker usually returns a path to a cached copy; where it does not, the bytes are read
  with the pick.

Decoding runs through the scanner service in a worker thread; every failure becomes a message key for the
screen, never an exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.scanning import ScanOutcome
from leipzig_app.ui.scanner.ports import ScannerPorts

log = logging.getLogger(__name__)

EXTENSIONS = ["jpg", "jpeg", "png", "webp", "bmp", "pdf"]
#: Larger files are refused before they are transferred (the decoder refuses them anyway).
MAX_UPLOAD_MB = 64
#: An upload that shows no progress for this long counts as failed.
UPLOAD_TIMEOUT = 120.0
UPLOAD_URL_LIFETIME = 300

#: Called with a message key while a file is transferred or read.
Progress = Callable[[str], None]


@dataclass(frozen=True)
class FileScan:
    """The result of scanning one picked file: an outcome, or an error key with its parameters."""

    name: str
    outcome: ScanOutcome | None = None
    error_key: str | None = None
    error_params: dict[str, object] | None = None


class FileScanner:
    """Owns the page's file picker for the scanner screen; `pick_and_scan` does one round."""

    def __init__(self, page: ft.Page, ports: ScannerPorts) -> None:
        self.page = page
        self.ports = ports
        self.picker = ft.FilePicker(on_upload=self._on_upload)
        self._uploads: dict[str, asyncio.Queue[ft.FilePickerUploadEvent]] = {}

    async def pick_and_scan(self, title: str, on_progress: Progress) -> FileScan | None:
        """Let the resident choose a file and decode it; None when the choice was cancelled."""
        web = bool(self.page.web)
        mobile = self.page.platform in (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS) and not web
        try:
            files = await self.picker.pick_files(
                dialog_title=title,
                file_type=ft.FilePickerFileType.CUSTOM,
                allowed_extensions=EXTENSIONS,
                with_data=mobile,
            )
        except Exception:  # no picker on this client (e.g. Linux without zenity)
            log.info("the file picker could not be opened", exc_info=True)
            return FileScan(name="", error_key="scan.error.file_access")
        if not files:
            return None
        picked = files[0]
        if picked.size > MAX_UPLOAD_MB * 1024 * 1024:
            return FileScan(
                name=picked.name, error_key="scanner.upload_too_large", error_params={"mb": MAX_UPLOAD_MB}
            )
        if web:
            on_progress("scanner.uploading")
            return await self._scan_uploaded(picked, on_progress)
        on_progress("scanner.decoding")
        if picked.path:
            return await self._decode(picked.name, picked.path)
        if picked.bytes is not None:
            return await self._decode(picked.name, bytes(picked.bytes))
        return FileScan(name=picked.name, error_key="scan.error.file_access")

    async def _decode(self, name: str, source: str | bytes) -> FileScan:
        service = self.ports.service
        try:
            if isinstance(source, bytes):
                outcome = await service.scan_bytes_async(source)
            else:
                outcome = await service.scan_file_async(source)
        except AppError as error:
            return FileScan(name=name, error_key=error.key, error_params=dict(error.params or {}))
        except Exception:  # the decoder promises ScanError only; anything else must still not crash
            log.exception("decoding %s failed", name)
            return FileScan(name=name, error_key="scan.error.unreadable")
        return FileScan(name=name, outcome=outcome)

    # --- web: upload first -----------------------------------------------------------------------------

    async def _scan_uploaded(self, picked: ft.FilePickerFile, on_progress: Progress) -> FileScan:
        upload_dir = self.ports.upload_dir
        if upload_dir is None:
            return FileScan(name=picked.name, error_key="scanner.upload_failed")
        folder = f"scanner-{uuid.uuid4().hex}"
        relative = f"{folder}/{_safe_name(picked.name)}"
        queue: asyncio.Queue[ft.FilePickerUploadEvent] = asyncio.Queue()
        self._uploads[picked.name] = queue
        try:
            url = self.page.get_upload_url(relative, UPLOAD_URL_LIFETIME)
            await self.picker.upload(
                [ft.FilePickerUploadFile(upload_url=url, method="PUT", id=picked.id, name=picked.name)]
            )
            while True:
                event = await asyncio.wait_for(queue.get(), UPLOAD_TIMEOUT)
                if event.error:
                    return FileScan(name=picked.name, error_key="scanner.upload_failed")
                if event.progress is not None and event.progress >= 1.0:
                    break
            on_progress("scanner.decoding")
            path = Path(upload_dir) / relative
            return await self._decode(picked.name, str(path))
        except Exception:  # no upload storage configured, timeout, client error
            log.info("uploading %s failed", picked.name, exc_info=True)
            return FileScan(name=picked.name, error_key="scanner.upload_failed")
        finally:
            self._uploads.pop(picked.name, None)
            with contextlib.suppress(OSError):
                shutil.rmtree(Path(upload_dir) / folder)

    def _on_upload(self, e: ft.FilePickerUploadEvent) -> None:
        queue = self._uploads.get(e.file_name)
        if queue is not None:
            queue.put_nowait(e)


def _safe_name(name: str) -> str:
    """A file name that cannot leave the upload folder and that every file system accepts."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "upload"
    return cleaned[:100]
