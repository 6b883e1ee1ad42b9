"""Problems and actions: the stable codes the notice screen translates.

A `Problem` is a finding about a scanned code. Its `code` is stable (the UI looks up
`notices.problem.<code>` in its locale files and fills in `params`); `message` is a plain English fallback
for logs and the command line. `severity` is "error" (do not trust or pay), "warning" (be careful) or
"info". Actions are plain strings from `ACTIONS`, in the order the screen should offer them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]

#: Everything the notice screen can offer after a scan, by stable code.
ACTIONS: tuple[str, ...] = ("pay_now", "bank_transfer", "pay_later", "object", "open_link", "copy_text")


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    severity: Severity = "error"
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape used by the command line and the services: code, severity, message, params."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "params": dict(self.params),
        }


def error(code: str, message: str, **params: Any) -> Problem:
    return Problem(code, message, "error", params)


def warning(code: str, message: str, **params: Any) -> Problem:
    return Problem(code, message, "warning", params)


def info(code: str, message: str, **params: Any) -> Problem:
    return Problem(code, message, "info", params)
