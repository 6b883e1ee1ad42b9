"""Starting the app: the run profile (flet.toml) is honoured, web mode serves offline, errors are clear."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from leipzig_app.adapters.paths import run_config_file
from leipzig_app.adapters.run_config import RunConfig, load_run_config
from leipzig_app.app import AppRuntime
from leipzig_app.domain.errors import ProfileError

EXE = str(Path(sys.executable).with_name("leipzig-app"))


def test_flet_toml_is_the_run_profile() -> None:
    path = run_config_file()
    assert path is not None
    assert path.name == "flet.toml"
    config = load_run_config(path)
    assert config == RunConfig(
        city="leipzig",
        view="auto",
        host="127.0.0.1",
        port=0,
        no_cdn=True,
        web_renderer="auto",
        route_url_strategy="path",
    )


def test_run_profile_values_are_validated(tmp_path: Path) -> None:
    bad = tmp_path / "flet.toml"
    bad.write_text('[run]\nview = "hologram"\n', encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_run_config(bad)
    assert info.value.field == "run.view"


def _start(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([EXE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if match:
            return proc, match.group(1)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError(f"no URL printed: {proc.communicate()}")


def test_web_mode_uses_the_city_and_port_from_flet_toml(tmp_path: Path) -> None:
    port = _free_port()
    config = tmp_path / "flet.toml"
    config.write_text(f'[run]\ncity = "leipzig"\nview = "web"\nport = {port}\n', encoding="utf-8")
    env = {**os.environ, "LEIPZIG_APP_RUN_CONFIG": str(config)}
    proc, url = _start(["--data-dir", str(tmp_path / "data")], env)
    try:
        assert url == f"http://127.0.0.1:{port}/"
        page = httpx.get(url, timeout=10)
        assert page.status_code == 200
        assert "flutter" in page.text.lower()
        # no CDN: the CanvasKit runtime is served locally
        assert httpx.get(f"{url}canvaskit/canvaskit.wasm", timeout=10).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert "Traceback" not in err


def test_bad_city_profile_opens_the_default_and_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "city.toml"
    bad.write_text("schema_version = 1\n", encoding="utf-8")
    proc, url = _start(["--web", "--city", str(bad), "--data-dir", str(tmp_path / "data")], dict(os.environ))
    try:
        assert httpx.get(url, timeout=10).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert f"{bad}: field 'city': a table (missing)" in err
    assert "Traceback" not in err


def test_busy_port_for_the_app(tmp_path: Path) -> None:
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [EXE, "--web", "--port", str(port), "--data-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"cannot serve the app on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_runtime_starts_and_stops_its_demo_city(tmp_path: Path) -> None:
    runtime = AppRuntime.create(data_dir=tmp_path)
    try:
        assert runtime.sandbox is not None
        base = runtime.sandbox.base_url
        assert runtime.services.profile.news.feeds[0].url.startswith(base)
        assert httpx.get(f"{base}/health").status_code == 200
        assert runtime.services.problems == []
    finally:
        runtime.close()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/health", timeout=2)


def test_bad_profile_falls_back_to_the_default_and_says_why(tmp_path: Path) -> None:
    bad = tmp_path / "city.toml"
    bad.write_text("schema_version = 1\n", encoding="utf-8")
    runtime = AppRuntime.create(city=str(bad), data_dir=tmp_path / "data")
    try:
        assert runtime.services.profile.id == "leipzig"
        assert len(runtime.services.problems) == 1
        problem = runtime.services.problems[0]
        assert isinstance(problem, ProfileError)
        assert problem.field == "city"
    finally:
        runtime.close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_city_chosen_in_settings_is_kept_across_restarts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = AppRuntime.create(default_city="leipzig", data_dir=data, defer_start=True)
    try:
        assert first.services.profile.id == "leipzig"
        await first.switch_city("offenbach")
    finally:
        await first.aclose()
    # the run profile's city is only the default: the saved choice wins over it ...
    again = AppRuntime.create(default_city="leipzig", data_dir=data, defer_start=True)
    try:
        assert again.services.profile.id == "offenbach"
        assert again.services.problems == []
    finally:
        again.close()
    # ... and an explicit city wins over the saved choice, without replacing it
    explicit = AppRuntime.create(city="leipzig", default_city="leipzig", data_dir=data, defer_start=True)
    try:
        assert explicit.services.profile.id == "leipzig"
        assert explicit.services.settings.load().city == "offenbach"
    finally:
        explicit.close()


def test_a_saved_city_that_cannot_be_read_opens_the_run_profiles_city(tmp_path: Path) -> None:
    from leipzig_app.adapters.settings_store import SqliteSettingsStore
    from leipzig_app.adapters.sqlite_store import Database
    from leipzig_app.app import migrations

    data = tmp_path / "data"
    data.mkdir()
    SqliteSettingsStore(Database(data / "leipzig-app.sqlite3", migrations())).set("city", "atlantis")
    runtime = AppRuntime.create(default_city="offenbach", data_dir=data, defer_start=True)
    try:
        assert runtime.services.profile.id == "offenbach"
        assert [p.field for p in runtime.services.problems if isinstance(p, ProfileError)] == ["(file)"]
    finally:
        runtime.close()


def test_leipzig_app_restarts_on_the_city_saved_in_settings(tmp_path: Path) -> None:
    """flet.toml names a city that cannot be read; with a city saved in Settings it is never opened,
    while an explicit --city still is."""
    import asyncio

    data = tmp_path / "data"
    runtime = AppRuntime.create(data_dir=data, defer_start=True)
    try:
        asyncio.run(runtime.switch_city("offenbach"))
    finally:
        runtime.close()
    broken = tmp_path / "broken.toml"
    broken.write_text("schema_version = 1\n", encoding="utf-8")
    config = tmp_path / "flet.toml"
    config.write_text(f'[run]\ncity = "{broken}"\nview = "web"\n', encoding="utf-8")
    env = {**os.environ, "LEIPZIG_APP_RUN_CONFIG": str(config)}
    complaint = f"{broken}: field 'city'"
    errors = []
    for args in (["--data-dir", str(data)], ["--data-dir", str(data), "--city", str(broken)]):
        proc, url = _start(args, env)
        try:
            assert httpx.get(url, timeout=10).status_code == 200
        finally:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=20)
        assert "Traceback" not in err
        errors.append(err)
    assert complaint not in errors[0]  # the saved Offenbach opened; flet.toml's city was not needed
    assert complaint in errors[1]  # --city overrides the saved choice


async def test_a_demo_city_that_cannot_start_is_named_on_home_and_the_app_opens(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from tests.support.flet_fake import FakeFletClient
    from tests.support.view import wait_for

    from leipzig_app.i18n import Translator

    data = tmp_path / "data"
    (data / "demo-city").mkdir(parents=True)
    (data / "demo-city" / "sandbox.sqlite3").write_bytes(b"not a database, just bytes " * 200)
    # as in web mode: the first page opens, then the demo city is started in a thread
    runtime = AppRuntime.create(data_dir=data, defer_start=True)
    try:
        async with FakeFletClient(runtime.create_main(), platform="android", width=390, height=844) as client:
            expected = Translator("de")("error.sandbox.database")
            await wait_for(client, lambda: expected in client.texts())
            assert client.find("home.problem.0")
            assert not client.errors
        assert runtime.sandbox is None
        assert [p.key for p in runtime.services.problems] == ["error.sandbox.database"]
        # every feature is wired all the same; without the demo city they are offline
        assert runtime.services.news is not None
        assert runtime.services.reports is not None
        assert runtime.services.appointments is not None
    finally:
        await runtime.aclose()
    assert "Traceback" not in capfd.readouterr().err
