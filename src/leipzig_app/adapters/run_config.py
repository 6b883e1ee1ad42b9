"""The run profile in `flet.toml`: how `leipzig-app` starts on this machine (see the file's header)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from leipzig_app.adapters.paths import run_config_file
from leipzig_app.domain.errors import ProfileError

_VIEWS = ("auto", "web", "desktop")
_RENDERERS = ("auto", "canvaskit", "skwasm")
_ROUTES = ("path", "hash")


@dataclass(frozen=True)
class RunConfig:
    city: str = "leipzig"
    view: str = "auto"
    host: str = "127.0.0.1"
    port: int = 0
    no_cdn: bool = True
    web_renderer: str = "auto"
    route_url_strategy: str = "path"

    def with_overrides(self, **changes: Any) -> RunConfig:
        """Command-line options win over the file; None means "not given"."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_run_config(path: Path | None = None) -> RunConfig:
    """Read `[run]` from flet.toml; a missing file gives the defaults, a wrong value a `ProfileError`."""
    path = path or run_config_file()
    if path is None or not path.is_file():
        return RunConfig()
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ProfileError(source, "(syntax)", f"valid TOML ({error})") from None
    run = data.get("run", {})
    if not isinstance(run, dict):
        raise ProfileError(source, "run", "a table")
    defaults = RunConfig()
    values: dict[str, Any] = {}
    for name, expected_type in (
        ("city", str),
        ("view", str),
        ("host", str),
        ("port", int),
        ("no_cdn", bool),
        ("web_renderer", str),
        ("route_url_strategy", str),
    ):
        value = run.get(name, getattr(defaults, name))
        if not isinstance(value, expected_type) or (expected_type is int and isinstance(value, bool)):
            raise ProfileError(source, f"run.{name}", f"a {expected_type.__name__}")
        values[name] = value
    for name, options in (("view", _VIEWS), ("web_renderer", _RENDERERS), ("route_url_strategy", _ROUTES)):
        if values[name] not in options:
            raise ProfileError(source, f"run.{name}", f"one of {', '.join(options)}")
    if not 0 <= values["port"] <= 65535:
        raise ProfileError(source, "run.port", "a port number from 0 to 65535")
    return RunConfig(**values)
