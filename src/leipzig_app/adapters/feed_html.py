"""Feed HTML made safe: nh3 removes everything dangerous, then the rest becomes plain paragraphs.

Feeds carry HTML written by others (CDATA blocks, escaped markup). The app never renders it: nh3 (the
maintained ammonia sanitiser) first drops scripts, styles, event handlers and every scheme but http, https
and mailto; a small parser then turns what is left into paragraphs of plain text, a list of links (kept
absolute, so the resident sees their domain) and candidate images. Tracking pixels (images of 1x1 or less,
or from known tracking hosts) are dropped and never loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import nh3

from leipzig_app.domain.news import Link, openable_link

#: Hosts (and their subdomains) that serve counting pixels rather than pictures.
TRACKER_HOSTS: tuple[str, ...] = (
    "doubleclick.net",
    "google-analytics.com",
    "googletagmanager.com",
    "facebook.com",
    "facebook.net",
    "scorecardresearch.com",
    "vgwort.de",
    "ioam.de",
    "webtrekk.net",
    "wt-safetag.com",
    "stats.wp.com",
    "pixel.wp.com",
    "feeds.feedburner.com",
    "quantserve.com",
    "chartbeat.net",
    "hotjar.com",
    "mc.yandex.ru",
    "bat.bing.com",
    "analytics.twitter.com",
)

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}
_BLOCK_TAGS = {
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "pre", "hr", "dt",
    "dd", "figure", "figcaption", "ul", "ol", "table", "dl",
}  # fmt: skip


@dataclass
class SafeContent:
    """Plain text (paragraphs separated by a blank line), its links and the images worth showing."""

    text: str = ""
    links: list[Link] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


def clean_html(html: str) -> str:
    """The HTML with only harmless markup left (no scripts, handlers, styles, iframes or odd schemes)."""
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
        link_rel=None,
    )


def is_tracker(url: str, width: str | None = None, height: str | None = None) -> bool:
    """True for counting pixels: tiny declared size or a known tracking host."""
    for value in (width, height):
        if value is not None and _px(value) is not None and (_px(value) or 0) <= 1:
            return True
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return True
    return any(host == t or host.endswith("." + t) for t in TRACKER_HOSTS)


def _px(value: str) -> int | None:
    digits = value.strip().lower().removesuffix("px").strip()
    return int(digits) if digits.isdigit() else None


def to_safe_content(html: str, base_url: str) -> SafeContent:
    """Sanitise feed HTML and turn it into plain paragraphs, absolute links and non-tracking images."""
    parser = _TextCollector(base_url)
    parser.feed(clean_html(html))
    parser.close()
    return parser.result()


def plain_text(html: str) -> str:
    """A one-line plain text of a small HTML fragment (titles may contain markup or entities)."""
    if "<" not in html and "&" not in html:
        return " ".join(html.split())
    return " ".join(to_safe_content(html, "").text.split())


class _TextCollector(HTMLParser):
    def __init__(self, base_url: str):
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.links: list[Link] = []
        self.images: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []

    def _absolute(self, url: str) -> str:
        return urljoin(self.base_url, url.strip()) if self.base_url else url.strip()

    def _break(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _BLOCK_TAGS:
            self._break()
            if tag == "li":
                self.current.append("• ")
        if tag == "a":
            self._href = values.get("href")
            self._link_text = []
        elif tag == "img":
            src = values.get("src")
            if src:
                url = openable_link(self._absolute(src))
                if url and not is_tracker(url, values.get("width"), values.get("height")):
                    self.images.append(url)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            url = self._absolute(self._href) if not self._href.startswith("mailto:") else self._href
            target = openable_link(url)
            text = " ".join("".join(self._link_text).split())
            if target and all(link.url != target for link in self.links):
                self.links.append(Link(text=text or target, url=target))
            self._href = None
        if tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        self.current.append(data)
        if self._href is not None:
            self._link_text.append(data)

    def result(self) -> SafeContent:
        self._break()
        return SafeContent(text="\n\n".join(self.paragraphs), links=self.links, images=self.images)
