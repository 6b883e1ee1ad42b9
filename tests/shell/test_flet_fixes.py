"""The correction to Flet 1.0.5's handling of an answer that comes after its control left the page.

The scanner screen shows it in use (`tests/scanner_ui/test_flet_camera.py`); these tests pin the two sides
of the correction on a real Flet session: Flet's own method still raises (when a Flet update stops doing
so, the correction can go), and the corrected one drops the answer and wakes the waiting call.
"""

from __future__ import annotations

import asyncio

import flet as ft
import pytest
from flet.messaging.session import Session
from tests.support.flet_fake import FakeFletClient

from leipzig_app.ui import flet_fixes


async def empty_page(page: ft.Page) -> None:
    page.add(ft.Text("leer"))


async def test_flet_itself_still_raises_on_an_answer_for_an_unknown_control() -> None:
    assert flet_fixes.install()
    flets_own = Session.handle_invoke_method_results.__wrapped__  # type: ignore[attr-defined]
    async with FakeFletClient(empty_page) as client:
        with pytest.raises(RuntimeError, match="is not registered"):
            flets_own(client.session, 987654, "call", None, None)


async def test_a_late_answer_is_dropped_and_its_call_gets_an_error() -> None:
    assert flet_fixes.install()
    assert flet_fixes.install()  # once is enough: a second call wraps nothing again
    assert not hasattr(Session.handle_invoke_method_results.__wrapped__, "__wrapped__")  # type: ignore[attr-defined]
    field = ft.TextField(label="Name")

    async def page_with_field(page: ft.Page) -> None:
        page.add(field)

    client = FakeFletClient(page_with_field)
    held: list[dict[str, object]] = []

    async def hold(body: dict[str, object]) -> None:
        held.append(body)

    client._answer_method = hold  # type: ignore[method-assign]
    async with client:
        asking = asyncio.ensure_future(field.focus())
        for _ in range(50):
            if held:
                break
            await asyncio.sleep(0.01)
        assert held
        field_id = field._i
        client.session.page.controls.clear()
        client.session.page.update()
        assert field_id not in client.session.index
        # The answer arrives now, for a control the session no longer knows.
        client.session.handle_invoke_method_results(field_id, str(held[0]["call_id"]), None, None)
        with pytest.raises(RuntimeError, match="removed before the client answered"):
            await asyncio.wait_for(asking, 5)
        # An answer nobody waits for any more (a repeated one) is dropped just as quietly.
        client.session.handle_invoke_method_results(field_id, str(held[0]["call_id"]), None, None)
