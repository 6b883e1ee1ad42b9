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

#: Every problem code an inspection can report (docs/notice-code.md, section 3), for the translations.
PROBLEM_CODES: frozenset[str] = frozenset(
    {
        # reading a notice code (NoticeCodeError.code)
        "not_a_notice_code", "unsupported_version", "too_long", "encoding_invalid", "envelope_invalid",
        "payload_invalid",
        # trust
        "key_revoked", "unknown_key", "signature_invalid", "key_expired", "key_not_yet_valid",
        "notice_date_in_future", "demo_key",
        # a verified notice
        "iban_not_listed", "due_date_passed",
        # GiroCode
        "unsigned", "official_account", "iban_not_official", "not_girocode", "too_many_lines",
        "version_invalid", "charset_invalid", "charset_mismatch", "identification_invalid", "bic_missing",
        "bic_invalid", "name_missing", "name_too_long", "reference_too_long", "remittance_too_long",
        "note_too_long", "iban_missing", "iban_invalid", "amount_invalid", "amount_out_of_range",
        "purpose_invalid", "reference_and_remittance", "reference_invalid", "reference_checksum",
        # links and everything else
        "link_not_allowed", "url_invalid", "empty", "not_text", "unknown_format",
        # two codes on one letter
        "mismatch_iban", "mismatch_amount", "mismatch_reference",
    }
)  # fmt: skip

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
