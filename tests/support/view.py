"""Small helpers for view tests on the fake Flet client: wait for, look for and tap controls by key."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tests.support.flet_fake import FakeFletClient


async def wait_for(client: FakeFletClient, condition: Callable[[], bool], timeout: float = 15) -> None:
    """Let the app work until `condition()` holds; fails with what the screen shows."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await client.settle()
        if condition():
            return
        if loop.time() > deadline:
            raise AssertionError(f"condition not met; screen shows: {client.texts()}")
        await asyncio.sleep(0.05)


def has(client: FakeFletClient, key: str) -> bool:
    """A visible control with this key is on the screen."""
    return bool(client.find_all(lambda c: c.key == key))


def shows(client: FakeFletClient, text: str) -> bool:
    """Some visible text contains `text`."""
    return any(text in t for t in client.texts())


async def tap(client: FakeFletClient, key: str) -> None:
    """Wait until the control is there, then click it."""
    await wait_for(client, lambda: has(client, key))
    await client.click(key)
