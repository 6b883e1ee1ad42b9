"""`leipzig-app sandbox`: run the demo city's backends in the foreground for testers and city IT."""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from pathlib import Path
from typing import Any

from leipzig_app.cli.output import CliError, emit


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "sandbox",
        help="serve the demo city (Open311, ZMS, feeds, payments, notices) on a loopback port",
        description='Serve the demo city\'s backends. Prints {"base_url": ...} as its first line, '
        "then runs until Ctrl+C. All data are demo data.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder for the demo city's SQLite file (default: a fresh temporary folder)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from leipzig_app.sandbox.server import SandboxServer, SandboxStartError

    if not 0 <= args.port <= 65535:
        raise CliError(f"--port must be from 0 to 65535, not {args.port}")
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="leipzig-sandbox-"))
    server = SandboxServer(data_dir, host=args.host, port=args.port)
    try:
        server.prepare()
    except SandboxStartError as error:
        raise CliError(str(error)) from None
    emit({"base_url": server.base_url, "data_dir": str(data_dir), "demo": True})
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0
