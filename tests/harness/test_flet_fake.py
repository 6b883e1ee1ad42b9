"""The fake Flet client drives Flet's real session: events, patches, method calls, sizes, platforms."""

from __future__ import annotations

import asyncio
import time

import flet as ft
import pytest
from flet.messaging.protocol import MessageAction
from tests.support.flet_fake import FakeClientError, FakeFletClient
from tests.support.sample_app import main


async def test_first_screen_comes_from_the_patches_the_client_received() -> None:
    async with FakeFletClient(main) as client:
        assert client.texts()[:3] == ["Harness sample", "Count: 0", "Add one"]
        actions = [m.action for m in client.messages]
        assert actions[0] == MessageAction.REGISTER_CLIENT
        assert MessageAction.PATCH_CONTROL in actions


async def test_click_goes_through_flet_event_dispatch_and_auto_update() -> None:
    async with FakeFletClient(main) as client:
        await client.click("sample.add")
        await client.click("sample.add")
        assert client.find("sample.count").get("value") == "Count: 2"
        assert client.live("sample.count").value == "Count: 2"  # type: ignore[attr-defined]


async def test_typing_sets_the_value_and_fires_change_then_submit() -> None:
    async with FakeFletClient(main) as client:
        await client.type("sample.name", "Ada")
        assert client.find("sample.greeting").get("value") == "Typing: Ada"
        assert client.live("sample.name").value == "Ada"  # type: ignore[attr-defined]
        await client.type("sample.name", "Grace", submit=True)
        assert "Hello, Grace!" in client.texts()


async def test_method_calls_are_answered_by_the_fake_client() -> None:
    async with FakeFletClient(main) as client:
        await client.type("sample.name", "Ada")
        await client.click("sample.remember")
        assert client.state.preferences == {"sample.name": "Ada"}
        assert "Remembered: Ada" in client.texts()
        assert [(c.control_type, c.method) for c in client.method_calls] == [
            ("SharedPreferences", "set"),
            ("SharedPreferences", "get"),
        ]


async def test_a_failing_client_method_reaches_the_app_as_an_error() -> None:
    async with FakeFletClient(main) as client:
        del client.method_handlers[("SharedPreferences", "set")]
        with pytest.raises(FakeClientError, match=r"no handler for SharedPreferences\.set"):
            await client.click("sample.remember")


@pytest.mark.parametrize(("width", "expected"), [(400, "Layout: narrow"), (1024, "Layout: wide")])
async def test_window_width_and_resize(width: int, expected: str) -> None:
    async with FakeFletClient(main, width=width, height=800) as client:
        assert expected in client.texts()
        await client.resize(300 if width > 400 else 1280, 700)
        assert expected not in client.texts()


@pytest.mark.parametrize("platform", ["android", "ios", "web", "linux"])
async def test_platform_reaches_the_page(platform: str) -> None:
    seen: dict[str, object] = {}

    def record(page: ft.Page) -> None:
        seen.update(platform=page.platform, web=page.web, url=page.url, width=page.width)
        page.add(ft.Text("ready"))

    async with FakeFletClient(record, platform=platform, width=360) as client:
        assert client.texts() == ["ready"]
    expected = ft.PagePlatform.LINUX if platform == "web" else ft.PagePlatform(platform)
    assert seen == {
        "platform": expected,
        "web": platform == "web",
        "url": "http://127.0.0.1:8550",
        "width": 360,
    }


async def test_locale_is_reported_like_a_browser_does() -> None:
    async with FakeFletClient(main, locale="de-DE") as client:
        assert "Locale: de" in client.texts()


async def test_an_update_the_app_forgets_is_not_on_the_client() -> None:
    async def forgetful(page: ft.Page) -> None:
        label = ft.Text("before", key="label")

        async def change() -> None:
            label.value = "after"

        page.add(label, ft.Button("Change", key="change", on_click=change))
        # on_click handlers are auto-updated; a background change is not.
        page.run_task(change)

    async with FakeFletClient(forgetful) as client:
        assert client.live("label").value == "after"  # type: ignore[attr-defined]
        assert client.find("label").get("value") == "before"
        with pytest.raises(
            FakeClientError, match=r"condition not met within 0.2 s; the screen shows \['before'"
        ):
            await client.wait_until(lambda: client.find("label").get("value") == "after", timeout=0.2)


async def test_wait_until_sees_work_done_in_background_tasks() -> None:
    async def background(page: ft.Page) -> None:
        status = ft.Text("loading", key="status")

        async def load() -> None:
            await asyncio.sleep(0.1)
            status.value = "loaded"
            status.update()

        page.add(status)
        page.run_task(load)

    async with FakeFletClient(background) as client:
        await client.wait_until(lambda: client.find("status").get("value") == "loaded", timeout=5)


async def test_clear_errors_for_wrong_use() -> None:
    async with FakeFletClient(main) as client:
        with pytest.raises(FakeClientError, match="visible keys"):
            client.find("sample.missing")
        with pytest.raises(FakeClientError, match="no on_click handler"):
            await client.click("sample.count")
    with pytest.raises(ValueError, match="platform must be one of"):
        FakeFletClient(main, platform="amiga")


async def test_a_crash_in_a_handler_fails_the_test_with_its_message() -> None:
    def broken(page: ft.Page) -> None:
        def fail() -> None:
            raise RuntimeError("boom in handler")

        page.add(ft.Button("Break", key="break", on_click=fail))

    async with FakeFletClient(broken) as client:
        with pytest.raises(FakeClientError, match="boom in handler"):
            await client.click("break")


async def test_hidden_controls_are_not_on_screen() -> None:
    def page_with_hidden(page: ft.Page) -> None:
        page.add(ft.Text("shown"), ft.Column([ft.Text("secret", key="secret")], visible=False))

    async with FakeFletClient(page_with_hidden) as client:
        assert client.texts() == ["shown"]
        with pytest.raises(FakeClientError, match="not visible"):
            client.find("secret")


async def test_a_view_test_takes_about_a_tenth_of_a_second() -> None:
    started = time.perf_counter()
    async with FakeFletClient(main) as client:
        await client.click("sample.add")
    assert time.perf_counter() - started < 0.5


async def test_the_client_copy_follows_inserts_removals_and_moves() -> None:
    column = ft.Column([ft.Text(f"item {i}") for i in range(5)], key="list")

    def shuffle() -> None:
        items = column.controls
        items.reverse()  # moves
        items.pop(1)  # a removal
        items.insert(2, ft.Text("new"))  # an insertion
        items[0].value = "changed"  # type: ignore[attr-defined]  # a replacement

    def page_with_list(page: ft.Page) -> None:
        page.add(column, ft.Button("Shuffle", key="shuffle", on_click=shuffle))

    async with FakeFletClient(page_with_list) as client:
        for _ in range(3):
            await client.click("shuffle")
            server_side = [c.value for c in column.controls]  # type: ignore[attr-defined]
            assert client.texts()[: len(server_side)] == server_side


async def test_route_changes_and_client_services() -> None:
    async def routed(page: ft.Page) -> None:
        shown = ft.Text(page.route, key="route")

        def on_route(e: ft.RouteChangeEvent) -> None:
            shown.value = e.route
            page.update()

        async def copy() -> None:
            await ft.Clipboard().set("DE02 1203 0000 0000 2020 51")
            await ft.UrlLauncher().launch_url("https://www.leipzig.de/")

        page.on_route_change = on_route
        page.add(shown, ft.Button("Copy", key="copy", on_click=copy))

    async with FakeFletClient(routed, route="/start") as client:
        assert client.find("route").get("value") == "/start"
        await client.navigate("/news/42")
        assert client.find("route").get("value") == "/news/42"
        await client.click("copy")
        assert client.state.clipboard == "DE02 1203 0000 0000 2020 51"
        assert client.state.launched_urls == ["https://www.leipzig.de/"]


async def test_closing_the_client_ends_the_session_like_a_closed_tab() -> None:
    events: list[str] = []

    def tracked(page: ft.Page) -> None:
        page.on_disconnect = lambda e: events.append("disconnect")
        page.on_close = lambda e: events.append("close")
        page.add(ft.Text("open"))

    async with FakeFletClient(tracked) as client:
        assert client.texts() == ["open"]
    assert events == ["disconnect", "close"]


async def test_controls_inside_a_disabled_container_ignore_input() -> None:
    def form(page: ft.Page) -> None:
        page.add(
            ft.Container(
                content=ft.Column([ft.Button("Send", key="send", on_click=lambda: None)]),
                disabled=True,
            ),
            ft.TextField(label="Note", key="note", read_only=True),
        )

    async with FakeFletClient(form) as client:
        with pytest.raises(FakeClientError, match="is disabled"):
            await client.click("send")
        with pytest.raises(FakeClientError, match="does not accept input"):
            await client.type("note", "x")


async def test_choosing_from_a_dropdown_whose_options_show_only_when_open() -> None:
    def settings(page: ft.Page) -> None:
        chosen = ft.Text("", key="chosen")

        def on_select(e: ft.Event[ft.Dropdown]) -> None:
            chosen.value = f"Language: {e.control.value} ({e.data})"

        page.add(
            ft.Dropdown(
                key="language",
                label="Sprache",
                options=[
                    ft.DropdownOption(key="de", text="Deutsch"),
                    ft.DropdownOption(key="en", text="English"),
                ],
                on_select=on_select,
            ),
            chosen,
        )

    async with FakeFletClient(settings) as client:
        assert "Deutsch" not in client.texts()
        await client.choose("language", "English")
        assert client.find("chosen").get("value") == "Language: en (en)"
        assert client.texts() == ["Sprache", "English", "Language: en (en)"]
        with pytest.raises(FakeClientError, match=r"no option 'Klingon'; its options are \['de', 'en'\]"):
            await client.choose("language", "Klingon")


async def test_a_crash_in_main_fails_on_entry_and_leaves_nothing_running() -> None:
    def broken_main(page: ft.Page) -> None:
        raise RuntimeError("bad city profile")

    client = FakeFletClient(broken_main)
    with pytest.raises(FakeClientError, match="bad city profile"):
        async with client:
            pass
    assert client._executor is None
    assert not client._tasks
