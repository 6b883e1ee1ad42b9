"""The demo city's frame: lifecycle, health, discovery, storage, and clear errors on a busy port."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from leipzig_app.sandbox.server import SandboxServer, SandboxStartError


def test_health_and_discovery(sandbox: SandboxServer) -> None:
    health = httpx.get(f"{sandbox.base_url}/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert health.headers["X-Demo-Data"] == "true"
    doc = httpx.get(f"{sandbox.base_url}/").json()
    assert doc["demo"] is True
    assert all(s["url"].startswith(sandbox.base_url) for s in doc["services"])
    assert (sandbox.ctx.db_path).is_file()


def test_binds_loopback_on_a_free_port_and_stops(tmp_path: Path) -> None:
    server = SandboxServer(tmp_path / "city")
    url = server.start()
    assert url.startswith("http://127.0.0.1:")
    assert server.port > 0
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/health", timeout=2)


def test_a_damaged_database_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "demo-city"
    folder.mkdir()
    (folder / "sandbox.sqlite3").write_bytes(b"not a database, just bytes " * 200)
    server = SandboxServer(folder)
    with pytest.raises(SandboxStartError) as info:
        server.start()
    assert info.value.key == "error.sandbox.database"
    message = str(info.value)
    assert "demo-city/sandbox.sqlite3" in message
    assert "delete the folder demo-city" in message
    assert str(tmp_path) not in message  # names the demo city's own files, not where the resident keeps them
    assert server.port == 0  # nothing was bound


def test_a_database_that_cannot_be_opened_is_not_called_damaged(tmp_path: Path) -> None:
    folder = tmp_path / "demo-city"
    (folder / "sandbox.sqlite3").mkdir(parents=True)  # a folder where the database file belongs
    with pytest.raises(SandboxStartError) as info:
        SandboxServer(folder).start()
    assert info.value.key == "error.sandbox"
    assert "cannot use its database demo-city/sandbox.sqlite3 (unable to open database file)" in str(
        info.value
    )


def test_busy_port_is_a_clear_error(sandbox: SandboxServer, tmp_path: Path) -> None:
    other = SandboxServer(tmp_path / "other", port=sandbox.port)
    with pytest.raises(SandboxStartError, match=f"cannot listen on 127.0.0.1:{sandbox.port}"):
        other.start()


def test_cli_prints_base_url_first_and_stops_on_sigint(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("leipzig-app")
    proc = subprocess.Popen(
        [str(exe), "sandbox", "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert first["base_url"].startswith("http://127.0.0.1:")
        assert httpx.get(first["base_url"] + "/health", timeout=5).json()["demo"] is True
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert "Traceback" not in err


def test_cli_busy_port_exits_1_with_one_line(sandbox: SandboxServer, tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("leipzig-app")
    done = subprocess.run(
        [str(exe), "sandbox", "--port", str(sandbox.port), "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ},
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "cannot listen" in done.stderr
