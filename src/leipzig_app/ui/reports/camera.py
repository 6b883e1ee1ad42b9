"""Taking a report photo with the camera (flet-camera) on phones and in browsers.

Offered only where flet-camera renders (Android, iOS, web); everywhere else, and whenever the camera is
refused or missing, the file picker stays the way to add a photo. The picture goes through the same
privacy processing as a picked one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import flet as ft

from leipzig_app.ui.widgets.common import primary_button, secondary_button

if TYPE_CHECKING:
    from leipzig_app.ui.reports.photos import PhotoSteps

log = logging.getLogger(__name__)
START_TIMEOUT = 10.0


def camera_available(page: ft.Page) -> bool:
    if not (page.web or page.platform in (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS)):
        return False
    try:
        import flet_camera  # noqa: F401
    except ImportError:
        return False
    return True


class CameraCapture:
    def __init__(self, wizard: PhotoSteps):
        self.wizard = wizard
        self.camera: Any = None
        self.ready = False

    def controls(self) -> list[ft.Control]:
        t = self.wizard.t
        if self.camera is None:
            return [
                secondary_button(
                    t("reports.camera.open"),
                    key="reports.camera.open",
                    icon=ft.Icons.PHOTO_CAMERA,
                    on_click=self.open,
                )
            ]
        return [
            ft.Semantics(label=t("reports.camera.preview"), container=True, content=self.camera),
            ft.Row(
                [
                    primary_button(
                        t("reports.camera.shoot"),
                        key="reports.camera.shoot",
                        on_click=self.shoot,
                        disabled=not self.ready,
                    ),
                    secondary_button(
                        t("reports.camera.close"), key="reports.camera.close", on_click=self.close
                    ),
                ],
                wrap=True,
            ),
        ]

    async def open(self, e: Any = None) -> None:
        import flet_camera as fc

        self.camera = fc.Camera(key="reports.camera.preview", height=320, expand=False)
        self.ready = False
        self.wizard.refresh()
        try:
            cameras = await asyncio.wait_for(self.camera.get_available_cameras(), START_TIMEOUT)
            if not cameras:
                raise LookupError("no camera")
            back = [c for c in cameras if c.lens_direction == fc.CameraLensDirection.BACK]
            await asyncio.wait_for(
                self.camera.initialize((back or cameras)[0], fc.ResolutionPreset.HIGH, enable_audio=False),
                START_TIMEOUT,
            )
        except Exception:  # refused, missing, or a platform without the plugin
            log.info("the camera could not be started", exc_info=True)
            self.camera = None
            self.wizard.refresh()
            self.wizard.ctx.announce(self.wizard.t("reports.camera.failed"))
            return
        self.ready = True
        self.wizard.refresh()

    async def shoot(self, e: Any = None) -> None:
        if self.camera is None:
            return
        try:
            data = await asyncio.wait_for(self.camera.take_picture(), START_TIMEOUT)
        except Exception:  # the camera went away meanwhile
            log.info("taking a picture failed", exc_info=True)
            data = None
        await self.close()
        if not data:
            self.wizard.ctx.announce(self.wizard.t("reports.camera.failed"))
            return
        await self.wizard.add_photo(bytes(data))

    async def close(self, e: Any = None) -> None:
        self.camera, self.ready = None, False
        with contextlib.suppress(Exception):
            self.wizard.refresh()
