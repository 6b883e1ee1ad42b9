"""Closing the app while the categories' questions are still being fetched in the background: the fetch
stops before the HTTP client and the event loop go away (real demo city, real SQLite file)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from leipzig_app.app import AppRuntime


def _fetching_questions() -> list[asyncio.Task[object]]:
    return [
        task
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "__qualname__", "") == "ReportsService.prefetch_definitions"
    ]


async def test_closing_the_app_stops_the_background_fetch_of_questions(tmp_path: Path) -> None:
    runtime = AppRuntime.create(city="leipzig", data_dir=tmp_path / "app")
    try:
        reports = runtime.services.reports
        assert reports is not None
        listed, stale = await reports.categories()
        assert listed
        assert not stale
        fetching = _fetching_questions()
        assert len(fetching) == 1
        assert not fetching[0].done()
    finally:
        await runtime.aclose()
    assert fetching[0].cancelled()
    assert _fetching_questions() == []


async def test_closing_after_the_fetch_has_finished_changes_nothing(tmp_path: Path) -> None:
    runtime = AppRuntime.create(city="leipzig", data_dir=tmp_path / "app")
    try:
        reports = runtime.services.reports
        assert reports is not None
        listed, _ = await reports.categories()
        assert await reports.definitions_prefetched() == sum(1 for c in listed if c.metadata)
    finally:
        await runtime.aclose()
    assert _fetching_questions() == []
