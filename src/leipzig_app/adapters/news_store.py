"""The news cache in the local database: items, per-feed validators and errors, and the last visit.

Items survive restarts so the news is there at once, offline too. An item keeps the moment the app first
saw it (for "new since the last visit") when a later refresh brings it again. A later version of an item
may change its title, text, date or picture, but what it lacks does not erase what is known: a missing
date, text, picture or link keeps the stored one. Each feed keeps at most `KEEP_PER_FEED` items, the
newest by date, so the cache cannot grow without bound.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from leipzig_app.adapters.sqlite_store import Database, Migrations
from leipzig_app.domain.news import FeedState, Link, NewsItem

KEEP_PER_FEED = 200

MIGRATIONS = Migrations(
    "news",
    [
        """
        CREATE TABLE news_items (
            id TEXT PRIMARY KEY,
            feed_id TEXT NOT NULL,
            source TEXT NOT NULL,
            title TEXT NOT NULL,
            link TEXT,
            published TEXT,
            body TEXT NOT NULL,
            category TEXT NOT NULL,
            image TEXT,
            links TEXT NOT NULL,
            first_seen TEXT NOT NULL
        );
        CREATE INDEX news_items_feed ON news_items (feed_id, published);
        CREATE TABLE news_feeds (
            feed_id TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            fetched_at TEXT,
            error_key TEXT,
            error_params TEXT NOT NULL DEFAULT '{}',
            error_message TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE news_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
        # What identifies an entry within its feed (guid, link, or title and date): lets the same article
        # in two feeds be shown once. Rows stored before have '' and are matched by link and title.
        "ALTER TABLE news_items ADD COLUMN identity TEXT NOT NULL DEFAULT '';",
    ],
)

# An update keeps every stored value that the new version of the item lacks.
_UPSERT = (
    "INSERT INTO news_items (id, feed_id, source, title, link, published, body, category, image, links,"
    " first_seen, identity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET"
    " source = excluded.source,"
    " title = CASE WHEN excluded.title <> '' THEN excluded.title ELSE news_items.title END,"
    " link = COALESCE(excluded.link, news_items.link),"
    " published = COALESCE(excluded.published, news_items.published),"
    " body = CASE WHEN excluded.body <> '' THEN excluded.body ELSE news_items.body END,"
    " links = CASE WHEN excluded.body <> '' THEN excluded.links ELSE news_items.links END,"
    " category = CASE WHEN excluded.category <> '' THEN excluded.category ELSE news_items.category END,"
    " image = COALESCE(excluded.image, news_items.image),"
    " identity = CASE WHEN excluded.identity <> '' THEN excluded.identity ELSE news_items.identity END"
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class SqliteNewsStore:
    """Implements the `NewsStore` port on a `Database` that has the "news" migrations applied."""

    def __init__(self, db: Database, *, keep_per_feed: int = KEEP_PER_FEED):
        self._db = db
        self._keep = keep_per_feed

    def save_items(self, feed_id: str, items: Sequence[NewsItem], seen_at: datetime) -> None:
        rows = [
            (
                item.id,
                item.feed_id,
                item.source,
                item.title,
                item.link,
                _iso(item.published),
                item.text,
                item.category,
                item.image,
                json.dumps([[link.text, link.url] for link in item.links], ensure_ascii=False),
                _iso(item.first_seen or seen_at),
                item.identity,
            )
            for item in items
        ]
        with self._db.transaction() as conn:
            conn.executemany(_UPSERT, rows)
            conn.execute(
                "DELETE FROM news_items WHERE feed_id = ? AND id NOT IN (SELECT id FROM news_items"
                " WHERE feed_id = ? ORDER BY published IS NULL, published DESC, first_seen DESC LIMIT ?)",
                (feed_id, feed_id, self._keep),
            )

    def items(self) -> list[NewsItem]:
        with self._db.transaction() as conn:
            rows = conn.execute("SELECT * FROM news_items").fetchall()
        return [_item(row) for row in rows]

    def item(self, item_id: str) -> NewsItem | None:
        with self._db.transaction() as conn:
            row = conn.execute("SELECT * FROM news_items WHERE id = ?", (item_id,)).fetchone()
        return _item(row) if row else None

    def feed_state(self, feed_id: str) -> FeedState:
        with self._db.transaction() as conn:
            row = conn.execute("SELECT * FROM news_feeds WHERE feed_id = ?", (feed_id,)).fetchone()
        if row is None:
            return FeedState(feed_id=feed_id)
        return FeedState(
            feed_id=feed_id,
            etag=row["etag"],
            last_modified=row["last_modified"],
            fetched_at=_when(row["fetched_at"]),
            error_key=row["error_key"],
            error_params=_json_dict(row["error_params"]),
            error_message=row["error_message"],
        )

    def save_feed_state(self, state: FeedState) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO news_feeds (feed_id, etag, last_modified, fetched_at, error_key, error_params,"
                " error_message) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(feed_id) DO UPDATE SET"
                " etag = excluded.etag, last_modified = excluded.last_modified,"
                " fetched_at = excluded.fetched_at, error_key = excluded.error_key,"
                " error_params = excluded.error_params, error_message = excluded.error_message",
                (
                    state.feed_id,
                    state.etag,
                    state.last_modified,
                    _iso(state.fetched_at),
                    state.error_key,
                    json.dumps(state.error_params, ensure_ascii=False, default=str),
                    state.error_message,
                ),
            )

    def last_visit(self) -> datetime | None:
        with self._db.transaction() as conn:
            row = conn.execute("SELECT value FROM news_state WHERE key = 'last_visit'").fetchone()
        return _when(row["value"]) if row else None

    def set_last_visit(self, when: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO news_state (key, value) VALUES ('last_visit', ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (when.isoformat(),),
            )


def _json_dict(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _item(row: sqlite3.Row) -> NewsItem:
    try:
        links = tuple(Link(text=str(t), url=str(u)) for t, u in json.loads(row["links"]))
    except (json.JSONDecodeError, ValueError, TypeError):
        links = ()
    return NewsItem(
        id=row["id"],
        feed_id=row["feed_id"],
        source=row["source"],
        title=row["title"],
        link=row["link"],
        published=_when(row["published"]),
        text=row["body"],
        category=row["category"],
        image=row["image"],
        links=links,
        first_seen=_when(row["first_seen"]),
        identity=row["identity"],
    )
