"""`leipzig-app appointments ...` against the real demo city: the issue's JSON contract and its errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from leipzig_app.cli.main import main
from leipzig_app.domain.appointments import BERLIN

GRUENAU, PAUNSDORF, ANMELDEN = "10002", "10004", "120686"
BOOK = ["book", "--office", GRUENAU, "--service", ANMELDEN]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["appointments", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def test_catalog_slots_book_cancel(
    capsys: pytest.CaptureFixture[str], endpoint: str, demo: Callable[..., Any]
) -> None:
    code, catalog, _ = run(capsys, "catalog", "--endpoint", endpoint)
    assert code == 0
    assert set(catalog) == {"offices", "services"}
    assert any(o["name"] == "Bürgeramt Grünau (Demo)" for o in catalog["offices"])
    passport = next(s for s in catalog["services"] if s["id"] == "121151")
    assert "10003" not in passport["office_ids"]
    assert passport["max_quantity"] == 5

    code, slots, _ = run(
        capsys, "slots", "--endpoint", endpoint, "--office", GRUENAU, "--service", ANMELDEN, "--days", "7"
    )
    assert code == 0
    assert slots
    # The contract for one office: a list of ISO 8601 times with offset.
    assert all(isinstance(s, str) for s in slots)
    first = datetime.fromisoformat(slots[0])
    assert first.utcoffset() is not None
    assert slots == sorted(slots, key=lambda s: datetime.fromisoformat(s).timestamp())

    code, booked, _ = run(
        capsys, "book", "--endpoint", endpoint, "--office", GRUENAU, "--service", ANMELDEN,
        "--slot", slots[0], "--name", "Erika Mustermann", "--email", "erika@example.org",
    )  # fmt: skip
    assert code == 0
    assert booked["slot"] == slots[0]
    assert booked["state"] == "confirmed"  # Grünau confirms without an e-mail round trip
    assert set(booked) == {"process_id", "auth_key", "slot", "state"}

    code, _, err = run(
        capsys, "book", "--endpoint", endpoint, "--office", GRUENAU, "--service", ANMELDEN,
        "--slot", slots[0], "--name", "Max Muster", "--email", "max@example.org",
    )  # fmt: skip
    assert code == 1
    assert err.startswith("leipzig-app: error: appointment booking: appointmentNotAvailable")
    assert err.count("\n") == 1

    code, cancelled, _ = run(
        capsys, "cancel", "--endpoint", endpoint, "--process-id", str(booked["process_id"]),
        "--auth-key", booked["auth_key"],
    )  # fmt: skip
    assert code == 0
    assert cancelled == {"cancelled": True}


def test_slots_of_several_offices_name_the_office_of_each_time(
    capsys: pytest.CaptureFixture[str], endpoint: str, demo: Callable[..., Any]
) -> None:
    # both offices open early on the same day: every time of that hour is free at both
    day = (datetime.now(BERLIN) + timedelta(days=2)).date()
    for office in (GRUENAU, PAUNSDORF):
        demo("special-openings", office_id=office, day=day.isoformat(), opens="06:00", closes="07:00")
    code, slots, _ = run(
        capsys, "slots", "--endpoint", endpoint, "--office", f"{PAUNSDORF},{GRUENAU}",
        "--service", ANMELDEN, "--days", "3",
    )  # fmt: skip
    assert code == 0
    keys = [(datetime.fromisoformat(s["slot"]).timestamp(), s["office_id"]) for s in slots]
    assert keys == sorted(set(keys))  # by time, then office, and no entry twice
    names = {s["office_id"]: s["office_name"] for s in slots}
    assert names == {GRUENAU: "Bürgeramt Grünau (Demo)", PAUNSDORF: "Bürgeramt Paunsdorf (Demo)"}
    quarter_past_six = datetime.combine(day, time(6, 15), BERLIN).isoformat()
    early = [s for s in slots if s["slot"] == quarter_past_six]
    assert [s["office_id"] for s in early] == [GRUENAU, PAUNSDORF]

    # each entry books at its own office
    code, booked, _ = run(
        capsys, "book", "--endpoint", endpoint, "--office", early[1]["office_id"], "--service", ANMELDEN,
        "--slot", early[1]["slot"], "--name", "Erika Mustermann", "--email", "erika@example.org",
    )  # fmt: skip
    assert code == 0
    assert booked["state"] == "confirmed"
    code, after, _ = run(
        capsys, "slots", "--endpoint", endpoint, "--office", f"{GRUENAU},{PAUNSDORF}",
        "--service", ANMELDEN, "--days", "3",
    )  # fmt: skip
    assert [s["office_id"] for s in after if s["slot"] == early[0]["slot"]] == [GRUENAU]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["slots", "--office", GRUENAU, "--service", ANMELDEN, "--days", "0"], "--days must be from 1 to 62"),
        ([*BOOK, "--slot", "morgen", "--name", "Erika", "--email", "e@x.de"], "--slot: not an ISO 8601 time"),
        ([*BOOK, "--slot", "2026-11-24T09:00", "--name", "Erika", "--email", "e@x.de"],
         "--slot: needs a UTC offset"),
        ([*BOOK, "--slot", "2026-11-24T09:00+01:00", "--name", "Erika", "--email", "kein-at"],
         "e-mail: not a valid address"),
        (["cancel", "--process-id", "100001", "--auth-key", "falsch"], "appointmentNotFound"),
    ],
)  # fmt: skip
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], endpoint: str, args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args[:1], "--endpoint", endpoint, *args[1:])
    assert code == 1
    assert out is None
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_plain_http_outside_loopback_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "catalog", "--endpoint", "http://termine.example.org/api/citizen/")
    assert code == 1
    assert "--endpoint:" in err


def test_as_a_separate_process(endpoint: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "leipzig_app.cli.main", "appointments", "catalog", "--endpoint", endpoint],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["offices"]) == 5
    offline = subprocess.run(
        [sys.executable, "-m", "leipzig_app.cli.main", "appointments", "catalog", "--endpoint",
         "http://127.0.0.1:9/terminvereinbarung/api/citizen/"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert offline.returncode == 1
    assert offline.stderr.startswith("leipzig-app: error: appointment booking: cannot reach the server")
