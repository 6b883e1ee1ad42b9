"""The app shell: theme, language, navigation (bottom bar on phones, rail on wide screens) and status line.

One `Shell` per Flet page (each browser tab or phone app has its own). Sections are built on demand from
`sections.py`; a section that fails to build shows an error in place instead of taking the app down.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import flet as ft

from leipzig_app.i18n import EASY_GERMAN, Translator
from leipzig_app.services.container import AppServices
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.nav_labels import LabelMode, label_mode, label_scale
from leipzig_app.ui.sections import Section, section_for_route, visible_sections
from leipzig_app.ui.theme import build_themes, theme_mode
from leipzig_app.ui.widgets.common import error_banner, icon_button

log = logging.getLogger(__name__)

NARROW_BREAKPOINT = 600
#: The widest the content column gets beside the rail (logical px). Lines of text across a whole desktop
#: window (150 characters and more) are hard to follow back to the next line's start (WCAG 1.4.8 advises
#: at most 80 characters), and a full-width "Neue Meldung" button looks broken. At 720 px a line of the
#: screens' 14 px body text holds about 100 characters, one of 16 px text about 85, and at 200 % text
#: about 50; chips, cards, forms, the map and the viewfinder (at most 560 px) still have room. The column
#: is centred in the space beside the rail; phones (below NARROW_BREAKPOINT) keep the whole width.
CONTENT_MAX_WIDTH = 720
#: Size of the hidden text that measures the device's text scale (its line is exactly this high at 100 %).
PROBE_SIZE = 40.0

_LABEL_BEHAVIOR = {
    LabelMode.ALL: ft.NavigationBarLabelBehavior.ALWAYS_SHOW,
    LabelMode.SELECTED: ft.NavigationBarLabelBehavior.ONLY_SHOW_SELECTED,
    LabelMode.NONE: ft.NavigationBarLabelBehavior.ALWAYS_HIDE,
}

#: Bundled fonts (assets/fonts/) for languages whose script the default font lacks; Latin falls back to it.
#: A message announced this shortly (seconds) before the route changes within a section belongs to the
#: screen that comes next (a screen says "Termin aus der Liste entfernt." and shows the list); an older one
#: was about the screen being left and goes with it. A change of section always clears the status line.
STATUS_CARRIES_OVER_S = 1.0

SCRIPT_FONTS = {"ar": ("Noto Sans Arabic", "fonts/NotoSansArabic-Regular.ttf")}

_LOCALES = {"de": ("de", "DE"), "en": ("en", "GB"), "uk": ("uk", "UA"), "ar": ("ar", "")}


class Shell:
    def __init__(self, page: ft.Page, services: AppServices):
        self.page = page
        self.services = services
        self.prefs = services.settings.load()
        self.t = self._translator()
        self.sections = visible_sections(services.profile.modules)
        self.current: Section = self.sections[0]
        self.route = "/"
        self._narrow: bool | None = None
        self._label_mode: LabelMode | None = None
        #: The phone's or browser's own text size (200 % = 2.0), measured by `probe` once it is drawn.
        self.device_text_scale = 1.0
        self.status = ft.Text("", key="shell.status", color=ft.Colors.ON_SURFACE_VARIANT)
        self._status_at = float("-inf")  # when the status line last got a message (time.monotonic)
        self.content = ft.Container(expand=True, key="shell.content")
        self.probe = self._text_scale_probe()
        #: What the shown screen wants done when the app returns to the foreground (see ViewContext).
        self._resume_callbacks: list[Callable[[], Awaitable[None]]] = []
        #: What the shown screen wants done when it is replaced (see ViewContext.on_leave).
        self._leave_callbacks: list[Callable[[], Awaitable[None]]] = []
        #: The page's session has ended (see `close`): the shown screen has been left for good.
        self.closed = False
        #: A rebuild was asked for while the page had no connection; it is done when the page is back.
        self._rebuild_on_connect = False

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> None:
        page = self.page
        page.title = self.services.profile.app_name
        page.on_resize = self._on_resize
        page.on_route_change = self._on_route_change
        page.on_app_lifecycle_state_change = self._on_lifecycle
        page.on_connect = self._on_connect
        page.padding = 0
        self._apply_preferences()
        initial = page.route if page.route else "/"
        self.show(initial)

    async def close(self) -> None:
        """The page's session ended: the shown screen is left, so its `on_leave` callbacks run, once.

        The composition root calls this from `page.on_close`, not `on_disconnect`. In Flet 1.0.5 web mode a
        closed tab, a reload, a sleeping laptop or a network change all end the WebSocket alike: flet_web
        then fires `disconnect` and keeps the session (and this shell, with a wizard and its held time) for
        the session timeout (Flet's default 3600 s; `cli/run.py` sets 300 s), so that the same page can
        reconnect (`connect`) and carry on. Only when that time is up is the session evicted and
        `Session.close` fires `close`, once; nothing reconnects to it afterwards. A desktop window closes its
        session at once. The connection is gone by then, so the callbacks are awaited here rather than
        started with `run_task`.
        """
        if self.closed:
            return
        self.closed = True
        self._resume_callbacks = []
        leaving, self._leave_callbacks = self._leave_callbacks, []
        for callback in leaving:
            try:
                await callback()
            except Exception as error:  # noqa: BLE001 - one screen's clean-up must not stop the others
                log.warning("a screen's leave callback failed on close: %s", type(error).__name__)

    def _translator(self) -> Translator:
        language = (
            EASY_GERMAN if self.prefs.easy_language and self.prefs.language == "de" else self.prefs.language
        )
        return Translator(language)

    def _apply_preferences(self) -> None:
        page = self.page
        family: str | None = None
        if self.t.base_language in SCRIPT_FONTS:
            # Roboto has no Arabic letters, and Flutter's web client would fetch them from Google's font
            # servers: offline they never come (empty boxes), online the resident's address goes to Google.
            family, asset = SCRIPT_FONTS[self.t.base_language]
            page.fonts = {family: asset}
        light, dark = build_themes(self.services.profile.colors, self.prefs.text_scale, family)
        page.theme, page.dark_theme = light, dark
        page.theme_mode = theme_mode(self.prefs.theme)
        page.rtl = self.t.rtl
        lang, country = _LOCALES.get(self.t.base_language, ("de", "DE"))
        page.locale_configuration = ft.LocaleConfiguration(
            supported_locales=[
                ft.Locale(*_LOCALES[code]) for code in self.services.profile.languages if code in _LOCALES
            ],
            current_locale=ft.Locale(lang, country),
        )

    def refresh(self, announce_key: str | None = None) -> None:
        """Re-read preferences and rebuild everything (language, theme or text size changed).

        `announce_key` is announced afterwards, in the new language.
        """
        self.prefs = self.services.settings.load()
        self.t = self._translator()
        self.sections = visible_sections(self.services.profile.modules)
        self.page.title = self.services.profile.app_name
        self._apply_preferences()
        self._narrow = None
        self.show(self.route)
        if announce_key:
            self.announce(self.t(announce_key))

    # --- navigation ----------------------------------------------------------------------------------

    def _is_narrow(self) -> bool:
        width = self.page.width
        return bool(width) and float(width) < NARROW_BREAKPOINT  # type: ignore[arg-type]

    def _on_resize(self, e: Any) -> None:
        if self._is_narrow() != self._narrow or (self._narrow and self._bar_label_mode() != self._label_mode):
            self._layout()
            self.page.update()

    # --- the device's text size ----------------------------------------------------------------------

    def _text_scale_probe(self) -> ft.Control:
        """An invisible line of text whose drawn height tells the device's text scale: Flet does not pass
        that setting on, and the bottom bar needs it to know which labels fit (see `nav_labels`)."""
        return ft.Container(
            left=0,
            top=0,
            opacity=0,
            ignore_interactions=True,
            content=ft.Semantics(
                exclude_semantics=True,
                content=ft.Text(
                    "M",
                    key="shell.text_scale_probe",
                    style=ft.TextStyle(size=PROBE_SIZE, height=1.0),
                    no_wrap=True,
                    size_change_interval=100,
                    on_size_change=self._on_probe_size,
                ),
            ),
        )

    def _on_probe_size(self, e: Any) -> None:
        height = float(getattr(e, "height", 0) or 0)
        if height <= 0:
            return
        scale = round(height / PROBE_SIZE, 2)
        if abs(scale - self.device_text_scale) < 0.05:
            return
        self.device_text_scale = scale
        if self._narrow and self._bar_label_mode() != self._label_mode:
            self._layout()
            self.page.update()

    def _bar_labels(self) -> list[str]:
        return [self.t(f"nav.bar.{s.id}") for s in self.sections]

    def _bar_label_mode(self) -> LabelMode:
        width = float(self.page.width or 0)
        scale = label_scale(self.prefs.text_scale, self.device_text_scale)
        return label_mode(self._bar_labels(), self.sections.index(self.current), width, scale)

    def _on_lifecycle(self, e: Any) -> None:
        state = getattr(e, "state", None)
        if getattr(state, "value", state) != ft.AppLifecycleState.RESUME.value:
            return
        for callback in list(self._resume_callbacks):
            self.page.run_task(callback)

    def _on_route_change(self, e: Any) -> None:
        route = getattr(e, "route", None) or self.page.route or "/"
        if route != self.route:
            self.show(route)

    def navigate(self, route: str) -> None:
        self.show(route)

    def _select(self, index: int) -> None:
        if 0 <= index < len(self.sections):
            self.show(self.sections[index].route)

    def on_ready(self) -> None:
        """Every feature is wired now: rebuild a section that was waiting, or Home if start-up found problems
        (Home's cards wait for readiness by themselves)."""
        if self.current.id != "home" or self.services.problems:
            self.show(self.route)

    def _connected(self) -> bool:
        try:
            return self.page.session.connection is not None
        except RuntimeError:  # the session is gone
            return False

    def _on_connect(self, e: Any) -> None:
        """The page is back after its connection dropped (flet_web sends it the whole page again)."""
        if self._rebuild_on_connect:
            self._rebuild_on_connect = False
            self.show(self.route)

    def show(self, route: str) -> None:
        if self.closed:  # nobody will see it, and its screen would never be told to leave
            return
        self.route = route or "/"
        if not self._connected():
            # A page without connection (a dropped network, a tab being closed) cannot start a screen's
            # work (Home loads its cards in tasks of the page): build the screen when the page is back.
            self._rebuild_on_connect = True
            return
        section = section_for_route(self.route, self.sections)
        if section is not self.current or time.monotonic() - self._status_at > STATUS_CARRIES_OVER_S:
            # A status about another section or screen ("Schritt 1: ...", "Die Codes passen nicht
            # zusammen") would be read as if it were about this one.
            self.status.value = ""
        self.current = section
        self._resume_callbacks = []  # they belonged to the screen that is replaced now
        leaving, self._leave_callbacks = self._leave_callbacks, []
        for callback in leaving:
            self.page.run_task(callback)
        self.content.content = self._build_section(self.current, self.route)
        self._layout()
        self.page.update()

    def _context(self) -> ViewContext:
        return ViewContext(
            page=self.page,
            services=self.services,
            t=self.t,
            prefs=self.prefs,
            announce=self.announce,
            navigate=self.navigate,
            refresh=self.refresh,
            on_resume=self._resume_callbacks.append,
            on_leave=self._leave_callbacks.append,
        )

    def _build_section(self, section: Section, route: str) -> ft.Control:
        if section.id != "home" and not self.services.is_ready():
            return ft.Container(
                key=f"{section.id}.starting",
                padding=24,
                alignment=ft.Alignment.TOP_CENTER,
                content=ft.ProgressRing(semantics_label=self.t("common.loading")),
            )
        try:
            module = importlib.import_module(section.module)
            control: ft.Control = module.build(self._context(), route)
            return control
        except Exception:  # a broken view must not take the whole app down
            log.exception("building section %s failed", section.id)
            return ft.Container(
                padding=16, content=error_banner(self.t("shell.section_failed"), key=f"{section.id}.failed")
            )

    # --- layout --------------------------------------------------------------------------------------

    def _layout(self) -> None:
        narrow = self._is_narrow()
        self._narrow = narrow
        t = self.t
        index = self.sections.index(self.current)
        page = self.page
        page.appbar = ft.AppBar(
            title=ft.Semantics(
                header=True,
                content=ft.Text(
                    t(self.current.label_key) if self.current.id != "home" else self.services.profile.app_name
                ),
            ),
            bgcolor=ft.Colors.PRIMARY,
            color=ft.Colors.ON_PRIMARY,
            actions=[
                icon_button(
                    ft.Icons.SETTINGS_OUTLINED,
                    t("nav.settings"),
                    key="nav.settings",
                    on_click=lambda e: self.show("/more/settings"),
                )
            ],
        )
        status: ft.Control = ft.Container(self.status, padding=ft.Padding.symmetric(horizontal=16))
        content: ft.Control = ft.Container(self.content, expand=True)
        if not narrow:
            content = _centred_column(self.content, key="shell.column", fill_height=True)
            status = _centred_column(status, key="shell.status_column", fill_height=False)
        body = ft.Column(
            [content, ft.Semantics(live_region=True, container=True, content=status)],
            expand=True,
            spacing=0,
        )
        if narrow:
            # Short labels (nav.bar.*) where the full name does not fit a sixth of a phone's width.
            self._label_mode = self._bar_label_mode()
            page.navigation_bar = ft.NavigationBar(
                key="nav.bar",
                selected_index=index,
                label_behavior=_LABEL_BEHAVIOR[self._label_mode],
                on_change=lambda e: self._select(int(e.control.selected_index)),
                destinations=[
                    ft.NavigationBarDestination(
                        icon=s.icon, selected_icon=s.selected_icon, label=label, key=f"nav.{s.id}"
                    )
                    for s, label in zip(self.sections, self._bar_labels(), strict=True)
                ],
            )
            main: ft.Control = ft.SafeArea(body, expand=True)
        else:
            self._label_mode = None
            page.navigation_bar = None
            rail = ft.NavigationRail(
                key="nav.rail",
                selected_index=index,
                label_type=ft.NavigationRailLabelType.ALL,
                min_width=88,
                on_change=lambda e: self._select(int(e.control.selected_index)),
                destinations=[
                    ft.NavigationRailDestination(
                        icon=s.icon, selected_icon=s.selected_icon, label=t(s.label_key), key=f"nav.{s.id}"
                    )
                    for s in self.sections
                ],
            )
            # No gap between rail, divider and content: the content column is centred in what is left.
            main = ft.SafeArea(
                ft.Row([rail, ft.VerticalDivider(width=1), body], expand=True, spacing=0), expand=True
            )
        # The probe lies behind the app, invisible, untouchable and silent to screen readers.
        page.controls = [ft.Stack([self.probe, main], fit=ft.StackFit.EXPAND, expand=True)]

    # --- announcements -------------------------------------------------------------------------------

    def announce(self, message: str) -> None:
        """Show the message in the status line (a live region) and ask the platform to read it out."""
        self.status.value = message
        self._status_at = time.monotonic()
        with contextlib.suppress(Exception):
            self.status.update()
        # The page may have closed while the work that announces was finishing (its session is gone or
        # has no connection any more): then there is nobody to tell.
        try:
            loop = self.page.session.connection.loop
        except (RuntimeError, AttributeError):
            return
        if not loop.is_closed():
            self.page.run_task(self._announce_platform, message)

    async def _announce_platform(self, message: str) -> None:
        with contextlib.suppress(Exception):
            service = ft.SemanticsService()
            await asyncio.wait_for(service.announce_message(message, rtl=self.t.rtl), timeout=2)


def _centred_column(control: ft.Control, *, key: str, fill_height: bool) -> ft.Control:
    """`control` at most CONTENT_MAX_WIDTH wide, centred in the width there is.

    Flet has no box constraints for a plain container, but Flutter clamps a container's width to the room
    its parent offers: inside a Row, a loosely expanding child that asks for CONTENT_MAX_WIDTH gets exactly
    that on a wide window and the whole room when there is less (a narrow window, the rail grown by 200 %
    text), without the server having to know how wide the rail is drawn. The screen inside keeps its own
    scrolling, so the wheel scrolls it wherever the pointer is over the column.
    """
    return ft.Row(
        [ft.Container(control, key=key, width=CONTENT_MAX_WIDTH, expand=True, expand_loose=True)],
        alignment=ft.MainAxisAlignment.CENTER,
        vertical_alignment=ft.CrossAxisAlignment.STRETCH if fill_height else ft.CrossAxisAlignment.START,
        spacing=0,
        expand=fill_height,
    )


async def run_shell(page: ft.Page, services: AppServices) -> Shell:
    shell = Shell(page, services)
    shell.start()
    return shell
