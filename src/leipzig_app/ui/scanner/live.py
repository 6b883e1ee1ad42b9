"""The live viewfinder: camera picture, guidance line, torch and camera switches, and the scan loop.

The loop reads frames from a `FrameSource` and offers each to the service's `LiveScanSession`, which
decodes in a worker thread and drops frames that arrive while it is busy, so the picture never lags. Each
decoded frame updates the outline of the codes found and the guidance line ("Code ins Feld halten",
"Näher heran", "Mehr Licht"). New codes give haptic feedback and are announced; once the set of codes has
stayed the same for a few frames (a letter usually carries two codes), the camera stops, the last picture
stays with the codes marked, and the codes are handed on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import flet as ft
import flet.canvas as cv

from leipzig_app.domain.scanning import ScanError
from leipzig_app.services.scanner import HINT_HOLD_IN_FRAME, LiveScanSession, LiveUpdate
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.scanner.overlay import code_shapes
from leipzig_app.ui.scanner.ports import ScannerPorts
from leipzig_app.ui.scanner.sources import FeedSource, FletCameraSource, FrameSource, LiveFrame
from leipzig_app.ui.widgets.common import secondary_button

log = logging.getLogger(__name__)

#: Pause between frames a source delivers on request (webcam, browser pictures): a few per second.
FRAME_INTERVAL = 0.15
PICTURE_INTERVAL = 0.3
MAX_VIEW_WIDTH = 560.0

OnCodes = Callable[[tuple[str, ...]], Awaitable[None]]


def view_width(page: ft.Page) -> float:
    """The viewfinder's width: the screen minus margins, at most MAX_VIEW_WIDTH (rail on wide screens)."""
    width = float(page.width or 360)
    if width >= 600:
        width -= 100  # the navigation rail
    return max(200.0, min(MAX_VIEW_WIDTH, width - 32))


class LivePanel:
    """One camera session on the scanner screen. `control` goes into the layout; `start`/`stop` drive it."""

    def __init__(self, ctx: ViewContext, ports: ScannerPorts, on_codes: OnCodes) -> None:
        self.ctx = ctx
        self.ports = ports
        self.on_codes = on_codes
        t = ctx.t
        self.width = view_width(ctx.page)
        self.height = round(self.width * 3 / 4)
        self.source: FrameSource | None = None
        self.session: LiveScanSession | None = None
        self.running = False
        #: Whether a camera started on this screen (then the camera switch stays offered).
        self.has_camera = False
        self._generation = 0
        self._decoding: asyncio.Task[None] | None = None
        self._torch_on = False
        self._last_hint = ""
        self.canvas = cv.Canvas(shapes=[], width=self.width, height=self.height, key="scanner.overlay")
        self.picture = ft.Container(
            width=self.width,
            height=self.height,
            bgcolor=ft.Colors.BLACK,
            alignment=ft.Alignment.CENTER,
            content=ft.Icon(ft.Icons.PHOTO_CAMERA_OUTLINED, color=ft.Colors.WHITE_70, size=48),
        )
        self.frame = ft.Stack([self.picture, self.canvas], width=self.width, height=self.height)
        self.viewfinder = ft.Semantics(
            label=t("scanner.viewfinder"),
            image=True,
            content=ft.Container(self.frame, border_radius=12, clip_behavior=ft.ClipBehavior.HARD_EDGE),
            key="scanner.viewfinder",
            visible=False,
        )
        self.hint = ft.Text(
            "",
            key="scanner.hint",
            theme_style=ft.TextThemeStyle.TITLE_MEDIUM,
            text_align=ft.TextAlign.CENTER,
        )
        # The live region is hidden while there is no hint: Flet refuses a Semantics with hidden content
        # (it draws an error box in its place), and an empty line would still take room on a small screen.
        self.hint_region = ft.Semantics(live_region=True, container=True, content=self.hint, visible=False)
        self.status = ft.Text("", key="scanner.camera.status", color=ft.Colors.ON_SURFACE_VARIANT)
        self.torch = secondary_button(
            t("scanner.torch.on"),
            key="scanner.torch",
            icon=ft.Icons.FLASHLIGHT_ON,
            on_click=self._toggle_torch,
        )
        self.torch.visible = False
        self.toggle = secondary_button(
            t("scanner.camera.stop"), key="scanner.camera", icon=ft.Icons.VIDEOCAM_OFF, on_click=self._toggle
        )
        self.toggle.visible = False
        self.control = ft.Column(
            [
                self.viewfinder,
                self.hint_region,
                self.status,
                ft.Row([self.torch, self.toggle], wrap=True, spacing=8, run_spacing=8),
            ],
            spacing=8,
            horizontal_alignment=ft.CrossAxisAlignment.CENTER,
        )
        self._haptics: ft.HapticFeedback | None = None
        with contextlib.suppress(Exception):
            self._haptics = ft.HapticFeedback()

    # --- source per platform ---------------------------------------------------------------------------

    def _make_source(self) -> FrameSource | None:
        page = self.ctx.page
        if page.web or page.platform in (ft.PagePlatform.ANDROID, ft.PagePlatform.IOS):
            try:
                import flet_camera as fc
            except ImportError:
                return None
            camera = fc.Camera(
                key="scanner.camera.preview", width=self.width, height=self.height, content=self.canvas
            )
            self.picture.content = camera
            self.frame.controls = [self.picture]
            return FletCameraSource(camera, web=bool(page.web))
        cameras = self.ports.cameras
        if cameras is None or not cameras.available():
            return None
        return FeedSource(cameras)

    # --- lifecycle -------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the camera (from a handler or on mount); the loop runs as a page task."""
        if self.running:
            return
        self._generation += 1
        self.session = self.ports.service.live_session()
        self.canvas.shapes = []
        source = self._make_source()
        if source is None:
            self._show_status(self.ctx.t("scanner.camera.none"), camera_visible=False)
            return
        self.source = source
        self.running = True
        self._set_hint("")
        self._show_status(self.ctx.t("scanner.camera.starting"), camera_visible=True)
        self.ctx.page.run_task(self._run, self._generation)

    def start_soon(self) -> None:
        """Start once the screen is on the page (called while the page is being sent, so no update yet)."""

        async def start_and_show() -> None:
            self.start()
            self._refresh()

        self.ctx.page.run_task(start_and_show)

    def stop(self) -> None:
        """Stop the loop and release the camera (leaving the screen, or the camera switch)."""
        self.running = False
        self._generation += 1
        source, self.source = self.source, None
        if source is not None:
            with contextlib.suppress(Exception):
                self.ctx.page.run_task(source.stop)

    def _show_status(self, text: str, *, camera_visible: bool) -> None:
        self.status.value = text
        self.status.visible = bool(text)
        self.viewfinder.visible = camera_visible
        self.toggle.visible = self.has_camera
        self.toggle.content = self.ctx.t("scanner.camera.stop" if self.running else "scanner.camera.start")
        self.toggle.icon = ft.Icons.VIDEOCAM_OFF if self.running else ft.Icons.VIDEOCAM
        self.torch.visible = self.running and bool(self.source and self.source.has_torch)

    def _set_hint(self, text: str) -> None:
        self.hint.value = text
        self.hint_region.visible = bool(text)

    def _refresh(self) -> None:
        with contextlib.suppress(Exception):  # the screen may be gone while a frame was in flight
            self.control.update()

    # --- the loop --------------------------------------------------------------------------------------

    async def _run(self, generation: int) -> None:
        source = self.source
        if source is None:
            return
        try:
            started = await source.start()
        except Exception:
            log.info("starting the camera failed", exc_info=True)
            started = False
        if generation != self._generation:
            await source.stop()
            return
        if not started:
            self.running = False
            self.source = None
            self._show_status(self.ctx.t("scanner.camera.failed"), camera_visible=False)
            self._refresh()
            return
        self.has_camera = True
        self._set_hint(self.ctx.t(HINT_HOLD_IN_FRAME))
        self._show_status("", camera_visible=True)
        self._refresh()
        interval = FRAME_INTERVAL if source.draws_preview else PICTURE_INTERVAL
        try:
            while generation == self._generation:
                frame = await source.next_frame()
                if generation != self._generation:
                    break
                if frame is None:
                    self._camera_lost()
                    break
                if frame.preview is not None:
                    self._show_preview(frame)
                self._offer(frame, generation)
                if not source.paces_itself:
                    await asyncio.sleep(interval)
        except Exception:  # the page went away or the client failed: end this session quietly
            log.info("the live scan ended", exc_info=True)
            self.running = False

    def _camera_lost(self) -> None:
        self.stop()
        self._show_status(self.ctx.t("scanner.camera.lost"), camera_visible=True)
        self._refresh()

    def _show_preview(self, frame: LiveFrame) -> None:
        if frame.width and frame.height:
            height = round(self.width * frame.height / frame.width)
            if height != self.height:
                self.height = height
                for control in (self.picture, self.frame, self.canvas):
                    control.height = height
        image = self.picture.content
        if isinstance(image, ft.Image):
            image.src = frame.preview or b""
        else:
            self.picture.content = ft.Image(
                src=frame.preview or b"",
                key="scanner.preview",
                width=self.width,
                height=self.height,
                fit=ft.BoxFit.FILL,
                gapless_playback=True,
                exclude_from_semantics=True,
            )
        self._refresh()

    def _offer(self, frame: LiveFrame, generation: int) -> None:
        if self._decoding is not None and not self._decoding.done():
            if self.session is not None:
                self.session.frames_dropped += 1  # dropped here already: never queue frames
            return
        self._decoding = asyncio.ensure_future(self._decode(frame, generation))

    async def _decode(self, frame: LiveFrame, generation: int) -> None:
        session = self.session
        if session is None:
            return
        try:
            update = await session.offer_async(frame.image)
        except ScanError:
            return  # a broken frame counts as one without codes; the next one follows
        except Exception:
            log.info("decoding a frame failed", exc_info=True)
            return
        if update is None or generation != self._generation:
            return
        await self._apply(update)

    async def _apply(self, update: LiveUpdate) -> None:
        t = self.ctx.t
        outcome = update.outcome
        self.canvas.shapes = code_shapes(
            [code.corners for code in outcome.codes], update.unread, outcome.width, self.width
        )
        self._set_hint(t(update.hint))
        self._refresh()
        if update.new_codes:
            count = len(update.codes)
            self.ctx.announce(t("scanner.found_one") if count == 1 else t("scanner.found", count=count))
            # Not awaited here: a client that never answers must not hold up the next frame.
            with contextlib.suppress(Exception):
                self.ctx.page.run_task(self._buzz)
        if update.complete:
            self.canvas.shapes = code_shapes(
                [code.corners for code in update.codes], (), outcome.width, self.width
            )
            self.stop()
            self._show_status(t("scanner.highlighted"), camera_visible=True)
            self._refresh()
            await self.on_codes(tuple(code.text for code in update.codes))

    async def _buzz(self) -> None:
        if self._haptics is None:
            return
        with contextlib.suppress(Exception):  # desktops and browsers have no vibration motor
            await asyncio.wait_for(self._haptics.medium_impact(), 2)  # type: ignore[no-untyped-call]

    # --- buttons ---------------------------------------------------------------------------------------

    def _toggle(self) -> None:
        if self.running:
            self.stop()
            self.canvas.shapes = []
            self._set_hint("")
            self._show_status(self.ctx.t("scanner.camera.off"), camera_visible=False)
        else:
            self.start()

    async def _toggle_torch(self) -> None:
        source = self.source
        if source is None:
            return
        wanted = not self._torch_on
        if await source.set_torch(wanted):
            self._torch_on = wanted
        self.torch.visible = source.has_torch
        self.torch.content = self.ctx.t("scanner.torch.off" if self._torch_on else "scanner.torch.on")
        self.torch.icon = ft.Icons.FLASHLIGHT_OFF if self._torch_on else ft.Icons.FLASHLIGHT_ON
