"""News images kept in the data folder, with a cap on the whole folder and on each picture.

An image is fetched once (bounded in time and size, only when the server says it is an image) and then
read from disk, offline too. When the folder grows past `max_bytes`, the least recently used pictures go
first. File names are hashes of the URL, so no feed can choose a path.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
from pathlib import Path

import httpx

from leipzig_app.adapters.feed_html import is_tracker
from leipzig_app.domain.errors import AppError
from leipzig_app.domain.news import openable_link

DEFAULT_CAP = 30 * 1024 * 1024
MAX_IMAGE_BYTES = 3 * 1024 * 1024
IMAGE_TIMEOUT = 8.0


class ImageCache:
    """Implements the `ImageSource` port."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        folder: Path,
        *,
        max_bytes: int = DEFAULT_CAP,
        max_image_bytes: int = MAX_IMAGE_BYTES,
        timeout: float = IMAGE_TIMEOUT,
    ):
        self._client = client
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self.max_image_bytes = max_image_bytes
        self.timeout = timeout
        self._pending: dict[str, asyncio.Future[bytes | None]] = {}
        self._clock = 0

    def _path(self, url: str) -> Path:
        return self.folder / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".img")

    def cached_image(self, url: str) -> bytes | None:
        """The picture if it is on disk already (no network)."""
        path = self._path(url)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        self._touch(path)
        return data

    def _touch(self, path: Path) -> None:
        """Mark as just used. File clocks tick coarsely, so uses get strictly increasing stamps."""
        self._clock = max(time.time_ns(), self._clock + 1_000)
        with contextlib.suppress(OSError):
            os.utime(path, ns=(self._clock, self._clock))

    async def image(self, url: str) -> bytes | None:
        """The picture from disk, else from the network (then kept); None when it cannot be had."""
        cached = self.cached_image(url)
        if cached is not None:
            return cached
        if openable_link(url) is None or is_tracker(url):
            return None
        if url in self._pending:  # the list and the detail view may ask for the same picture at once
            return await asyncio.shield(self._pending[url])
        future: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._pending[url] = future
        try:
            data = await self._download(url)
            if data is not None:
                self._store(url, data)
            future.set_result(data)
            return data
        finally:
            self._pending.pop(url, None)
            if not future.done():
                future.set_result(None)

    async def _download(self, url: str) -> bytes | None:
        try:
            async with asyncio.timeout(self.timeout):
                async with self._client.stream("GET", url, timeout=httpx.Timeout(self.timeout)) as response:
                    kind = response.headers.get("content-type", "")
                    if response.status_code != 200 or not kind.startswith("image/"):
                        return None
                    chunks, size = [], 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > self.max_image_bytes:
                            return None
                        chunks.append(chunk)
                    return b"".join(chunks)
        except (TimeoutError, httpx.HTTPError, AppError, OSError):
            return None

    def _store(self, url: str, data: bytes) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self._path(url).with_suffix(".part")
            temporary.write_bytes(data)
            temporary.replace(self._path(url))
        except OSError:
            return
        self._touch(self._path(url))
        self._evict()

    def _evict(self) -> None:
        try:
            files = [(p, p.stat()) for p in self.folder.glob("*.img")]
        except OSError:
            return
        total = sum(stat.st_size for _, stat in files)
        for path, stat in sorted(files, key=lambda f: f[1].st_mtime_ns):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= stat.st_size

    def size(self) -> int:
        """Bytes the cache holds now."""
        return sum(p.stat().st_size for p in self.folder.glob("*.img")) if self.folder.exists() else 0
