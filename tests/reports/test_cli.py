"""`leipzig-app report services|submit|status` against the real demo city (in-process command line)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from leipzig_app.adapters.photos import read_gps
from leipzig_app.cli.main import main
from leipzig_app.sandbox.server import SandboxServer


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


def test_services_submit_status(
    capsys: pytest.CaptureFixture[str], sandbox: SandboxServer, sandbox_url: str, tmp_path: Path
) -> None:
    endpoint = f"{sandbox_url}/open311/v2/"
    code, services, _ = _run(
        capsys, "report", "services", "--endpoint", endpoint, "--jurisdiction", "leipzig.de"
    )
    assert code == 0
    assert isinstance(services, list)
    assert {"service_code": "muell"}.items() <= next(
        s for s in services if s["service_code"] == "muell"
    ).items()

    photo = tmp_path / "gps.jpg"
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 20.0, 24.0), 3: "E", 4: (12.0, 22.0, 30.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (90, 120, 90)).save(buffer, "JPEG", exif=exif.tobytes())
    photo.write_bytes(buffer.getvalue())
    code, receipt, err = _run(
        capsys, "report", "submit", "--endpoint", endpoint, "--api-key", "demo-open311-key",
        "--service-code", "muell", "--lat", "51.34", "--long", "12.375", "--description", "Sperrmüll",
        "--attribute", "art=sperrmuell", "--attribute", "art=elektro", "--photo", str(photo),
        "--email", "a@example.org",
    )  # fmt: skip
    assert code == 0, err
    assert isinstance(receipt, dict)
    assert set(receipt) == {"service_request_id", "token", "service_notice"}
    code, status, _ = _run(capsys, "report", "status", "--endpoint", endpoint, receipt["service_request_id"])
    assert code == 0
    assert isinstance(status, dict)
    assert status["status"] == "open"
    assert status["media_url"].startswith(sandbox_url)
    stored = next((sandbox.ctx.data_dir / "open311-media").glob("*.jpg")).read_bytes()
    assert read_gps(stored) is None  # the photo went through the privacy processing
    with Image.open(io.BytesIO(stored)) as image:
        assert max(image.size) == 1600


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--api-key", "wrong", "--service-code", "ampel", "--address", "Markt 1"], "403"),
        (
            ["--api-key", "demo-open311-key", "--service-code", "muell", "--address", "Markt 1"],
            "attribute art",
        ),
        (["--api-key", "demo-open311-key", "--service-code", "nix", "--address", "Markt 1"], "not offered"),
        (["--api-key", "demo-open311-key", "--service-code", "ampel"], "location is required"),
        (["--api-key", "k", "--service-code", "ampel", "--lat", "51"], "both --lat and --long"),
        (
            ["--api-key", "k", "--service-code", "ampel", "--address", "M", "--photo", "/nonexistent.jpg"],
            "cannot read",
        ),
        (
            ["--api-key", "k", "--service-code", "ampel", "--address", "M", "--attribute", "novalue"],
            "CODE=VALUE",
        ),
    ],
)
def test_submit_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], sandbox_url: str, extra: list[str], words: str
) -> None:
    code, out, err = _run(
        capsys, "report", "submit", "--endpoint", f"{sandbox_url}/open311/v2/", "--description", "d", *extra
    )
    assert code == 1
    assert out is None
    assert err.count("\n") == 1
    assert words in err
    assert "Traceback" not in err


def test_status_unknown_and_unreachable(capsys: pytest.CaptureFixture[str], sandbox_url: str) -> None:
    code, _, err = _run(capsys, "report", "status", "--endpoint", f"{sandbox_url}/open311/v2/", "4711")
    assert (code, "404" in err) == (1, True)
    code, _, err = _run(capsys, "report", "status", "--endpoint", "http://127.0.0.1:9/open311/v2/", "1")
    assert (code, "cannot reach" in err) == (1, True)
    code, _, err = _run(capsys, "report", "services", "--endpoint", "http://city.example/open311/")
    assert (code, "HTTPS" in err) == (1, True)
