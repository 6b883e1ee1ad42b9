"""The app's own HTTP client as a test fixture, with a shorter timeout where a test waits for failures.

`tests/conftest.py` gives every test `http` with the production timeouts; a module that provokes
timeouts on purpose swaps in a quicker one::

    http = http_client(timeout=1.0)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest_asyncio

from leipzig_app.adapters.http import make_client


def http_client(timeout: float | None = None) -> Callable[..., Any]:
    """An `http` fixture: `make_client()` (same rules as in production), closed after the test."""

    @pytest_asyncio.fixture(name="http")
    async def http() -> AsyncIterator[httpx.AsyncClient]:
        client = make_client() if timeout is None else make_client(timeout=timeout)
        try:
            yield client
        finally:
            await client.aclose()

    return http
