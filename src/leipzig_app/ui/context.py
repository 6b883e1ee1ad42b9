"""What every view receives: the page, the services, the profile, the translator and shell actions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import flet as ft

from leipzig_app.domain.profile import CityProfile
from leipzig_app.domain.settings import Preferences
from leipzig_app.i18n import Translator
from leipzig_app.services.container import AppServices


@dataclass
class ViewContext:
    page: ft.Page
    services: AppServices
    t: Translator
    prefs: Preferences
    #: Tell screen-reader users (and everyone, in the status line) that something changed.
    announce: Callable[[str], None]
    #: Show a section or a sub-route, e.g. "/news" or "/notices/manual".
    navigate: Callable[[str], None]
    #: Rebuild the whole shell (after a language, theme or city change), then announce a message key.
    refresh: Callable[..., None]
    #: Run a coroutine function each time the app comes back to the foreground while this screen is
    #: shown (the resident returns from a payment page, a banking app or a mail); forgotten on navigation.
    on_resume: Callable[[Callable[[], Awaitable[None]]], None] = field(default=lambda callback: None)
    #: Run a coroutine function once when this screen is replaced by another (the resident taps another
    #: tab, goes back, or the shell is rebuilt) or its page's session ends (`Shell.close`; the page may be
    #: gone then, so no UI work is seen): give back what the screen holds, e.g. a reserved time.
    on_leave: Callable[[Callable[[], Awaitable[None]]], None] = field(default=lambda callback: None)

    @property
    def profile(self) -> CityProfile:
        return self.services.profile

    @property
    def narrow(self) -> bool:
        """Phone-sized layout (below 600 logical pixels)."""
        width = self.page.width or 0
        return bool(width) and width < 600
