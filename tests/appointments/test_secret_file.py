"""The secret file shared by two copies of the app: a change by one never loses what the other wrote.

A second process (its own Python interpreter, as a second app copy on the same data folder) adds entries
while this one adds and removes others, both as fast as they can; every entry either added must be there.
"""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from leipzig_app.adapters import secrets
from leipzig_app.adapters.file_lock import FileLock
from leipzig_app.adapters.secrets import LOCK_NAME, FileSecretStore, SecretStoreError

ROUNDS = 150

OTHER_COPY = """
import asyncio, sys
from pathlib import Path
from leipzig_app.adapters.secrets import FileSecretStore

async def main() -> None:
    store = FileSecretStore(Path(sys.argv[1]))
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(int(sys.argv[2])):
        await store.set(f"appointments.other.{i}", f"{i}\\nkey-{i}")

asyncio.run(main())
"""


async def test_two_processes_changing_the_file_at_once_lose_no_entry(tmp_path: Path) -> None:
    store = FileSecretStore(tmp_path)
    await store.set("appointments.kept", "100001\nkey")
    with subprocess.Popen(
        [sys.executable, "-c", OTHER_COPY, str(tmp_path), str(ROUNDS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as other:
        assert other.stdout is not None
        assert other.stdin is not None
        assert other.stdout.readline().strip() == "ready"
        other.stdin.write("go\n")
        other.stdin.flush()
        for i in range(ROUNDS):
            await store.set(f"appointments.mine.{i}", f"{i}\nkey-{i}")
            if i % 3 == 0:
                await store.delete(f"appointments.mine.{i}")
        other.stdin.close()
        assert other.wait(timeout=120) == 0
    data = json.loads((tmp_path / "secrets.json").read_text(encoding="utf-8"))
    expected = {"appointments.kept": "100001\nkey"}
    expected |= {f"appointments.other.{i}": f"{i}\nkey-{i}" for i in range(ROUNDS)}
    expected |= {f"appointments.mine.{i}": f"{i}\nkey-{i}" for i in range(ROUNDS) if i % 3}
    assert data == expected
    assert stat.S_IMODE((tmp_path / "secrets.json").stat().st_mode) == 0o600


async def test_a_change_while_another_holds_the_lock_too_long_is_a_clear_error_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FileSecretStore(tmp_path)
    await store.set("appointments.a", "1\nk")
    monkeypatch.setattr(secrets, "LOCK_TIMEOUT", 0.05)
    holder = FileLock(tmp_path / LOCK_NAME)  # another copy's change in progress, as the OS sees it
    assert holder.try_acquire()
    try:
        with pytest.raises(SecretStoreError) as caught:
            await store.set("appointments.b", "2\nk")
        assert caught.value.key == "error.storage"
    finally:
        holder.release()
    assert json.loads((tmp_path / "secrets.json").read_text(encoding="utf-8")) == {"appointments.a": "1\nk"}
    await store.set("appointments.b", "2\nk")  # free again
    assert await store.names("appointments.") == ["appointments.a", "appointments.b"]
