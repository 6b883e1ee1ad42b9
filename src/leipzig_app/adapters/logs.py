"""Logging without personal data.

Every record passes `RedactingFilter` before it is written: e-mail addresses, IBANs, phone numbers,
secrets in URLs or JSON (authKey, processId, api_key, token, password) and coordinates are masked, so a
log file or a console can be shared with city IT without leaking residents' data. The level comes from
LEIPZIG_APP_LOG (debug, info, warning; default warning).
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "<e-mail>"),
    (re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b"), "<iban>"),
    (
        re.compile(
            r"(?i)\b(auth_?key|process_?id|api_?key|token|password|secret)(\"?\s*[:=]\s*\"?)[^\s&\",}]+"
        ),
        r"\1\2<redacted>",
    ),
    (re.compile(r"(?i)\b(lat|long|lon|latitude|longitude)(\"?\s*[:=]\s*\"?)-?\d+\.\d+"), r"\1\2<coord>"),
    # a run of digits with spaces, slashes or dashes; not an ISO date (2026-12-07), which is no one's number
    (re.compile(r"(?<!\d)(?!\d{4}-\d{2}-\d{2}(?!\d))\+?\d[\d /-]{7,}\d"), "<phone>"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """Masks personal data in the message and in a traceback's exception and stack text (which can carry
    a URL or a form value), but not in the line's own fields: a timestamp is not a phone number."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_text:  # cached by another handler's formatter: mask it before it is written
            record.exc_text = redact(record.exc_text)
        return super().format(record)

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = redact(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return redact(super().formatStack(stack_info))


class RedactingFilter(logging.Filter):
    """Masks personal data in the formatted message (arguments included) of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        return True


_LIBRARY_LOGGERS = ("httpx", "httpcore")


def redact_library_loggers() -> None:
    """Attach the filter to the HTTP library's own loggers, so whatever handler an embedding host (or a
    test) installs never sees a URL with secrets in its query; idempotent."""
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())


def configure_logging(level: str | None = None) -> None:
    """Root logging to stderr with redaction; safe to call more than once."""
    name = (level or os.environ.get("LEIPZIG_APP_LOG") or "warning").upper()
    root = logging.getLogger()
    root.setLevel(getattr(logging, name, logging.WARNING))
    for handler in root.handlers:
        if any(isinstance(f, RedactingFilter) for f in handler.filters):
            return
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    # libraries that log request URLs at INFO would bypass nothing (the handler redacts), but keep them quiet
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
