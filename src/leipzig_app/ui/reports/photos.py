"""The photo part of the report wizard: pick (up to three, or one where the city takes photos by URL),
privacy-process off the UI thread, show the result with its blur areas (untick to keep one visible), offer
the photo's own position with consent."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import flet as ft

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.reports import MAX_PHOTOS, ProcessedPhoto, Region
from leipzig_app.ui.reports.camera import CameraCapture, camera_available
from leipzig_app.ui.reports.form import photo_panel
from leipzig_app.ui.widgets.common import heading, secondary_button

if TYPE_CHECKING:
    from leipzig_app.i18n import Translator
    from leipzig_app.ui.context import ViewContext

log = logging.getLogger(__name__)


@dataclass
class PhotoDraft:
    original: bytes
    processed: ProcessedPhoto
    detected: list[Region]
    kept: set[int] = field(default_factory=set)
    #: Came back from a saved draft: `original` is the processed photo (the original is never kept).
    restored: bool = False


class PhotoSteps:
    """Mixed into `ReportWizard`, which provides the attributes declared here."""

    ctx: ViewContext
    t: Translator
    service_api: Any
    photos: list[PhotoDraft]
    position: tuple[float, float] | None
    camera_capture: CameraCapture | None = None
    #: 1 where the city takes photos by `media_url` (one per request in GeoReport v2).
    max_photos: int = MAX_PHOTOS

    def refresh(self) -> None:
        raise NotImplementedError

    def changed(self, e: Any = None) -> None:
        raise NotImplementedError

    def photo_controls(self) -> list[ft.Control]:
        t = self.t
        controls: list[ft.Control] = [
            heading(t("reports.photos", max=self.max_photos), level=3),
            ft.Text(t("reports.photos.privacy"), color=ft.Colors.ON_SURFACE_VARIANT),
        ]
        if self.max_photos == 1:
            controls.append(ft.Text(t("reports.photos.one_only"), key="reports.photos.one_only"))
        for number, photo in enumerate(self.photos, start=1):
            controls.append(
                photo_panel(
                    t,
                    number,
                    photo.processed,
                    photo.kept,
                    photo.detected,
                    on_toggle=self._toggler(photo),
                    on_remove=self._remover(photo),
                    on_add_area=self._area_adder(photo),
                )
            )
            if photo.restored:
                controls.append(
                    ft.Text(
                        t("reports.draft.photo_saved"),
                        key=f"reports.photo.{number}.saved",
                        color=ft.Colors.ON_SURFACE_VARIANT,
                    )
                )
            gps = photo.processed.gps
            if gps and self.position != gps:
                position = f"{gps[0]:.5f}, {gps[1]:.5f}"
                controls += [
                    ft.Text(t("reports.photos.gps_offer", position=position)),
                    secondary_button(
                        t("reports.photos.gps_use"),
                        key=f"reports.photo.{number}.gps_use",
                        on_click=lambda e, g=gps: self.use_position(g),
                    ),
                ]
        if len(self.photos) < self.max_photos:
            controls.append(
                secondary_button(
                    t("reports.photos.add"),
                    key="reports.photos.add",
                    icon=ft.Icons.ADD_A_PHOTO,
                    on_click=self._pick,
                )
            )
            if camera_available(self.ctx.page):
                if self.camera_capture is None:
                    self.camera_capture = CameraCapture(self)
                controls += self.camera_capture.controls()
        return controls

    def announce_full(self) -> None:
        if self.max_photos == 1:
            self.ctx.announce(self.t("reports.photos.one_only"))
        else:
            self.ctx.announce(self.t("reports.photos.full", max=self.max_photos))

    def _toggler(self, photo: PhotoDraft) -> Callable[[int, bool], None]:
        def toggle(index: int, on: bool) -> None:
            self.ctx.page.run_task(self._toggle_region, photo, index, on)

        return toggle

    def _area_adder(self, photo: PhotoDraft) -> Callable[[int], None]:
        def add(cell: int) -> None:
            width, height = photo.processed.width, photo.processed.height
            row, column = divmod(cell, 3)
            photo.detected.append(
                Region(column * width // 3, row * height // 3, width // 3, height // 3, "manual")
            )
            self.ctx.page.run_task(self._toggle_region, photo, len(photo.detected) - 1, True)

        return add

    def _remover(self, photo: PhotoDraft) -> Callable[[], None]:
        return lambda: self._remove_photo(photo)

    def use_position(self, position: tuple[float, float]) -> None:
        self.position = position
        self.changed()
        self.refresh()
        self.ctx.announce(self.t("reports.gps.done", position=f"{position[0]:.5f}, {position[1]:.5f}"))

    async def _pick(self, e: Any = None) -> None:
        t = self.t
        try:
            files = await ft.FilePicker().pick_files(
                dialog_title=t("reports.photos.add"), file_type=ft.FilePickerFileType.IMAGE, with_data=True
            )
        except Exception:  # no picker on this client
            log.info("the file picker could not be opened", exc_info=True)
            self.ctx.announce(t("reports.photos.failed", reason=t("reports.error.photo")))
            return
        files = files or []
        room = max(0, self.max_photos - len(self.photos))
        if len(files) > room:
            self.announce_full()
        for picked in files[:room]:
            data = bytes(picked.bytes) if picked.bytes is not None else None
            if data is None and picked.path:
                data = await asyncio.to_thread(_read, picked.path)
            if data is None:
                self.ctx.announce(t("reports.photos.failed", reason=t("reports.error.photo")))
                continue
            await self.add_photo(data)

    async def add_photo(self, data: bytes) -> None:
        """Process a picked photo (off the UI thread) and show it as it will be sent."""
        t = self.t
        if len(self.photos) >= self.max_photos:
            self.announce_full()
            return
        self.ctx.announce(t("reports.photos.processing"))
        try:
            processed = await asyncio.to_thread(self.service_api.process_photo, data)
        except AppError as error:
            self.ctx.announce(t("reports.photos.failed", reason=t(error.key, **error.params)))
            return
        self.photos.append(
            PhotoDraft(data, processed, list(processed.regions), kept=set(range(len(processed.regions))))
        )
        self.changed()
        self.refresh()
        self.ctx.announce(t("reports.photos.added", count=len(processed.regions)))

    async def _toggle_region(self, photo: PhotoDraft, index: int, on: bool) -> None:
        if on:
            photo.kept.add(index)
        else:
            photo.kept.discard(index)
        regions = [r for i, r in enumerate(photo.detected) if i in photo.kept]
        try:
            photo.processed = await asyncio.to_thread(self.service_api.process_photo, photo.original, regions)
        except AppError as error:
            self.ctx.announce(self.t(error.key, **error.params))
        self.changed()
        self.refresh()

    def _remove_photo(self, photo: PhotoDraft) -> None:
        self.photos.remove(photo)
        self.changed()
        self.refresh()
        self.ctx.announce(self.t("reports.photos.removed"))


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None
