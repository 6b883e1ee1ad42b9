"""How the scanner hands a letter to the notice screen (the contract between the two sections).

The scanner section owns the routes under "/scanner". It:
1. calls `await open_codes(ctx, texts)` with the decoded texts of ALL codes found on ONE letter (a signed
   notice code and a GiroCode are compared with each other, so hand them over together). `open_codes`
   inspects them through the letters service, keeps the letter, announces its trust state and navigates
   to "/scanner/notice/<letter id>". It never raises; it returns the letter id, or None when nothing
   could be opened (the reason is announced);
2. routes every route for which `handles(route)` is true ("/scanner/notice", "/scanner/notice/...",
   "/scanner/manual") to `leipzig_app.ui.notices.view.build_notice_view(ctx, route)`;
3. may link to `MANUAL_ROUTE` ("Enter by hand") for letters without a code.
"""

from __future__ import annotations

from collections.abc import Sequence

from leipzig_app.domain.errors import AppError
from leipzig_app.ui.context import ViewContext
from leipzig_app.ui.notices.common import MANUAL_ROUTES, NOTICE_ROUTE, error_text, letter_route

MANUAL_ROUTE = MANUAL_ROUTES[0]


def handles(route: str) -> bool:
    """True for the routes the notice screen builds (the scanner passes them to `build_notice_view`)."""
    path = (route or "").split("?")[0].rstrip("/")
    return path == NOTICE_ROUTE or path.startswith(NOTICE_ROUTE + "/") or path in MANUAL_ROUTES


async def open_codes(ctx: ViewContext, texts: Sequence[str]) -> str | None:
    """Inspect the codes of one letter, keep it and show the notice screen; returns the letter id."""
    service = ctx.services.notices
    if service is None:
        ctx.announce(ctx.t("notices.unavailable"))
        return None
    try:
        letter = await service.open_letter(list(texts))
    except AppError as error:
        ctx.announce(error_text(ctx, error))
        return None
    ctx.navigate(letter_route(letter.id))
    ctx.announce(ctx.t(f"notices.trust.{letter.trust.value}.title"))
    return str(letter.id)


__all__ = ["MANUAL_ROUTE", "NOTICE_ROUTE", "handles", "open_codes"]
