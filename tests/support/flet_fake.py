"""An in-process fake Flet client: Flet's real `Session` and `Page`, driven by real protocol messages.

Use it for view tests (about 0.1 s each, no browser, no sockets)::

    async with FakeFletClient(main, platform="android", width=400, height=800) as client:
        await client.click("nav.news")
        assert "Aktuelles" in client.texts()

What is real and what is faked:
- The server side is Flet 1.0.5 itself: `Session`, `Page`, the differ, event dispatch, auto-update and
  the updates scheduler. The fake connection does what flet_web's `FletApp` does for a WebSocket: it
  creates the session on REGISTER_CLIENT, runs `main` the same way, and turns client messages into
  `dispatch_event`, `apply_patch` and `handle_invoke_method_results` calls.
- Every message crosses a msgpack round trip in both directions, exactly as on the wire.
- The client side keeps its own copy of the page built only from the patches it received
  (`flet_tree.ClientTree`). `find`, `texts` and event targets come from that copy, never from the Python
  objects, so a view that forgets `update()` fails here as it would on a phone.
- Events are sent only where the server announced a handler (`on_click: True`), as the Dart client does.
- Method calls from the app (`SharedPreferences`, `Clipboard`, `UrlLauncher`, `focus`, ...) are answered
  by handlers in `method_handlers`; defaults keep preferences and the clipboard in memory and record
  launched URLs. A call without a handler gets the error a client would send, so it surfaces in the test.
- Every state the client settles in is checked for layouts Flutter cannot draw (an expanding child of a
  wrapping Row or of a scrolling Column, `layout_rules.py`): the release build would draw a grey box
  there and lose the buttons in it, without any message to the server.

Pitfalls (Flet 1.0.5):
- Messages must be msgpack-encoded with `configure_encode_object_for_msgpack`: the encoder also records
  the `__prev_*` snapshots the differ needs, so without it `page.update()` later sends nothing.
- `page_url` must be set on the connection (`page.url`, uploads and some services read it).
- `flet_camera.Camera` refuses to render unless the page platform is android, ios or web.
- A "web" client is `page.web == True` with the browser's OS as `page.platform` (linux here).
- Flet 1.0.5 has no text-scale property on `Page`: the Flutter client applies the system text scale
  during layout only, so it cannot be set here; test 200 % text in Chromium (`browser.py`).
- The client's locale reaches Python only through `on_locale_change`; `locale=` sends that event right
  after the session starts, as a browser does when it reports its languages.
- This touches Flet internals (`Session`, protocol bodies): keep `flet==1.0.5` pinned.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import flet as ft
import msgpack
from flet.controls.base_control import BaseControl
from flet.controls.context import _context_page, context
from flet.messaging.connection import Connection
from flet.messaging.protocol import (
    Message,
    MessageAction,
    RegisterClientResponseBody,
    configure_encode_object_for_msgpack,
    decode_ext_from_msgpack,
)
from flet.messaging.session import Session
from flet.pubsub.pubsub_hub import PubSubHub
from tests.support.flet_gestures import FakeClientError, UserGestures
from tests.support.flet_methods import ClientState, MethodCall, MethodHandler, default_handlers
from tests.support.flet_tree import ClientControl, ClientTree
from tests.support.layout_rules import layout_problems

__all__ = ["ClientControl", "FakeClientError", "FakeFletClient", "ServerMessage"]

Main = Callable[[ft.Page], Any]

PLATFORMS = ("android", "ios", "web", "linux", "macos", "windows")
_ZERO_PADDING = {"left": 0.0, "top": 0.0, "right": 0.0, "bottom": 0.0}


@dataclass(frozen=True)
class ServerMessage:
    """One message the server sent, as the client decoded it."""

    action: MessageAction
    body: Any


def _pack(action: MessageAction | int, body: Any) -> bytes:
    encoder = configure_encode_object_for_msgpack(BaseControl)  # type: ignore[no-untyped-call]
    data: bytes = msgpack.packb([action, body], default=encoder)
    return b"\x00" + data


def _unpack(packet: bytes) -> list[Any]:
    if not packet or packet[0] != 0:
        raise FakeClientError(f"not a protocol frame: {packet[:8]!r}")
    return msgpack.unpackb(packet[1:], ext_hook=decode_ext_from_msgpack, strict_map_key=False)  # type: ignore[no-any-return]


class _FakeConnection(Connection):
    """The server end of the transport: what flet_web's FletApp is for a WebSocket."""

    def __init__(self, client: FakeFletClient, page_url: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._client = client
        self.page_url = page_url.rstrip("/")
        self.page_name = ""
        self.local_data_transport = True

    def send_message(self, message: Message) -> None:
        self._client._deliver(_pack(message.action, message.body))


class FakeFletClient(UserGestures):
    """A Flet client in the test's own event loop. Use as `async with`; see the module docstring."""

    def __init__(
        self,
        main: Main,
        *,
        platform: str = "web",
        width: float = 400,
        height: float = 800,
        web: bool | None = None,
        locale: str | None = None,
        route: str = "/",
        brightness: str = "light",
        device_pixel_ratio: float = 2.0,
        page_url: str = "http://127.0.0.1:8550/",
        settle_timeout: float = 5.0,
        check_layout: bool = True,
    ) -> None:
        if platform not in PLATFORMS:
            raise ValueError(f"platform must be one of {', '.join(PLATFORMS)}, not {platform!r}")
        self._main = main
        #: Every settled state is checked for layouts Flutter cannot draw (`layout_rules.py`).
        self.check_layout = check_layout
        self.platform = platform
        self.web = platform == "web" if web is None else web
        self.width, self.height = width, height
        self.locale = locale
        self.route = route
        self.brightness = brightness
        self.device_pixel_ratio = device_pixel_ratio
        self.page_url = page_url
        self.settle_timeout = settle_timeout
        self.tree = ClientTree()
        self.messages: list[ServerMessage] = []
        self.errors: list[str] = []
        self.method_calls: list[MethodCall] = []
        self.state = ClientState()
        self.method_handlers: dict[tuple[str, str], MethodHandler] = default_handlers(self.state)
        self._session: Session | None = None
        self._conn: _FakeConnection | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # -- lifecycle -------------------------------------------------------------------------------

    async def __aenter__(self) -> FakeFletClient:
        try:
            await self.connect()
        except BaseException:
            await self.close()  # a crash in `main` must not leave the session and its threads behind
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fake-flet")
        self._conn = _FakeConnection(self, self.page_url)
        self._conn.loop = loop
        self._conn.executor = self._executor
        self._conn.pubsubhub = PubSubHub(loop=loop, executor=self._executor)
        self._send(MessageAction.REGISTER_CLIENT, self._register_body())
        await self.settle()
        if self.locale:
            language, _, country = self.locale.replace("_", "-").partition("-")
            locales = [{"language_code": language, "country_code": country or None}]
            await self.trigger_page_event("locale_change", {"locales": locales})

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.disconnect(0)
            session.close()  # type: ignore[no-untyped-call]
            # close() dispatches on_close in a task of its own: let it finish before the loop ends.
            for _ in range(5):
                await asyncio.sleep(0)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _register_body(self) -> dict[str, Any]:
        orientation = "portrait" if self.height >= self.width else "landscape"
        window: dict[str, Any] = {}
        if self.platform in ("linux", "macos", "windows") and not self.web:
            window = {"width": self.width, "height": self.height}
        return {
            "session_id": None,
            "page_name": "",
            "page": {
                "route": self.route,
                "pwa": False,
                "web": self.web,
                "debug": False,
                "wasm": False,
                "test": True,
                "multi_view": False,
                "pyodide": False,
                "platform_brightness": self.brightness,
                "width": self.width,
                "height": self.height,
                "platform": "linux" if self.platform == "web" else self.platform,
                "window": window,
                "media": {
                    "padding": dict(_ZERO_PADDING),
                    "view_padding": dict(_ZERO_PADDING),
                    "view_insets": dict(_ZERO_PADDING),
                    "device_pixel_ratio": self.device_pixel_ratio,
                    "orientation": orientation,
                    "always_use_24_hour_format": True,
                },
            },
        }

    # -- the server side, as flet_web's FletApp runs it ------------------------------------------

    @property
    def session(self) -> Session:
        if self._session is None:
            raise FakeClientError("the fake client is not connected")
        return self._session

    @property
    def page(self) -> ft.Page:
        """The server-side page (for assertions on app state; prefer the client view for UI checks)."""
        page: ft.Page = self.session.page
        return page

    def _send(self, action: MessageAction, body: Any) -> None:
        """Client -> server: encode like the Dart client, decode and dispatch like FletApp."""
        frame = _unpack(_pack(action, body))
        action, body = MessageAction(frame[0]), frame[1]
        if action == MessageAction.REGISTER_CLIENT:
            assert self._conn is not None
            self._session = Session(self._conn)
            _context_page.set(self._session.page)
            self._session.apply_page_patch(body["page"])
            self._session.page.client_ip = "127.0.0.1"
            self._session.page.client_user_agent = "FakeFletClient"
            response = RegisterClientResponseBody(
                self._session.id,
                self._session.get_page_patch(),  # type: ignore[no-untyped-call]
                "",
            )
            self._conn.send_message(Message(MessageAction.REGISTER_CLIENT, response))
            self._spawn(self._run_main())
        elif action == MessageAction.CONTROL_EVENT:
            self._spawn(self.session.dispatch_event(body["target"], body["name"], body["data"]))
        elif action == MessageAction.UPDATE_CONTROL_PROPS:
            self.session.apply_patch(body["id"], body["props"])
        elif action == MessageAction.INVOKE_METHOD:
            self.session.handle_invoke_method_results(
                body["control_id"], body["call_id"], body["result"], body["error"]
            )

    async def _run_main(self) -> None:
        session = self.session
        _context_page.set(session.page)
        context.reset_auto_update()  # type: ignore[no-untyped-call]
        try:
            if inspect.isasyncgenfunction(self._main):
                async for _ in self._main(session.page):
                    await session.after_event(session.page)
            elif inspect.isgeneratorfunction(self._main):
                for _ in self._main(session.page):
                    await session.after_event(session.page)
            else:
                result = self._main(session.page)
                if inspect.isawaitable(result):
                    await result
            await session.after_event(session.page)
        except Exception as error:  # FletApp reports it to the client; so do we
            session.error(str(error))

    def _spawn(self, coro: Awaitable[Any]) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- the client side ---------------------------------------------------------------------------

    def _deliver(self, packet: bytes) -> None:
        """Server -> client: one frame, decoded and applied as the Dart FletBackend does."""
        action_code, body = _unpack(packet)
        action = MessageAction(action_code)
        self.messages.append(ServerMessage(action, body))
        if action == MessageAction.REGISTER_CLIENT:
            if body.get("error"):
                self.errors.append(body["error"])
            self.tree.load_page(body["page_patch"])
        elif action == MessageAction.PATCH_CONTROL:
            self.tree.apply_patch(body["id"], body["patch"])
        elif action == MessageAction.SESSION_CRASHED:
            self.errors.append(body["message"])
        elif action == MessageAction.INVOKE_METHOD:
            self._spawn(self._answer_method(body))

    async def _answer_method(self, body: dict[str, Any]) -> None:
        # Flet 1.0.5 leaves "args" out of calls without arguments (`focus`, `take_picture`); the Dart
        # client reads that as no arguments.
        control_id, name, args = body["control_id"], body["name"], body.get("args")
        result: Any = None
        error: str | None = None
        props = self.tree.index.get(control_id)
        if props is None:
            error = f"Calling {name} method of inexistent control: {control_id}"
        else:
            control = ClientControl(control_id, str(props["_c"]), props)
            self.method_calls.append(MethodCall(control.type, name, args))
            handler = self.method_handlers.get((control.type, name)) or self.method_handlers.get(("*", name))
            if handler is None:
                error = f"the fake client has no handler for {control.type}.{name}"
            else:
                try:
                    result = handler(control, args)
                    if inspect.isawaitable(result):
                        result = await result
                except Exception as failure:
                    error = str(failure)
        if self._session is not None:
            self._send(
                MessageAction.INVOKE_METHOD,
                {"control_id": control_id, "call_id": body["call_id"], "result": result, "error": error},
            )

    # -- queries -------------------------------------------------------------------------------------

    def find(self, key: str) -> ClientControl:
        """The visible control with this key; a clear error lists the keys that are there."""
        found = self.tree.find_all(lambda c: c.key == key)
        if not found:
            hidden = self.tree.find_all(lambda c: c.key == key, visible_only=False)
            if hidden:
                raise FakeClientError(f"control {key!r} exists but is not visible")
            known = sorted({c.key for c in self.tree.walk() if c.key})
            raise FakeClientError(f"no visible control with key {key!r}; visible keys: {known}")
        if len(found) > 1:
            raise FakeClientError(f"{len(found)} visible controls share the key {key!r}: {found}")
        return found[0]

    def find_all(self, predicate: Callable[[ClientControl], bool]) -> list[ClientControl]:
        return self.tree.find_all(predicate)

    def texts(self) -> list[str]:
        """All texts on the screen, in tree order."""
        return self.tree.texts()

    def live(self, target: str | ClientControl) -> BaseControl:
        """The server-side control behind a client control (for assertions on app state)."""
        control = self.find(target) if isinstance(target, str) else target
        live: BaseControl | None = self.session.index.get(control.id)
        if live is None:
            raise FakeClientError(f"the server no longer holds {control!r}")
        return live

    # -- actions -------------------------------------------------------------------------------------

    async def trigger(self, target: str | ClientControl, event_name: str, data: Any = None) -> None:
        """Fire `on_<event_name>` as the Dart client does (only where the server announced a handler)."""
        control = self.find(target) if isinstance(target, str) else target
        if not control.has_handler(event_name):
            raise FakeClientError(f"{control!r} has no on_{event_name} handler; a real client sends nothing")
        if self.tree.is_disabled(control.id):
            raise FakeClientError(f"{control!r} is disabled; a real client ignores the input")
        self._send(MessageAction.CONTROL_EVENT, {"target": control.id, "name": event_name, "data": data})
        await self.settle()

    async def trigger_page_event(self, event_name: str, data: Any = None) -> None:
        """A page-level event (resize, route_change, locale_change, ...); sent whether handled or not."""
        self._send(MessageAction.CONTROL_EVENT, {"target": 1, "name": event_name, "data": data})
        await self.settle()

    async def click(self, target: str | ClientControl) -> None:
        await self.trigger(target, "click")

    async def wait_until(
        self, condition: Callable[[], bool], *, timeout: float = 10.0, interval: float = 0.05
    ) -> None:
        """Wait for work the app runs outside event handlers (page tasks, HTTP in the background)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            await self.settle()
            if condition():
                return
            if loop.time() > deadline:
                raise FakeClientError(
                    f"condition not met within {timeout} s; the screen shows {self.texts()}"
                )
            await asyncio.sleep(interval)

    async def settle(self, *, raise_errors: bool = True) -> None:
        """Let pending events, `main`, method calls and scheduled updates run until nothing changes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settle_timeout
        quiet_rounds = 0
        while quiet_rounds < 3:
            before = len(self.messages)
            pending = [t for t in self._tasks if not t.done()]
            if pending:
                await asyncio.wait(pending, timeout=max(0.0, deadline - loop.time()))
            for _ in range(5):
                await asyncio.sleep(0)
            busy = any(not t.done() for t in self._tasks)
            quiet_rounds = 0 if busy or len(self.messages) != before else quiet_rounds + 1
            if loop.time() > deadline:
                raise FakeClientError(f"the app did not settle within {self.settle_timeout} s")
        if raise_errors and self.errors:
            raise FakeClientError("the app reported an error to the client:\n" + "\n".join(self.errors))
        if raise_errors and self.check_layout:
            problems = layout_problems(self.tree)
            if problems:
                raise FakeClientError("a layout Flutter cannot draw:\n" + "\n".join(problems))
