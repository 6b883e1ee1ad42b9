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
