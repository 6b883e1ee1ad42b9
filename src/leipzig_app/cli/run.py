"""Starting the app: `leipzig-app [--web] [--host H] [--port N] [--city NAME|FILE] [--data-dir DIR]`.

The native window needs the Flet desktop client (package flet-desktop, which downloads the client on first
use) and a display. Where either is missing, or with --web, the app is served in web mode on 127.0.0.1 with
every web asset from the installed flet-web package (no CDN, works offline); the URL is printed and the app
runs until Ctrl+C.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from leipzig_app.cli.output import CliError


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--web", action="store_true", help="serve the app in the browser (web mode)")
    parser.add_argument("--desktop", action="store_true", help="insist on the native window")
    parser.add_argument("--host", default=None, help="web mode: address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="web mode: port (default: a free one)")
    parser.add_argument(
        "--city",
        default=None,
        help="city profile: a name under assets/cities/ or a .toml file (for this run, instead of the city "
        "chosen in Settings or flet.toml's)",
    )
    parser.add_argument("--data-dir", default=None, help="folder for the app's database and files")
    parser.add_argument(
        "--open", action="store_true", help="web mode: also open the app in the default browser"
    )


def desktop_problem() -> str | None:
    """Why the native window cannot open here, or None when it can."""
    if importlib.util.find_spec("flet_desktop") is None:
        from importlib.metadata import version

        # flet-desktop must match flet's version; '.[desktop]' in the app's folder pins it too
        return (
            "the Flet desktop client is not installed "
            f"(pip install flet-desktop=={version('flet')}, or pip install '.[desktop]' in the app's folder)"
        )
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "there is no display"
    try:
        import flet_desktop  # type: ignore[import-not-found, unused-ignore]

        flet_desktop.ensure_client_cached()
    except Exception as error:  # noqa: BLE001 - offline first run, unsupported platform, ...
        return f"the Flet desktop client is not available ({type(error).__name__})"
    return None


def run(args: argparse.Namespace) -> int:
    from leipzig_app.adapters.run_config import load_run_config
    from leipzig_app.domain.errors import AppError

    try:
        # flet.toml's city is only the default: the city chosen in Settings (saved in the data folder) wins
        # over it, and only an explicit --city wins over that choice (see AppRuntime.create).
        config = load_run_config().with_overrides(host=args.host, port=args.port)
    except AppError as error:
        raise CliError(str(error)) from None
    if args.web:
        config = config.with_overrides(view="web")
    elif args.desktop:
        config = config.with_overrides(view="desktop")
    if not 0 <= config.port <= 65535:
        raise CliError(f"--port must be from 0 to 65535, not {config.port}")

    view = config.view
    if view != "web":
        problem = desktop_problem()
        if problem and view == "desktop":
            raise CliError(f"cannot open the native window: {problem}")
        if problem:
            print(f"Leipzig App: {problem}; starting in web mode.", file=sys.stderr)
            view = "web"

    from leipzig_app.app import AppRuntime

    try:
        runtime = AppRuntime.create(
            city=args.city, default_city=config.city, data_dir=args.data_dir, defer_start=view == "web"
        )
    except AppError as error:
        raise CliError(str(error)) from None
    _print_problems(runtime)
    try:
        if view == "web":
            asyncio.run(_serve_web(runtime, config, open_browser=args.open))
        else:
            import flet as ft

            ft.run(runtime.create_main(), view=ft.AppView.FLET_APP, assets_dir=_assets_dir())
    except KeyboardInterrupt:
        pass
    finally:
        runtime.close()
    return 0


def _print_problems(runtime: Any, since: int = 0) -> None:
    for startup_problem in runtime.services.problems[since:]:
        print(f"Leipzig App: {startup_problem.message}", file=sys.stderr, flush=True)


def _start_in_background(runtime: Any, delay: float = 3.0) -> None:
    """Wire the features (and start the demo city) in a thread, after the first page has been drawn or
    after `delay` seconds, whichever comes first, so the first screen never competes with that work."""
    import threading

    known = len(runtime.services.problems)

    def report() -> None:
        runtime.ready.wait()
        _print_problems(runtime, since=known)

    threading.Thread(target=report, name="app-start-report", daemon=True).start()
    timer = threading.Timer(delay, runtime.start_in_background)
    timer.daemon = True
    timer.start()


def _assets_dir() -> str:
    from leipzig_app.adapters.paths import assets_dir

    return str(assets_dir())


#: How long a browser tab's session outlives its dropped connection. A screen's `on_leave` runs when the
#: session ends, which gives a held appointment time back; Flet's default (an hour) outlasts the 15-minute
#: reservation. Five minutes still carry a reload or a short network change. FLET_SESSION_TIMEOUT
#: overrides it.
WEB_SESSION_TIMEOUT = 300


async def _serve_web(runtime: Any, config: Any, *, open_browser: bool) -> None:
    import uvicorn
    from flet.controls.types import RouteUrlStrategy, WebRenderer
    from flet_web.fastapi import app as flet_fastapi_app

    from leipzig_app.adapters.web_host import (
        install_disconnect_filter,
        quiet_disconnects,
        same_origin_scripts,
    )
    from leipzig_app.sandbox.server import SandboxStartError, bind_socket

    upload_dir = Path(runtime.data_dir) / "uploads"
    upload_dir.mkdir(parents=True, exist_ok=True)
    # Uploads from the file picker are signed with this key; one per process is enough.
    os.environ.setdefault("FLET_SECRET_KEY", secrets.token_urlsafe(32))
    asgi = flet_fastapi_app(
        runtime.create_main(),
        upload_dir=str(upload_dir),
        assets_dir=_assets_dir(),
        web_renderer=WebRenderer(config.web_renderer),
        route_url_strategy=RouteUrlStrategy(config.route_url_strategy),
        no_cdn=config.no_cdn,
        session_timeout_seconds=WEB_SESSION_TIMEOUT,
    )
    try:
        sock = bind_socket(config.host, config.port)
    except SandboxStartError as error:
        raise CliError(str(error).replace("cannot listen", "cannot serve the app")) from None
    port = sock.getsockname()[1]
    shown_host = f"[{config.host}]" if ":" in config.host else config.host
    url = f"http://{shown_host}:{port}/"
    _start_in_background(runtime)
    print(f"Leipzig App: {url}", flush=True)
    print("Press Ctrl+C to stop.", file=sys.stderr, flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    install_disconnect_filter()
    server = uvicorn.Server(
        uvicorn.Config(same_origin_scripts(quiet_disconnects(asgi)), log_level="warning", access_log=False)
    )
    try:
        await server.serve(sockets=[sock])
    finally:
        sock.close()
        await runtime.aclose()
