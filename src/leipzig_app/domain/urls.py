"""URL rules shared by every feature: HTTPS outside loopback, and the allow-list for links from codes.

A link is allowed when its host equals an allowed domain or is a subdomain of one (`www.leipzig.de` for
`leipzig.de`), never by substring (`leipzig.de.evil.example` is not allowed).

`host_of` is the one place that says where a link leads. Python's `urlsplit` and a browser (the WHATWG URL
standard) disagree on some texts: a browser reads a backslash like a slash and drops tabs and line breaks,
so `https://evil.example\\@www.leipzig.de/` goes to evil.example in a browser while `urlsplit` names
www.leipzig.de. `host_of` therefore gives no host at all for any text on which the two could disagree or
that hides its destination: a backslash, a control, invisible or whitespace character, a user-info part
(`@` before the host), a percent sign in the host, or a port that is not a number. The host it does give
is the one a browser uses: internationalised names mapped and lower-cased by UTS #46 (as browsers do)
and written in their ASCII (Punycode) form, so that look-alike letters show and every comparison with the
allow-list sees exactly what is shown.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

SANDBOX_PLACEHOLDER = "{sandbox}"

#: Unicode categories that never belong in an address: controls, invisible format characters (zero-width
#: and direction marks, which can make an address read differently from where it goes), separators,
#: surrogates, private use and unassigned code points.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
#: A host name in ASCII: labels of letters, digits, hyphens and underscores separated by dots.
_PLAIN_HOST = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$")


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


def has_hidden_characters(text: str) -> bool:
    """True when the text holds a backslash or a control, invisible or whitespace character."""
    return any(c == "\\" or c.isspace() or unicodedata.category(c) in _REFUSED_CATEGORIES for c in text)


def host_of(url: str) -> str:
    """Where a browser would take this address: the host in lower-case ASCII (Punycode for
    internationalised names), or '' when it has none or could be read as leading somewhere else."""
    url = url.strip()
    if has_hidden_characters(url):
        return ""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number from 0 to 65535)
    except ValueError:
        return ""
    if not parts.scheme or not parts.netloc or "@" in parts.netloc or "%" in parts.netloc:
        return ""
    return normalise_host(parts.hostname or "")


def normalise_host(host: str) -> str:
    """A host name as browsers compare it: UTS #46 mapping (lower case, full-width letters to ASCII,
    non-transitional as in the WHATWG URL standard) in ASCII form; IP addresses as they are; '' for a
    name no browser would accept or that holds characters no host name needs."""
    if not host or has_hidden_characters(host):
        return ""
    if _is_ip_address(host):
        return host.lower()
    if _PLAIN_HOST.match(host) and "xn--" not in host.lower():
        return host.lower()
    import idna

    try:
        ascii_host = idna.encode(host, uts46=True, transitional=False).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        return ""
    return ascii_host if _PLAIN_HOST.match(ascii_host) else ""


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def is_allowed_link(url: str, allowed_domains: Iterable[str]) -> bool:
    """True when the URL is http(s), secure by the endpoint rule, and its host is on the allow-list."""
    if check_endpoint_url(url) is not None or url.startswith(SANDBOX_PLACEHOLDER):
        return False
    host = host_of(url)
    if not host:
        return False
    for domain in allowed_domains:
        domain = normalise_host(domain.strip(".")) if domain.strip(".") else ""
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False
