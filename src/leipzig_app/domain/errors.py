"""Errors the app shows to people.

Every error carries a message key (looked up in `locales/<lang>.json`), parameters for that message and a
plain English fallback for logs and the command line. Adapters translate transport failures into these,
so services and views never see an httpx, sqlite3 or OpenCV exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class AppError(Exception):
    """Base class: a problem with a translatable message."""

    key: str = "error.unexpected"

    def __init__(self, message: str, *, key: str | None = None, params: Mapping[str, Any] | None = None):
        super().__init__(message)
        if key is not None:
            self.key = key
        self.params: dict[str, Any] = dict(params or {})

    @property
    def message(self) -> str:
        return str(self)


class ProfileError(AppError):
    """The city profile is missing, unreadable or invalid: names the file, the field and what was expected."""

    key = "error.profile"

    def __init__(self, source: str, field: str, expected: str):
        super().__init__(
            f"{source}: field '{field}': {expected}",
            params={"source": source, "field": field, "expected": expected},
        )
        self.source = source
        self.field = field
        self.expected = expected


class InsecureEndpointError(AppError):
    """A non-loopback endpoint that is not HTTPS."""

    key = "error.insecure_endpoint"


class OfflineError(AppError):
    """No network, the server refused the connection or the request timed out: try again later."""

    key = "error.offline"


class ServerError(AppError):
    """The server answered with an error status; `status` and the server's own description are kept."""

    key = "error.server"

    def __init__(
        self,
        message: str,
        *,
        status: int,
        key: str | None = None,
        params: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
    ):
        merged = {"status": status, **dict(params or {})}
        super().__init__(message, key=key, params=merged)
        self.status = status
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """5xx and 429 may succeed later; other 4xx need the user to change something."""
        return self.status >= 500 or self.status == 429


class InvalidResponseError(AppError):
    """The server answered, but not in the shape the standard prescribes."""

    key = "error.invalid_response"
