"""The news service on real parts: the feed adapter over HTTP, the SQLite cache on a file, a fixed clock."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from tests.news.conftest import feed_bytes
from tests.news.feed_server import FeedServer, Route

from leipzig_app.adapters.feeds import FeedFetcher
from leipzig_app.adapters.http import make_client
from leipzig_app.adapters.news_store import SqliteNewsStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.app import migrations
from leipzig_app.domain.profile import Feed
from leipzig_app.services.news import NewsService


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def feeds(server: FeedServer) -> list[Feed]:
    return [
        Feed("werke", "Stadtwerke", server.url + "/werke.rss", "Versorgung"),
        Feed("bibliothek", "Bibliotheken", server.url + "/bib.atom", "Kultur"),
        Feed("rat", "Ratsinfo", server.url + "/rat.rdf", "Politik"),
    ]


def serve_all(server: FeedServer) -> None:
    server.routes["/werke.rss"] = Route(feed_bytes("rss20.xml"), etag='"w1"')
    server.routes["/bib.atom"] = Route(feed_bytes("atom.xml"), content_type="application/atom+xml")
    server.routes["/rat.rdf"] = Route(feed_bytes("rss10.rdf"), content_type="application/rdf+xml")


def service(
    server: FeedServer, http: httpx.AsyncClient, db: Database, clock: Clock, timeout: float = 10
) -> NewsService:
    return NewsService(
        feeds(server), FeedFetcher(http, timeout=timeout), SqliteNewsStore(db, city="leipzig"), clock=clock
    )


async def test_refresh_merges_feeds_newest_first_and_filters(
    feed_server: FeedServer, http: httpx.AsyncClient, db: Database
) -> None:
    serve_all(feed_server)
    news = service(feed_server, http, db, Clock())
    snapshot = await news.refresh()
    assert not snapshot.errors
    assert not snapshot.offline
    assert len(snapshot.items) == 7
    dated = [i.published for i in snapshot.items if i.published]
    assert dated == sorted(dated, reverse=True)
    assert snapshot.items[0].title == "Fernwärme: Neue Leitung in Lindenau"
    assert snapshot.updated_at == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert {i.feed_id for i in news.visible(snapshot, feed_id="rat")} == {"rat"}
    assert [i.title for i in news.visible(snapshot, category="Schule")] == [
        "Vorlage: Sanierung der Grundschule Gohlis-Süd"
    ]
    assert [i.title for i in news.visible(snapshot, query="grunau samstags")] == [
        "Neue Öffnungszeiten in Grünau"
    ]
    assert "Lesungen" in snapshot.categories


async def test_one_failing_feed_affects_only_itself(
    feed_server: FeedServer, http: httpx.AsyncClient, db: Database
) -> None:
    serve_all(feed_server)
    feed_server.routes["/bib.atom"] = Route(b"Fehler", status=500)
    feed_server.routes["/rat.rdf"] = Route(feed_bytes("rss10.rdf"), delay=3)
    news = service(feed_server, http, db, Clock(), timeout=0.5)
    started = time.monotonic()
    snapshot = await news.refresh()
    assert time.monotonic() - started < 2  # feeds run concurrently; the slow one gives up on its own
    errors = {s.feed_id: s.error for s in snapshot.errors}
    assert set(errors) == {"bibliothek", "rat"}
    assert errors["bibliothek"] is not None
    assert errors["bibliothek"].key == "error.server"
    assert errors["rat"] is not None
    assert errors["rat"].key == "error.timeout"
    assert {i.feed_id for i in snapshot.items} == {"werke"}
    assert not snapshot.offline
    # The error survives a restart of the service (kept per feed) and clears on the next success.
    again = service(feed_server, http, db, Clock()).cached()
    assert {s.feed_id for s in again.errors} == {"bibliothek", "rat"}
    serve_all(feed_server)
    assert not (await news.refresh()).errors


async def test_304_keeps_items_and_sends_validators(
    feed_server: FeedServer, http: httpx.AsyncClient, db: Database
) -> None:
    serve_all(feed_server)
    clock = Clock()
    news = service(feed_server, http, db, clock)
    await news.refresh()
    clock.now += timedelta(minutes=30)
    snapshot = await news.refresh()
    werke = [r for r in feed_server.requests if r[0] == "/werke.rss"]
    assert werke[-1][1].get("if-none-match") == '"w1"'
    assert len(snapshot.items) == 7
    assert snapshot.updated_at == clock.now


async def test_cache_survives_a_new_database_on_the_same_file(
    feed_server: FeedServer, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    serve_all(feed_server)
    path = tmp_path / "app.sqlite3"
    first = service(feed_server, http, Database(path, migrations()), Clock())
    before = await first.refresh()
    reopened = Database(path, migrations())
    after = service(feed_server, http, reopened, Clock()).cached()
    assert [i.id for i in after.items] == [i.id for i in before.items]
    assert after.items[0].links == before.items[0].links
    assert after.items[0].published == before.items[0].published
    assert SqliteNewsStore(reopened, city="leipzig").feed_state("werke").etag == '"w1"'


async def test_offline_shows_the_cache_at_once_marked_offline(
    feed_server: FeedServer, http: httpx.AsyncClient, db: Database
) -> None:
    serve_all(feed_server)
    clock = Clock()
    await service(feed_server, http, db, clock).refresh()
    dead = [
        Feed(f.id, f.title, f.url.replace(feed_server.url, "http://127.0.0.1:9"), f.category)
        for f in feeds(feed_server)
    ]
    offline = NewsService(dead, FeedFetcher(http), SqliteNewsStore(db, city="leipzig"), clock=clock)
    cached = offline.cached()
    assert len(cached.items) == 7
    assert not cached.offline
    clock.now += timedelta(hours=2)
    snapshot = await offline.refresh()
    assert snapshot.offline
    assert len(snapshot.items) == 7
    assert snapshot.updated_at == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # "Stand" of the last good fetch
    assert offline.stamp(snapshot.updated_at, "de") == "23.11.26, 13:00"
    card = await offline.home_card("de")
    assert card.stale
    assert len(card.items) == 3


async def test_new_since_last_visit(feed_server: FeedServer, http: httpx.AsyncClient, db: Database) -> None:
    serve_all(feed_server)
    feed_server.routes.pop("/bib.atom")
    clock = Clock()
    news = service(feed_server, http, db, clock)
    await news.refresh()
    clock.now += timedelta(minutes=1)
    news.mark_visited()
    clock.now += timedelta(minutes=1)
    feed_server.routes["/bib.atom"] = Route(feed_bytes("atom.xml"), content_type="application/atom+xml")
    snapshot = await news.refresh()
    new = {i.feed_id for i in snapshot.items if snapshot.is_new(i)}
    assert new == {"bibliothek"}


async def test_home_card_shows_the_three_latest(
    feed_server: FeedServer, http: httpx.AsyncClient, db: Database
) -> None:
    serve_all(feed_server)
    news = service(feed_server, http, db, Clock())
    card = await news.home_card("de")  # an empty cache fetches first
    assert [i.title for i in card.items] == [
        "Fernwärme: Neue Leitung in Lindenau",
        "Wasserpreise bleiben 2027 stabil",
        "Lesung „Leipziger Nächte“",
    ]
    assert card.items[0].subtitle == "Stadtwerke · vor 4 Stunden"  # 3 h 45 min, rounded as babel does
    assert card.items[0].route.startswith("/news/")
    assert news.item(card.items[0].route.removeprefix("/news/")) is not None
    assert card.problem_key is None
    assert not card.stale


async def test_concurrent_refreshes_share_one_fetch(
    feed_server: FeedServer, http: httpx.AsyncClient, db: Database
) -> None:
    serve_all(feed_server)
    news = service(feed_server, http, db, Clock())
    await asyncio.gather(news.refresh(), news.refresh(), news.refresh())
    assert len([r for r in feed_server.requests if r[0] == "/werke.rss"]) == 1


async def test_store_keeps_first_seen_and_caps_items(db: Database) -> None:
    from leipzig_app.domain.news import NewsItem

    store = SqliteNewsStore(db, city="leipzig", keep_per_feed=2)
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    items = [
        NewsItem(id=f"i{n}", feed_id="f", source="S", title=f"T{n}", published=t0 + timedelta(days=n))
        for n in range(4)
    ]
    store.save_items("f", items[:2], t0)
    store.save_items("f", items, t0 + timedelta(days=5))
    kept = {i.id: i for i in store.items()}
    assert set(kept) == {"i2", "i3"}
    store.save_items("f", [items[3]], t0 + timedelta(days=9))
    assert store.item("i3") is not None
    assert store.item("i3").first_seen == t0 + timedelta(days=5)


async def test_a_cut_off_feed_keeps_its_cached_items_and_reports_the_error(
    feed_server: FeedServer, http: httpx.AsyncClient, db: Database
) -> None:
    serve_all(feed_server)
    clock = Clock()
    news = service(feed_server, http, db, clock)
    before = {i.id: i for i in (await news.refresh()).items if i.feed_id == "werke"}
    assert any(i.published and i.text and i.image for i in before.values())

    feed_server.routes["/werke.rss"] = Route(feed_bytes("rss20.xml")[:1500])  # cut in the second item
    clock.now += timedelta(minutes=30)
    snapshot = await news.refresh()
    errors = {s.feed_id: s.error for s in snapshot.errors}
    assert set(errors) == {"werke"}
    assert errors["werke"] is not None
    assert errors["werke"].key == "news.error.malformed"
    assert {i.id: i for i in snapshot.items if i.feed_id == "werke"} == before  # nothing lost or emptied
    werke = next(s for s in snapshot.statuses if s.feed_id == "werke")
    assert werke.fetched_at == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # the last good fetch
    assert (
        SqliteNewsStore(db, city="leipzig").feed_state("werke").etag == '"w1"'
    )  # the good answer's validators stay

    serve_all(feed_server)
    assert not (await news.refresh()).errors


async def test_store_never_replaces_known_values_with_empty_ones(db: Database) -> None:
    from leipzig_app.domain.news import Link, NewsItem

    store = SqliteNewsStore(db, city="leipzig")
    t0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    full = NewsItem(
        id="m1",
        feed_id="stadt",
        source="Stadt Leipzig",
        title="Weihnachtsmarkt öffnet",
        link="https://www.leipzig.de/markt",
        published=t0,
        text="Der Markt öffnet am Dienstag.",
        category="Verkehr",
        image="https://www.leipzig.de/bilder/markt.png",
        links=(Link("Plan", "https://www.leipzig.de/plan"),),
        identity="guid:m1",
    )
    store.save_items("stadt", [full], t0)
    emptied = replace(
        full, link=None, published=None, text="", category="", image=None, links=(), identity=""
    )
    store.save_items("stadt", [emptied], t0 + timedelta(hours=1))
    assert store.item("m1") == replace(full, first_seen=t0)

    # A later version may change what it does carry.
    changed = replace(
        emptied,
        title="Weihnachtsmarkt öffnet später",
        text="Der Markt öffnet erst am Mittwoch.",
        links=(),
        image="https://www.leipzig.de/bilder/markt-2.png",
    )
    store.save_items("stadt", [changed], t0 + timedelta(hours=2))
    kept = store.item("m1")
    assert kept is not None
    assert (kept.title, kept.text, kept.links, kept.image) == (changed.title, changed.text, (), changed.image)
    assert (kept.published, kept.link, kept.category, kept.identity) == (t0, full.link, "Verkehr", "guid:m1")
    assert kept.first_seen == t0


STADT_RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Stadt</title>
<item><title>Weihnachtsmarkt öffnet</title><link>https://www.leipzig.de/news/markt</link>
<guid isPermaLink="false">stadt-17</guid><pubDate>Mon, 23 Nov 2026 09:00:00 +0100</pubDate>
<description>Der Markt öffnet am Dienstag.</description></item>
<item><title>Neue Radwege</title><link>https://www.leipzig.de/news/radwege</link>
<guid isPermaLink="false">stadt-18</guid><pubDate>Mon, 23 Nov 2026 07:00:00 +0100</pubDate>
<description>Drei neue Radwege.</description></item>
</channel></rss>""".encode()

KULTUR_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Kultur</title><id>tag:leipzig.de,2026:kultur</id>
<updated>2026-11-23T08:00:00Z</updated>
<entry><title>Weihnachtsmarkt öffnet</title><id>tag:leipzig.de,2026:markt</id>
<link href="https://www.leipzig.de/news/markt"/><updated>2026-11-23T08:00:00Z</updated>
<link rel="enclosure" type="image/png" href="https://www.leipzig.de/bilder/markt.png"/>
<content type="html">&lt;p&gt;Der Markt öffnet am Dienstag.&lt;/p&gt;</content></entry>
<entry><title>Orgelnacht</title><id>tag:leipzig.de,2026:orgel</id>
<link href="https://www.leipzig.de/kultur/orgel"/><updated>2026-11-22T18:00:00Z</updated>
<content type="html">Eintritt frei.</content></entry>
</feed>""".encode()


async def test_an_article_in_two_feeds_is_shown_once_naming_both(
    feed_server: FeedServer, http: httpx.AsyncClient, tmp_path: Path
) -> None:
    feed_server.routes["/stadt.rss"] = Route(STADT_RSS)
    feed_server.routes["/kultur.atom"] = Route(KULTUR_ATOM, content_type="application/atom+xml")
    two = [
        Feed("stadt", "Stadt Leipzig", feed_server.url + "/stadt.rss", "Stadt"),
        Feed("kultur", "Kultur in Leipzig", feed_server.url + "/kultur.atom", "Kultur"),
    ]
    path = tmp_path / "app.sqlite3"
    news = NewsService(
        two, FeedFetcher(http), SqliteNewsStore(Database(path, migrations()), city="leipzig"), clock=Clock()
    )
    snapshot = await news.refresh()
    assert [i.title for i in snapshot.items] == ["Weihnachtsmarkt öffnet", "Neue Radwege", "Orgelnacht"]
    markt = snapshot.items[0]
    # The culture feed's copy has a picture: it is the one kept, and the city feed is named with it.
    assert markt.feed_id == "kultur"
    assert markt.image == "https://www.leipzig.de/bilder/markt.png"
    assert markt.sources == "Kultur in Leipzig / Stadt Leipzig"
    assert [i.title for i in news.visible(snapshot, feed_id="stadt")] == [
        "Weihnachtsmarkt öffnet",
        "Neue Radwege",
    ]
    assert [i.title for i in news.visible(snapshot, feed_id="kultur")] == [
        "Weihnachtsmarkt öffnet",
        "Orgelnacht",
    ]
    # Opened by either feed's id (a link kept from before), it is the same merged item.
    (city_copy,) = markt.also_in
    assert news.item(city_copy.item_id) == markt
    assert news.item(markt.id) == markt
    card = await news.home_card("de")
    assert card.items[0].subtitle.startswith("Kultur in Leipzig / Stadt Leipzig · ")
    assert len(card.items) == 3
    # The same after a restart: what identifies each entry is stored with it.
    reopened = NewsService(
        two, FeedFetcher(http), SqliteNewsStore(Database(path, migrations()), city="leipzig"), clock=Clock()
    )
    assert reopened.cached().items == snapshot.items


async def test_items_cached_before_the_identity_column_are_merged_by_link(tmp_path: Path) -> None:
    from leipzig_app.adapters.news_store import MIGRATIONS
    from leipzig_app.adapters.sqlite_store import Migrations

    path = tmp_path / "app.sqlite3"
    old = Database(path, [Migrations("news", MIGRATIONS.steps[:1])])
    with old.transaction() as conn:
        for item_id, feed_id in (("s1", "stadt"), ("k1", "kultur")):
            conn.execute(
                "INSERT INTO news_items (id, feed_id, source, title, link, published, body, category, image,"
                " links, first_seen) VALUES (?, ?, ?, 'Markt', 'https://www.leipzig.de/markt', NULL, 'Text',"
                " '', NULL, '[]', '2026-11-20T09:00:00+00:00')",
                (item_id, feed_id, feed_id.title()),
            )
    upgraded = Database(path, migrations())
    assert upgraded.version("news") == len(MIGRATIONS.steps)
    feeds_ = [
        Feed("stadt", "Stadt", "http://127.0.0.1:9/s"),
        Feed("kultur", "Kultur", "http://127.0.0.1:9/k"),
    ]
    async with make_client() as client:
        news = NewsService(
            feeds_, FeedFetcher(client), SqliteNewsStore(upgraded, city="leipzig"), clock=Clock()
        )
        (markt,) = news.cached().items
    assert (markt.id, markt.identity, markt.sources) == ("s1", "", "Stadt / Kultur")
