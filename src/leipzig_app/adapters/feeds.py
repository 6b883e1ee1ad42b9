"""RSS 0.9x/1.0/2.0 and Atom over HTTP: conditional, bounded, parsed by feedparser into safe news items.

`FeedFetcher.fetch` sends the validators of the last answer (If-None-Match / If-Modified-Since) so an
unchanged feed costs one small 304; it gives up after `timeout` seconds for the whole exchange (at most
10 s, however slowly the bytes trickle in), stops reading past `max_bytes`, and keeps at most `max_items`
entries. `parse_feed` is the pure part: feedparser detects the format and the encoding (a Latin-1 feed
that says so, or one that lies about being UTF-8), dates become UTC, relative links absolute (against
xml:base where the feed sets one, else the address the feed was fetched from), HTML safe text (see
`feed_html.py`). A document that is not well-formed XML (cut off in transit, broken markup) is refused as
a whole: feedparser would still read part of it, and items with their date or text missing would
replace good ones. Every failure becomes a domain error naming the feed.

Parsing runs off the event loop, in one worker thread of its own: a large feed costs tenths of a second
of CPU, and meanwhile the screens must react and the other feeds' downloads, each with its own time
limit, must go on. The time limit covers the network exchange only. One thread, because parses side by
side would only take turns for the interpreter lock, with the event loop among the waiting.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import re
import time
import xml.sax
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from html.entities import name2codepoint
from typing import Any
from urllib.parse import urljoin

import httpx

from leipzig_app.adapters.feed_html import is_tracker, plain_text, to_safe_content
from leipzig_app.adapters.http import guarded, retry_after_seconds
from leipzig_app.domain.errors import InvalidResponseError, OfflineError, ServerError
from leipzig_app.domain.news import (
    FetchResult,
    Link,
    NewsItem,
    dedup_key,
    deduplicate,
    item_id,
    link_domain,
    newest_first,
    openable_link,
)
from leipzig_app.domain.profile import Feed

MAX_TIMEOUT = 10.0
MAX_FEED_BYTES = 2 * 1024 * 1024
MAX_ITEMS = 100
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, */*;q=0.1"
)
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
#: The thread feeds are parsed in (started on first use), one document after the other.
_PARSER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feed-parser")


class FeedFetcher:
    """Implements the `FeedSource` port over the app's shared `httpx.AsyncClient`."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        timeout: float = MAX_TIMEOUT,
        max_bytes: int = MAX_FEED_BYTES,
        max_items: int = MAX_ITEMS,
    ):
        if not 0 < timeout <= MAX_TIMEOUT:
            raise ValueError(f"a feed timeout must be more than 0 and at most {MAX_TIMEOUT:g} s")
        self._client = client
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_items = max_items

    async def fetch(
        self, feed: Feed, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        what = feed.title or link_domain(feed.url) or feed.url
        headers = {"Accept": _ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            async with asyncio.timeout(self.timeout):
                status, body, response_headers, final_url = await guarded(
                    lambda: self._download(feed.url, headers, what), what=what
                )
        except TimeoutError:
            raise OfflineError(
                f"{what}: the feed did not answer within {self.timeout:g} s",
                key="error.timeout",
                params={"what": what},
            ) from None
        if status == 304:
            return FetchResult(not_modified=True, etag=etag, last_modified=last_modified)
        # Outside the time limit: it is the network's, and parsing waits its turn in the parser thread.
        parse = functools.partial(
            parse_feed,
            body,
            feed=feed,
            url=final_url,
            content_type=response_headers.get("content-type", ""),
            max_items=self.max_items,
        )
        result = await asyncio.get_running_loop().run_in_executor(_PARSER, parse)
        return FetchResult(
            items=result.items,
            etag=response_headers.get("etag"),
            last_modified=response_headers.get("last-modified"),
            title=result.title,
        )

    async def _download(
        self, url: str, headers: Mapping[str, str], what: str
    ) -> tuple[int, bytes, httpx.Headers, str]:
        async with self._client.stream(
            "GET", url, headers=dict(headers), timeout=httpx.Timeout(self.timeout)
        ) as response:
            if response.status_code == 304:
                return 304, b"", response.headers, str(response.url)
            if response.status_code >= 400:
                raise ServerError(
                    f"{what}: the server answered {response.status_code}",
                    status=response.status_code,
                    params={"what": what},
                    retry_after=retry_after_seconds(response),
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise _too_large(what, self.max_bytes)
            chunks: list[bytes] = []
            size = 0
            # Decoded bytes are counted, so a small compressed body cannot inflate past the cap either.
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise _too_large(what, self.max_bytes)
                chunks.append(chunk)
            return response.status_code, b"".join(chunks), response.headers, str(response.url)


def _too_large(what: str, limit: int) -> InvalidResponseError:
    return InvalidResponseError(
        f"{what}: the feed is larger than {limit // 1024} KiB",
        key="news.error.too_large",
        params={"what": what, "limit_kib": limit // 1024},
    )


# --- parsing -----------------------------------------------------------------------------------------


def parse_feed(
    data: bytes, *, feed: Feed, url: str, content_type: str = "", max_items: int = MAX_ITEMS
) -> FetchResult:
    """Turn a feed document into deduplicated, newest-first items (at most `max_items`)."""
    feedparser = _feedparser()
    what = feed.title or link_domain(url) or url
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    # nh3 sanitises and `_item` resolves links in the text itself: feedparser's own passes would only
    # repeat that work (they cost more than half of the parsing time of a large feed).
    parsed = feedparser.parse(
        data, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    if not parsed.get("version") and not parsed.entries:
        raise InvalidResponseError(
            f"{what}: the answer is not an RSS or Atom feed",
            key="news.error.not_a_feed",
            params={"what": what},
        )
    problem = _not_well_formed(parsed, data)
    if problem:
        raise InvalidResponseError(
            f"{what}: the feed is cut off or not well-formed XML ({problem})",
            key="news.error.malformed",
            params={"what": what},
        )
    feed_title = plain_text(str(parsed.feed.get("title", ""))) if parsed.feed.get("title") else ""
    source = feed.title or feed_title or link_domain(url)
    # An entry without title, text and link (a picture alone at most) has nothing to read or open.
    items = [item for entry in parsed.entries if (item := _item(entry, feed, source, url)).title]
    unique = newest_first(deduplicate(items))
    return FetchResult(items=tuple(unique[:max_items]), title=feed_title)


@functools.cache
def _feedparser() -> Any:
    """feedparser, taught the European zone names and German dates it lacks (once per process)."""
    import feedparser

    feedparser.registerDateHandler(_european_rfc822_date)
    return feedparser


#: Zone names German and other European servers write instead of an offset ("10:00:00 CET"), in hours.
#: feedparser knows GMT, the American zones and MET/MEST only, and takes any other name for UTC.
_ZONE_NAMES = {
    "cet": 1, "mez": 1, "cest": 2, "mesz": 2,
    "wet": 0, "wez": 0, "west": 1, "wesz": 1,
    "eet": 2, "oez": 2, "eest": 3, "oesz": 3,
}  # fmt: skip

#: German month names as content systems write them into RFC 822 dates ("Mo, 07 Dez 2026"), by their
#: first three letters (März also as Mrz and Maerz), in the English form RFC 822 requires.
_GERMAN_MONTHS = {
    "jan": "Jan", "feb": "Feb", "mär": "Mar", "mrz": "Mar", "mae": "Mar", "apr": "Apr", "mai": "May",
    "jun": "Jun", "jul": "Jul", "aug": "Aug", "sep": "Sep", "okt": "Oct", "nov": "Nov", "dez": "Dec",
}  # fmt: skip
_LEADING_WEEKDAY = re.compile(r"^\s*[^\W\d_]{2,10}\.?\s*,\s*")


def _european_rfc822_date(value: str) -> time.struct_time | None:
    """An RFC 822 date with a European zone name or German day and month names, in UTC.

    None where the date is neither (feedparser's own handlers read it then). A date without any zone
    counts as UTC, as feedparser takes it.
    """
    parts = _LEADING_WEEKDAY.sub("", value.strip()).split()
    if len(parts) < 3:
        return None
    changed = False
    month = _GERMAN_MONTHS.get(parts[1].rstrip(".").lower()[:3])
    if month and month != parts[1]:
        parts[1], changed = month, True
    offset = _ZONE_NAMES.get(parts[-1].lower())
    if offset is not None:
        parts[-1], changed = f"{offset:+03d}00", True
    if not changed:
        return None
    try:
        when = email.utils.parsedate_to_datetime(" ".join(parts))
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).timetuple()


def _not_well_formed(parsed: Any, data: bytes) -> str | None:
    """Why the document is not well-formed XML, or None when it is (or its flaw does no harm).

    feedparser flags odd documents as "bozo" and reads on. Harmless are a declared encoding that was
    wrong (`CharacterEncodingOverride`: the text was decoded with the encoding that fits) and a server
    that labels XML as text/plain or text/html (`NonXMLContentType`). A SAX error means the XML parser
    stopped: a cut-off or broken document, of which the lenient fallback parser keeps whatever it could
    guess. The one exception are HTML entities such as `&nbsp;` that XML does not define: many feeds use
    them, and a document whose only flaw they are is complete. A document in an encoding nothing could
    decode (`CharacterEncodingUnknown`) is not read either.
    """
    import feedparser

    if not parsed.get("bozo"):
        return None
    error = parsed.get("bozo_exception")
    if isinstance(error, feedparser.CharacterEncodingUnknown):
        return "unknown character encoding"
    if not isinstance(error, xml.sax.SAXException):
        return None
    if isinstance(error, xml.sax.SAXParseException):
        problem = f"line {error.getLineNumber()}, column {error.getColumnNumber()}: {error.getMessage()}"
    else:
        problem = str(error.getMessage())
    return _xml_error_besides_html_entities(data, str(parsed.get("encoding") or ""), problem)


_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")


def _xml_error_besides_html_entities(data: bytes, encoding: str, problem: str) -> str | None:
    """The document's XML error once HTML's named entities are written as numbers (None: none left).

    `problem` is the error as first found; it stands when the document has no HTML entity to blame.
    `encoding` is the one feedparser decoded the document with; the XML declaration is dropped because
    expat is handed the text already decoded.
    """
    import xml.parsers.expat

    try:
        text = data.decode(encoding) if encoding else ""
    except (LookupError, UnicodeDecodeError):
        text = ""

    def numeric(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES or name not in name2codepoint:
            return match.group(0)
        return f"&#{name2codepoint[name]};"

    body = _XML_DECLARATION.sub("", text, count=1)
    fixed = _ENTITY.sub(numeric, body)
    if not body or fixed == body:
        return problem
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    try:
        parser.Parse(fixed, True)
    except xml.parsers.expat.ExpatError as error:
        return f"line {error.lineno}: {xml.parsers.expat.ErrorString(error.code)}"
    return None


def _item(entry: Any, feed: Feed, source: str, feed_url: str) -> NewsItem:
    raw_link = str(entry.get("link") or "")
    link = openable_link(urljoin(feed_url, raw_link)) if raw_link else None
    published = _utc(entry.get("published_parsed") or entry.get("updated_parsed"))
    html, base = _body_html(entry)
    # Relative addresses in the text are relative to the document (xml:base, else the feed's own
    # address), never to the item's link: feedparser records that base for every text it reads.
    base = base or feed_url
    content = to_safe_content(html, base)
    title = plain_text(str(entry.get("title") or ""))
    if not title:
        title = content.text.split("\n\n")[0][:120] if content.text else (link or "")
    guid = str(entry.get("id") or "") or None
    key = dedup_key(guid, link, title, published)
    category = _first_tag(entry) or feed.category
    return NewsItem(
        id=item_id(feed.id, key),
        feed_id=feed.id,
        source=source,
        title=title,
        link=link,
        published=published,
        text=content.text,
        category=category,
        image=_image(entry, base, content.images),
        links=tuple(Link(text=link_.text, url=link_.url) for link_ in content.links),
        identity=key,
    )


def _utc(value: time.struct_time | None) -> datetime | None:
    """feedparser already normalises parsed dates to UTC; an impossible one counts as no date."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _body_html(entry: Any) -> tuple[str, str]:
    """The longest text of the entry and the base address in force where it stood."""
    texts = [(str(c.get("value") or ""), str(c.get("base") or "")) for c in entry.get("content", []) or []]
    detail = entry.get("summary_detail") or {}
    summary = (str(entry.get("summary") or ""), str(detail.get("base") or ""))
    longest = max(texts, key=lambda text: len(text[0]), default=("", ""))
    return longest if len(longest[0]) >= len(summary[0]) else summary


def _first_tag(entry: Any) -> str:
    for tag in entry.get("tags", []) or []:
        term = str(tag.get("term") or tag.get("label") or "").strip()
        if term:
            return term
    return ""


def _image(entry: Any, base: str, html_images: list[str]) -> str | None:
    """The item's picture: an image enclosure, Media RSS content or thumbnail, else the first inline one."""
    candidates: list[tuple[str, str | None, str | None]] = []
    for enclosure in entry.get("enclosures", []) or []:
        href = str(enclosure.get("href") or enclosure.get("url") or "")
        kind = str(enclosure.get("type") or "")
        if href and (kind.startswith("image/") or (not kind and href.lower().endswith(_IMAGE_SUFFIXES))):
            candidates.append((href, None, None))
    for media in entry.get("media_content", []) or []:
        href = str(media.get("url") or "")
        kind = str(media.get("type") or "")
        medium = str(media.get("medium") or "")
        if href and (
            medium == "image" or kind.startswith("image/") or href.lower().endswith(_IMAGE_SUFFIXES)
        ):
            candidates.append((href, media.get("width"), media.get("height")))
    for thumb in entry.get("media_thumbnail", []) or []:
        href = str(thumb.get("url") or "")
        if href:
            candidates.append((href, thumb.get("width"), thumb.get("height")))
    for href, width, height in candidates:
        url = openable_link(urljoin(base, href))
        if url and not is_tracker(url, _text(width), _text(height)):
            return url
    return html_images[0] if html_images else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)
