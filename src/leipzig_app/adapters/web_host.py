"""Hosting the app in web mode: a browser that goes away is not an error.

When a tab is closed, a phone loses its connection or a test browser quits while the app is still sending
(a live camera view sends several frames a second), Flet's web host and uvicorn both report the vanished
WebSocket as an unhandled exception with a traceback. Nothing is wrong with the app then, and a console full
of tracebacks hides the real problems. `quiet_disconnects` wraps the ASGI app so a WebSocket session that
ends because its client disappeared ends quietly, and `QuietDisconnectFilter` turns the host's own
"receive loop error" for the same cause into a one-line debug record. Every other exception still surfaces.

`same_origin_scripts` keeps the page's scripts to the app's own server: Flet 1.0.5's web client loads a
script of its animation library (Rive) from cdn.jsdelivr.net on every start, which the app does not use and
which would send the resident's address there.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Coroutine[Any, Any, None]]

log = logging.getLogger(__name__)

# Starlette's WebSocketDisconnect (client closed), its WebSocketDisconnected (socket already closed) and
# uvicorn's ClientDisconnected all mean the same thing here; matched by name so no web library is imported.
_DISCONNECT_NAMES = frozenset({"WebSocketDisconnect", "WebSocketDisconnected", "ClientDisconnected"})
# Flet's web host logs under this logger name.
HOST_LOGGERS = ("flet_web.fastapi",)


def is_disconnect(error: BaseException | None) -> bool:
    """True when `error` (or what it was raised from) says the client's connection is gone."""
    seen = 0
    while error is not None and seen < 5:
        if type(error).__name__ in _DISCONNECT_NAMES:
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def quiet_disconnects(app: ASGIApp) -> ASGIApp:
    """The ASGI app `app`, except that a WebSocket session ended by its client vanishing ends quietly."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await app(scope, receive, send)
        except Exception as error:
            if scope.get("type") == "websocket" and is_disconnect(error):
                log.debug("browser connection closed while the app was sending")
                return
            raise

    return wrapped


#: Scripts only from the app's own server (Flutter's engine needs inline scripts, WebAssembly, blob workers).
#: Images, fonts and connections are not restricted here: news pictures and map tiles come from elsewhere.
SCRIPT_POLICY = "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval' blob:"


def same_origin_scripts(app: ASGIApp) -> ASGIApp:
    """The ASGI app `app`, with every HTTP response telling the browser to run scripts of this server only."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message.get("type") == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"
                ]
                headers.append((b"content-security-policy", SCRIPT_POLICY.encode("ascii")))
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_with_policy)

    return wrapped


class QuietDisconnectFilter(logging.Filter):
    """Drops the traceback of a record whose exception is a vanished client; shows it only at debug."""

    def filter(self, record: logging.LogRecord) -> bool:
        info = record.exc_info
        if not info or not is_disconnect(info[1]):
            return True
        record.exc_info = None
        record.exc_text = None
        record.msg = "browser connection closed"
        record.args = None
        record.levelno = logging.DEBUG
        record.levelname = "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def install_disconnect_filter() -> None:
    """Attach `QuietDisconnectFilter` to the web host's loggers; idempotent."""
    for name in HOST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, QuietDisconnectFilter) for f in logger.filters):
            logger.addFilter(QuietDisconnectFilter())
