"""The feed adapter over real HTTP on 127.0.0.1: conditional requests, failures, timeouts, size limits."""

from __future__ import annotations

import time

import httpx
import pytest
from tests.news.conftest import feed_bytes
from tests.news.feed_server import FeedServer, Route

from leipzig_app.adapters.feeds import FeedFetcher
from leipzig_app.adapters.http import make_client
from leipzig_app.adapters.image_cache import ImageCache
from leipzig_app.domain.errors import InvalidResponseError, OfflineError, ServerError
from leipzig_app.domain.profile import Feed

LAST_MODIFIED = "Mon, 23 Nov 2026 08:00:00 GMT"


def feed(server: FeedServer, path: str, title: str = "Stadtwerke") -> Feed:
    return Feed(id=path.strip("/").replace(".", "-"), title=title, url=server.url + path)


async def test_conditional_get_sends_validators_and_handles_304(
    feed_server: FeedServer, http: httpx.AsyncClient
) -> None:
    feed_server.routes["/rss"] = Route(feed_bytes("rss20.xml"), etag='"v1"', last_modified=LAST_MODIFIED)
    fetcher = FeedFetcher(http)
    first = await fetcher.fetch(feed(feed_server, "/rss"))
    assert len(first.items) == 3
    assert first.etag == '"v1"'
    assert first.last_modified == LAST_MODIFIED
    # Relative links resolve against the feed's real address.
    assert first.items[0].link == feed_server.url + "/stadtwerke/presse/fernwaerme-lindenau"

    second = await fetcher.fetch(feed(feed_server, "/rss"), first.etag, first.last_modified)
    assert second.not_modified
    assert second.items == ()
    sent = feed_server.requests[-1][1]
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == LAST_MODIFIED


async def test_last_modified_alone_also_gives_304(feed_server: FeedServer, http: httpx.AsyncClient) -> None:
    feed_server.routes["/atom"] = Route(
        feed_bytes("atom.xml"), content_type="application/atom+xml", last_modified=LAST_MODIFIED
    )
    fetcher = FeedFetcher(http)
    first = await fetcher.fetch(feed(feed_server, "/atom"))
    assert first.etag is None
    assert (await fetcher.fetch(feed(feed_server, "/atom"), None, first.last_modified)).not_modified


async def test_server_error_names_the_feed(feed_server: FeedServer, http: httpx.AsyncClient) -> None:
    feed_server.routes["/rss"] = Route(b"kaputt", status=500, extra_headers={"Retry-After": "120"})
    with pytest.raises(ServerError) as caught:
        await FeedFetcher(http).fetch(feed(feed_server, "/rss"))
    assert caught.value.status == 500
    assert caught.value.retryable
    assert caught.value.retry_after == 120
    assert caught.value.params["what"] == "Stadtwerke"


async def test_broken_feed_is_invalid(feed_server: FeedServer, http: httpx.AsyncClient) -> None:
    feed_server.routes["/rss"] = Route(b"<html><body>Wartungsarbeiten", content_type="text/html")
    with pytest.raises(InvalidResponseError):
        await FeedFetcher(http).fetch(feed(feed_server, "/rss"))


async def test_a_slow_feed_gives_up_within_the_timeout(
    feed_server: FeedServer, http: httpx.AsyncClient
) -> None:
    feed_server.routes["/late"] = Route(feed_bytes("rss20.xml"), delay=5)
    feed_server.routes["/trickle"] = Route(feed_bytes("rss20.xml"), trickle=0.2)
    fetcher = FeedFetcher(http, timeout=0.5)
    for path in ("/late", "/trickle"):
        started = time.monotonic()
        with pytest.raises(OfflineError) as caught:
            await fetcher.fetch(feed(feed_server, path))
        assert time.monotonic() - started < 2
        assert caught.value.key == "error.timeout"


async def test_unreachable_feed_is_offline(http: httpx.AsyncClient) -> None:
    with pytest.raises(OfflineError) as caught:
        await FeedFetcher(http).fetch(Feed("x", "Stadt", "http://127.0.0.1:9/feed"))
    assert caught.value.key == "error.offline"


async def test_size_limit_stops_reading(feed_server: FeedServer, http: httpx.AsyncClient) -> None:
    body = feed_bytes("rss20.xml")
    feed_server.routes["/big"] = Route(body)
    feed_server.routes["/big-chunked"] = Route(body, trickle=0.001)  # no Content-Length: counted while read
    fetcher = FeedFetcher(http, max_bytes=1000)
    for path in ("/big", "/big-chunked"):
        with pytest.raises(InvalidResponseError) as caught:
            await fetcher.fetch(feed(feed_server, path))
        assert caught.value.key == "news.error.too_large"


async def test_latin1_from_a_server_that_says_so_only_in_its_header(
    feed_server: FeedServer, http: httpx.AsyncClient
) -> None:
    body = feed_bytes("latin1.xml").replace(b' encoding="ISO-8859-1"', b"")
    feed_server.routes["/latin"] = Route(body, content_type="application/rss+xml; charset=ISO-8859-1")
    result = await FeedFetcher(http).fetch(feed(feed_server, "/latin"))
    assert result.items[0].title == "Straßenfest in der Südvorstadt - Grüße aus Connewitz"


def test_timeout_is_capped_at_ten_seconds() -> None:
    client = make_client()
    with pytest.raises(ValueError, match="at most 10"):
        FeedFetcher(client, timeout=30)


async def test_image_cache_keeps_pictures_under_the_cap(
    feed_server: FeedServer, http: httpx.AsyncClient, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    for name in ("a", "b", "c"):
        feed_server.routes[f"/{name}.png"] = Route(bytes([ord(name)]) * 400, content_type="image/png")
    feed_server.routes["/page.html"] = Route(b"<html>", content_type="text/html")
    cache = ImageCache(http, tmp_path / "images", max_bytes=1000, max_image_bytes=500)
    assert await cache.image(feed_server.url + "/a.png") == b"a" * 400
    assert await cache.image(feed_server.url + "/b.png") == b"b" * 400
    requests = len(feed_server.requests)
    assert await cache.image(feed_server.url + "/a.png") == b"a" * 400  # from disk
    assert len(feed_server.requests) == requests
    await cache.image(feed_server.url + "/c.png")
    assert cache.size() <= 1000
    assert cache.cached_image(feed_server.url + "/b.png") is None  # least recently used went first
    assert await cache.image(feed_server.url + "/page.html") is None  # not an image
    feed_server.routes["/huge.png"] = Route(b"x" * 600, content_type="image/png")
    assert await cache.image(feed_server.url + "/huge.png") is None
    assert await cache.image("https://met.vgwort.de/na/x") is None  # trackers are never fetched


async def test_relative_addresses_follow_the_feed_after_a_redirect(
    feed_server: FeedServer, http: httpx.AsyncClient
) -> None:
    body = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Stadt</title>'
        b"<item><title>Markt</title><link>artikel/markt</link><description><![CDATA["
        b'<img src="bilder/markt.png"><a href="../plan.html">Plan</a>]]></description></item>'
        b"</channel></rss>"
    )
    feed_server.routes["/alt/stadt.rss"] = Route(
        status=301, extra_headers={"Location": "/feeds/neu/stadt.rss"}
    )
    feed_server.routes["/feeds/neu/stadt.rss"] = Route(body)
    (markt,) = (await FeedFetcher(http).fetch(feed(feed_server, "/alt/stadt.rss"))).items
    assert markt.link == feed_server.url + "/feeds/neu/artikel/markt"
    assert markt.image == feed_server.url + "/feeds/neu/bilder/markt.png"
    assert [link.url for link in markt.links] == [feed_server.url + "/feeds/plan.html"]


async def test_a_feed_cut_off_in_transit_is_an_error(
    feed_server: FeedServer, http: httpx.AsyncClient
) -> None:
    feed_server.routes["/cut.rss"] = Route(feed_bytes("rss20.xml")[:1500])
    with pytest.raises(InvalidResponseError) as caught:
        await FeedFetcher(http).fetch(feed(feed_server, "/cut.rss"))
    assert caught.value.key == "news.error.malformed"
    assert caught.value.params["what"] == "Stadtwerke"
