"""What the fake Flet client answers when the app calls a client-side method.

In a real client, services such as `SharedPreferences`, `Clipboard` and `UrlLauncher` (and control
methods such as `focus`) run in Flutter and send their result back. The fake client looks up a handler
by `(control type, method)` (or `("*", method)` for any control) and sends its return value, or the
text of the exception it raised as the call's error. These defaults keep preferences and the clipboard
in memory and record launched URLs, so tests can assert on them through `client.state`. A test replaces
or removes entries in `client.method_handlers` to simulate failures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.support.flet_tree import ClientControl

MethodHandler = Callable[[ClientControl, dict[str, Any] | None], Any]


@dataclass
class MethodCall:
    """One method call the app made on the client."""

    control_type: str
    method: str
    args: dict[str, Any] | None


@dataclass
class ClientState:
    """What a device would remember for the app: preferences, the clipboard, URLs it was asked to open."""

    preferences: dict[str, Any] = field(default_factory=dict)
    clipboard: str | None = None
    launched_urls: list[str] = field(default_factory=list)


def _arg(args: dict[str, Any] | None, name: str) -> Any:
    return (args or {}).get(name)


def default_handlers(state: ClientState) -> dict[tuple[str, str], MethodHandler]:
    prefs = state.preferences

    def set_preference(_: ClientControl, args: dict[str, Any] | None) -> bool:
        prefs[_arg(args, "key")] = _arg(args, "value")
        return True

    def clear_preferences(_: ClientControl, args: dict[str, Any] | None) -> bool:
        prefs.clear()
        return True

    def set_clipboard(_: ClientControl, args: dict[str, Any] | None) -> None:
        state.clipboard = _arg(args, "data")

    def launch(_: ClientControl, args: dict[str, Any] | None) -> None:
        state.launched_urls.append(str(_arg(args, "url")))

    return {
        ("SharedPreferences", "set"): set_preference,
        ("SharedPreferences", "get"): lambda _, a: prefs.get(_arg(a, "key")),
        ("SharedPreferences", "contains_key"): lambda _, a: _arg(a, "key") in prefs,
        ("SharedPreferences", "remove"): lambda _, a: prefs.pop(_arg(a, "key"), None) is not None,
        ("SharedPreferences", "get_keys"): lambda _, a: [
            k for k in prefs if k.startswith(_arg(a, "key_prefix") or "")
        ],
        ("SharedPreferences", "clear"): clear_preferences,
        ("Clipboard", "set"): set_clipboard,
        ("Clipboard", "get"): lambda _, a: state.clipboard,
        ("UrlLauncher", "launch_url"): launch,
        ("UrlLauncher", "can_launch_url"): lambda _, a: True,
        ("*", "focus"): lambda _, a: None,
    }
