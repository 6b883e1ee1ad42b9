"""One sender per city: the outbox's sender lock across services and processes, with a real lock file, a
real SQLite file and the demo city over HTTP.

A second app on the same data folder (here: another process holding the lock, as a running app's round
does) must neither send what is due nor mistake its item in `sending` for one a killed app left behind.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.http_fixture import http_client

from leipzig_app.adapters.file_lock import FileLock
from leipzig_app.adapters.open311 import Open311Client
from leipzig_app.adapters.outbox_store import MIGRATIONS, SqliteOutboxStore
from leipzig_app.adapters.sqlite_store import Database
from leipzig_app.domain import outbox as rules
from leipzig_app.domain.outbox import OutboxState, RetryPolicy
from leipzig_app.domain.reports import Location, ReportDraft
from leipzig_app.services.reports import ReportsService

http = http_client(timeout=2.0)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """A real SQLite file with the outbox's own migrations."""
    return Database(tmp_path / "app.sqlite3", [MIGRATIONS])


HOLDER = """
import sys, time
from pathlib import Path
from leipzig_app.adapters.file_lock import FileLock
lock = FileLock(Path(sys.argv[1]))
print("held" if lock.try_acquire() else "busy", flush=True)
time.sleep(120)
"""


@contextmanager
def lock_held_by_another_process(path: Path) -> Iterator[subprocess.Popen[str]]:
    """A process that holds the lock until it is killed (SIGKILL: no clean-up of its own)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        yield holder
    finally:
        holder.kill()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()


def _service(db: Database, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str) -> ReportsService:
    return ReportsService(
        outbox=SqliteOutboxStore(db, tmp_path / "outbox", city="leipzig"),
        reporting=Open311Client(
            http, f"{sandbox_url}/open311/v2/", api_key="demo-open311-key", jurisdiction_id="leipzig.de"
        ),
        rng=random.Random(3),
        policy=RetryPolicy(base=0.0, jitter=0.0, uncertain_grace=0.0),
    )


def _draft(text: str) -> ReportDraft:
    return ReportDraft(
        "strassenlaterne",
        Location(lat=51.3397, long=12.3731, address="Thomaskirchhof 20"),
        text,
        attributes={"fehlerbild": ("aus",)},
    )


async def _server_copies(http: httpx.AsyncClient, sandbox_url: str, text: str) -> int:
    found = (
        await http.get(f"{sandbox_url}/open311/v2/requests.json", params={"service_code": "strassenlaterne"})
    ).json()
    return sum(1 for r in found if r["description"] == text)


def test_a_file_lock_has_one_owner_in_a_process_and_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "a.lock"
    first, second = FileLock(path), FileLock(path)
    assert first.try_acquire()
    assert first.try_acquire()  # its owner asking again keeps it
    assert not second.try_acquire()
    first.release()
    assert not first.held
    assert second.try_acquire()
    second.release()
    with lock_held_by_another_process(path) as holder:
        assert not first.try_acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        # the operating system freed it with the killed process
        assert first.try_acquire()
    first.release()
    assert FileLock(tmp_path / "other.lock").try_acquire()  # another file is another lock


def test_an_outbox_takes_its_citys_sender_lock_only(db: Any, tmp_path: Path) -> None:
    leipzig = SqliteOutboxStore(db, tmp_path / "outbox", city="leipzig")
    leipzig_again = SqliteOutboxStore(db, tmp_path / "outbox", city="leipzig")
    offenbach = SqliteOutboxStore(db, tmp_path / "outbox", city="offenbach")
    assert leipzig.try_lock_sending()
    assert not leipzig_again.try_lock_sending()
    assert offenbach.try_lock_sending()  # another city's sender is independent
    leipzig.unlock_sending()
    assert leipzig_again.try_lock_sending()
    leipzig_again.unlock_sending()
    offenbach.unlock_sending()


async def test_while_another_app_sends_this_one_neither_sends_nor_resumes(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    service = _service(db, tmp_path, http, sandbox_url)
    due = await service.submit_report(_draft("Wartet, bis der andere Sender fertig ist"), send_now=False)
    # what the other app's round has in flight right now: its row says `sending`
    in_flight = await service.submit_report(_draft("Ist gerade unterwegs"), send_now=False)
    service.outbox.save(rules.start_sending(in_flight, service.clock()))
    assert isinstance(service.outbox, SqliteOutboxStore)

    with lock_held_by_another_process(service.outbox.sender_lock.path):
        assert service.resume() == 0
        summary = await service.sync_outbox()
        assert (summary.sent, summary.failed) == (0, 0)
        assert (service.outbox.get(due.id) or due).state == OutboxState.QUEUED
        untouched = service.outbox.get(in_flight.id)
        assert untouched is not None
        assert untouched.state == OutboxState.SENDING
        assert not untouched.uncertain
        # the other app's request arrives at the city while it still holds the lock
        assert service.reporting is not None
        await service.reporting.submit(in_flight.draft, [], idempotency_key=in_flight.idempotency_key)
        assert await _server_copies(http, sandbox_url, "Wartet, bis der andere Sender fertig ist") == 0

    # The other app was killed before it could record the answer: now this one is the only sender. It
    # finds the item in `sending`, looks on the server before sending and records the city's copy.
    await http.post(f"{sandbox_url}/demo/open311/settings", json={"honour_idempotency": False})
    try:
        summary = await service.sync_outbox()
    finally:
        await http.post(f"{sandbox_url}/demo/open311/settings", json={"honour_idempotency": True})
    assert (summary.sent, summary.failed, summary.pending) == (2, 0, 0)
    states = {i.id: i.state for i in service.my_reports()}
    assert states == {due.id: OutboxState.SENT, in_flight.id: OutboxState.SENT}
    assert await _server_copies(http, sandbox_url, "Wartet, bis der andere Sender fertig ist") == 1
    assert await _server_copies(http, sandbox_url, "Ist gerade unterwegs") == 1  # found, not sent again
    assert service.outbox.try_lock_sending()  # every round gave the lock back
    service.outbox.unlock_sending()


async def test_a_cancelled_round_gives_the_lock_back(
    db: Any, tmp_path: Path, http: httpx.AsyncClient, sandbox_url: str
) -> None:
    """A city switch cancels the outbox loop mid-send: the lock is free for the next service at once."""
    import asyncio

    # the demo city stores the request, then keeps the answer back long enough to cancel the round
    await http.post(
        f"{sandbox_url}/demo/open311/faults", json={"fail_next": 1, "modes": ["delay_after"], "delay": 1.5}
    )
    first = _service(db, tmp_path, http, sandbox_url)
    item = await first.submit_report(_draft("Abgebrochen beim Senden"), send_now=False)
    round_ = asyncio.ensure_future(first.sync_outbox())
    for _ in range(150):
        if await _server_copies(http, sandbox_url, "Abgebrochen beim Senden"):
            break
        await asyncio.sleep(0.01)
    assert not round_.done()
    round_.cancel()
    await asyncio.gather(round_, return_exceptions=True)
    assert (first.outbox.get(item.id) or item).state == OutboxState.SENDING

    second = _service(db, tmp_path, http, sandbox_url)
    assert second.resume() == 1  # left in `sending` by the cancelled round: uncertain now
    await second.sync_outbox()
    final = second.outbox.get(item.id)
    assert final is not None
    assert final.state == OutboxState.SENT
    assert await _server_copies(http, sandbox_url, "Abgebrochen beim Senden") == 1
