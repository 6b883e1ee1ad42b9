"""City news use cases: refresh every feed at once, read from the cache, filter, search, mark visited.

The cache is the source of what is shown: `cached()` answers at once (offline too), `refresh()` fetches
all feeds concurrently and stores what changed. A feed that fails (offline, 500, timeout, not a feed)
affects only itself: its error is kept per feed and shown with it, its previous items stay. When every
feed failed for lack of a connection the snapshot is marked offline, with the time of the last good
fetch ("Stand: ..."). An article that several feeds carry is shown once, naming every feed.

A refresh keeps the event loop free: the adapter parses in a worker thread, and the cache is read and
written in worker threads too (`asyncio.to_thread`); the store's `Database` opens a connection per unit
of work in the calling thread and serialises them with a lock, so that is safe.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from leipzig_app.domain.errors import AppError, OfflineError
from leipzig_app.domain.news import (
    FeedSource,
    FeedState,
    FeedStatus,
    ImageSource,
    NewsItem,
    NewsStore,
    is_new,
    local_stamp,
    matches,
    merge_feeds,
    newest_first,
    relative_date,
)
from leipzig_app.domain.profile import Feed
from leipzig_app.services.container import HomeCard, HomeItem

log = logging.getLogger(__name__)

HOME_ITEMS = 3
#: How often the background job refreshes while the app is open.
REFRESH_INTERVAL = 30 * 60.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class NewsSnapshot:
    """What the news screen shows: items newest first, each feed's status, and how fresh it all is."""

    items: tuple[NewsItem, ...]
    statuses: tuple[FeedStatus, ...]
    #: The most recent successful fetch of any feed (None: never fetched).
    updated_at: datetime | None
    #: True when the last refresh reached no feed at all for lack of a connection.
    offline: bool
    last_visit: datetime | None

    @property
    def errors(self) -> list[FeedStatus]:
        return [s for s in self.statuses if s.error is not None]

    @property
    def categories(self) -> list[str]:
        return sorted({i.category for i in self.items if i.category})

    def is_new(self, item: NewsItem) -> bool:
        return is_new(item, self.last_visit)


class NewsService:
    def __init__(
        self,
        feeds: Sequence[Feed],
        source: FeedSource,
        store: NewsStore,
        *,
        images: ImageSource | None = None,
        timezone: str = "Europe/Berlin",
        clock: Callable[[], datetime] = _utc_now,
    ):
        self.feeds = tuple(feeds)
        self._source = source
        self._store = store
        self._images = images
        self.timezone = timezone
        self._clock = clock
        self._offline = False
        self._refreshing: asyncio.Task[NewsSnapshot] | None = None
        self._background_running = False

    def now(self) -> datetime:
        return self._clock()

    # --- reading -------------------------------------------------------------------------------------

    def cached(self) -> NewsSnapshot:
        """The stored news at once, without the network."""
        statuses = []
        fetched: list[datetime] = []
        for feed in self.feeds:
            state = self._store.feed_state(feed.id)
            if state.fetched_at:
                fetched.append(state.fetched_at)
            error = None
            if state.error_key:
                error = AppError(state.error_message, key=state.error_key, params=state.error_params)
            statuses.append(FeedStatus(feed.id, feed.title, state.fetched_at, error))
        return NewsSnapshot(
            items=tuple(newest_first(self._merged_items())),
            statuses=tuple(statuses),
            updated_at=max(fetched, default=None),
            offline=self._offline,
            last_visit=self._store.last_visit(),
        )

    def item(self, item_id: str) -> NewsItem | None:
        """The item as the list shows it (merged with its copies in other feeds), by any feed's id."""
        stored = self._store.item(item_id)
        if stored is None:
            return None
        for item in self._merged_items():
            if item.id == item_id or any(other.item_id == item_id for other in item.also_in):
                return item
        return stored

    def _merged_items(self) -> list[NewsItem]:
        """The cached items of the configured feeds, one per article; ties go to the earlier feed."""
        order = {feed.id: index for index, feed in enumerate(self.feeds)}
        items = sorted((i for i in self._store.items() if i.feed_id in order), key=lambda i: order[i.feed_id])
        return merge_feeds(items)

    @staticmethod
    def visible(
        snapshot: NewsSnapshot, *, feed_id: str = "", category: str = "", query: str = ""
    ) -> list[NewsItem]:
        """The snapshot's items that pass the source and category filters and contain every search word."""
        return [i for i in snapshot.items if matches(i, query=query, feed_id=feed_id, category=category)]

    def stamp(self, when: datetime, language: str) -> str:
        """A date and time in the city's time zone ("23.11.26, 15:02")."""
        return local_stamp(when, language, self.timezone)

    def when(self, item: NewsItem, language: str) -> str:
        """How the item's date reads ("vor 2 Stunden", or the calendar date); '' when it has none."""
        if item.published is None:
            return ""
        return relative_date(item.published, self.now(), language, self.timezone)

    def last_visit(self) -> datetime | None:
        """When the news list was last visited (None: never)."""
        return self._store.last_visit()

    def mark_visited(self) -> None:
        """Remember now as the last visit: items seen before it are no longer "new" next time."""
        self._store.set_last_visit(self.now())

    async def image(self, url: str) -> bytes | None:
        return await self._images.image(url) if self._images else None

    def cached_image(self, url: str) -> bytes | None:
        return self._images.cached_image(url) if self._images else None

    # --- refreshing ----------------------------------------------------------------------------------

    async def refresh(self) -> NewsSnapshot:
        """Fetch every feed concurrently; a second call while one runs waits for the same refresh."""
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.ensure_future(self._refresh_all())
        return await asyncio.shield(self._refreshing)

    async def _refresh_all(self) -> NewsSnapshot:
        results = await asyncio.gather(*(self._refresh_feed(feed) for feed in self.feeds))
        failures = [error for error in results if error is not None]
        self._offline = (
            bool(self.feeds)
            and len(failures) == len(self.feeds)
            and all(isinstance(error, OfflineError) and error.key == "error.offline" for error in failures)
        )
        return await asyncio.to_thread(self.cached)

    async def _refresh_feed(self, feed: Feed) -> AppError | None:
        state = await asyncio.to_thread(self._store.feed_state, feed.id)
        try:
            result = await self._source.fetch(feed, state.etag, state.last_modified)
        except AppError as error:
            await asyncio.to_thread(
                self._store.save_feed_state,
                replace(
                    state, error_key=error.key, error_params=dict(error.params), error_message=str(error)
                ),
            )
            return error
        except Exception as error:  # a bug in one feed's handling must not stop the others
            log.exception("refreshing feed %s failed", feed.id)
            failure = AppError(f"{feed.title}: {error}", key="news.error.unexpected")
            await asyncio.to_thread(
                self._store.save_feed_state,
                replace(state, error_key=failure.key, error_params={}, error_message=str(failure)),
            )
            return failure
        now = self.now()
        if not result.not_modified:
            await asyncio.to_thread(self._store.save_items, feed.id, result.items, now)
        await asyncio.to_thread(
            self._store.save_feed_state,
            FeedState(
                feed_id=feed.id,
                etag=result.etag if not result.not_modified else state.etag,
                last_modified=result.last_modified if not result.not_modified else state.last_modified,
                fetched_at=now,
            ),
        )
        return None

    async def keep_fresh(self) -> None:
        """Background job: refresh now and then every `REFRESH_INTERVAL` while the app runs (once per app)."""
        if self._background_running:
            return
        self._background_running = True
        try:
            while True:
                await self.refresh()
                await asyncio.sleep(REFRESH_INTERVAL)
        finally:
            self._background_running = False

    # --- home ----------------------------------------------------------------------------------------

    async def home_card(self, language: str) -> HomeCard:
        snapshot = self.cached()
        if not snapshot.items and snapshot.updated_at is None:
            snapshot = await self.refresh()
        items = tuple(
            HomeItem(
                title=item.title,
                subtitle=" · ".join(part for part in (item.sources, self.when(item, language)) if part),
                route=f"/news/{item.id}",
            )
            for item in snapshot.items[:HOME_ITEMS]
        )
        problem = None
        if not self.feeds:
            problem = "news.home.no_feeds"
        elif not items and snapshot.errors:
            problem = "news.home.failed"
        return HomeCard(items=items, problem_key=problem, stale=snapshot.offline)
