"""Layouts Flutter cannot draw, found in the tree the client holds.

Flet turns a control's `expand` into a Flutter `Expanded` around it. That works inside a Row or Column
that has a bounded length along its axis, and nowhere else:

- a Row with `wrap=True` is a Flutter `Wrap`: an `Expanded` inside it is a misplaced parent-data widget;
- a Column or Row that scrolls (`scroll` set) gives its children unbounded room along its axis: a child
  that should fill it has nothing to fill.

In a debug build Flutter shows a red error screen; in the release build the web app and the phones run,
the failed part and everything after it in the same parent are drawn as one grey box, and whatever
buttons were there are gone. Nothing reaches the server, so only the tree can show it before a resident
does. The fake client checks every state it settles in (`FakeFletClient.settle`).
"""

from __future__ import annotations

from tests.support.flet_tree import ClientControl, ClientTree, is_control


def _expands(child: dict[str, object]) -> bool:
    value = child.get("expand")
    return value is not None and value is not False and value != 0


def _children(control: ClientControl) -> list[dict[str, object]]:
    controls = control.props.get("controls")
    return [c for c in controls if is_control(c)] if isinstance(controls, list) else []


def _name(child: dict[str, object]) -> str:
    key = child.get("key")
    return f"{child.get('_c')}#{child.get('_i')}" + (f" (key {key!r})" if key else "")


def layout_problems(tree: ClientTree) -> list[str]:
    """One line per child that expands where Flutter cannot let it (see the module docstring)."""
    problems: list[str] = []
    for control in tree.walk():
        if control.type not in ("Row", "Column"):
            continue
        wraps = control.type == "Row" and bool(control.props.get("wrap"))
        scrolls = control.props.get("scroll") not in (None, False, "none")
        if not (wraps or scrolls):
            continue
        why = "a wrapping Row" if wraps else f"a scrolling {control.type}"
        where = _name(control.props)
        for child in _children(control):
            if _expands(child) and child.get("visible", True) is not False:
                problems.append(f"{_name(child)} expands inside {why}, {where}")
    return problems
