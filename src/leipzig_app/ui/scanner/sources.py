"""Where live frames come from, per platform, behind one small interface.

- Android and iOS: the flet-camera control streams frames (`start_image_stream`, one JPEG per event);
  only the newest frame is kept, older ones are dropped.
- Web: the same control, but browsers offer no frame stream, so pictures are taken in a loop.
- Desktop: flet-camera does not render there; a webcam is read through the `CameraProvider` port (OpenCV in
  production) and its JPEG preview is shown in an image that the screen refreshes a few times a second.

Every source answers `start()` with False instead of raising when there is no camera, access is denied or
the device fails, so the screen can fall back to the file picker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from leipzig_app.ui.scanner.ports import CameraFeed, CameraProvider

log = logging.getLogger(__name__)

#: How long the camera control may take to list devices or start (a permission prompt counts here).
START_TIMEOUT = 30.0
#: How long one picture may take before the web source gives up on the camera.
PICTURE_TIMEOUT = 10.0


@dataclass(frozen=True)
class LiveFrame:
    """A frame for the decoder (`image`: array or encoded bytes) and, where the screen must draw the
    picture itself, a JPEG `preview`."""

    image: Any
    preview: bytes | None = None
    #: Pixel size of the frame when the source knows it (0: unknown until decoded).
    width: int = 0
    height: int = 0


class FrameSource:
    """The interface the live scanner drives; subclasses implement one kind of camera."""

    #: Whether the camera has a torch the resident may switch on.
    has_torch: bool = False
    #: Whether the screen must show `LiveFrame.preview` itself (False: the control shows its own preview).
    draws_preview: bool = False

    @property
    def paces_itself(self) -> bool:
        """True when frames arrive at the camera's own pace (a stream), so the loop must not wait."""
        return False

    async def start(self) -> bool:
        raise NotImplementedError

    async def next_frame(self) -> LiveFrame | None:
        """The next frame, or None when the camera stopped delivering."""
        raise NotImplementedError

    async def set_torch(self, on: bool) -> bool:
        return False

    async def stop(self) -> None:
        raise NotImplementedError


class FeedSource(FrameSource):
    """A desktop webcam (or a test camera) through the `CameraProvider` port; blocking calls in threads."""

    draws_preview = True

    def __init__(self, provider: CameraProvider) -> None:
        self._provider = provider
        self._feed: CameraFeed | None = None

    async def start(self) -> bool:
        try:
            self._feed = await asyncio.to_thread(self._provider.open)
        except Exception:  # a provider must not raise, but a broken driver must not break the screen
            log.info("opening the camera failed", exc_info=True)
            self._feed = None
        if self._feed is None:
            return False
        self.has_torch = bool(self._feed.has_torch)
        return True

    async def next_frame(self) -> LiveFrame | None:
        feed = self._feed
        if feed is None:
            return None
        try:
            frame = await asyncio.to_thread(feed.read)
        except Exception:
            log.info("the camera stopped delivering frames", exc_info=True)
            return None
        if frame is None:
            return None
        return LiveFrame(image=frame.image, preview=frame.preview, width=frame.width, height=frame.height)

    async def set_torch(self, on: bool) -> bool:
        feed = self._feed
        if feed is None:
            return False
        try:
            return bool(await asyncio.to_thread(feed.set_torch, on))
        except Exception:
            log.info("switching the torch failed", exc_info=True)
            return False

    async def stop(self) -> None:
        feed, self._feed = self._feed, None
        if feed is not None:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(feed.close)


class FletCameraSource(FrameSource):
    """The flet-camera control on a phone (frame stream) or in a browser (pictures in a loop).

    The control must already be on the page when `start` runs: its methods are calls into the client.
    """

    def __init__(self, camera: Any, *, web: bool) -> None:
        self.camera = camera
        self._web = web
        self._streaming = False
        self._latest: bytes | None = None
        self._arrived = asyncio.Event()
        self._stopped = False
        self.has_torch = not web
        self.aspect_ratio: float | None = None

    async def start(self) -> bool:
        import flet_camera as fc

        try:
            cameras = await asyncio.wait_for(self.camera.get_available_cameras(), START_TIMEOUT)
            if not cameras:
                return False
            back = [c for c in cameras if c.lens_direction == fc.CameraLensDirection.BACK]
            # 1080p, not 720p: a letter's notice code (version 12) needs about 3 px per module, which a
            # page held at arm's length gets in a 1080p frame and not in a 720p one (measured with the
            # benchmark letter, `benchmarks/letters`, at 65 % of the frame's width: at 720p its notice
            # code stayed unread, at 1080p both codes were read).
            await asyncio.wait_for(
                self.camera.initialize(
                    (back or cameras)[0], fc.ResolutionPreset.VERY_HIGH, enable_audio=False
                ),
                START_TIMEOUT,
            )
            if not self._web and await self.camera.supports_image_streaming():
                self.camera.on_stream_image = self._on_stream_image
                self.camera.update()
                await self.camera.start_image_stream()
                self._streaming = True
        except Exception:  # no device, permission denied, unsupported browser: the file picker remains
            log.info("the camera could not be started", exc_info=True)
            return False
        return True

    @property
    def paces_itself(self) -> bool:
        return self._streaming

    async def _on_stream_image(self, e: Any) -> None:
        # Runs on the page's event loop (async handler), where the asyncio.Event lives. Only the newest
        # frame is kept: a frame that arrives while one waits replaces it.
        self._latest = bytes(e.bytes)
        self._arrived.set()

    async def next_frame(self) -> LiveFrame | None:
        if self._stopped:
            return None
        if self._streaming:
            await self._arrived.wait()
            self._arrived.clear()
            data, self._latest = self._latest, None
            return LiveFrame(image=data) if data else None
        try:
            picture = await asyncio.wait_for(self.camera.take_picture(), PICTURE_TIMEOUT)
        except Exception:
            log.info("taking a picture failed", exc_info=True)
            return None
        return LiveFrame(image=bytes(picture)) if picture else None

    async def set_torch(self, on: bool) -> bool:
        import flet_camera as fc

        try:
            await self.camera.set_flash_mode(fc.FlashMode.TORCH if on else fc.FlashMode.OFF)
        except Exception:  # no flash on this device (or the browser): hide the torch switch
            log.info("switching the torch failed", exc_info=True)
            self.has_torch = False
            return False
        return True

    async def stop(self) -> None:
        self._stopped = True
        self._arrived.set()
        if self._streaming:
            self._streaming = False
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.camera.stop_image_stream(), 5)
        # The last picture stays on screen (with the codes marked) until the camera starts again.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.camera.pause_preview(), 5)
