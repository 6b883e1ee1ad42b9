"""Fetching the city's signed key list for notice codes, and keeping the last good one on disk.

The list (see `domain/notices/trust.py`) brings new signing keys and revocations. `KeyListStore.refresh`
fetches it with the client it is given, validates it against the profile's list signers and, only when it
is valid and not older than the cached one (its `sequence` may not go down, so an old list replayed by
someone on the network cannot bring a revoked key back), replaces the cache. A failed fetch or a bad list
keeps the cached list, and the result says why. The cache file holds the document as fetched and is
validated again when read, so a changed file is refused like a forged download.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx

from leipzig_app.adapters.http import guarded, json_body
from leipzig_app.domain.errors import AppError, ServerError
from leipzig_app.domain.notices.trust import KeyList, KeyListError, TrustedKey, validate_key_list

CACHE_FILE = "notice-key-list.json"
#: A list of a few hundred keys is far below this; anything larger is not a key list.
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class KeyListRefresh:
    """The key list to use now, where it came from ("network", "cache" or "none"), and any failure."""

    key_list: KeyList | None
    source: str
    error: AppError | None = None


class KeyListStore:
    def __init__(self, cache_dir: Path):
        self.cache_dir = Path(cache_dir)

    @property
    def cache_path(self) -> Path:
        return self.cache_dir / CACHE_FILE

    def load(self, signers: Iterable[TrustedKey], today: date) -> KeyList | None:
        """The cached list if it is present and still valid, else None."""
        try:
            document = json.loads(self.cache_path.read_text(encoding="utf-8"))
            return validate_key_list(document, signers, today)
        except (OSError, ValueError, KeyListError):
            return None

    async def refresh(
        self, client: httpx.AsyncClient, url: str, signers: Iterable[TrustedKey], today: date
    ) -> KeyListRefresh:
        """Fetch, validate and cache the list; on any failure keep (and return) the cached one."""
        signers = tuple(signers)
        cached = self.load(signers, today)
        fallback = "cache" if cached is not None else "none"
        try:
            response = await guarded(lambda: client.get(url), what="key list")
            if response.status_code != 200:
                raise ServerError(
                    f"key list: the server answered {response.status_code}", status=response.status_code
                )
            if len(response.content) > MAX_BYTES:
                raise KeyListError("too_large", f"the key list is larger than {MAX_BYTES} bytes")
            document = json_body(response, what="key list")
            fresh = validate_key_list(document, signers, today)
        except AppError as error:
            return KeyListRefresh(cached, fallback, error)
        if cached is not None and fresh.sequence < cached.sequence:
            stale = KeyListError(
                "rollback", f"the server sent list {fresh.sequence}, older than the cached {cached.sequence}"
            )
            return KeyListRefresh(cached, fallback, stale)
        try:
            self._write(document)
        except OSError as error:
            return KeyListRefresh(fresh, "network", AppError(f"key list: cannot write the cache ({error})"))
        return KeyListRefresh(fresh, "network")

    def _write(self, document: object) -> None:
        # Write to a temporary file and rename, so a crash never leaves half a list behind.
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, prefix=".keylist-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle, ensure_ascii=False)
            os.replace(tmp, self.cache_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
