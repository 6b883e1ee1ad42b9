"""The news cache per city profile: two cities may both have a feed called `stadt` in one database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
from tests.news.conftest import feed_bytes
from tests.news.feed_server import FeedServer, Route

from leipzig_app.adapters.feeds import FeedFetcher
from leipzig_app.adapters.news_store import MIGRATIONS, SqliteNewsStore
from leipzig_app.adapters.sqlite_store import Database, Migrations
from leipzig_app.app import AppRuntime, migrations
from leipzig_app.domain.news import FeedState
from leipzig_app.domain.profile import Feed
from leipzig_app.services.news import NewsService

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def city_news(city: str, path: str, server: FeedServer, http: httpx.AsyncClient, db: Database) -> NewsService:
    feed = Feed("stadt", f"Stadt {city.title()}", server.url + path, "Stadt")
    return NewsService([feed], FeedFetcher(http), SqliteNewsStore(db, city=city), clock=lambda: NOW)


def requests_to(server: FeedServer, path: str) -> list[dict[str, str]]:
    return [headers for p, headers in server.requests if p == path]


async def test_two_cities_with_a_feed_of_the_same_id_keep_their_news_apart(
    feed_server: FeedServer, http: httpx.AsyncClient, db: Database
) -> None:
    feed_server.routes["/leipzig.rss"] = Route(feed_bytes("rss20.xml"), etag='"l1"')
    feed_server.routes["/halle.atom"] = Route(
        feed_bytes("atom.xml"), content_type="application/atom+xml", etag='"h1"'
    )
    leipzig = city_news("leipzig", "/leipzig.rss", feed_server, http, db)
    halle = city_news("halle", "/halle.atom", feed_server, http, db)

    leipzig_items = (await leipzig.refresh()).items
    assert leipzig_items
    leipzig.mark_visited()
    before = halle.cached()
    assert (before.items, before.updated_at, before.last_visit) == ((), None, None)

    # Halle's server never gets Leipzig's validators, and Halle shows only its own items.
    halle_items = (await halle.refresh()).items
    assert "if-none-match" not in requests_to(feed_server, "/halle.atom")[-1]
    assert halle_items
    assert not {i.id for i in halle_items} & {i.id for i in leipzig_items}
    assert leipzig.cached().items == leipzig_items

    # The very same document in both cities (same guids, so the same item ids) is kept once per city,
    # and one city's failing feed is not the other's.
    feed_server.routes["/halle.atom"] = Route(feed_bytes("rss20.xml"), etag='"h2"')
    feed_server.routes["/leipzig.rss"] = Route(b"", status=500)
    both = await halle.refresh()
    assert {i.id for i in both.items} == {i.id for i in leipzig_items} | {i.id for i in halle_items}
    assert not both.errors
    assert [s.feed_id for s in (await leipzig.refresh()).errors] == ["stadt"]
    assert leipzig.cached().items == leipzig_items
    assert halle.cached().last_visit is None


async def test_news_kept_before_cities_are_claimed_by_the_first_city_opened(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    old = Database(path, [Migrations("news", MIGRATIONS.steps[:2])])
    with old.transaction() as conn:
        conn.execute(
            "INSERT INTO news_items (id, feed_id, source, title, link, published, body, category, image,"
            " links, first_seen, identity) VALUES ('s1', 'stadt', 'Stadt', 'Markt', 'https://www.leipzig.de/m',"
            " '2026-11-20T09:00:00+00:00', 'Text', 'Stadt', NULL, '[]', '2026-11-20T10:00:00+00:00', 'g1')"
        )
        conn.execute("INSERT INTO news_feeds (feed_id, etag, fetched_at) VALUES ('stadt', '\"e1\"', NULL)")
        conn.execute("INSERT INTO news_state (key, value) VALUES ('last_visit', '2026-11-21T08:00:00+00:00')")

    upgraded = Database(path, migrations())
    assert upgraded.version("news") == len(MIGRATIONS.steps)
    leipzig = SqliteNewsStore(upgraded, city="leipzig")
    offenbach = SqliteNewsStore(upgraded, city="offenbach")
    (markt,) = leipzig.items()
    assert (markt.id, markt.title, markt.identity) == ("s1", "Markt", "g1")
    assert leipzig.feed_state("stadt").etag == '"e1"'
    assert leipzig.last_visit() == datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    assert offenbach.items() == []
    assert offenbach.feed_state("stadt") == FeedState(feed_id="stadt")
    assert offenbach.last_visit() is None
    # Reopened later for another city first, the rows stay Leipzig's.
    again = SqliteNewsStore(Database(path, migrations()), city="offenbach")
    assert again.items() == []
    assert [i.id for i in SqliteNewsStore(upgraded, city="leipzig").items()] == ["s1"]


async def test_the_app_opens_the_news_cache_of_the_active_city(tmp_path: Path) -> None:
    runtime = AppRuntime.create(data_dir=tmp_path / "app")
    try:
        news = runtime.services.news
        assert news is not None
        await news.refresh()
        news.mark_visited()
        await runtime.switch_city("offenbach")
        other = runtime.services.news
        assert other is not None
        assert other is not news
        assert other.cached().last_visit is None  # Leipzig's visit is not Offenbach's
        assert other.cached().updated_at is None
        await other.refresh()
        assert {i.feed_id for i in SqliteNewsStore(runtime.db, city="offenbach").items()} == {"offenbach"}
        assert {i.feed_id for i in SqliteNewsStore(runtime.db, city="leipzig").items()} == {"stadt", "kultur"}
    finally:
        await runtime.aclose()
