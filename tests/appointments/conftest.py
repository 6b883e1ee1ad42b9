"""Fixtures for the appointment tests: the demo city's ZMS API, its demo switches and a controllable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from leipzig_app.adapters.http import make_client
from leipzig_app.adapters.zms import ZmsBooking
from leipzig_app.sandbox.server import SandboxServer


class Clock:
    """The demo city's clock, frozen at a moment and moved by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="package")
def shared_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    """One demo city for the package: starting one per test costs about a second each."""
    server = SandboxServer(tmp_path_factory.mktemp("zms-demo-city"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox(shared_sandbox: SandboxServer) -> Iterator[SandboxServer]:
    """The shared demo city, reset to its seeded ZMS state and the real clock for every test."""
    httpx.post(shared_sandbox.base_url + "/demo/zms/reset", timeout=5).raise_for_status()
    shared_sandbox.ctx.clock = lambda: datetime.now(UTC)
    yield shared_sandbox
    shared_sandbox.ctx.clock = lambda: datetime.now(UTC)


@pytest.fixture
def endpoint(sandbox_url: str) -> str:
    return sandbox_url + "/terminvereinbarung/api/citizen/"


@pytest.fixture
def demo(sandbox_url: str) -> Callable[..., Any]:
    """Call a demo switch: demo("wrap", enabled=1) -> the JSON answer."""

    def call(path: str, method: str = "POST", **params: Any) -> Any:
        response = httpx.request(method, f"{sandbox_url}/demo/zms/{path}", params=params, timeout=5)
        response.raise_for_status()
        return response.json()

    return call


@pytest.fixture
def clock(sandbox: SandboxServer) -> Clock:
    """Freeze the demo city at Monday 2026-11-23 08:00 Berlin (07:00 UTC)."""
    frozen = Clock(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))
    sandbox.ctx.clock = frozen
    return frozen


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    http = make_client()
    try:
        yield http
    finally:
        await http.aclose()


@pytest.fixture
def booking(client: httpx.AsyncClient, endpoint: str) -> ZmsBooking:
    return ZmsBooking(client, endpoint)
