"""The content column on the in-process Flet client: limited and centred beside the rail on wide pages, the
whole width on phones, and switched when the window is resized across the breakpoint.

The client does not lay out, so what is checked is what it is told to draw: a Row that centres one loosely
expanding container of CONTENT_MAX_WIDTH around the screen (Flutter gives it that width or, when less is
left beside the rail, all of it; `test_content_width_e2e.py` measures it in Chromium).
"""

from __future__ import annotations

from tests.support.flet_fake import FakeFletClient
from tests.support.flet_tree import ClientControl

from leipzig_app.app import AppRuntime
from leipzig_app.ui.shell import CONTENT_MAX_WIDTH


def _parent(client: FakeFletClient, control: ClientControl) -> ClientControl:
    found = client.tree.parent_of(control.id)
    assert found is not None, f"{control} has no parent holding it in a list"
    return found[0]


def _holds(container: ClientControl, control: ClientControl) -> bool:
    content = container.get("content")
    return isinstance(content, dict) and content.get("_i") == control.id


def _assert_limited(client: FakeFletClient, key: str, inner: ClientControl) -> None:
    column = client.find(key)
    assert _holds(column, inner), f"{key} does not hold {inner}"
    assert column.get("width") == CONTENT_MAX_WIDTH
    # Flutter's Flexible with a loose fit: at most the room there is, never more
    assert column.get("expand")
    assert column.get("expand_loose") is True
    row = _parent(client, column)
    assert row.type == "Row"
    assert row.get("alignment") == "center"
    assert [c["_i"] for c in row.get("controls")] == [column.id]


def _assert_limited_layout(client: FakeFletClient) -> None:
    assert client.find("nav.rail")
    content = client.find("shell.content")
    _assert_limited(client, "shell.column", content)
    # the status line lines up with the column
    status_box = _parent_container_of(client, client.find("shell.status"))
    _assert_limited(client, "shell.status_column", status_box)
    # the screen's column fills the height (it scrolls by itself), the status line takes what it needs
    assert _parent(client, client.find("shell.column")).get("expand")
    assert _parent(client, client.find("shell.column")).get("vertical_alignment") == "stretch"


def _parent_container_of(client: FakeFletClient, control: ClientControl) -> ClientControl:
    holders = client.find_all(lambda c: c.type == "Container" and _holds(c, control))
    assert len(holders) == 1, holders
    return holders[0]


def _assert_full_width(client: FakeFletClient) -> None:
    assert client.find("nav.bar")
    assert not client.find_all(lambda c: c.key in ("shell.column", "shell.status_column"))
    content = client.find("shell.content")
    holder = _parent_container_of(client, content)
    assert holder.get("width") is None
    assert holder.get("expand")
    assert not holder.get("expand_loose")
    assert _parent(client, holder).type == "Column"


async def test_the_content_is_limited_on_wide_pages_and_follows_a_resize(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="web", width=1600, height=900) as client:
        _assert_limited_layout(client)
        await client.resize(390, 844)
        _assert_full_width(client)
        await client.resize(1280, 800)
        _assert_limited_layout(client)
        # a screen shown later goes into the same column
        await client.navigate("/reports")
        _assert_limited_layout(client)
        assert client.find("reports.new")


async def test_phones_keep_the_whole_width(runtime: AppRuntime) -> None:
    async with FakeFletClient(runtime.create_main(), platform="android", width=390, height=844) as client:
        _assert_full_width(client)
        await client.navigate("/news")
        _assert_full_width(client)


async def test_arabic_gets_the_same_column(runtime: AppRuntime) -> None:
    runtime.services.settings.update(language="ar")
    async with FakeFletClient(runtime.create_main(), platform="web", width=1600, height=900) as client:
        assert client.tree.page.get("rtl") is True
        _assert_limited_layout(client)
