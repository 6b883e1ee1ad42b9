"""Outbox benchmark: 1,000 reports through the outbox against the demo city under faults and kills.

    .venv/bin/python benchmarks/outbox.py [--reports 1000] [--fault-rate 0.3] [--no-idempotency]

What happens (everything on 127.0.0.1):
- the demo city runs as its own process (`leipzig-app sandbox`, a real uvicorn) on a fixed free port;
  30 % of its Open311 requests (POSTs and the look-ups alike) fail on purpose: 503 before storing,
  500 after storing, the connection dropped before or after storing, or an answer delayed past the
  client's timeout (before or after storing). Every 20-45 s the demo city is stopped for a moment
  and started again, so connections are also refused;
- the reports are queued in a real outbox (SQLite file, one photo on every tenth report);
- a separate process runs the app's outbox loop (`ReportsService.sync_outbox`); it is killed with
  SIGKILL at random moments and started again, and resumes the outbox as the app does at start;
- faults and kills go on until every report is sent (only after --calm-after seconds are they switched
  off, to stay within the time bound; `sent_under_faults` says how many were sent before that); then
  the demo city's own SQLite is read: every report must be there exactly once, with the id the outbox
  recorded.

Prints counts (sent, lost, duplicates on the server, faults, kills, restarts) and the time taken as JSON.
Bounded: the run stops after --max-seconds even if reports are left (they count as lost).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SERVICES = ("schlagloch", "strassenlaterne", "ampel", "papierkorb", "baum")
ATTRIBUTES = {
    "schlagloch": {"lage": ("fahrbahn",), "gefahr": ("nein",)},
    "strassenlaterne": {"fehlerbild": ("aus",)},
    "ampel": {},
    "papierkorb": {},
    "baum": {"blockiert": ("nein",)},
}
FAULT_MODES = ["status", "status_after", "reset_before", "reset_after", "delay_before", "delay_after"]
CLIENT_TIMEOUT = 0.5
SERVER_DELAY = 1.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the worker: the app's outbox loop in its own process -----------------------------------------------


async def worker(db_path: Path, endpoint: str) -> None:
    from leipzig_app.adapters.http import make_client
    from leipzig_app.adapters.open311 import Open311Client
    from leipzig_app.adapters.outbox_store import MIGRATIONS, SqliteOutboxStore
    from leipzig_app.adapters.sqlite_store import Database
    from leipzig_app.domain.outbox import OutboxState, RetryPolicy
    from leipzig_app.services.reports import ReportsService

    db = Database(db_path, [MIGRATIONS])
    policy = RetryPolicy(base=0.05, factor=2.0, max_delay=1.0, jitter=0.5, uncertain_grace=SERVER_DELAY * 2.5)
    async with make_client(timeout=CLIENT_TIMEOUT) as http:
        client = Open311Client(http, endpoint, api_key="demo-open311-key", jurisdiction_id="leipzig.de")
        service = ReportsService(
            outbox=SqliteOutboxStore(db, db_path.parent / "outbox", city="leipzig"),
            reporting=client,
            policy=policy,
        )
        service.resume()
        while True:
            await service.sync_outbox()
            if not any(i.state == OutboxState.QUEUED for i in service.outbox.items()):
                return
            await asyncio.sleep(0.05)


# --- the parent: demo city, reports, kills, counts ------------------------------------------------------


class DemoCity:
    def __init__(self, data_dir: Path, port: int):
        self.data_dir, self.port = data_dir, port
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "leipzig_app.cli.main",
                "sandbox",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit("the demo city did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def tiny_jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def queue_reports(db_path: Path, count: int, run_id: str) -> None:
    from leipzig_app.adapters.outbox_store import MIGRATIONS, SqliteOutboxStore
    from leipzig_app.adapters.sqlite_store import Database
    from leipzig_app.domain.outbox import OutboxItem, OutboxState, queue
    from leipzig_app.domain.reports import Location, ReportDraft

    store = SqliteOutboxStore(Database(db_path, [MIGRATIONS]), db_path.parent / "outbox", city="leipzig")
    rng = random.Random(42)
    photo = tiny_jpeg()
    now = datetime.now(UTC)
    for number in range(count):
        code = SERVICES[number % len(SERVICES)]
        draft = ReportDraft(
            code,
            Location(lat=51.30 + rng.random() * 0.08, long=12.30 + rng.random() * 0.12),
            f"Benchmark {run_id} Meldung {number}",
            attributes=ATTRIBUTES[code],
        )
        item = OutboxItem(uuid.uuid4().hex, str(uuid.uuid4()), OutboxState.DRAFT, draft, now)
        store.add(queue(item, now), [photo] if number % 10 == 0 else [])


def queued_left(db_path: Path) -> int:
    with sqlite3.connect(db_path, timeout=10) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM outbox_items WHERE state != 'sent'").fetchone()[0])


def run(args: argparse.Namespace) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix="outbox-bench-"))
    city = DemoCity(folder / "demo-city", free_port())
    db_path = folder / "app" / "leipzig-app.sqlite3"
    db_path.parent.mkdir(parents=True)
    run_id = uuid.uuid4().hex[:6]
    rng = random.Random(args.seed)
    started = time.monotonic()
    city.start()
    kills = restarts_city = 0
    try:
        httpx.post(f"{city.url}/demo/open311/settings", json={"honour_idempotency": not args.no_idempotency})
        httpx.post(
            f"{city.url}/demo/open311/faults",
            json={
                "rate": args.fault_rate,
                "modes": FAULT_MODES,
                "delay": SERVER_DELAY,
                "scope": "all",
                "status": 503,
            },
        )
        queue_reports(db_path, args.reports, run_id)
        endpoint = f"{city.url}/open311/v2/"
        deadline = started + args.max_seconds
        next_city_bounce = time.monotonic() + rng.uniform(20, 45)
        faults_on, injected, calm_at = True, 0, "9999"
        while queued_left(db_path) and time.monotonic() < deadline:
            if faults_on and time.monotonic() > started + args.calm_after:
                # Only to stay within the time bound: no more faults or kills, the loop must finish.
                injected, faults_on = stop_faults(city), False
                calm_at = datetime.now(UTC).isoformat()
            worker_process = subprocess.Popen(
                [PYTHON, __file__, "--worker", str(db_path), endpoint], cwd=ROOT
            )
            # Start-up (imports) takes one to several seconds on a busy machine: kills land anywhere.
            life = rng.uniform(3.0, 12.0) if faults_on else args.max_seconds
            end = time.monotonic() + life
            while worker_process.poll() is None and time.monotonic() < min(end, deadline):
                if faults_on and time.monotonic() > next_city_bounce:
                    city.stop()  # connections are refused until it is back
                    time.sleep(rng.uniform(0.2, 1.0))
                    city.start()
                    restarts_city += 1
                    next_city_bounce = time.monotonic() + rng.uniform(20, 45)
                time.sleep(0.02)
            if worker_process.poll() is None:
                os.kill(worker_process.pid, signal.SIGKILL)
                kills += 1
            worker_process.wait()
        elapsed = time.monotonic() - started
        if faults_on:
            injected = stop_faults(city)
            calm_at = datetime.now(UTC).isoformat()
    finally:
        city.stop()
    return count(folder, db_path, run_id, args, elapsed, kills, restarts_city, injected, calm_at)


def stop_faults(city: DemoCity) -> int:
    """Switch injected faults off; returns how many were injected."""
    injected = int(httpx.get(f"{city.url}/demo/open311/faults").json().get("injected", 0))
    httpx.delete(f"{city.url}/demo/open311/faults")
    return injected


def count(
    folder: Path, db_path: Path, run_id: str, args: argparse.Namespace, elapsed: float, kills: int,
    restarts: int, injected: int, calm_at: str,
) -> dict[str, object]:  # fmt: skip
    with sqlite3.connect(db_path) as conn:
        outbox = dict(conn.execute("SELECT draft, state FROM outbox_items").fetchall())
        attempts = int(conn.execute("SELECT SUM(attempts) FROM outbox_items").fetchone()[0] or 0)
        sent_under_faults = int(
            conn.execute("SELECT COUNT(*) FROM outbox_items WHERE sent_at < ?", (calm_at,)).fetchone()[0]
        )
        ids = {
            json.loads(d)["description"]: rid
            for d, rid in conn.execute("SELECT draft, service_request_id FROM outbox_items")
        }
    with sqlite3.connect(folder / "demo-city" / "sandbox.sqlite3") as conn:
        rows = conn.execute(
            "SELECT description, COUNT(*), MIN(id) FROM open311_requests WHERE description LIKE ? "
            "GROUP BY description",
            (f"Benchmark {run_id} %",),
        ).fetchall()
    on_server = {description: (n, first) for description, n, first in rows}
    sent = sum(1 for state in outbox.values() if state == "sent")
    lost = sum(1 for description in ids if description not in on_server)
    duplicates = sum(n - 1 for n, _ in on_server.values())
    mismatched = sum(
        1
        for d, rid in ids.items()
        if d in on_server and rid is not None and rid != on_server[d][1] and on_server[d][0] == 1
    )
    return {
        "reports": args.reports,
        "sent": sent,
        "lost": lost,
        "duplicates_on_server": duplicates,
        "id_mismatches": mismatched,
        "fault_rate": args.fault_rate,
        "faults_injected": injected,
        "send_attempts": attempts,
        "sent_under_faults": sent_under_faults,
        "worker_kills": kills,
        "demo_city_restarts": restarts,
        "idempotency_key_honoured": not args.no_idempotency,
        "seconds": round(elapsed, 1),
        "data": str(folder),
    }


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        asyncio.run(worker(Path(sys.argv[2]), sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--no-idempotency", action="store_true", help="demo city ignores Idempotency-Key")
    parser.add_argument(
        "--calm-after", type=float, default=1500.0, help="faults and kills stop after this many seconds"
    )
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    result = run(args)
    print(json.dumps(result, indent=2))
    return 0 if result["lost"] == 0 and result["duplicates_on_server"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
