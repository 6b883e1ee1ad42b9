"""Output helpers shared by the command modules: JSON on stdout, one clear line on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any


class CliError(Exception):
    """A problem the user must fix (bad input, unreachable endpoint, server refusal): exit 1, one line."""


def emit(obj: Any) -> None:
    """Print one JSON document on its own line (UTF-8, umlauts kept) and flush it at once.

    Where standard output cannot take the text (a terminal or pipe set to ASCII, say), the same document
    is written with JSON's own escapes (`\\u00fc`): still valid JSON that reads back to the same text.
    """
    try:
        line = json.dumps(obj, ensure_ascii=False, default=str) + "\n"
        line.encode(sys.stdout.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        line = json.dumps(obj, ensure_ascii=True, default=str) + "\n"
    sys.stdout.write(line)
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> int:
    """Print `leipzig-app: error: MESSAGE` on stderr and return the exit code."""
    one_line = " ".join(message.split())
    sys.stderr.write(f"leipzig-app: error: {one_line}\n")
    sys.stderr.flush()
    return code
