"""No user-facing text is written into the UI code: an AST scan of `src/leipzig_app/ui/**/*.py`.

A string constant (or the literal part of an f-string) that holds letters and is passed as the text of a
control (`ft.Text("...")`, `label=`, `tooltip=`, `hint_text=`, `semantics_label=`, ...) or to one of the
shared widget helpers (`heading("...")`, `primary_button("...")`, ...) is a finding: it would stay German
(or English) in every language. Texts come from `ctx.t(...)`.

The allow-list below is small and each entry says why it is not a translatable text.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import leipzig_app

UI = Path(leipzig_app.__file__).parent / "ui"

#: Controls whose first positional argument (or `value=`) is shown as text.
TEXT_CONTROLS = frozenset({"Text", "TextSpan", "SnackBar", "Tooltip", "Markdown"})
#: Keyword arguments that are shown or read out as text on any control.
TEXT_KEYWORDS = frozenset(
    {
        "label",
        "tooltip",
        "hint_text",
        "helper_text",
        "error_text",
        "counter_text",
        "prefix_text",
        "suffix_text",
        "semantics_label",
        "title",
        "subtitle",
        "text",
        "message",
        "content",
        "placeholder",
        "cancel_text",
        "confirm_text",
        "help_text",
    }
)
#: The shared helpers (ui/widgets/common.py) and the positions of their text arguments.
HELPERS: dict[str, tuple[int, ...]] = {
    "heading": (0,),
    "icon_button": (1,),
    "primary_button": (0,),
    "secondary_button": (0,),
    "text_button": (0,),
    "empty_state": (1, 2),
    "error_banner": (0,),
}
#: (file relative to ui/, exact text): values that are not translatable texts.
ALLOWED: frozenset[tuple[str, str]] = frozenset(
    {
        # The shell's text-size probe measures one glyph; it is invisible and hidden from screen readers.
        ("shell.py", "M"),
        # Language names are shown in their own language (endonyms) so everyone finds theirs.
        ("more/settings.py", "Deutsch"),
        ("more/settings.py", "English"),
        ("more/settings.py", "Українська"),
        ("more/settings.py", "العربية"),
    }
)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"ui/{self.path}:{self.line}: {self.text!r}"


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _literal_text(node: ast.expr) -> str | None:
    """The literal text an expression shows, if it holds letters; None for `t(...)`, names, numbers."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if any(ch.isalpha() for ch in node.value) else None
    if isinstance(node, ast.JoinedStr):
        parts = "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
        return parts if any(ch.isalpha() for ch in parts) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_text(node.left) or _literal_text(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) or _literal_text(node.orelse)
    return None


def scan_source(source: str, path: str) -> list[Finding]:
    findings: list[Finding] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = _callee(node)
        candidates: list[ast.expr] = []
        if name in TEXT_CONTROLS:
            # `value=` is the shown text only on text controls (on a Dropdown it is an option's key).
            candidates += node.args[:1] + [kw.value for kw in node.keywords if kw.arg == "value"]
        if name in HELPERS:
            candidates += [node.args[i] for i in HELPERS[name] if i < len(node.args)]
        candidates += [kw.value for kw in node.keywords if kw.arg in TEXT_KEYWORDS]
        for candidate in candidates:
            text = _literal_text(candidate)
            if text is not None and (path, text) not in ALLOWED:
                findings.append(Finding(path, candidate.lineno, text))
    return findings


def test_the_scan_finds_literals_in_every_form_it_knows() -> None:
    source = "\n".join(
        [
            "ft.Text('Hallo')",
            "ft.TextField(label='Name', hint_text=f'z. B. {x}')",
            "heading('Titel')",
            "icon_button(ICON, 'Zurück', key='a.back')",
            "ft.Icon(ICON, semantics_label='Bild' + suffix)",
            "ft.Text(t('x'), tooltip=t('y'))",
            "ft.Text(f'{n} %')",
            "ft.Text('•')",
            "ft.Container(key='news.list')",
            "ft.Dropdown(value='fee', label=t('k'))",
            "ft.Text(value='Wert')",
        ]
    )
    found = [f.text for f in scan_source(source, "sample.py")]
    assert found == ["Hallo", "Name", "z. B. ", "Titel", "Zurück", "Bild", "Wert"]


def test_ui_code_passes_no_literal_text_to_controls() -> None:
    files = sorted(UI.rglob("*.py"))
    assert len(files) > 20
    findings = [
        finding
        for file in files
        for finding in scan_source(file.read_text(encoding="utf-8"), file.relative_to(UI).as_posix())
    ]
    assert not findings, "user-facing literals (use ctx.t):\n" + "\n".join(map(str, findings))


def test_the_allow_list_has_no_stale_entries() -> None:
    for path, text in ALLOWED:
        assert text in (UI / path).read_text(encoding="utf-8"), (path, text)
