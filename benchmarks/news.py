"""News benchmark: parse and store 1,000 items from 10 feeds, then show the first screen from the cache.

1. Ten feeds (five RSS 2.0, five Atom, 100 items each with HTML, pictures and relative links) are served
   by a local HTTP server on 127.0.0.1. The time measured is one `NewsService.refresh()` with the real
   feed adapter and the real SQLite cache: download, parse, sanitise, deduplicate and store all 1,000.
   Meanwhile a task that wakes every millisecond records the longest time the event loop could not run
   (the screens freeze for that long; parsing and storing run in worker threads so that it stays short).
2. The network is then gone (every feed points to a closed port). The time measured runs from opening
   the database and starting the app's real shell on the in-process Flet client, opened at "/news",
   until the client has received the first page of items (30 cards) from the cache. Target: within 1 s.

Each part runs `--repeat` times on fresh folders after one uncounted warm-up (a running app has Flet and
its views loaded already; the warm-up time is printed too). The median and the worst wall-clock times are
printed, and the CPU time of the process, which a busy machine does not inflate (it includes the local
feed server's share for the first part).

    .venv/bin/python benchmarks/news.py [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.support.flet_fake (the in-process Flet client)

FEEDS = 10
ITEMS_PER_FEED = 100
TARGET_SECONDS = 1.0
_START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _html(feed: int, n: int) -> str:
    return (
        f"<p>Meldung {n} der Quelle {feed}: Die Stadt Leipzig informiert über <strong>Baustellen</strong>, "
        f"Öffnungszeiten und Veranstaltungen in Grünau, Möckern und der Südvorstadt.</p>"
        f'<p>Mehr dazu <a href="/artikel/{feed}/{n}/mehr">auf der Themenseite</a> und bei den '
        f'<a href="https://www.lvb.de/">Verkehrsbetrieben</a>.</p>'
        f'<img src="https://met.vgwort.de/na/{feed}-{n}" width="1" height="1"><script>track()</script>'
    )


def rss(feed: int) -> bytes:
    items = "".join(
        f"<item><title>Quelle {feed}, Meldung {n}: Straßenfest in der Südvorstadt</title>"
        f'<link>/artikel/{feed}/{n}</link><guid isPermaLink="false">rss-{feed}-{n}</guid>'
        f"<pubDate>{format_datetime(_START - timedelta(minutes=7 * n + feed))}</pubDate>"
        f"<category>Thema {n % 7}</category><description><![CDATA[{_html(feed, n)}]]></description>"
        f'<enclosure url="/bilder/{feed}-{n}.jpg" type="image/jpeg" length="1000"/></item>'
        for n in range(ITEMS_PER_FEED)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Quelle {feed}</title>'
        f"<link>http://127.0.0.1/</link><description>Benchmark</description>{items}</channel></rss>"
    ).encode()


def atom(feed: int) -> bytes:
    entries = "".join(
        f"<entry><title>Quelle {feed}, Eintrag {n}: Lesung in der Stadtbibliothek</title>"
        f'<id>tag:bench,2026:{feed}-{n}</id><link href="artikel/{feed}/{n}"/>'
        f"<updated>{(_START - timedelta(minutes=5 * n + feed)).isoformat()}</updated>"
        f'<category term="Kultur {n % 5}"/><content type="html">{escape(_html(feed, n))}</content>'
        f'<link rel="enclosure" type="image/jpeg" href="bilder/{feed}-{n}.jpg"/></entry>'
        for n in range(ITEMS_PER_FEED)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Quelle {feed}</title><id>tag:bench,2026:{feed}</id>"
        f"<updated>{_START.isoformat()}</updated>{entries}</feed>"
    ).encode()


class Server:
    def __init__(self) -> None:
        bodies = {f"/feed{i}": (rss(i) if i % 2 == 0 else atom(i)) for i in range(FEEDS)}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:
                body = bodies.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def feeds(base: str) -> tuple:  # type: ignore[type-arg]
    from leipzig_app.domain.profile import Feed

    return tuple(Feed(f"quelle{i}", f"Quelle {i}", f"{base}/feed{i}", "") for i in range(FEEDS))


class LoopWatch:
    """Measures how long the event loop is kept from running: a task that asks to wake every millisecond
    records the longest gap between two of its wake-ups (a blocked loop shows as one long gap)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last)
            last = now

    def __enter__(self) -> LoopWatch:
        self._task = asyncio.get_running_loop().create_task(self._watch())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


async def parse_and_store(base: str, folder: Path) -> tuple[float, float, int, float]:
    from leipzig_app.adapters.feeds import FeedFetcher
    from leipzig_app.adapters.http import make_client
    from leipzig_app.adapters.news_store import SqliteNewsStore
    from leipzig_app.adapters.sqlite_store import Database
    from leipzig_app.app import migrations
    from leipzig_app.services.news import NewsService

    db = Database(folder / "leipzig-app.sqlite3", migrations())
    async with make_client() as client:
        service = NewsService(feeds(base), FeedFetcher(client), SqliteNewsStore(db, city="leipzig"))
        with LoopWatch() as watch:
            await asyncio.sleep(0.01)  # the watch has started
            started, cpu_started = time.perf_counter(), time.process_time()
            snapshot = await service.refresh()
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if snapshot.errors:
        raise SystemExit(f"a benchmark feed failed: {snapshot.errors[0].error}")
    return elapsed, cpu, len(snapshot.items), watch.longest


async def first_screen_offline(folder: Path) -> tuple[float, float, int]:
    from tests.support.flet_fake import FakeFletClient

    from leipzig_app.adapters.feeds import FeedFetcher
    from leipzig_app.adapters.http import make_client
    from leipzig_app.adapters.news_store import SqliteNewsStore
    from leipzig_app.adapters.profiles import load_profile
    from leipzig_app.adapters.settings_store import SqliteSettingsStore
    from leipzig_app.adapters.sqlite_store import Database
    from leipzig_app.app import migrations
    from leipzig_app.domain.profile import NewsSettings
    from leipzig_app.services.container import AppServices
    from leipzig_app.services.news import NewsService
    from leipzig_app.services.settings import SettingsService
    from leipzig_app.ui.news.list_view import PAGE_SIZE

    dead = "http://127.0.0.1:9"  # nothing listens there: no network for the news
    profile = load_profile().bind_sandbox(dead)
    profile = replace(profile, news=NewsSettings(feeds=feeds(dead)))
    async with make_client() as client:
        started, cpu_started = time.perf_counter(), time.process_time()
        db = Database(folder / "leipzig-app.sqlite3", migrations())
        services = AppServices(
            profile=profile,
            settings=SettingsService(SqliteSettingsStore(db), languages=profile.languages),
            news=NewsService(profile.news.feeds, FeedFetcher(client), SqliteNewsStore(db, city="leipzig")),
        )

        async def main(page: object) -> None:
            from leipzig_app.ui.shell import Shell

            Shell(page, services).start()  # type: ignore[arg-type]

        fake = FakeFletClient(main, platform="android", width=390, height=844, route="/news")
        # The moment the client holds the first page of cards, not when everything after it has settled
        # (the refresh that then finds no network belongs to the screen's life, not to showing it).
        shown_at: list[tuple[float, float]] = []
        deliver = fake._deliver

        def watch(packet: bytes) -> None:
            deliver(packet)
            if not shown_at and len(_cards(fake)) >= PAGE_SIZE:
                shown_at.append((time.perf_counter(), time.process_time()))

        fake._deliver = watch  # type: ignore[method-assign]
        await fake.connect()
        try:
            await fake.wait_until(lambda: bool(shown_at), timeout=30, interval=0.005)
            elapsed, cpu = shown_at[0][0] - started, shown_at[0][1] - cpu_started
            shown = len(_cards(fake))
            # The screen's own refresh (which finds no network) ends before its HTTP client is closed.
            await fake.wait_until(lambda: not fake.find("news.refresh").get("disabled"), timeout=60)
        finally:
            await fake.close()
    return elapsed, cpu, shown


def _cards(fake: object) -> list[object]:
    return fake.find_all(  # type: ignore[attr-defined,no-any-return]
        lambda c: c.type == "Card" and (c.key or "").startswith("news.item.")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    store_times, store_cpu, stalls, screen_times, screen_cpu = [], [], [], [], []
    items = shown = 0
    with Server() as base:
        with tempfile.TemporaryDirectory(prefix="news-bench-") as tmp:
            # Warm-up, not counted: loads Flet and the views once, as a running app has them loaded.
            asyncio.run(parse_and_store(base, Path(tmp)))
            cold = asyncio.run(first_screen_offline(Path(tmp)))[0]
        for _ in range(max(1, args.repeat)):
            with tempfile.TemporaryDirectory(prefix="news-bench-") as tmp:
                elapsed, cpu, items, stall = asyncio.run(parse_and_store(base, Path(tmp)))
                store_times.append(elapsed)
                store_cpu.append(cpu)
                stalls.append(stall)
                elapsed, cpu, shown = asyncio.run(first_screen_offline(Path(tmp)))
                screen_times.append(elapsed)
                screen_cpu.append(cpu)
    result = {
        "items_stored": items,
        "parse_and_store_s": {"median": statistics.median(store_times), "max": max(store_times)},
        "parse_and_store_cpu_s": {"median": statistics.median(store_cpu), "max": max(store_cpu)},
        "longest_loop_stall_s": {"median": statistics.median(stalls), "max": max(stalls)},
        "first_screen_items": shown,
        "first_screen_from_cache_s": {"median": statistics.median(screen_times), "max": max(screen_times)},
        "first_screen_cpu_s": {"median": statistics.median(screen_cpu), "max": max(screen_cpu)},
        "first_screen_cold_s": cold,
        "target_first_screen_s": TARGET_SECONDS,
        "ok": statistics.median(screen_times) < TARGET_SECONDS,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"parse + store {items} items from {FEEDS} feeds: median {statistics.median(store_times):.3f} s,"
            f" worst {max(store_times):.3f} s, CPU median {statistics.median(store_cpu):.3f} s"
        )
        print(
            f"longest event-loop stall during that refresh: median {statistics.median(stalls):.3f} s,"
            f" worst {max(stalls):.3f} s (the screens cannot react for that long)"
        )
        print(
            f"first screen from cache, offline ({shown} items shown): median "
            f"{statistics.median(screen_times):.3f} s, worst {max(screen_times):.3f} s, CPU median "
            f"{statistics.median(screen_cpu):.3f} s (target < {TARGET_SECONDS:.1f} s: "
            f"{'ok' if result['ok'] else 'MISSED'}); first run with imports {cold:.3f} s"
        )
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
