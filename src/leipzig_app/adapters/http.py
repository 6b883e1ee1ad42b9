"""The one factory for HTTP clients, and the translation of transport failures into domain errors.

Every adapter receives its `httpx.AsyncClient` from here (through the composition root) and never builds
one. The client refuses plain HTTP to anything but the loopback address before a byte leaves the device,
sends an honest user agent, and has timeouts on every phase so that no request can hang the app.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from leipzig_app import __version__
from leipzig_app.domain.errors import InsecureEndpointError, InvalidResponseError, OfflineError, ServerError
from leipzig_app.domain.urls import check_endpoint_url

USER_AGENT = f"LeipzigApp/{__version__} (+https://github.com/leipzig-app/leipzig-app)"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
_T = TypeVar("_T")


async def _refuse_insecure(request: httpx.Request) -> None:
    problem = check_endpoint_url(str(request.url))
    if problem:
        raise InsecureEndpointError(
            f"refused to contact {request.url.host}: expected {problem}", params={"host": request.url.host}
        )


def make_client(
    *,
    timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.AsyncClient:
    """An AsyncClient with the app's rules: HTTPS outside loopback, timeouts, user agent, no cookies kept."""
    return httpx.AsyncClient(
        timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        transport=transport,
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        follow_redirects=True,
        max_redirects=5,
        event_hooks={"request": [_refuse_insecure]},
    )


async def guarded(call: Callable[[], Awaitable[_T]], *, what: str) -> _T:
    """Run one HTTP exchange; every httpx failure becomes a domain error naming `what` (never the URL's
    query): no answer -> `OfflineError`, a redirect loop or an undecodable body -> `InvalidResponseError`,
    an error status raised by `raise_for_status` -> `ServerError`."""
    try:
        return await call()
    except (InsecureEndpointError, ServerError, InvalidResponseError, OfflineError):
        raise
    except httpx.TimeoutException:
        raise OfflineError(
            f"{what}: the server did not answer in time", key="error.timeout", params={"what": what}
        ) from None
    except httpx.TooManyRedirects:
        raise InvalidResponseError(
            f"{what}: the server sends the request round in circles (too many redirects)",
            params={"what": what},
        ) from None
    except httpx.DecodingError:
        raise InvalidResponseError(
            f"{what}: the server's answer cannot be decoded", params={"what": what}
        ) from None
    except httpx.HTTPStatusError as error:
        status = error.response.status_code
        raise ServerError(f"{what}: HTTP {status}", status=status, params={"what": what}) from None
    except (httpx.HTTPError, OSError) as error:
        # TransportError (no network, refused, protocol) and anything else httpx may add later
        raise OfflineError(
            f"{what}: cannot reach the server ({type(error).__name__})", params={"what": what}
        ) from None


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def json_body(response: httpx.Response, *, what: str) -> Any:
    """The response's JSON; a body that is not JSON becomes `InvalidResponseError`."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InvalidResponseError(
            f"{what}: the server's answer is not valid JSON", params={"what": what}
        ) from None
