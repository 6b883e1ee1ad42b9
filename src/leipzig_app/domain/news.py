"""City news: the item a resident reads, and the rules for showing it.

A `NewsItem` is what the feed adapter makes of one RSS/Atom entry: plain safe text (never HTML), absolute
links, a UTC date (or none). The rules here decide how an item is identified across refreshes (the feed's
guid, else its link, else title and date), how a teaser is cut, how a date reads ("vor 2 Stunden" in the
resident's language, shown in the city's time zone), which items are new since the last visit, and which
links may be opened at all (http and https only), and when items of different feeds are the same article
(`merge_feeds`). The ports at the end are what the news service needs from outside: a feed source, a
store and an image cache.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

from leipzig_app.domain.errors import AppError
from leipzig_app.domain.languages import babel_locale
from leipzig_app.domain.profile import Feed

TEASER_LENGTH = 220
#: Up to this age a date reads relative ("vor 2 Stunden"); older ones show the calendar date.
RELATIVE_DATE_LIMIT = timedelta(days=7)


@dataclass(frozen=True)
class Link:
    """A link found in an item's text: what it said and where it leads (absolute http/https URL)."""

    text: str
    url: str

    @property
    def domain(self) -> str:
        return link_domain(self.url)


@dataclass(frozen=True)
class AlsoIn:
    """Another feed that carries the same article, and that feed's own id for it."""

    feed_id: str
    source: str
    item_id: str


@dataclass(frozen=True)
class NewsItem:
    id: str
    feed_id: str
    source: str
    title: str
    link: str | None = None
    published: datetime | None = None
    #: The whole text, made safe: paragraphs separated by a blank line.
    text: str = ""
    category: str = ""
    image: str | None = None
    links: tuple[Link, ...] = ()
    #: When this app first saw the item (UTC); decides "new since the last visit".
    first_seen: datetime | None = None
    #: What identifies the entry within its feed (`dedup_key`: guid, else link, else title and date).
    identity: str = ""
    #: Other feeds with the same article, when feeds were merged (`merge_feeds`).
    also_in: tuple[AlsoIn, ...] = ()

    @property
    def teaser(self) -> str:
        return teaser(self.text)

    @property
    def feed_ids(self) -> tuple[str, ...]:
        """Every feed that carries this article: its own first."""
        return (self.feed_id, *(other.feed_id for other in self.also_in))

    @property
    def sources(self) -> str:
        """The names of every feed that carries this article ("Stadt Leipzig / Kultur in Leipzig")."""
        return " / ".join(dict.fromkeys((self.source, *(other.source for other in self.also_in))))

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in (part.strip() for part in self.text.split("\n\n")) if p]


@dataclass(frozen=True)
class FetchResult:
    """One feed fetched: either new items and validators, or `not_modified` (HTTP 304)."""

    items: tuple[NewsItem, ...] = ()
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    title: str = ""


@dataclass(frozen=True)
class FeedState:
    """What the app remembers about one feed between refreshes."""

    feed_id: str
    etag: str | None = None
    last_modified: str | None = None
    #: Last successful fetch (UTC).
    fetched_at: datetime | None = None
    #: The last attempt's error (message key and parameters), None when it succeeded.
    error_key: str | None = None
    error_params: dict[str, object] = field(default_factory=dict)
    error_message: str = ""


@dataclass(frozen=True)
class FeedStatus:
    """A feed as the resident sees it after a refresh: its title and, when it failed, why."""

    feed_id: str
    title: str
    fetched_at: datetime | None
    error: AppError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# --- identity and order ------------------------------------------------------------------------------


def dedup_key(guid: str | None, link: str | None, title: str, published: datetime | None) -> str:
    """What makes an entry the same entry on the next refresh: guid, else link, else title and date."""
    if guid and guid.strip():
        return "guid:" + guid.strip()
    if link and link.strip():
        return "link:" + link.strip()
    stamp = published.isoformat() if published else ""
    return "title:" + " ".join(title.split()).casefold() + "|" + stamp


def item_id(feed_id: str, key: str) -> str:
    """A short, URL-safe id that stays the same for the same entry of the same feed."""
    return hashlib.sha256(f"{feed_id}\n{key}".encode()).hexdigest()[:20]


def deduplicate(items: Iterable[NewsItem]) -> list[NewsItem]:
    """First occurrence wins; a second entry with the same id or the same link is dropped."""
    seen_ids: set[str] = set()
    seen_links: set[str] = set()
    result = []
    for item in items:
        if item.id in seen_ids or (item.link and item.link in seen_links):
            continue
        seen_ids.add(item.id)
        if item.link:
            seen_links.add(item.link)
        result.append(item)
    return result


def same_article_keys(item: NewsItem) -> set[str]:
    """What makes items of different feeds the same article: the same link, the same globally unique
    guid (a URI such as an Atom id or a permalink; plain numbers like "123" repeat across feeds), or,
    for entries with neither, the same title and date."""
    keys: set[str] = set()
    if item.link:
        keys.add("link:" + item.link)
    identity = item.identity or dedup_key(None, item.link, item.title, item.published)
    if identity.startswith("guid:"):
        guid = identity.removeprefix("guid:")
        if _is_uri(guid):
            keys.add(identity)
            if openable_link(guid):  # a permalink guid is the article's address
                keys.add("link:" + guid)
    elif identity.startswith("title:"):
        keys.add(identity)
    return keys


def _is_uri(value: str) -> bool:
    scheme, colon, rest = value.partition(":")
    return bool(colon and rest and scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme))


def merge_feeds(items: Iterable[NewsItem]) -> list[NewsItem]:
    """One item per article when several feeds carry it (see `same_article_keys`).

    Of the copies the most complete is kept (a date, a text, a picture), then the newest, then the
    first one given (pass the items in the order of the feeds); the others' feeds are listed in its
    `also_in`, and it counts as first seen when the first copy was. Items keep their first order.
    """
    pool = list(items)
    parent = list(range(len(pool)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    owner: dict[str, int] = {}
    for index, item in enumerate(pool):
        for key in same_article_keys(item):
            first = root(owner.setdefault(key, index))
            mine = root(index)
            if first != mine:
                parent[max(first, mine)] = min(first, mine)
    groups: dict[int, list[NewsItem]] = {}
    for index, item in enumerate(pool):
        groups.setdefault(root(index), []).append(item)
    return [_merge(group) for group in groups.values()]


def _merge(copies: list[NewsItem]) -> NewsItem:
    if len(copies) == 1:
        return copies[0]
    best = max(copies, key=_completeness)  # max() keeps the first of equals
    also: list[AlsoIn] = []
    for other in copies:
        for entry in (AlsoIn(other.feed_id, other.source, other.id), *other.also_in):
            if entry.feed_id != best.feed_id and all(entry.feed_id != a.feed_id for a in also):
                also.append(entry)
    seen = [c.first_seen for c in copies if c.first_seen is not None]
    return replace(best, also_in=tuple(also), first_seen=min(seen, default=None))


def _completeness(item: NewsItem) -> tuple[int, datetime, int]:
    filled = (item.published is not None) + bool(item.text) + bool(item.image)
    return filled, item.published or _EPOCH, len(item.text)


def newest_first(items: Iterable[NewsItem]) -> list[NewsItem]:
    """Dated items newest first; undated ones after them, the most recently first seen first."""
    pool = list(items)
    dated = sorted((i for i in pool if i.published), key=lambda i: i.published or _EPOCH, reverse=True)
    undated = sorted((i for i in pool if not i.published), key=lambda i: i.first_seen or _EPOCH, reverse=True)
    return dated + undated


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def is_new(item: NewsItem, last_visit: datetime | None) -> bool:
    """New since the last visit: first seen after it (everything is new before the first visit)."""
    if last_visit is None:
        return True
    return item.first_seen is not None and item.first_seen > last_visit


# --- text rules --------------------------------------------------------------------------------------


def teaser(text: str, limit: int = TEASER_LENGTH) -> str:
    """The first paragraph(s) cut at a word boundary, with an ellipsis when something was left out."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:-–")
    if len(cut) < limit // 2:  # one very long word: cut inside it
        cut = flat[:limit]
    return cut + "…"


def fold(text: str) -> str:
    """Case- and accent-insensitive form for search ("Straße" finds "strasse", "Zoo" finds "zoo")."""
    text = text.casefold().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(item: NewsItem, *, query: str = "", feed_id: str = "", category: str = "") -> bool:
    """Filter rule: every word of the query appears in the title or text; source and category match."""
    if feed_id and feed_id not in item.feed_ids:
        return False
    if category and item.category != category:
        return False
    words = fold(query).split()
    if not words:
        return True
    haystack = fold(item.title + "\n" + item.text)
    return all(word in haystack for word in words)


def link_domain(url: str) -> str:
    """The host a link leads to, without "www." (what a resident checks before opening it)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host.removeprefix("www.")


def openable_link(url: str | None) -> str | None:
    """The URL when it may be opened in a browser (http or https with a host), else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url.strip()


# --- dates -------------------------------------------------------------------------------------------


def relative_date(when: datetime, now: datetime, language: str, timezone: str) -> str:
    """ "vor 2 Stunden" up to a week back (in the resident's language), else the local calendar date."""
    from babel.dates import format_date, format_timedelta

    age = now - when
    if timedelta(0) <= age < RELATIVE_DATE_LIMIT:
        if age < timedelta(minutes=1):
            age = timedelta(minutes=1)
        return str(format_timedelta(-age, add_direction=True, threshold=1, locale=babel_locale(language)))
    if age < timedelta(0) and -age < timedelta(hours=1):  # clocks a little apart: the item is brand new
        return str(format_timedelta(-timedelta(minutes=1), add_direction=True, locale=babel_locale(language)))
    return str(format_date(to_local(when, timezone), "medium", locale=babel_locale(language)))


def local_stamp(when: datetime, language: str, timezone: str) -> str:
    """A date and time in the city's time zone, in the language's short form ("23.11.26, 15:02")."""
    from babel.dates import format_datetime

    return str(format_datetime(to_local(when, timezone), "short", locale=babel_locale(language)))


def to_local(when: datetime, timezone: str) -> datetime:
    from zoneinfo import ZoneInfo

    return when.astimezone(ZoneInfo(timezone))


# --- ports -------------------------------------------------------------------------------------------


class FeedSource(Protocol):
    """Fetches and parses one feed; raises `AppError` subclasses for every failure."""

    async def fetch(self, feed: Feed, etag: str | None, last_modified: str | None) -> FetchResult: ...


class NewsStore(Protocol):
    """Keeps items and per-feed state across restarts."""

    def save_items(self, feed_id: str, items: Sequence[NewsItem], seen_at: datetime) -> None: ...

    def items(self) -> list[NewsItem]: ...

    def item(self, item_id: str) -> NewsItem | None: ...

    def feed_state(self, feed_id: str) -> FeedState: ...

    def save_feed_state(self, state: FeedState) -> None: ...

    def last_visit(self) -> datetime | None: ...

    def set_last_visit(self, when: datetime) -> None: ...


class ImageSource(Protocol):
    """Item images, cached locally with a size cap; None when an image cannot be had."""

    async def image(self, url: str) -> bytes | None: ...

    def cached_image(self, url: str) -> bytes | None: ...
