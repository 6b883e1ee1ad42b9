"""The app honours every key of its run profile `flet.toml`: each is set to a value other than its
default, and the effect is checked where it shows (the address bound, the page Flet serves, the city on
screen, the browser's URL)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.browser import free_port, open_app

from leipzig_app.adapters.run_config import RunConfig

EXE = str(Path(sys.executable).with_name("leipzig-app"))
#: A documentation address (RFC 5737) that no machine running these tests has: binding it must fail,
#: which proves the host from flet.toml is the address bound, without any traffic off 127.0.0.1.
FOREIGN_HOST = "192.0.2.1"


def _write(path: Path, **run: Any) -> Path:
    lines = ["[run]"]
    for key, value in run.items():
        shown = str(value).lower() if isinstance(value, bool) else value
        lines.append(f"{key} = {shown!r}" if isinstance(value, str) else f"{key} = {shown}")
    path.write_text("\n".join(lines).replace("'", '"') + "\n", encoding="utf-8")
    return path


@contextmanager
def _app(config: Path, data: Path) -> Iterator[tuple[str, list[str]]]:
    """`leipzig-app` on the run profile `config`; yields the printed URL and a list that receives the
    process's stderr once it has stopped."""
    env = {**os.environ, "LEIPZIG_APP_RUN_CONFIG": str(config)}
    proc = subprocess.Popen(
        [EXE, "--data-dir", str(data)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(r"(http://[0-9.]+:\d+/)", line)
        if match:
            url = match.group(1)
        elif not line and proc.poll() is not None:
            break
    errors: list[str] = []
    try:
        assert url is not None, "no URL printed"
        yield url, errors
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        errors.append(err)


def _page_config(url: str) -> str:
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200
    return page.text


def test_every_key_differs_from_its_default_in_these_tests() -> None:
    defaults = RunConfig()
    assert (defaults.city, defaults.view, defaults.host) == ("leipzig", "auto", "127.0.0.1")
    assert (defaults.port, defaults.no_cdn) == (0, True)
    assert (defaults.web_renderer, defaults.route_url_strategy) == ("auto", "path")


def test_host_port_view_renderer_route_and_no_cdn_reach_the_served_page(tmp_path: Path) -> None:
    port = free_port()
    config = _write(
        tmp_path / "flet.toml",
        city="offenbach",
        view="web",
        host="127.0.0.1",
        port=port,
        no_cdn=True,
        web_renderer="canvaskit",
        route_url_strategy="hash",
    )
    with _app(config, tmp_path / "data") as (url, errors):
        assert url == f"http://127.0.0.1:{port}/"
        page = _page_config(url)
        assert 'flet.webRenderer="canvaskit";' in page
        assert 'flet.routeUrlStrategy="hash";' in page
        assert "flet.noCdn=true;" in page
        assert 'flet.canvasKitBaseUrl="/canvaskit/";' in page  # served by the app, not by a CDN
        assert httpx.get(f"{url}canvaskit/canvaskit.wasm", timeout=10).status_code == 200
    # view = "web": the native window was not even tried, so there is no fallback notice
    assert "starting in web mode" not in errors[0]
    assert "Traceback" not in errors[0]


def test_the_host_from_flet_toml_is_the_address_bound(tmp_path: Path) -> None:
    config = _write(tmp_path / "flet.toml", view="web", host=FOREIGN_HOST, port=free_port())
    env = {**os.environ, "LEIPZIG_APP_RUN_CONFIG": str(config)}
    done = subprocess.run(
        [EXE, "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"cannot serve the app on {FOREIGN_HOST}:" in done.stderr
    assert "Traceback" not in done.stderr
    assert "http://" not in done.stdout  # nothing was served anywhere else


def test_no_cdn_false_leaves_canvaskit_to_the_cdn_and_skwasm_is_passed_on(tmp_path: Path) -> None:
    config = _write(tmp_path / "flet.toml", view="web", no_cdn=False, web_renderer="skwasm")
    with _app(config, tmp_path / "data") as (url, errors):
        assert url.startswith("http://127.0.0.1:")
        page = _page_config(url)
        assert "flet.noCdn=false;" in page
        assert "flet.canvasKitBaseUrl=" not in page
        assert 'flet.webRenderer="skwasm";' in page
        assert 'flet.routeUrlStrategy="path";' in page
    assert "Traceback" not in errors[0]


def test_view_auto_falls_back_to_web_mode_and_says_why(tmp_path: Path) -> None:
    config = _write(tmp_path / "flet.toml", view="auto")
    env_display = {k: os.environ.pop(k) for k in ("DISPLAY", "WAYLAND_DISPLAY") if k in os.environ}
    try:
        with _app(config, tmp_path / "data") as (url, errors):
            assert httpx.get(url, timeout=10).status_code == 200
    finally:
        os.environ.update(env_display)
    # no desktop client installed, or no display: either way the reason is named and web mode serves
    assert re.search(r"Leipzig App: .*(desktop client|no display).*; starting in web mode\.", errors[0])


@pytest.mark.e2e
def test_the_city_and_the_hash_routes_show_in_the_browser(browser_page: Any, tmp_path: Path) -> None:
    config = _write(tmp_path / "flet.toml", city="offenbach", view="web", route_url_strategy="hash")
    with _app(config, tmp_path / "data") as (url, _):
        page = browser_page
        open_app(page, url, ready_text="Willkommen in Offenbach am Main")
        assert page.get_by_text("Willkommen in Leipzig").count() == 0
        # with hash routes the fragment names the screen; the path strategy would ignore it
        page.goto(f"{url}#/more")
        page.get_by_role("button", name=re.compile("^Abfuhrkalender")).first.wait_for(timeout=30_000)
        assert page.get_by_text("Willkommen in Offenbach am Main").count() == 0
