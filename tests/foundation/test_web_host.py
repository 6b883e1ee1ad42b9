"""A browser that goes away ends its session quietly; every other failure still surfaces."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from starlette.websockets import WebSocketDisconnect, WebSocketDisconnected

from leipzig_app.adapters.web_host import (
    QuietDisconnectFilter,
    install_disconnect_filter,
    is_disconnect,
    quiet_disconnects,
)


async def _receive() -> dict[str, Any]:
    return {"type": "websocket.connect"}


async def _send(message: Any) -> None:
    return None


def _raising(error: BaseException) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise error

    return app


def test_a_vanished_websocket_client_ends_the_session_quietly() -> None:
    app = quiet_disconnects(_raising(WebSocketDisconnect(code=1006)))
    asyncio.run(app({"type": "websocket"}, _receive, _send))


def _chained_disconnect() -> RuntimeError:
    try:
        try:
            raise WebSocketDisconnected("not connected")
        except WebSocketDisconnected as inner:
            raise RuntimeError("send loop stopped") from inner
    except RuntimeError as outer:
        return outer


def test_a_disconnect_raised_while_handling_another_is_recognised() -> None:
    assert is_disconnect(_chained_disconnect())
    assert not is_disconnect(RuntimeError("database locked"))
    assert not is_disconnect(None)


def test_other_errors_and_plain_http_requests_still_raise() -> None:
    with pytest.raises(RuntimeError, match="database locked"):
        asyncio.run(
            quiet_disconnects(_raising(RuntimeError("database locked")))(
                {"type": "websocket"}, _receive, _send
            )
        )
    with pytest.raises(WebSocketDisconnect):
        asyncio.run(quiet_disconnects(_raising(WebSocketDisconnect()))({"type": "http"}, _receive, _send))


def _record(error: BaseException, level: int = logging.WARNING) -> logging.LogRecord:
    try:
        raise error
    except BaseException:
        info = sys.exc_info()
    return logging.LogRecord("flet_web.fastapi", level, __file__, 1, "Receive loop error: %s", (error,), info)


def test_the_host_log_loses_the_traceback_of_a_disconnect_and_is_quiet_below_debug() -> None:
    host = logging.getLogger("flet_web.fastapi")
    before = host.level
    try:
        host.setLevel(logging.WARNING)
        record = _record(WebSocketDisconnected("not connected"))
        assert QuietDisconnectFilter().filter(record) is False
        host.setLevel(logging.DEBUG)
        record = _record(WebSocketDisconnected("not connected"))
        assert QuietDisconnectFilter().filter(record) is True
        assert record.exc_info is None
        assert record.levelno == logging.DEBUG
        assert record.getMessage() == "browser connection closed"
    finally:
        host.setLevel(before)


def test_the_host_log_keeps_every_other_traceback() -> None:
    record = _record(KeyError("session"))
    assert QuietDisconnectFilter().filter(record) is True
    assert record.exc_info is not None
    assert record.levelno == logging.WARNING


def test_installing_the_filter_twice_attaches_it_once(caplog: pytest.LogCaptureFixture) -> None:
    install_disconnect_filter()
    install_disconnect_filter()
    host = logging.getLogger("flet_web.fastapi")
    assert sum(isinstance(f, QuietDisconnectFilter) for f in host.filters) == 1
    with caplog.at_level(logging.WARNING, logger="flet_web.fastapi"):
        try:
            raise WebSocketDisconnected("not connected")
        except WebSocketDisconnected:
            host.warning("Receive loop error", exc_info=True)
        host.warning("Unhandled error processing page session")
    assert [r.getMessage() for r in caplog.records] == ["Unhandled error processing page session"]


@pytest.mark.e2e
def test_the_web_app_asks_no_other_host_for_anything(
    web_app_factory: Any, browser_page: Any, tmp_path: Path
) -> None:
    """Web mode serves every asset itself (no CDN, works offline). Flet's web client still loads a script
    of its animation library from cdn.jsdelivr.net on every start: the resident's address went there."""
    from tests.support.browser import open_app

    exe = str(Path(sys.executable).with_name("leipzig-app"))
    app = web_app_factory([exe, "--web", "--port", "{port}", "--data-dir", str(tmp_path)])
    page = browser_page
    elsewhere: list[str] = []
    page.on("request", lambda request: elsewhere.append(request.url) if not _local(request.url) else None)
    # a request the page's policy refuses never leaves the browser
    page.on(
        "requestfailed", lambda request: elsewhere.remove(request.url) if request.failure == "csp" else None
    )
    open_app(page, app.url, ready_text="Willkommen in Leipzig")
    for tab in ("Aktuell", "Mehr", "Start"):
        page.get_by_role("tab", name=tab).first.click()
        page.get_by_role("tab", name=tab, selected=True).first.wait_for(timeout=15_000)
        page.wait_for_timeout(1_000)
    assert elsewhere == []
    assert "Traceback" not in app.tail(200)


def _local(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme in ("data", "blob") or parts.hostname == "127.0.0.1"
