"""No personal data in logs: the redacting filter masks it before any handler writes."""

from __future__ import annotations

import logging

import pytest

from leipzig_app.adapters.logs import RedactingFilter, redact


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        ("reply to anna.mueller@example.org", "anna.mueller@example.org"),
        ("payee DE20 8605 5592 1090 0000 04 ok", "8605 5592"),
        ("payee DE20860555921090000004 ok", "DE20860555921090000004"),
        ("GET /appointment/?processId=123456&authKey=abcdef", "abcdef"),
        ('{"authKey": "s3cr3t", "x": 1}', "s3cr3t"),
        ("api_key=demo-open311-key&service_code=1", "demo-open311-key"),
        ("lat=51.3397&long=12.3731", "51.3397"),
        ("call +49 341 123-4567 now", "123-4567"),
    ],
)
def test_personal_data_is_masked(text: str, leaked: str) -> None:
    assert leaked not in redact(text)


def test_ordinary_text_is_kept() -> None:
    assert redact("feed stadt refreshed: 12 items in 0.3 s") == "feed stadt refreshed: 12 items in 0.3 s"


def test_filter_masks_arguments_too(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("leipzig_app.test")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="leipzig_app.test"):
        logger.info("booked for %s", "anna@example.org")
    assert "anna@example.org" not in caplog.text
    assert "<e-mail>" in caplog.text


def test_a_traceback_is_masked_too() -> None:
    from leipzig_app.adapters.logs import RedactingFormatter

    formatter = RedactingFormatter("%(levelname)s %(message)s")
    try:
        raise ValueError("could not send to anna.schmidt@example.org")
    except ValueError:
        import sys

        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "send failed", None, sys.exc_info())
    text = formatter.format(record)
    assert "Traceback" in text
    assert "ValueError" in text
    assert "anna.schmidt@example.org" not in text
    assert "<e-mail>" in text


@pytest.mark.parametrize("datefmt", [None, "%d %m %Y %H:%M"])
def test_the_timestamp_is_not_masked_as_a_phone_number(datefmt: str | None) -> None:
    from leipzig_app.adapters.logs import RedactingFormatter

    formatter = RedactingFormatter("%(asctime)s %(levelname)s %(message)s", datefmt=datefmt)
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "call %s", ("+49 341 123-4567",), None)
    line = formatter.format(record)
    assert line == f"{formatter.formatTime(record, datefmt)} WARNING call <phone>"


def test_a_date_in_a_message_is_not_a_phone_number() -> None:
    assert redact("reminder for 2026-12-07 18:00 set") == "reminder for 2026-12-07 18:00 set"
    assert redact("ring 0341 1234567 on 2026-12-07") == "ring <phone> on 2026-12-07"
