"""The status line (a live region every announcement goes to) speaks about the screen it is on."""

from __future__ import annotations

import pytest
from tests.support.flet_fake import FakeFletClient
from tests.support.runtime import module_runtime

from leipzig_app.app import AppRuntime

pytestmark = pytest.mark.asyncio(loop_scope="module")


runtime = module_runtime()


def status(client: FakeFletClient) -> str:
    return str(client.find("shell.status").get("value") or "")


async def test_an_announcement_stays_within_its_section_and_is_cleared_on_leaving(
    runtime: AppRuntime,
) -> None:
    async with FakeFletClient(runtime.create_main(), platform="android", width=360, height=800) as client:
        await client.navigate("/more/settings")
        await client.update_props("settings.theme", {"value": "light"})
        await client.trigger("settings.theme", "change", "light")
        assert status(client) == "Einstellung gespeichert"
        await client.navigate("/more")
        assert status(client) == "Einstellung gespeichert"  # same section: the message is still about it
        await client.navigate("/scanner")
        assert status(client) == ""
