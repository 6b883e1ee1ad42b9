"""The "Scannen" screen: live camera where there is one, a photo or file always, manual entry always.

Codes read (live or from a file) go one of two ways. A letter's codes - a signed notice code or a GiroCode
among them - are handed to the notice screen (`ui/notices/flow.py: open_codes`), which shows them under
`/scanner/notice`. Anything else is shown here as text, a link with its domain first, each with a copy
button; nothing is opened without the resident's confirmation.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import logging
from collections.abc import Callable, Sequence
from typing import Any

import flet as ft

from leipzig_app.domain.notices.code import looks_like_notice_code
from leipzig_app.domain.notices.girocode import is_girocode
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.scanner.files import FileScan, FileScanner
from leipzig_app.ui.scanner.live import LivePanel
from leipzig_app.ui.scanner.ports import ScannerPorts
from leipzig_app.ui.scanner.results import CodeList
from leipzig_app.ui.widgets.common import error_banner, heading, primary_button, secondary_button

log = logging.getLogger(__name__)

NOTICE_FLOW = "leipzig_app.ui.notices.flow"
MANUAL_ROUTE = "/scanner/manual"


def belongs_to_notice(texts: Sequence[str]) -> bool:
    """Whether the codes are a letter's: a notice code or a GiroCode among them."""
    return any(looks_like_notice_code(text) or is_girocode(text) for text in texts)


class ScannerRoot(ft.Container):
    """The screen's root control: starts the camera when shown, releases it when the resident leaves."""

    when_shown: Callable[[], None] | None = None
    when_hidden: Callable[[], None] | None = None

    def did_mount(self) -> None:
        super().did_mount()  # type: ignore[no-untyped-call]
        if self.when_shown is not None:
            self.when_shown()

    def will_unmount(self) -> None:
        if self.when_hidden is not None:
            self.when_hidden()
        super().will_unmount()  # type: ignore[no-untyped-call]


class ScannerScreen:
    """Builds the screen and reacts to its buttons; one instance per visit."""

    def __init__(self, ctx: ViewContext, ports: ScannerPorts) -> None:
        self.ctx = ctx
        self.ports = ports
        t = ctx.t
        self.live = LivePanel(ctx, ports, self._codes_found)
        self.files = FileScanner(ctx.page, ports)
        self.results = CodeList(ctx)
        self.message = ft.Container(key="scanner.message", visible=False)
        self.progress = ft.Row(
            [ft.ProgressRing(width=20, height=20), ft.Text("", key="scanner.progress.text")],
            key="scanner.progress",
            visible=False,
            wrap=True,
        )
        self.pick_button = primary_button(
            t("scanner.pick"), key="scanner.pick", icon=ft.Icons.IMAGE_SEARCH, on_click=self._pick
        )
        self.again = secondary_button(
            t("scanner.again"), key="scanner.again", icon=ft.Icons.QR_CODE_SCANNER, on_click=self._scan_again
        )
        self.again.visible = False
        self._busy = False

    def build(self) -> ft.Control:
        t = self.ctx.t
        body = ft.Column(
            [
                heading(t("scanner.title"), key="scanner.title"),
                ft.Text(t("scanner.intro")),
                self.live.control,
                ft.Row(
                    [
                        self.pick_button,
                        secondary_button(
                            t("scanner.manual"),
                            key="scanner.manual",
                            icon=ft.Icons.EDIT_NOTE,
                            on_click=lambda e: self.ctx.navigate(MANUAL_ROUTE),
                        ),
                        self.again,
                    ],
                    wrap=True,
                    spacing=8,
                    run_spacing=8,
                ),
                self.progress,
                self.message,
                self.results.control,
            ],
            spacing=16,
            scroll=ft.ScrollMode.AUTO,
            expand=True,
        )
        root = ScannerRoot(content=body, padding=ft.Padding.all(16), expand=True, key="scanner.screen")
        root.when_shown = self.live.start_soon
        root.when_hidden = self.live.stop
        return root

    # --- codes found ------------------------------------------------------------------------------------

    async def _codes_found(self, texts: tuple[str, ...]) -> None:
        """Live scan finished with a stable set of codes."""
        self.again.visible = True
        await self._show_codes(texts)
        self._update()

    async def _show_codes(self, texts: Sequence[str]) -> None:
        t = self.ctx.t
        count = len(texts)
        self.ctx.announce(t("scanner.found_one") if count == 1 else t("scanner.found", count=count))
        if belongs_to_notice(texts):
            open_codes = _notice_flow()
            if open_codes is not None:
                self.live.stop()
                result = open_codes(self.ctx, list(texts))
                if inspect.isawaitable(result):
                    result = await result
                if result is not None:
                    return
                # Nothing could be opened (the notice screen announced why): keep the codes visible.
                self.results.show(texts, note=t("scanner.result.not_opened"))
                return
            self.results.show(texts, note=t("scanner.notice_unavailable"))
            return
        self.results.show(texts)

    # --- photo or file ----------------------------------------------------------------------------------

    async def _pick(self) -> None:
        if self._busy:
            return
        self._busy = True
        self.pick_button.disabled = True
        self._clear_message()
        self.results.clear()
        self._update()
        try:
            scan = await self.files.pick_and_scan(self.ctx.t("scanner.pick.dialog"), self._progress)
        finally:
            self._busy = False
            self.pick_button.disabled = False
            self.progress.visible = False
        if scan is not None:
            await self._file_result(scan)
        self._update()

    def _progress(self, key: str) -> None:
        text = self.ctx.t(key)
        self.progress.visible = True
        label = self.progress.controls[1]
        if isinstance(label, ft.Text):
            label.value = text
        self._update()
        self.ctx.announce(text)

    async def _file_result(self, scan: FileScan) -> None:
        t = self.ctx.t
        if scan.error_key is not None:
            self._show_message(t(scan.error_key, **(scan.error_params or {})))
            return
        outcome = scan.outcome
        if outcome is None or not outcome.codes:
            self._show_message(t("scanner.no_codes"))
            return
        self.live.stop()
        self.again.visible = True
        await self._show_codes(outcome.texts)

    def _show_message(self, text: str) -> None:
        self.message.content = error_banner(text, key="scanner.error")
        self.message.visible = True
        self.ctx.announce(text)

    def _clear_message(self) -> None:
        self.message.content = None
        self.message.visible = False

    # --- again --------------------------------------------------------------------------------------------

    def _scan_again(self) -> None:
        self.results.clear()
        self._clear_message()
        self.again.visible = False
        self.live.stop()
        self.live.start()

    def _update(self) -> None:
        with contextlib.suppress(Exception):  # the resident may have left the screen meanwhile
            self.ctx.page.update()


def _notice_flow() -> Callable[[ViewContext, list[str]], Any] | None:
    """`open_codes(ctx, texts)` of the notice screen, or None while that screen is not part of the app."""
    try:
        module = importlib.import_module(NOTICE_FLOW)
    except ModuleNotFoundError as error:
        if error.name not in (NOTICE_FLOW, NOTICE_FLOW.rsplit(".", 1)[0]):
            raise
        return None
    function = getattr(module, "open_codes", None)
    return function if callable(function) else None
