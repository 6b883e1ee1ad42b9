"""The news cache in the local database: items, per-feed validators and errors, and the last visit.

Items survive restarts so the news is there at once, offline too. Everything is kept per city profile
(`city`): a feed id such as `stadt` may exist in several profiles, and switching cities must neither mix
their items nor send one city's validators to the other's server. An item keeps the moment the app first
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
        # 3: every row belongs to the city profile it was fetched for, so two cities with a feed of the
        # same id keep their items, validators, errors and last visit apart. Rows kept before have
        # city '' and are claimed by the first city the store is opened for (the profile active then).
        """
        CREATE TABLE news_items_by_city (
            city TEXT NOT NULL DEFAULT '',
            id TEXT NOT NULL,
            feed_id TEXT NOT NULL,
            source TEXT NOT NULL,
            title TEXT NOT NULL,
            link TEXT,
            published TEXT,
            body TEXT NOT NULL,
            category TEXT NOT NULL,
            image TEXT,
            links TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            identity TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (city, id)
        );
        INSERT INTO news_items_by_city (city, id, feed_id, source, title, link, published, body, category,
            image, links, first_seen, identity)
            SELECT '', id, feed_id, source, title, link, published, body, category, image, links,
            first_seen, identity FROM news_items;
        DROP TABLE news_items;
        ALTER TABLE news_items_by_city RENAME TO news_items;
        CREATE INDEX news_items_feed ON news_items (city, feed_id, published);
        CREATE TABLE news_feeds_by_city (
            city TEXT NOT NULL DEFAULT '',
            feed_id TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            fetched_at TEXT,
            error_key TEXT,
            error_params TEXT NOT NULL DEFAULT '{}',
            error_message TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (city, feed_id)
        );
        INSERT INTO news_feeds_by_city (city, feed_id, etag, last_modified, fetched_at, error_key,
            error_params, error_message)
            SELECT '', feed_id, etag, last_modified, fetched_at, error_key, error_params, error_message
            FROM news_feeds;
        DROP TABLE news_feeds;
        ALTER TABLE news_feeds_by_city RENAME TO news_feeds;
        CREATE TABLE news_state_by_city (
            city TEXT NOT NULL DEFAULT '',
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (city, key)
        );
        INSERT INTO news_state_by_city (city, key, value) SELECT '', key, value FROM news_state;
        DROP TABLE news_state;
        ALTER TABLE news_state_by_city RENAME TO news_state;
        """,
    ],
)

_TABLES = ("news_items", "news_feeds", "news_state")

# An update keeps every stored value that the new version of the item lacks.
_UPSERT = (
    "INSERT INTO news_items (city, id, feed_id, source, title, link, published, body, category, image,"
    " links, first_seen, identity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT(city, id) DO UPDATE SET"
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
    """Implements the `NewsStore` port on a `Database` that has the "news" migrations applied.

    A store serves one city profile (`city`, its id): it reads and writes only that city's rows.
    """

    def __init__(self, db: Database, *, city: str, keep_per_feed: int = KEEP_PER_FEED):
        if not city:
            raise ValueError("the news store needs the id of the city profile it serves")
        self._db = db
        self.city = city
        self._keep = keep_per_feed
        with self._db.transaction() as conn:
            for table in _TABLES:
                # A row this city already has (none, unless two stores raced) wins over an unclaimed one.
                conn.execute(f"UPDATE OR IGNORE {table} SET city = ? WHERE city = ''", (city,))  # noqa: S608
                conn.execute(f"DELETE FROM {table} WHERE city = ''")  # noqa: S608

    def save_items(self, feed_id: str, items: Sequence[NewsItem], seen_at: datetime) -> None:
        rows = [
            (
                self.city,
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
                "DELETE FROM news_items WHERE city = ? AND feed_id = ? AND id NOT IN (SELECT id FROM"
                " news_items WHERE city = ? AND feed_id = ?"
                " ORDER BY published IS NULL, published DESC, first_seen DESC LIMIT ?)",
                (self.city, feed_id, self.city, feed_id, self._keep),
            )

    def items(self) -> list[NewsItem]:
        with self._db.transaction() as conn:
            rows = conn.execute("SELECT * FROM news_items WHERE city = ?", (self.city,)).fetchall()
        return [_item(row) for row in rows]

    def item(self, item_id: str) -> NewsItem | None:
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM news_items WHERE city = ? AND id = ?", (self.city, item_id)
            ).fetchone()
        return _item(row) if row else None

    def feed_state(self, feed_id: str) -> FeedState:
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM news_feeds WHERE city = ? AND feed_id = ?", (self.city, feed_id)
            ).fetchone()
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
                "INSERT INTO news_feeds (city, feed_id, etag, last_modified, fetched_at, error_key,"
                " error_params, error_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(city, feed_id) DO UPDATE SET"
                " etag = excluded.etag, last_modified = excluded.last_modified,"
                " fetched_at = excluded.fetched_at, error_key = excluded.error_key,"
                " error_params = excluded.error_params, error_message = excluded.error_message",
                (
                    self.city,
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
            row = conn.execute(
                "SELECT value FROM news_state WHERE city = ? AND key = 'last_visit'", (self.city,)
            ).fetchone()
        return _when(row["value"]) if row else None

    def set_last_visit(self, when: datetime) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO news_state (city, key, value) VALUES (?, 'last_visit', ?)"
                " ON CONFLICT(city, key) DO UPDATE SET value = excluded.value",
                (self.city, when.isoformat()),
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
