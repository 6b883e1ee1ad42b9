"""The services the views receive, handed to the view tree once by the composition root.

Feature services are filled in by `leipzig_app.app`; a feature whose backend the city does not offer (or
that failed to start) stays None and its view says so honestly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.profile import CityChoice, CityProfile
from leipzig_app.services.settings import SettingsService


@dataclass
class AppServices:
    profile: CityProfile
    settings: SettingsService
    #: Problems found while starting (bad profile, demo city not started, ...), shown on the home screen.
    problems: list[AppError] = field(default_factory=list)
    #: Cities the resident can switch to in Settings (the shipped profiles).
    cities: tuple[CityChoice, ...] = ()
    news: Any = None
    appointments: Any = None
    reports: Any = None
    #: Drafts of the report wizard (services/report_drafts.py), wired with `reports`.
    report_drafts: Any = None
    notices: Any = None
    scanner: Any = None
    hub: Any = None
    #: Long-running jobs (outbox sync, feed refresh), started once per runtime when the first page opens.
    background: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: Clean-ups run when the runtime closes: one-off work a service started on its own (a background fetch)
    #: is stopped before the HTTP client and the event loop go away. Kept across city switches.
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    #: Incremented whenever the features are (re)wired, so jobs of a previous city are replaced.
    generation: int = 0
    #: True once every feature is wired; views of features wait for it (see `when_ready`).
    is_ready: Callable[[], bool] = lambda: True
    #: Waits until every feature is wired (the demo city may still be starting when the first page opens).
    when_ready: Callable[[], Awaitable[None]] | None = None
    #: Called when the resident switches the city profile; the composition root rebuilds everything.
    switch_city: Callable[[str], Awaitable[None]] | None = None


@dataclass(frozen=True)
class HomeItem:
    """One line on a home card: a title, a secondary line and where tapping it leads."""

    title: str
    subtitle: str = ""
    route: str = ""


@dataclass(frozen=True)
class HomeCard:
    """What a feature shows on the home screen. Texts in `items` are data (titles, dates) already formatted
    for the language given to `home_card`; the card's own title and empty text are message keys."""

    items: tuple[HomeItem, ...] = ()
    #: A message key explaining a problem (offline, not configured) instead of items, or None.
    problem_key: str | None = None
    stale: bool = False


class HomeCardProvider:
    """Implemented by feature services that put a card on the home screen."""

    async def home_card(self, language: str) -> HomeCard:  # pragma: no cover - interface
        raise NotImplementedError
