"""URL rules shared by every feature: HTTPS outside loopback, and the allow-list for links from codes.

A link is allowed when its host equals an allowed domain or is a subdomain of one (`www.leipzig.de` for
`leipzig.de`), never by substring (`leipzig.de.evil.example` is not allowed).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

SANDBOX_PLACEHOLDER = "{sandbox}"


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint_url(url: str) -> str | None:
    """None if the URL may be used as an endpoint, else what is wrong (HTTPS outside loopback)."""
    if url.startswith(SANDBOX_PLACEHOLDER):
        return None  # the demo city always listens on 127.0.0.1
    try:
        parts = urlsplit(url)
    except ValueError:
        return "a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "an http(s) URL with a host"
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return "HTTPS (plain HTTP is only allowed on the loopback address 127.0.0.1)"
    return None


def host_of(url: str) -> str:
    """The lower-case host of a URL, or '' when it has none."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def is_allowed_link(url: str, allowed_domains: Iterable[str]) -> bool:
    """True when the URL is http(s), secure by the endpoint rule, and its host is on the allow-list."""
    if check_endpoint_url(url) is not None or url.startswith(SANDBOX_PLACEHOLDER):
        return False
    host = host_of(url)
    if not host:
        return False
    for domain in allowed_domains:
        domain = domain.lower().strip(".")
        if host == domain or host.endswith("." + domain):
            return True
    return False
