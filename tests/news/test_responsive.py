"""A refresh keeps the app responsive: feeds are parsed and stored off the event loop.

A heartbeat task counts how often the event loop gets to run it. Counted while a large feed is parsed,
the count shows whether the loop (and with it every screen) could go on meanwhile: a parse on the loop
itself lets it tick not once. No clock is read; only the order of events counts.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from tests.news.feed_server import FeedServer, Route

from leipzig_app.adapters import feeds
from leipzig_app.adapters.feeds import MAX_ITEMS, FeedFetcher
from leipzig_app.adapters.news_store import SqliteNewsStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.domain.news import FeedState, NewsItem
from leipzig_app.domain.profile import Feed
from leipzig_app.services.news import NewsService

START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def large_feed(name: str, items: int = MAX_ITEMS) -> bytes:
    """An RSS 2.0 feed of `items` entries with long HTML, pictures and relative links."""
    paragraph = (
        "<p>Die Stadt Leipzig informiert über <strong>Baustellen</strong>, Öffnungszeiten und "
        'Veranstaltungen in Grünau, Möckern und der Südvorstadt; <a href="/themen/{n}">mehr dazu</a>.</p>'
    )
    entries = "".join(
        f"<item><title>{name} {n}: Straßenfest in der Südvorstadt</title><link>/artikel/{name}/{n}</link>"
        f'<guid isPermaLink="false">{name}-{n}</guid><category>Thema {n % 5}</category>'
        f"<pubDate>{format_datetime(START - timedelta(minutes=n))}</pubDate>"
        f"<description><![CDATA[{paragraph.format(n=n) * 12}"
        f'<img src="bilder/{n}.png" alt=""><script>track()</script>]]></description>'
        f'<enclosure url="/bilder/{n}.jpg" type="image/jpeg" length="1000"/></item>'
        for n in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>http://127.0.0.1/</link><description>Test</description>{entries}</channel></rss>"
    ).encode()


class Heartbeat:
    """Counts its turns on the event loop; each turn gives the loop back at once."""

    def __init__(self) -> None:
        self.ticks = 0

    @asynccontextmanager
    async def running(self) -> AsyncIterator[Heartbeat]:
        async def beat() -> None:
            while True:
                self.ticks += 1
                await asyncio.sleep(0)

        task = asyncio.get_running_loop().create_task(beat())
        try:
            yield self
        finally:
            task.cancel()


async def test_the_event_loop_keeps_ticking_while_a_large_feed_is_parsed(
    feed_server: FeedServer, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_server.routes["/gross.rss"] = Route(large_feed("Gross"))
    heart = Heartbeat()
    during_parse: list[int] = []
    parse = feeds.parse_feed

    def counted(*args: Any, **kwargs: Any) -> Any:
        before = heart.ticks
        result = parse(*args, **kwargs)
        during_parse.append(heart.ticks - before)
        return result

    monkeypatch.setattr(feeds, "parse_feed", counted)
    async with heart.running():
        result = await FeedFetcher(http).fetch(Feed("gross", "Gross", feed_server.url + "/gross.rss"))
    assert len(result.items) == MAX_ITEMS
    assert "track()" not in result.items[0].text
    (ticks,) = during_parse
    assert ticks >= 5  # a parse on the loop leaves it at 0


class ThreadRecordingStore(SqliteNewsStore):
    """The real store, noting which thread each call of a refresh comes from."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, city="leipzig")
        self.threads: set[int] = set()

    def save_items(self, feed_id: str, items: Sequence[NewsItem], seen_at: datetime) -> None:
        self.threads.add(threading.get_ident())
        super().save_items(feed_id, items, seen_at)

    def items(self) -> list[NewsItem]:
        self.threads.add(threading.get_ident())
        return super().items()

    def feed_state(self, feed_id: str) -> FeedState:
        self.threads.add(threading.get_ident())
        return super().feed_state(feed_id)

    def save_feed_state(self, state: FeedState) -> None:
        self.threads.add(threading.get_ident())
        super().save_feed_state(state)


async def test_a_refresh_reads_and_writes_the_cache_off_the_event_loop(
    feed_server: FeedServer, http: httpx.AsyncClient, db: Database
) -> None:
    for name in ("eins", "zwei", "drei"):
        feed_server.routes[f"/{name}.rss"] = Route(large_feed(name.title(), items=20))
    feed_server.routes["/kaputt.rss"] = Route(b"", status=500)
    store = ThreadRecordingStore(db)
    news = NewsService(
        [
            Feed(name, name.title(), f"{feed_server.url}/{name}.rss")
            for name in ("eins", "zwei", "drei", "kaputt")
        ],
        FeedFetcher(http),
        store,
    )
    snapshot = await news.refresh()
    assert len(snapshot.items) == 60
    assert [s.feed_id for s in snapshot.errors] == ["kaputt"]
    assert store.threads
    assert threading.get_ident() not in store.threads  # the test runs on the event loop's thread
