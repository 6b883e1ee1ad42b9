"""One demo city per test module (starting one takes about a second on a busy machine).

Overrides the suite-wide `sandbox`, `sandbox_url` and `profile` fixtures with module-scoped ones; tests
use their own descriptions and addresses and set the demo city's switches they rely on, so they do not
depend on each other's requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leipzig_app.adapters.profiles import load_profile
from leipzig_app.domain.profile import CityProfile
from leipzig_app.sandbox.server import SandboxServer


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(tmp_path_factory.mktemp("demo-city"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def sandbox_url(sandbox: SandboxServer) -> str:
    return sandbox.base_url


@pytest.fixture(scope="module")
def profile(sandbox_url: str) -> CityProfile:
    return load_profile().bind_sandbox(sandbox_url)
