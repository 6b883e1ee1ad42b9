"""The city profile's `[services.<module>]` sections of the services hub, each validated on its own.

Every hub module reads exactly one section. A parser gets a `SectionReader` that knows the file, the dotted
field and the city's link allow-list, so every problem becomes a `ProfileError` naming the file, the field
and what was expected, and the app never starts half-configured. URLs to open in a browser must be HTTPS
(or the demo city's `{sandbox}` URLs) on an allow-listed domain; phone numbers must be dialable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leipzig_app.domain.errors import ProfileError
from leipzig_app.domain.library import SYMBOLOGIES
from leipzig_app.domain.urls import SANDBOX_PLACEHOLDER, check_endpoint_url, host_of

LocalText = Mapping[str, str]

_PHONE = re.compile(r"^\+?[0-9][0-9 /()-]{1,24}$")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
#: Schemes a profile may never use for an app link: they run code or read local files.
_FORBIDDEN_SCHEMES = frozenset({"javascript", "data", "file", "vbscript", "blob", "about", "content"})


@dataclass(frozen=True)
class LinkItem:
    """A link the resident can open: a title, an optional description and search words (all localised)."""

    id: str
    title: LocalText
    url: str
    description: LocalText
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class PhoneNumber:
    id: str
    title: LocalText
    number: str
    description: LocalText


@dataclass(frozen=True)
class TicketSettings:
    operator: str
    #: The operator's app (custom scheme or https universal link); None: only the web shop.
    app_url: str | None
    #: The ticket shop on the web, opened when the app is missing or on web and desktop.
    web_url: str


@dataclass(frozen=True)
class LibrarySettings:
    name: str
    symbology: str
    #: A regular expression the whole card number must match (after removing spaces).
    number_pattern: str
    #: How the number looks, shown when it does not match (e.g. "11 digits, starting with 2").
    number_hint: LocalText


@dataclass(frozen=True)
class WasteSettings:
    feed_url: str
    #: A JSON street index `{"districts": [{"name", "streets": [...]}]}`; None: pick a district only.
    streets_url: str | None
    #: Bin types in the order shown; empty: every type the feed names, alphabetically.
    bin_types: tuple[str, ...]
    #: What to show for a bin type (the feed's name) per language; a bin without labels shows its name.
    bin_labels: Mapping[str, LocalText] = field(default_factory=dict)


#: Why content is not accessible, as the EU model accessibility statement (2018/1523) and BITV 2.0 name it.
GAP_REASONS = ("non_compliance", "disproportionate_burden", "out_of_scope")


@dataclass(frozen=True)
class AccessibilityGap:
    """Content that is not accessible: what, why (one of `GAP_REASONS`) and the accessible alternative."""

    text: LocalText
    reason: str
    alternative: LocalText = field(default_factory=dict)


@dataclass(frozen=True)
class LinkListSettings:
    items: tuple[LinkItem, ...]


@dataclass(frozen=True)
class NumberSettings:
    items: tuple[PhoneNumber, ...]


class SectionReader:
    """Typed access to one profile table; a failure names the file, the dotted field and the expectation."""

    def __init__(
        self,
        data: Mapping[str, Any],
        source: str,
        path: str,
        *,
        allowed_domains: tuple[str, ...] = (),
        start_sandbox: bool = False,
    ):
        self.data = data
        self.source = source
        self.path = path
        self.allowed_domains = allowed_domains
        self.start_sandbox = start_sandbox

    def fail(self, name: str, expected: str) -> ProfileError:
        return ProfileError(self.source, f"{self.path}.{name}" if name else self.path, expected)

    def child(self, data: Mapping[str, Any], path: str) -> SectionReader:
        return SectionReader(
            data,
            self.source,
            path,
            allowed_domains=self.allowed_domains,
            start_sandbox=self.start_sandbox,
        )

    def string(self, name: str, *, required: bool = True) -> str | None:
        if name not in self.data:
            if required:
                raise self.fail(name, "a text (missing)")
            return None
        value = self.data[name]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, "a non-empty text")
        return value.strip()

    def text(self, name: str) -> str:
        value = self.string(name)
        assert value is not None
        return value

    def local_text(self, name: str, *, required: bool = True) -> LocalText:
        if name not in self.data:
            if required:
                raise self.fail(name, "a text, or a table of texts per language with 'de' (missing)")
            return {}
        value = self.data[name]
        if isinstance(value, str) and value.strip():
            return {"de": value.strip()}
        if (
            isinstance(value, dict)
            and isinstance(value.get("de"), str)
            and all(isinstance(v, str) and v.strip() for v in value.values())
        ):
            return {str(k): str(v).strip() for k, v in value.items()}
        raise self.fail(name, "a text, or a table of texts per language that has at least 'de'")

    def str_list(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(name, "a list of non-empty texts")
        return tuple(v.strip() for v in value)

    def tables(self, name: str, *, at_least: int = 0) -> list[SectionReader]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(name, "a list of tables ([[...]] in TOML)")
        if len(value) < at_least:
            raise self.fail(name, f"at least {at_least} entr{'y' if at_least == 1 else 'ies'}")
        return [self.child(v, f"{self.path}.{name}[{i}]") for i, v in enumerate(value)]

    def endpoint(self, name: str, *, required: bool = True) -> str | None:
        """A URL the app fetches data from: HTTPS outside loopback, `{sandbox}` only with a demo city."""
        url = self.string(name, required=required)
        if url is None:
            return None
        self._check_fetchable(name, url)
        return url

    def link(self, name: str) -> str:
        """A URL opened in the browser: fetchable, and on one of the profile's `links.allowed_domains`."""
        url = self.text(name)
        self._check_fetchable(name, url)
        if not url.startswith(SANDBOX_PLACEHOLDER) and not self.host_allowed(host_of(url)):
            raise self.fail(name, f"a link on one of links.allowed_domains, not '{host_of(url)}'")
        return url

    def app_link(self, name: str) -> str | None:
        """An app's deep link: a custom scheme (`lvb-app://...`) or an allow-listed https link."""
        url = self.string(name, required=False)
        if url is None:
            return None
        match = _SCHEME.match(url)
        if match is None:
            raise self.fail(name, "a link with a scheme, such as myapp://tickets")
        scheme = match.group(1).lower()
        if scheme in ("http", "https"):
            return self.link(name)
        if scheme in _FORBIDDEN_SCHEMES or scheme in ("tel", "mailto", "sms"):
            raise self.fail(name, f"an app's own scheme or https, not '{scheme}:'")
        return url

    def phone(self, name: str) -> str:
        value = self.text(name)
        if not _PHONE.match(value) or sum(c.isdigit() for c in value) < 2:
            raise self.fail(name, "a phone number of digits, spaces and + - / ( ) such as +49 341 123-0")
        return value

    def slug(self, name: str) -> str:
        value = self.text(name)
        if not re.match(r"^[a-z0-9][a-z0-9_-]*$", value):
            raise self.fail(name, "lower-case letters, digits, - or _")
        return value

    def host_allowed(self, host: str) -> bool:
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def _check_fetchable(self, name: str, url: str) -> None:
        if SANDBOX_PLACEHOLDER in url and not self.start_sandbox:
            raise self.fail(name, "a real URL, or sandbox.start = true for '{sandbox}' URLs")
        problem = check_endpoint_url(url)
        if problem:
            raise self.fail(name, problem)


# --- one parser per module ---------------------------------------------------------------------------------


def parse_ticket(r: SectionReader) -> TicketSettings:
    return TicketSettings(
        operator=r.text("operator"), app_url=r.app_link("app_url"), web_url=r.link("web_url")
    )


def parse_library(r: SectionReader) -> LibrarySettings:
    symbology = r.text("symbology").lower()
    if symbology not in SYMBOLOGIES:
        raise r.fail("symbology", f"one of {', '.join(SYMBOLOGIES)}")
    pattern = r.string("number_pattern", required=False) or SYMBOLOGIES[symbology].pattern
    try:
        re.compile(pattern)
    except re.error as error:
        raise r.fail("number_pattern", f"a valid regular expression ({error})") from None
    return LibrarySettings(
        name=r.text("name"),
        symbology=symbology,
        number_pattern=pattern,
        number_hint=r.local_text("number_hint"),
    )


def parse_waste(r: SectionReader) -> WasteSettings:
    feed_url = r.endpoint("feed_url")
    assert feed_url is not None
    bins = r.str_list("bin_types")
    if len(set(bins)) != len(bins):
        raise r.fail("bin_types", "each bin type once")
    return WasteSettings(
        feed_url=feed_url,
        streets_url=r.endpoint("streets_url", required=False),
        bin_types=bins,
        bin_labels=_bin_labels(r, bins),
    )


def _bin_labels(r: SectionReader, bins: tuple[str, ...]) -> dict[str, LocalText]:
    """`bin_labels = { Restabfall = { de = "Restabfall", en = "Residual waste" } }`: the feed's bin name
    on the left, its label per language (or one text) on the right."""
    value = r.data.get("bin_labels", {})
    if not isinstance(value, dict):
        raise r.fail("bin_labels", "a table of bin type = label per language")
    labels = r.child(value, f"{r.path}.bin_labels")
    for name in value:
        if bins and name not in bins:
            raise labels.fail(name, f"a bin type from bin_types ({', '.join(bins)})")
    return {name: labels.local_text(name) for name in value}


def _link_items(r: SectionReader, name: str) -> tuple[LinkItem, ...]:
    items = []
    for item in r.tables(name, at_least=1):
        items.append(
            LinkItem(
                id=item.slug("id"),
                title=item.local_text("title"),
                url=item.link("url"),
                description=item.local_text("description", required=False),
                keywords=item.str_list("keywords"),
            )
        )
    _unique(r, name, [i.id for i in items])
    return tuple(items)


def _unique(r: SectionReader, name: str, ids: list[str]) -> None:
    for i, value in enumerate(ids):
        if value in ids[:i]:
            raise r.fail(f"{name}[{i}].id", f"a unique id ('{value}' is used twice)")


def parse_online_services(r: SectionReader) -> LinkListSettings:
    return LinkListSettings(items=_link_items(r, "items"))


def parse_participation(r: SectionReader) -> LinkListSettings:
    return LinkListSettings(items=_link_items(r, "portals"))


def parse_numbers(r: SectionReader) -> NumberSettings:
    items = []
    for item in r.tables("items"):
        items.append(
            PhoneNumber(
                id=item.slug("id"),
                title=item.local_text("title"),
                number=item.phone("number"),
                description=item.local_text("description", required=False),
            )
        )
    _unique(r, "items", [i.id for i in items])
    return NumberSettings(items=tuple(items))


# --- the accessibility statement's parts that need the link rules (read for [legal] by domain/profile.py) ---


def parse_accessibility_gaps(
    r: SectionReader, name: str = "accessibility_known_gaps"
) -> tuple[AccessibilityGap, ...]:
    """`[{ text = {...}, reason = "disproportionate_burden", alternative = {...} }, ...]`"""
    gaps = []
    for item in r.tables(name):
        reason = item.text("reason")
        if reason not in GAP_REASONS:
            raise item.fail("reason", f"one of {', '.join(GAP_REASONS)}")
        gaps.append(
            AccessibilityGap(
                text=item.local_text("text"),
                reason=reason,
                alternative=item.local_text("alternative", required=False),
            )
        )
    return tuple(gaps)
