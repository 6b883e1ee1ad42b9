"""Fixtures of the news tests: hand-written feeds on disk and a local feed server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.news.feed_server import FeedServer

FEEDS = Path(__file__).parent / "feeds"


def feed_bytes(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A feed server on 127.0.0.1 with an ephemeral port, stopped after the test."""
    with FeedServer() as server:
        yield server
