"""One visit of the news section: from entering it until the reader goes elsewhere or the page closes.

"Neu" marks the items first seen since the previous visit. Within a visit the list is built again and
again (back from an item, after a language change), and each build must compare against the same
moment, or opening one item would clear every marker. So the baseline is taken once, at the first
list of a visit, and kept in the page's session; the visit ends when a screen outside the news section
replaces a news screen, or when the page's session ends.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from flet.messaging.session_store import SessionStore

from leipzig_app.services.news import NewsService
from leipzig_app.ui.context import ViewContext

_KEY = "news.visit"


@dataclass
class Visit:
    """The current visit of one page: which service it is for, and the previous visit's moment."""

    service: NewsService
    #: The screens of the section built in this visit so far.
    screens: int = 0
    started: bool = False
    baseline: datetime | None = None

    def begin(self) -> datetime | None:
        """The moment items are new against: taken (and now recorded as the last visit) once per visit."""
        if not self.started:
            self.started = True
            self.baseline = self.service.last_visit()
            self.service.mark_visited()
        return self.baseline


def current_visit(ctx: ViewContext, service: NewsService) -> Visit:
    """The visit this news screen belongs to (a new one when the page was elsewhere before)."""
    store = _store(ctx)
    visit = store.get(_KEY) if store is not None else None
    if not isinstance(visit, Visit) or visit.service is not service:
        visit = Visit(service)
        if store is not None:
            store.set(_KEY, visit)
    visit.screens += 1
    built = visit.screens

    async def left() -> None:
        # Leave callbacks run after the next screen is built: a news screen built since continues the
        # visit; anything else (another section, the page closed) ends it.
        if store is not None and store.get(_KEY) is visit and visit.screens == built:
            store.remove(_KEY)

    ctx.on_leave(left)
    return visit


def _store(ctx: ViewContext) -> SessionStore | None:
    with contextlib.suppress(Exception):  # a page without a session (not connected) keeps no visit
        return ctx.page.session.store
    return None
