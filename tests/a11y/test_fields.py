"""Text fields show their whole error and help text: Flutter cuts both to one line with "…" unless the
field allows more lines (`error_max_lines`, `helper_max_lines`), and at 200 % text most messages need more.
An AST scan of the UI code, so a new field cannot forget it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import leipzig_app

UI = Path(leipzig_app.__file__).parent / "ui"


def fields_missing_lines(source: str, path: str) -> list[str]:
    missing: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != "TextField":
            continue
        given = {kw.arg for kw in node.keywords}
        needed = {"error_max_lines"} | ({"helper_max_lines"} if "helper" in given else set())
        missing += [f"ui/{path}:{node.lineno}: {name}" for name in sorted(needed - given)]
    return missing


def test_the_scan_sees_a_field_without_room_for_its_error() -> None:
    assert fields_missing_lines("ft.TextField(label=t('x'))", "a.py") == ["ui/a.py:1: error_max_lines"]
    assert fields_missing_lines("ft.TextField(helper=h, error_max_lines=4)", "a.py") == [
        "ui/a.py:1: helper_max_lines"
    ]
    assert fields_missing_lines("ft.TextField(error_max_lines=4)", "a.py") == []


def test_every_text_field_has_room_for_its_whole_error_and_help_text() -> None:
    files = sorted(UI.rglob("*.py"))
    missing = [
        m
        for f in files
        for m in fields_missing_lines(f.read_text(encoding="utf-8"), f.relative_to(UI).as_posix())
    ]
    assert not missing, "\n".join(missing)


def fields_with_a_floating_label(source: str, path: str) -> list[str]:
    """Text fields and dropdowns given a text label that never pass through `labelled(...)`: their label
    would float inside the border, one line high, and wrap across it or be cut off at 200 % text."""
    tree = ast.parse(source)
    wrapped: set[str] = set()
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "labelled":
            for arg in node.args:
                wrapped.add(ast.unparse(arg))
                inside.update(id(n) for n in ast.walk(arg))
    names: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            names[id(node.value)] = ast.unparse(node.targets[0])
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            target = ast.unparse(node.targets[0])
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                if key is not None:
                    names[id(value)] = f"{target}[{ast.unparse(key)}]"
    found: list[str] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ("TextField", "Dropdown") or "label" not in {kw.arg for kw in node.keywords}:
            continue
        if id(node) in inside or names.get(id(node)) in wrapped:
            continue
        found.append(f"ui/{path}:{node.lineno}")
    return found


def test_the_scan_sees_a_field_whose_label_would_float() -> None:
    assert fields_with_a_floating_label("f = ft.TextField(label=t('x'))\nc = [f]", "a.py") == ["ui/a.py:1"]
    assert fields_with_a_floating_label("f = ft.TextField(label=t('x'))\nc = [labelled(f)]", "a.py") == []
    assert fields_with_a_floating_label("c = [labelled(ft.TextField(label=t('x')))]", "a.py") == []
    source = "fields = {'a': ft.TextField(label=t('x'))}\nc = [labelled(fields['a'])]"
    assert fields_with_a_floating_label(source, "a.py") == []
    assert fields_with_a_floating_label("d = ft.Dropdown(label=t('x'))", "a.py") == ["ui/a.py:1"]


def test_every_labelled_text_field_shows_its_label_above_the_field() -> None:
    files = sorted(UI.rglob("*.py"))
    found = [
        m
        for f in files
        for m in fields_with_a_floating_label(f.read_text(encoding="utf-8"), f.relative_to(UI).as_posix())
    ]
    assert not found, "wrap these in labelled(...):\n" + "\n".join(found)


def test_labelled_keeps_the_name_for_screen_readers_and_shows_it_once() -> None:
    import flet as ft

    from leipzig_app.ui.widgets.common import labelled

    field = ft.TextField(key="f", label="E-Mail für Rückfragen (freiwillig)", expand=True, error_max_lines=4)
    wrapper = labelled(field)
    assert isinstance(wrapper, ft.Column)
    caption, inner = wrapper.controls
    assert inner is field
    assert isinstance(field.label, ft.Text)
    assert field.label.value == ""
    assert field.label.semantics_label == "E-Mail für Rückfragen (freiwillig)"
    assert isinstance(caption, ft.Semantics)
    assert caption.exclude_semantics
    assert isinstance(caption.content, ft.Text)
    assert caption.content.value == "E-Mail für Rückfragen (freiwillig)"
    assert wrapper.expand
    assert not field.expand
    unlabelled = ft.TextField(key="g", error_max_lines=4)
    assert labelled(unlabelled) is unlabelled
    choice = ft.Dropdown(key="d", label="Ist der Inhalt beleidigend?", tooltip="Ist der Inhalt beleidigend?")
    column = labelled(choice)
    assert isinstance(column, ft.Column)
    assert isinstance(choice.label, ft.Text)
    assert choice.label.semantics_label == "Ist der Inhalt beleidigend?"
    assert choice.tooltip == "Ist der Inhalt beleidigend?"
