"""Every httpx failure becomes a domain error with a message key, against real servers on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import httpx
import pytest
from tests.support.local_server import serve

from leipzig_app.adapters.http import guarded, make_client
from leipzig_app.adapters.waste_calendar import WasteCalendarClient
from leipzig_app.domain.errors import InsecureEndpointError, InvalidResponseError, OfflineError, ServerError


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/loop"):
            # /loop/1 -> /loop/2 -> ... for ever: a real redirect loop
            step = int(self.path.rsplit("/", 1)[-1] or 0) if self.path != "/loop" else 0
            self.send_response(302)
            self.send_header("Location", f"/loop/{step + 1}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/to-plain-http":
            # a non-loopback host on a reserved name: nothing may be sent there at all
            self.send_response(302)
            self.send_header("Location", "http://news.example.invalid/feed.rss")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/broken-gzip":
            body = b"this is not gzip at all"
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    with serve(_Handler) as url:
        yield url


async def test_a_redirect_loop_is_an_invalid_answer(server: str) -> None:
    async with make_client() as client:
        with pytest.raises(InvalidResponseError) as info:
            await guarded(lambda: client.get(f"{server}/loop"), what="news")
    assert info.value.key == "error.invalid_response"
    assert "too many redirects" in str(info.value)
    assert info.value.params == {"what": "news"}


async def test_a_redirect_to_plain_http_elsewhere_is_refused_with_a_readable_reason(server: str) -> None:
    async with make_client() as client:
        with pytest.raises(InsecureEndpointError) as info:
            await client.get(f"{server}/to-plain-http")
    assert info.value.params == {"host": "news.example.invalid"}
    assert str(info.value) == (
        "refused to contact news.example.invalid: expected HTTPS "
        "(plain HTTP is only allowed on the loopback address 127.0.0.1)"
    )


async def test_an_undecodable_body_is_an_invalid_answer(server: str) -> None:
    async with make_client() as client:
        with pytest.raises(InvalidResponseError) as info:
            await guarded(lambda: client.get(f"{server}/broken-gzip"), what="news")
    assert "cannot be decoded" in str(info.value)


async def test_raise_for_status_becomes_a_server_error(server: str) -> None:
    async def call() -> httpx.Response:
        response = await client.get(f"{server}/down")
        return response.raise_for_status()

    async with make_client() as client:
        with pytest.raises(ServerError) as info:
            await guarded(call, what="news")
    assert info.value.status == 503
    assert info.value.retryable


async def test_a_closed_port_is_offline() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with make_client() as client:
        with pytest.raises(OfflineError):
            await guarded(lambda: client.get(f"http://127.0.0.1:{port}/"), what="news")


async def test_an_adapter_reports_a_redirect_loop_as_a_domain_error(server: str) -> None:
    async with make_client() as client:
        source = WasteCalendarClient(client, f"{server}/loop")
        with pytest.raises(InvalidResponseError):
            await source.fetch_feed()
