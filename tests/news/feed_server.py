"""A small HTTP server on 127.0.0.1 for feed tests: fixed answers per path, failures and slowness on demand.

Each `Route` says what a path answers (body, content type, status) and how (a delay before answering, or
bytes trickled slowly). With `etag`/`last_modified` set it honours If-None-Match / If-Modified-Since with
304, and it records every request's headers so tests can check what the client sent. Use as a context
manager: the server stops and its thread ends when the block is left.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    #: Send the body in pieces with this pause between them (a server that keeps the line open).
    trickle: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._stopping = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                if route.delay and server._stopping.wait(route.delay):
                    return
                if route.etag and self.headers.get("If-None-Match") == route.etag:
                    self._answer(304, route, b"")
                    return
                if route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified:
                    self._answer(304, route, b"")
                    return
                self._answer(route.status, route, route.body)

            def _answer(self, status: int, route: Route, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", route.content_type)
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                for name, value in route.extra_headers.items():
                    self.send_header(name, value)
                if not route.trickle:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not route.trickle:
                    self.wfile.write(body)
                    return
                try:
                    for i in range(0, len(body), 16):
                        if server._stopping.wait(route.trickle):
                            return
                        self.wfile.write(body[i : i + 16])
                        self.wfile.flush()
                except OSError:
                    return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="feed-server", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        time.sleep(0)
