"""`leipzig-app news --feed URL [--feed URL]...`: read any RSS/Atom feeds the way the app reads them.

Prints one JSON line per item, newest first across all feeds: `{"title", "link", "published" (ISO-8601
or null), "summary" (plain text), "image" (URL or null), "source"}`; an article that several feeds carry
is printed once, its `source` naming each of them ("A / B"). A feed that fails does not hide the
others: their items are printed, then one line `{"error": ..., "feed": URL, "reason": ...}` per failed
feed, and the command exits 1 (with a line on stderr naming each failed feed and why). Every feed is
fetched at once and gives up after `--timeout` seconds (at most 10).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

from leipzig_app.cli.output import CliError, emit

if TYPE_CHECKING:
    from leipzig_app.domain.news import NewsItem

MAX_FEEDS = 50


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "news",
        help="read RSS/Atom feeds and print their items as JSON lines",
        description="Fetch RSS 0.9x/1.0/2.0 or Atom feeds and print one JSON line per item, newest first: "
        "title, link, published, summary, image, source. Exits 1 if any feed fails.",
    )
    parser.add_argument(
        "--feed", action="append", required=True, metavar="URL", help="a feed URL (repeat for more feeds)"
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for each feed (more than 0, at most 10)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from leipzig_app.adapters.feeds import MAX_TIMEOUT
    from leipzig_app.domain.urls import check_endpoint_url

    if not 0 < args.timeout <= MAX_TIMEOUT:
        raise CliError(
            f"--timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds, not {args.timeout:g}"
        )
    urls: list[str] = list(dict.fromkeys(u.strip() for u in args.feed))
    if len(urls) > MAX_FEEDS:
        raise CliError(f"at most {MAX_FEEDS} feeds at once, not {len(urls)}")
    for url in urls:
        problem = check_endpoint_url(url)
        if problem or url.startswith("{"):
            raise CliError(f"--feed {url!r} is not usable: expected {problem or 'a real URL'}")
    items, failures = asyncio.run(_read(urls, args.timeout))
    for item in items:
        emit(item)
    for url, reason in failures:
        emit({"error": "feed failed", "feed": url, "reason": reason})
        sys.stderr.write(f"leipzig-app: error: feed {url}: {reason}\n")
    sys.stderr.flush()
    return 1 if failures else 0


async def _read(urls: list[str], timeout: float) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    from leipzig_app.adapters.feeds import FeedFetcher
    from leipzig_app.adapters.http import make_client
    from leipzig_app.domain.errors import AppError
    from leipzig_app.domain.news import merge_feeds, newest_first
    from leipzig_app.domain.profile import Feed

    feeds = [Feed(id=f"feed{i}", title="", url=url) for i, url in enumerate(urls)]
    async with make_client(timeout=timeout) as client:
        fetcher = FeedFetcher(client, timeout=timeout)
        results = await asyncio.gather(*(fetcher.fetch(feed) for feed in feeds), return_exceptions=True)
    items: list[NewsItem] = []
    failures: list[tuple[str, str]] = []
    for feed, result in zip(feeds, results, strict=True):
        if isinstance(result, AppError):
            failures.append((feed.url, str(result)))
        elif isinstance(result, BaseException):
            failures.append((feed.url, f"unexpected error ({type(result).__name__}): {result}"))
        else:
            items.extend(result.items)
    return [_line(item) for item in newest_first(merge_feeds(items))], failures


def _line(item: NewsItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "link": item.link,
        "published": item.published.isoformat() if item.published else None,
        "summary": item.teaser,
        "image": item.image,
        "source": item.sources,
    }
