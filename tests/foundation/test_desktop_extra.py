"""The native window: what `desktop_problem()` tells people, and that its install hint really works."""

from __future__ import annotations

import importlib.util
import re
import tomllib
from importlib.machinery import ModuleSpec
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from leipzig_app.cli import run as run_cli

ROOT = Path(__file__).resolve().parents[2]


def _find_spec(desktop: bool) -> Any:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> ModuleSpec | None:
        if name == "flet_desktop":
            return ModuleSpec("flet_desktop", None) if desktop else None
        return real(name, *args, **kwargs)

    return find_spec


def test_without_the_desktop_client_the_hint_names_the_matching_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(run_cli.importlib.util, "find_spec", _find_spec(desktop=False))
    problem = run_cli.desktop_problem()
    assert problem is not None
    assert f"pip install flet-desktop=={version('flet')}" in problem
    assert "pip install '.[desktop]'" in problem


def test_the_desktop_extra_installs_the_desktop_client_of_the_pinned_flet() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    flet_pin = next(d for d in project["dependencies"] if d.startswith("flet=="))
    desktop = project["optional-dependencies"]["desktop"]
    assert f"flet-desktop=={flet_pin.split('==')[1]}" in desktop
    constraints = (ROOT / "requirements" / "constraints.txt").read_text(encoding="utf-8")
    assert re.search(rf"^flet-desktop=={re.escape(flet_pin.split('==')[1])}$", constraints, re.M)


def test_with_the_client_but_no_display_the_problem_is_the_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_cli.importlib.util, "find_spec", _find_spec(desktop=True))
    monkeypatch.setattr(run_cli.sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert run_cli.desktop_problem() == "there is no display"
