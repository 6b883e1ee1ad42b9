"""Shared fixtures: a real demo city over HTTP, a real SQLite file, the app runtime on a temp folder.

Every server a test starts is stopped by the fixture that started it; everything listens on 127.0.0.1
with an ephemeral port.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from tests.support.http_fixture import http_client

from leipzig_app.adapters.profiles import load_profile
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.app import AppRuntime, migrations
from leipzig_app.domain.profile import CityProfile
from leipzig_app.sandbox.server import SandboxServer

#: End-to-end fixtures (Chromium, web-mode app processes); see tests/support/fixtures.py.
pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture(scope="session", autouse=True)
def _no_test_writes_into_the_users_data_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The app's default data folder, for the test run and every process it starts (`leipzig-app notice
    issue` keeps the demo city's letter numbers there): a temporary one, never the user's own."""
    patch = pytest.MonkeyPatch()
    patch.setenv("LEIPZIG_APP_DATA", str(tmp_path_factory.mktemp("default-data")))
    try:
        yield
    finally:
        patch.undo()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    """A fresh demo city (own data folder, own port), stopped after the test."""
    server = SandboxServer(tmp_path / "demo-city")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox_url(sandbox: SandboxServer) -> str:
    return sandbox.base_url


@pytest.fixture
def profile(sandbox_url: str) -> CityProfile:
    """The embedded Leipzig demo profile bound to this test's demo city."""
    return load_profile().bind_sandbox(sandbox_url)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """A real SQLite file with every component's migrations applied."""
    return Database(tmp_path / "app.sqlite3", migrations())


#: The app's own HTTP client (same rules as in production), closed after each test.
http = http_client()


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[AppRuntime]:
    """The whole app (its own demo city, database and features) in `tmp_path / "app"`, closed afterwards."""
    rt = AppRuntime.create(data_dir=tmp_path / "app")
    try:
        yield rt
    finally:
        await rt.aclose()
