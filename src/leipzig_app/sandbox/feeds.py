"""Demo city news: an RSS 2.0 feed (`/feeds/stadt.rss`) and an Atom feed (`/feeds/kultur.atom`), plus the
second demo jurisdiction's RSS feed (`/feeds/offenbach.rss`, for the Offenbach profile).

Both are written the way real municipal feeds are: German text with umlauts, HTML in CDATA blocks or
escaped, relative links, pictures as enclosures or Media RSS, one item without a date, and the odd
tracking pixel and script a sanitiser must remove. Answers carry ETag and Last-Modified and honour
If-None-Match / If-Modified-Since with 304. Article links lead to small HTML pages, pictures are PNGs
drawn here.

Demo endpoints for tests and testers (all data are demo data):
- `POST /demo/feeds/{feed}/items` `{"title", "html", "image"?, "undated"?}` adds an item (newest),
- `POST /demo/feeds/{feed}/mode` `{"mode": "ok"|"fail"|"slow"|"broken"|"truncated", "delay"?: seconds}`
  ("broken" answers with an HTML page, "truncated" with the first half of the feed, as a cut transfer does),
- `GET /demo/feeds/{feed}/hits` how many full (200) and conditional (304) answers were given.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from html import escape as html_escape
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from leipzig_app.sandbox.context import SandboxContext
from leipzig_app.sandbox.feeds_data import FEEDS, SEED, SEED_OFFENBACH, png

MODES = ("ok", "fail", "slow", "broken", "truncated")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS feed_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        feed TEXT NOT NULL,
        guid TEXT NOT NULL,
        title TEXT NOT NULL,
        html TEXT NOT NULL,
        category TEXT NOT NULL DEFAULT '',
        image TEXT,
        published TEXT,
        UNIQUE (feed, guid)
    )""",
    """CREATE TABLE IF NOT EXISTS feed_modes (
        feed TEXT PRIMARY KEY,
        mode TEXT NOT NULL,
        delay REAL NOT NULL DEFAULT 0,
        changed_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS feed_hits (
        feed TEXT NOT NULL,
        status INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (feed, status)
    )""",
]

DISCOVERY = [
    {"type": "rss", "path": "/feeds/stadt.rss"},
    {"type": "atom", "path": "/feeds/kultur.atom"},
    {"type": "rss", "path": "/feeds/offenbach.rss"},
]


class NewItem(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    html: str = Field(default="", max_length=100_000)
    category: str = ""
    image: str | None = None
    undated: bool = False


class FeedMode(BaseModel):
    mode: str
    delay: float = Field(default=0.0, ge=0.0, le=60.0)


def seed(ctx: SandboxContext) -> None:
    _seed(ctx, "feeds_seeded", SEED, ("stadt", "kultur"))
    _seed(ctx, "feeds_seeded_offenbach", SEED_OFFENBACH, ("offenbach",))


def _seed(ctx: SandboxContext, marker: str, items: tuple[Any, ...], feeds: tuple[str, ...]) -> None:
    now = ctx.now()
    with ctx.db() as conn:
        if conn.execute("SELECT 1 FROM sandbox_meta WHERE key = ?", (marker,)).fetchone():
            return
        for feed, guid, hours, title, html, category, image in items:
            published = (now - timedelta(hours=hours)).isoformat() if hours is not None else None
            conn.execute(
                "INSERT INTO feed_items (feed, guid, title, html, category, image, published) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (feed, guid, title, html, category, image, published),
            )
        for feed in feeds:
            conn.execute(
                "INSERT OR REPLACE INTO feed_modes (feed, mode, delay, changed_at) VALUES (?, 'ok', 0, ?)",
                (feed, now.isoformat()),
            )
        conn.execute("INSERT INTO sandbox_meta (key, value) VALUES (?, '1')", (marker,))


def create_router(ctx: SandboxContext) -> APIRouter:
    router = APIRouter()

    async def serve(feed: str, request: Request) -> Response:
        with ctx.db() as conn:
            state = conn.execute("SELECT * FROM feed_modes WHERE feed = ?", (feed,)).fetchone()
            rows = conn.execute(
                "SELECT * FROM feed_items WHERE feed = ? ORDER BY published IS NULL, published DESC, id DESC",
                (feed,),
            ).fetchall()
        mode = state["mode"] if state else "ok"
        if mode == "slow":
            await asyncio.sleep(float(state["delay"]))
        if mode == "fail":
            _hit(ctx, feed, 500)
            return Response("Interner Serverfehler (Demo)", status_code=500, media_type="text/plain")
        if mode == "broken":
            _hit(ctx, feed, 200)
            return Response("<html><body><h1>Wartungsarbeiten", media_type="text/html; charset=utf-8")
        changed = datetime.fromisoformat(state["changed_at"]) if state else ctx.now()
        base = str(request.base_url).rstrip("/")
        items = [dict(row) for row in rows]
        if feed != "kultur":
            body, media_type = _rss(items, base, changed, feed), "application/rss+xml; charset=utf-8"
        else:
            body, media_type = _atom(items, base, changed), "application/atom+xml; charset=utf-8"
        etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:24] + '"'
        headers = {"ETag": etag, "Last-Modified": format_datetime(changed, usegmt=True)}
        if mode == "truncated":  # a transfer cut short: always a full answer, and only half of it
            _hit(ctx, feed, 200)
            data = body.encode()
            return Response(data[: len(data) // 2], media_type=media_type, headers=headers)
        if _not_modified(request, etag, changed):
            _hit(ctx, feed, 304)
            return Response(status_code=304, headers=headers)
        _hit(ctx, feed, 200)
        return Response(body, media_type=media_type, headers=headers)

    @router.get("/feeds/stadt.rss")
    async def stadt(request: Request) -> Response:
        return await serve("stadt", request)

    @router.get("/feeds/kultur.atom")
    async def kultur(request: Request) -> Response:
        return await serve("kultur", request)

    @router.get("/feeds/offenbach.rss")
    async def offenbach(request: Request) -> Response:
        return await serve("offenbach", request)

    @router.get("/feeds/bilder/{name}.png")
    def picture(name: str) -> Response:
        if not name.isascii() or not name.replace("-", "").isalnum() or len(name) > 40:
            raise HTTPException(404, "Kein solches Bild")
        return Response(png(name), media_type="image/png", headers={"Cache-Control": "max-age=86400"})

    @router.get("/feeds/artikel/{feed}/{guid}")
    def article(feed: str, guid: str) -> Response:
        with ctx.db() as conn:
            row = conn.execute(
                "SELECT * FROM feed_items WHERE feed = ? AND guid = ?", (feed, guid)
            ).fetchone()
        if row is None:
            raise HTTPException(404, "Diesen Artikel gibt es nicht.")
        page = (
            f'<!doctype html><html lang="de"><meta charset="utf-8"><title>{html_escape(row["title"])}</title>'
            f"<p><em>Demo-Stadt Leipzig – Demodaten</em></p><h1>{html_escape(row['title'])}</h1>"
            f"<p>{html_escape(row['category'])}</p><p>Dies ist die Demo-Seite zu diesem Artikel.</p></html>"
        )
        return Response(page, media_type="text/html; charset=utf-8")

    @router.post("/demo/feeds/{feed}/items", status_code=201)
    def add_item(feed: str, item: NewItem) -> dict[str, Any]:
        _known(feed)
        now = ctx.now()
        with ctx.db() as conn:
            count = conn.execute("SELECT COUNT(*) FROM feed_items WHERE feed = ?", (feed,)).fetchone()[0]
            guid = f"{feed}-demo-{count + 1:04d}-{int(now.timestamp() * 1000)}"
            conn.execute(
                "INSERT INTO feed_items (feed, guid, title, html, category, image, published) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (feed, guid, item.title, item.html, item.category, item.image,
                 None if item.undated else now.isoformat()),
            )  # fmt: skip
            _touch(conn, feed, now)
        return {"feed": feed, "guid": guid, "demo": True}

    @router.post("/demo/feeds/{feed}/mode")
    def set_mode(feed: str, mode: FeedMode) -> dict[str, Any]:
        _known(feed)
        if mode.mode not in MODES:
            raise HTTPException(422, f"mode must be one of {', '.join(MODES)}")
        with ctx.db() as conn:
            conn.execute(
                "UPDATE feed_modes SET mode = ?, delay = ? WHERE feed = ?", (mode.mode, mode.delay, feed)
            )
        return {"feed": feed, "mode": mode.mode, "delay": mode.delay, "demo": True}

    @router.get("/demo/feeds/{feed}/hits")
    def hits(feed: str) -> dict[str, Any]:
        _known(feed)
        with ctx.db() as conn:
            rows = conn.execute("SELECT status, count FROM feed_hits WHERE feed = ?", (feed,)).fetchall()
        counts = {str(row["status"]): row["count"] for row in rows}
        return {
            "feed": feed,
            "full": counts.get("200", 0),
            "not_modified": counts.get("304", 0),
            "demo": True,
        }

    return router


def _known(feed: str) -> None:
    if feed not in FEEDS:
        raise HTTPException(404, f"unknown feed; known: {', '.join(FEEDS)}")


def _touch(conn: Any, feed: str, now: datetime) -> None:
    # Last-Modified has whole seconds: the next change must land on a later second.
    row = conn.execute("SELECT changed_at FROM feed_modes WHERE feed = ?", (feed,)).fetchone()
    previous = datetime.fromisoformat(row["changed_at"]) if row else now - timedelta(seconds=1)
    changed = max(now, previous.replace(microsecond=0) + timedelta(seconds=1))
    conn.execute("UPDATE feed_modes SET changed_at = ? WHERE feed = ?", (changed.isoformat(), feed))


def _hit(ctx: SandboxContext, feed: str, status: int) -> None:
    with ctx.db() as conn:
        conn.execute(
            "INSERT INTO feed_hits (feed, status, count) VALUES (?, ?, 1) "
            "ON CONFLICT(feed, status) DO UPDATE SET count = count + 1",
            (feed, status),
        )


def _not_modified(request: Request, etag: str, changed: datetime) -> bool:
    candidates = request.headers.get("if-none-match")
    if candidates is not None:
        return etag in [c.strip() for c in candidates.split(",")] or candidates.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return changed.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


# --- documents -----------------------------------------------------------------------------------------


def _rss(items: list[dict[str, Any]], base: str, changed: datetime, feed: str = "stadt") -> str:
    entries = []
    for i, item in enumerate(items):
        parts = [
            f"<title>{escape(item['title'])}</title>",
            f"<link>artikel/{feed}/{escape(item['guid'])}</link>",
            f'<guid isPermaLink="false">{escape(item["guid"])}</guid>',
            f"<description><![CDATA[{item['html'].replace(']]>', ']]&gt;')}]]></description>",
        ]
        if item["published"]:
            when = datetime.fromisoformat(item["published"])
            parts.append(f"<pubDate>{format_datetime(when.astimezone(_PUB_OFFSET))}</pubDate>")
        if item["category"]:
            parts.append(f"<category>{escape(item['category'])}</category>")
        if item["image"]:
            url = f"bilder/{item['image']}.png"
            if i % 2:  # both ways real feeds attach pictures
                parts.append(f'<media:content url="{url}" medium="image" type="image/png" width="640"/>')
            else:
                parts.append(f'<enclosure url="{url}" type="image/png" length="{len(png(item["image"]))}"/>')
        entries.append("<item>" + "".join(parts) + "</item>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><channel>'
        f"<title>{escape(FEEDS[feed])}</title><link>{base}/</link>"
        f'<atom:link href="{base}/feeds/{feed}.rss" rel="self" type="application/rss+xml"/>'
        f"<description>Nachrichten: {escape(FEEDS[feed])} (Demodaten)</description><language>de</language>"
        f"<lastBuildDate>{format_datetime(changed, usegmt=True)}</lastBuildDate>"
        + "".join(entries)
        + "</channel></rss>\n"
    )


def _atom(items: list[dict[str, Any]], base: str, changed: datetime) -> str:
    entries = []
    for item in items:
        when = item["published"] or changed.isoformat()
        parts = [
            f'<title type="text">{escape(item["title"])}</title>',
            f"<id>tag:demo.leipzig.example,2026:{escape(item['guid'])}</id>",
            f'<link rel="alternate" type="text/html" href="artikel/kultur/{escape(item["guid"])}"/>',
            f"<updated>{when}</updated>",
            f'<content type="html">{escape(item["html"])}</content>',
        ]
        if item["published"]:
            parts.append(f"<published>{item['published']}</published>")
        if item["category"]:
            parts.append(f'<category term="{escape(item["category"])}"/>')
        if item["image"]:
            parts.append(f'<link rel="enclosure" type="image/png" href="bilder/{item["image"]}.png"/>')
        entries.append("<entry>" + "".join(parts) + "</entry>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">'
        f"<title>{escape(FEEDS['kultur'])}</title><id>tag:demo.leipzig.example,2026:kultur</id>"
        f'<link rel="self" href="{base}/feeds/kultur.atom"/><updated>{changed.isoformat()}</updated>'
        "<author><name>Kulturamt der Demo-Stadt Leipzig</name></author>" + "".join(entries) + "</feed>\n"
    )


#: pubDate is written with a +01:00 offset, as German servers do; readers must convert it to UTC.
_PUB_OFFSET = timezone(timedelta(hours=1))
