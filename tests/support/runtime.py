"""One app runtime shared by every test of a module (its own demo city, database and features).

`tests/conftest.py` gives each test a fresh `runtime`; a module whose tests each open their own page and
do not disturb one another can share one instead, which saves starting the app for every test::

    pytestmark = pytest.mark.asyncio(loop_scope="module")
    runtime = module_runtime()
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio

from leipzig_app.app import AppRuntime


def module_runtime() -> Callable[..., Any]:
    """A module-scoped `runtime` fixture (the module's tests must run in the module's event loop)."""

    @pytest_asyncio.fixture(scope="module", loop_scope="module", name="runtime")
    async def runtime(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AppRuntime]:
        shared = AppRuntime.create(data_dir=tmp_path_factory.mktemp("app"))
        try:
            yield shared
        finally:
            await shared.aclose()

    return runtime
