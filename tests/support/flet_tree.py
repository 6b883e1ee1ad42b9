"""The client-side copy of a Flet page, kept the way the Flutter client keeps it.

The fake client (`flet_fake.py`) never looks at the Python control objects to answer "what is on the
screen": it applies the same msgpack-decoded patches the real client receives to plain dictionaries, so a
test only sees what the app really sent. A view that changes a control and forgets `update()` therefore
fails its test here exactly as it would fail on a phone.

Patch format (Flet 1.0.5, `ObjectPatch.to_message`): `[path_tree, op, op, ...]`. The path tree numbers
every node a patch touches (`[index, {key: [index, {...}]}]`); each operation names a node by that number
and is resolved at the moment it is applied, as the Dart `Control.applyPatch` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

# Operation codes of flet.controls.object_patch.Operation.
_REPLACE, _ADD, _REMOVE, _MOVE = 0, 1, 2, 3

#: Properties whose string value is drawn on the screen (labels, field values, button captions).
VISIBLE_TEXT_PROPS: tuple[str, ...] = (
    "value",
    "text",
    "content",
    "label",
    "title",
    "subtitle",
    "hint_text",
    "helper_text",
    "error_text",
    "prefix_text",
    "suffix_text",
    "counter_text",
)


#: Child lists that are on the screen only while their menu is open (the fake client never opens one).
HIDDEN_UNTIL_OPENED: dict[str, tuple[str, ...]] = {
    "Dropdown": ("options",),
    "DropdownM2": ("options",),
    "PopupMenuButton": ("items",),
}


class PatchError(RuntimeError):
    """A patch that the real client would also have rejected."""


@dataclass(frozen=True)
class ClientControl:
    """One control as the client holds it: its id, type and the properties the server sent."""

    id: int
    type: str
    props: dict[Any, Any]

    @property
    def key(self) -> str | None:
        return key_of(self.props)

    def get(self, name: str, default: Any = None) -> Any:
        return self.props.get(name, default)

    @property
    def visible(self) -> bool:
        return self.props.get("visible", True) is not False

    @property
    def disabled(self) -> bool:
        return bool(self.props.get("disabled", False))

    def has_handler(self, event_name: str) -> bool:
        """True when the server told the client it listens to `on_<event_name>`."""
        return self.props.get(f"on_{event_name}") is True

    def own_texts(self) -> list[str]:
        """Texts this control draws itself (not those of its children)."""
        if self.type in ("Dropdown", "DropdownM2"):
            # The field shows the chosen option's text, not the option key held in `value`.
            names: tuple[str, ...] = tuple(p for p in VISIBLE_TEXT_PROPS if p != "value")
            found = [self.props[p] for p in names if isinstance(self.props.get(p), str)]
            found.extend(self._chosen_option_texts())
            return [t for t in found if t]
        found = [self.props[p] for p in VISIBLE_TEXT_PROPS if isinstance(self.props.get(p), str)]
        spans = self.props.get("spans")
        if isinstance(spans, list):
            found.extend(s["text"] for s in spans if isinstance(s, dict) and isinstance(s.get("text"), str))
        return [t for t in found if t]

    def _chosen_option_texts(self) -> list[str]:
        value = self.props.get("value")
        for option in self.props.get("options") or []:
            if (
                isinstance(option, dict)
                and value is not None
                and value in (option.get("key"), option.get("text"))
            ):
                text = option.get("text") or option.get("key")
                return [str(text)] if text else []
        return []

    def __repr__(self) -> str:
        key = f" key={self.key!r}" if self.key else ""
        return f"<{self.type} #{self.id}{key}>"


def key_of(props: dict[Any, Any]) -> str | None:
    """The control's key as a string: plain keys arrive as strings, `ValueKey`/`ScrollKey` as maps."""
    key = props.get("key")
    if isinstance(key, dict):
        key = key.get("value")
    return None if key is None else str(key)


def is_control(value: Any) -> bool:
    return isinstance(value, dict) and "_c" in value and "_i" in value


class ClientTree:
    """The page as the client sees it, with an index of controls by id."""

    def __init__(self) -> None:
        self.page: dict[Any, Any] = {}
        self.index: dict[int, dict[Any, Any]] = {}
        #: The id of the control that holds each control (in any property, not only in lists).
        self.parents: dict[int, int] = {}

    def load_page(self, page_props: dict[Any, Any]) -> None:
        self.page = page_props
        self.reindex()

    def reindex(self) -> None:
        self.index = {}
        self.parents = {}
        self._index_value(self.page, None)

    def _index_value(self, value: Any, parent: int | None) -> None:
        if isinstance(value, dict):
            if is_control(value):
                control_id = int(value["_i"])
                self.index[control_id] = value
                if parent is not None:
                    self.parents[control_id] = parent
                parent = control_id
            for item in value.values():
                self._index_value(item, parent)
        elif isinstance(value, list):
            for item in value:
                self._index_value(item, parent)

    def is_disabled(self, control_id: int) -> bool:
        """Flutter disables a control when it or any control around it is disabled."""
        current: int | None = control_id
        while current is not None:
            if self.index.get(current, {}).get("disabled"):
                return True
            current = self.parents.get(current)
        return False

    def apply_patch(self, control_id: int, patch: list[Any]) -> None:
        root = self.index.get(control_id)
        if root is None:
            # The Dart client silently ignores patches for unknown controls; a test should not.
            raise PatchError(f"patch for control #{control_id}, which the client does not hold")
        if len(patch) < 2:
            raise PatchError(f"patch without operations: {patch!r}")
        paths: dict[int, list[Any]] = {}

        def walk(node: list[Any], path: list[Any]) -> None:
            paths[node[0]] = path
            if len(node) > 1 and isinstance(node[1], dict):
                for part, child in node[1].items():
                    walk(child, [*path, part])

        walk(patch[0], [])

        def target(index: int) -> Any:
            obj: Any = root
            for part in paths[index]:
                obj = obj[part]
            return obj

        for op in patch[1:]:
            kind = op[0]
            if kind == _REPLACE:
                target(op[1])[op[2]] = op[3]
            elif kind == _ADD:
                node = target(op[1])
                if isinstance(node, list):
                    node.insert(op[2], op[3])
                else:
                    node[op[2]] = op[3]
            elif kind == _REMOVE:
                node = target(op[1])
                if isinstance(node, list):
                    node.pop(op[2])
                else:
                    node.pop(op[2], None)
            elif kind == _MOVE:
                source, dest = target(op[1]), target(op[3])
                moved = source.pop(op[2])
                if isinstance(dest, list):
                    dest.insert(op[4], moved)
                else:
                    dest[op[4]] = moved
            else:
                raise PatchError(f"unknown patch operation {op!r}")
        self.reindex()

    def update_props(self, control_id: int, props: dict[str, Any]) -> None:
        control = self.index.get(control_id)
        if control is not None:
            control.update(props)

    def visible_roots(self) -> list[dict[Any, Any]]:
        """What is on the screen: the top view, open dialogs and the overlay (as the Navigator shows)."""
        roots: list[dict[Any, Any]] = []
        views = self.page.get("views") or []
        if views:
            roots.append(views[-1])
        overlay = self.page.get("_overlay")
        if isinstance(overlay, dict):
            roots.append(overlay)
        dialogs = self.page.get("_dialogs")
        if isinstance(dialogs, dict):
            roots.extend(d for d in dialogs.get("controls") or [] if d.get("open"))
        return roots

    def walk(self, *, visible_only: bool = True) -> Iterator[ClientControl]:
        """Every control depth-first; with `visible_only`, hidden subtrees and hidden views are skipped."""
        seen: set[int] = set()
        roots = self.visible_roots() if visible_only else [self.page]
        for root in roots:
            yield from self._walk_value(root, visible_only, seen)

    def _walk_value(self, value: Any, visible_only: bool, seen: set[int]) -> Iterator[ClientControl]:
        if isinstance(value, dict):
            if is_control(value):
                control = ClientControl(int(value["_i"]), str(value["_c"]), value)
                if control.id in seen or (visible_only and not control.visible):
                    return
                seen.add(control.id)
                yield control
                hidden = HIDDEN_UNTIL_OPENED.get(control.type, ()) if visible_only else ()
            else:
                hidden = ()
            for name, item in value.items():
                if name in ("_i", "_c") or name in hidden:
                    continue
                yield from self._walk_value(item, visible_only, seen)
        elif isinstance(value, list):
            for item in value:
                yield from self._walk_value(item, visible_only, seen)

    def find_all(
        self, predicate: Callable[[ClientControl], bool], *, visible_only: bool = True
    ) -> list[ClientControl]:
        return [c for c in self.walk(visible_only=visible_only) if predicate(c)]

    def parent_of(self, control_id: int) -> tuple[ClientControl, str, int] | None:
        """The control holding `control_id` in one of its list properties, that property and the index."""
        for parent in self.walk(visible_only=False):
            for name, value in parent.props.items():
                if isinstance(value, list):
                    for index, item in enumerate(value):
                        if is_control(item) and int(item["_i"]) == control_id:
                            return parent, str(name), index
        return None

    def texts(self) -> list[str]:
        return [text for control in self.walk() for text in control.own_texts()]
