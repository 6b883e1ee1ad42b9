"""The `leipzig-app` command line.

Without a command it starts the app (native window where the Flet desktop client is available, otherwise
web mode on 127.0.0.1). Each command group lives in its own module under `leipzig_app.cli` and exposes
`register(subparsers)`; heavy imports happen inside the handlers so that one call can process many inputs
without paying start-up costs per input, and `leipzig-app --help` stays instant.

Contract for every handler: print JSON on stdout, return an exit code, and raise `CliError` for anything
the user must fix. No traceback ever reaches the terminal (set LEIPZIG_APP_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from leipzig_app.cli.output import CliError, fail

#: Command modules in the order they appear in `--help`.
COMMANDS: tuple[str, ...] = ("sandbox", "news", "appointments", "report", "scan", "notice", "deadline")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leipzig-app",
        description="Leipzig App: start the app, or use one of the tools for testers and city IT.",
    )
    run_module = importlib.import_module("leipzig_app.cli.run")
    run_module.add_run_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"leipzig_app.cli.{name}").register(sub)
    parser.set_defaults(handler=run_module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from leipzig_app.adapters.logs import configure_logging

    configure_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except CliError as error:
        return fail(str(error))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`leipzig-app news ... | head`): stop quietly, as Unix tools do, and keep
        # the interpreter's last flush at exit from failing on the closed pipe.
        with contextlib.suppress(OSError, ValueError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as error:  # the last line of defence: one clear line, never a traceback
        if os.environ.get("LEIPZIG_APP_DEBUG"):
            raise
        return fail(f"unexpected error ({type(error).__name__}): {error}")
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
