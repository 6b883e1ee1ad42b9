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
