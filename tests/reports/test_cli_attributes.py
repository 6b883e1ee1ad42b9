"""`leipzig-app report submit` cleans a report up the way the app does before sending it: a number typed
with a German decimal comma (`menge=1,5`) reaches the server as `1.5`, text is trimmed. Against the real
demo city; what arrived is read from the demo city's own database."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

import pytest

from leipzig_app.cli.main import main
from leipzig_app.sandbox.server import SandboxServer


def stored(sandbox: SandboxServer, request_id: str) -> sqlite3.Row:
    with closing(sqlite3.connect(sandbox.ctx.db_path)) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM open311_requests WHERE id = ?", (request_id,)).fetchone()
    assert row is not None, f"the demo city has no request {request_id}"
    return row


@pytest.mark.parametrize(("typed", "sent"), [("1,5", "1.5"), (" 2 ", "2"), ("0,25", "0.25")])
def test_a_decimal_comma_is_sent_as_the_app_sends_it(
    capsys: pytest.CaptureFixture[str], sandbox: SandboxServer, sandbox_url: str, typed: str, sent: str
) -> None:
    code = main(
        [
            "report", "submit", "--endpoint", f"{sandbox_url}/open311/v2/", "--api-key", "demo-open311-key",
            "--jurisdiction", "leipzig.de", "--service-code", "muell", "--address", "Markt 1",
            "--description", "  Sperrmüll am Gehweg  ", "--attribute", "art=sperrmuell",
            "--attribute", f"menge={typed}",
        ]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    receipt = json.loads(captured.out)
    row = stored(sandbox, receipt["service_request_id"])
    assert json.loads(row["attributes"]) == {"art": ["sperrmuell"], "menge": [sent]}
    assert row["description"] == "Sperrmüll am Gehweg"


def test_a_word_is_still_refused_before_anything_is_sent(
    capsys: pytest.CaptureFixture[str], sandbox: SandboxServer, sandbox_url: str
) -> None:
    with closing(sqlite3.connect(sandbox.ctx.db_path)) as conn:
        before = conn.execute("SELECT COUNT(*) FROM open311_requests").fetchone()[0]
    code = main(
        [
            "report", "submit", "--endpoint", f"{sandbox_url}/open311/v2/", "--api-key", "demo-open311-key",
            "--service-code", "muell", "--address", "Markt 1", "--description", "Sperrmüll",
            "--attribute", "art=sperrmuell", "--attribute", "menge=viel",
        ]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert "attribute menge must be a number" in err
    assert err.count("\n") == 1
    with closing(sqlite3.connect(sandbox.ctx.db_path)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM open311_requests").fetchone()[0] == before
