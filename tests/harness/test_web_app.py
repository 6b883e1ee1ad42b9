"""`start_web_app` waits for the URL line and HTTP 200, and always stops the process it started."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from tests.support.browser import WebApp, WebAppError, start_web_app
from tests.support.fixtures import StartWebApp

SERVER = textwrap.dedent(
    """
    import http.server, sys
    port = int(sys.argv[1])
    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.end_headers(); self.wfile.write(b"hello")
        def log_message(self, *args):
            pass
    server = http.server.HTTPServer(("127.0.0.1", port), Hello)
    print(f"serving on http://127.0.0.1:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    """
)


def script(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "app.py"
    path.write_text(body)
    return [sys.executable, str(path), "{port}"]


def test_waits_for_the_url_and_stops_the_server(tmp_path: Path) -> None:
    with start_web_app(script(tmp_path, SERVER), timeout=20) as app:
        assert app.url == f"http://127.0.0.1:{app.port}/"
        assert app.process.poll() is None
    assert app.process.poll() is not None


def test_an_app_that_exits_reports_its_output(tmp_path: Path) -> None:
    cmd = script(tmp_path, "print('bad city profile: leipzig.toml, field colors')\nraise SystemExit(2)\n")
    with pytest.raises(WebAppError, match="exited with 2:\nbad city profile"), start_web_app(cmd, timeout=20):
        pass


def test_an_app_without_url_is_stopped_after_the_timeout(tmp_path: Path) -> None:
    cmd = script(tmp_path, "import time\nprint('starting', flush=True)\ntime.sleep(60)\n")
    with pytest.raises(WebAppError, match="no URL line") as failure, start_web_app(cmd, timeout=1):
        pass
    assert "starting" in str(failure.value)


def test_the_process_is_stopped_when_the_test_body_fails(tmp_path: Path) -> None:
    started: list[WebApp] = []

    def failing_test_body() -> None:
        with start_web_app(script(tmp_path, SERVER), timeout=20) as app:
            started.append(app)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        failing_test_body()
    assert started[0].process.poll() is not None


def test_the_factory_fixture_starts_apps_for_the_test(web_app_factory: StartWebApp, tmp_path: Path) -> None:
    first = web_app_factory(script(tmp_path, SERVER), timeout=20)
    second = web_app_factory(script(tmp_path, SERVER), timeout=20)
    assert first.port != second.port
    assert first.process.poll() is None
    assert second.process.poll() is None
