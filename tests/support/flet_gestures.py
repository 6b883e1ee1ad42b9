"""User gestures of the fake Flet client, composed from the primitives a real client sends.

Each gesture reproduces what the Flutter widget does in Flet 1.0.5: a keystroke in a `TextField` updates
`value` on the server, then fires `change`; a tap on a navigation destination sets the bar's
`selected_index`, then fires `change` with the index; a window resize updates the page size, then fires
`resize` (and `media_change` when the orientation flips). `FakeFletClient` supplies the primitives.
"""

from __future__ import annotations

from typing import Any

from flet.messaging.protocol import MessageAction
from tests.support.flet_tree import ClientControl, ClientTree


class FakeClientError(AssertionError):
    """The app did something a real client would show as an error, or a test asked for the impossible."""


class UserGestures:
    """Mixin: `FakeFletClient` provides the primitives stubbed here."""

    tree: ClientTree
    width: float
    height: float

    def find(self, key: str) -> ClientControl:
        raise NotImplementedError

    async def trigger(self, target: str | ClientControl, event_name: str, data: Any = None) -> None:
        raise NotImplementedError

    async def trigger_page_event(self, event_name: str, data: Any = None) -> None:
        raise NotImplementedError

    def _send(self, action: MessageAction, body: Any) -> None:
        raise NotImplementedError

    async def settle(self, *, raise_errors: bool = True) -> None:
        raise NotImplementedError

    async def select(self, target: str | ClientControl) -> None:
        """Tap a destination or tab: the bar gets `selected_index` and fires `on_change` with the index.

        Works for NavigationBar/NavigationRail destinations, Tabs and segmented buttons: anything whose
        parent lists it and listens to `change`, which is what the Flutter widget does on a tap.
        """
        control = self.find(target) if isinstance(target, str) else target
        found = self.tree.parent_of(control.id)
        if found is None or not found[0].has_handler("change"):
            raise FakeClientError(f"{control!r} is not an item of a control with an on_change handler")
        parent, _, index = found
        await self.update_props(parent, {"selected_index": index})
        await self.trigger(parent, "change", index)

    async def update_props(self, target: str | ClientControl, props: dict[str, Any]) -> None:
        """Client-side property change (what `updateProperties` does in Dart): mirror and server."""
        control = self.find(target) if isinstance(target, str) else target
        self.tree.update_props(control.id, props)
        self._send(MessageAction.UPDATE_CONTROL_PROPS, {"id": control.id, "props": props})
        await self.settle()

    async def type(self, target: str | ClientControl, text: str, *, submit: bool = False) -> None:
        """Replace a field's text key by key: `value` and `on_change` per keystroke, then `on_submit`."""
        control = self.find(target) if isinstance(target, str) else target
        if self.tree.is_disabled(control.id) or control.get("read_only"):
            raise FakeClientError(f"{control!r} does not accept input")
        if control.has_handler("focus"):
            await self.trigger(control, "focus")
        steps = ([""] if control.get("value") else []) + [text[: i + 1] for i in range(len(text))]
        for value in steps:
            await self.update_props(control, {"value": value})
            if control.has_handler("change"):
                await self.trigger(control, "change", value)
        if submit:
            await self.trigger(control, "submit", text)

    async def resize(self, width: float, height: float) -> None:
        """The browser window or the device changed size: page props, then `resize`."""
        old_orientation = "portrait" if self.height >= self.width else "landscape"
        self.width, self.height = width, height
        size = {"width": width, "height": height}
        self.tree.update_props(1, size)
        self._send(MessageAction.UPDATE_CONTROL_PROPS, {"id": 1, "props": size})
        await self.trigger_page_event("resize", size)
        orientation = "portrait" if height >= width else "landscape"
        if orientation != old_orientation:
            media = dict(self.tree.page.get("media") or {}, orientation=orientation)
            self._send(MessageAction.UPDATE_CONTROL_PROPS, {"id": 1, "props": {"media": media}})
            await self.trigger_page_event("media_change", media)

    async def navigate(self, route: str) -> None:
        """The user changed the URL or pressed Back: route prop, then `route_change`."""
        self.tree.update_props(1, {"route": route})
        self._send(MessageAction.UPDATE_CONTROL_PROPS, {"id": 1, "props": {"route": route}})
        await self.trigger_page_event("route_change", {"route": route})

    async def choose(self, target: str | ClientControl, option: str) -> None:
        """Pick an option of a Dropdown by its key or text: the value becomes the option's key (or text
        when it has none), then `on_select` fires with that value."""
        control = self.find(target) if isinstance(target, str) else target
        if control.type not in ("Dropdown", "DropdownM2"):
            raise FakeClientError(f"{control!r} is not a Dropdown")
        if self.tree.is_disabled(control.id):
            raise FakeClientError(f"{control!r} is disabled; a real client ignores the input")
        options = [o for o in control.get("options") or [] if isinstance(o, dict) and o.get("visible", True)]
        values = [o.get("key") or o.get("text") for o in options]
        matches = [v for o, v in zip(options, values, strict=True) if option in (o.get("key"), o.get("text"))]
        if not matches:
            raise FakeClientError(f"{control!r} has no option {option!r}; its options are {values}")
        await self.update_props(control, {"value": matches[0]})
        if control.has_handler("select"):
            await self.trigger(control, "select", matches[0])
