"""The layout rules the fake client checks in every state it settles in (`tests/support/layout_rules.py`)."""

from __future__ import annotations

import flet as ft
import pytest
from tests.support.flet_fake import FakeClientError, FakeFletClient
from tests.support.layout_rules import layout_problems


async def test_an_expanding_child_of_a_wrapping_row_or_a_scrolling_column_is_found() -> None:
    async def page(page: ft.Page) -> None:
        page.add(
            ft.Row([ft.TextField(key="in.wrap", expand=True), ft.Text("x")], wrap=True, key="wrapping"),
            ft.Row([ft.TextField(key="in.row", expand=True)], key="plain"),
            ft.Column([ft.Container(key="in.scroll", expand=1)], scroll=ft.ScrollMode.AUTO, key="scrolling"),
            ft.Column([ft.Container(key="hidden", expand=True, visible=False)], scroll=ft.ScrollMode.AUTO),
        )

    async with FakeFletClient(page, check_layout=False) as client:
        problems = layout_problems(client.tree)
    assert len(problems) == 2
    assert "key 'in.wrap'" in problems[0]
    assert "a wrapping Row" in problems[0]
    assert "key 'in.scroll'" in problems[1]
    assert "a scrolling Column" in problems[1]


async def test_the_fake_client_refuses_such_a_state() -> None:
    async def page(page: ft.Page) -> None:
        page.add(ft.Row([ft.Dropdown(key="picker", expand=True)], wrap=True))

    with pytest.raises(FakeClientError, match="key 'picker'"):
        async with FakeFletClient(page):
            pass
