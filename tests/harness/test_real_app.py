"""The fake client drives the real app's `main`: the five sections open through real navigation events."""

from __future__ import annotations

import pytest
from tests.support.flet_fake import FakeFletClient

from leipzig_app.app import AppRuntime

SECTIONS = ("nav.news", "nav.appointments", "nav.reports", "nav.scanner", "nav.more")


@pytest.mark.parametrize(("width", "bar"), [(400, "nav.bar"), (1200, "nav.rail")])
async def test_every_section_opens_from_the_navigation(runtime: AppRuntime, width: int, bar: str) -> None:
    async with FakeFletClient(runtime.create_main(), platform="android", width=width, height=800) as client:
        screens = {tuple(client.texts())}
        for key in SECTIONS:
            await client.select(key)
            parent = client.tree.parent_of(client.find(key).id)
            assert parent is not None
            assert parent[0].key == bar
            assert parent[0].get("selected_index") == parent[2]
            screens.add(tuple(client.texts()))
        assert len(screens) == len(SECTIONS) + 1, "each section shows a screen of its own"
