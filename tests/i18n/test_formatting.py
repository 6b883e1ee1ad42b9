"""Dates, times, amounts and numbers in each of the app's languages (ui/formatting.py, babel/CLDR)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from leipzig_app.ui import formatting

DAY = date(2026, 12, 15)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "15.12.2026"), ("de-LS", "15.12.2026"), ("en", "15 Dec 2026"), ("uk", "15 груд. 2026\u202fр.")],
)
def test_a_day_is_written_the_way_the_language_writes_it(language: str, expected: str) -> None:
    assert formatting.day(DAY, language) == expected


def test_arabic_days_keep_their_right_to_left_marks() -> None:
    text = formatting.day(DAY, "ar")
    assert "2026" in text
    assert "\u200f" in text  # right-to-left marks keep day/month/year in order inside Arabic text


def test_weekdays_in_every_language() -> None:
    assert formatting.weekday(DAY, "de") == "Dienstag"
    assert formatting.weekday(DAY, "en") == "Tuesday"
    assert formatting.weekday(DAY, "uk") == "вівторок"
    assert formatting.weekday(DAY, "ar") == "الثلاثاء"
    assert formatting.weekday_abbreviations("de")[0] == "Mo."
    assert len(formatting.weekday_abbreviations("uk")) == 7


def test_moments_are_shown_in_the_citys_time_zone() -> None:
    moment = datetime(2026, 11, 23, 14, 2, tzinfo=UTC)  # 15:02 in Leipzig (CET)
    assert formatting.moment(moment, "de", "Europe/Berlin") == "23.11.2026 15:02"
    assert formatting.moment(moment, "en", "Europe/Berlin") == "23 Nov 2026 15:02"
    assert formatting.moment(None, "de", "Europe/Berlin") == ""
    assert formatting.time_of_day(time(18, 0), "uk") == "18:00"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "1.234,50\xa0€"), ("en", "€1,234.50"), ("uk", "1\xa0234,50\xa0EUR")],  # CLDR: uk writes "EUR"
)
def test_amounts_put_the_euro_where_the_language_does(language: str, expected: str) -> None:
    assert formatting.money(Decimal("1234.50"), language) == expected


def test_numbers_use_the_languages_separators() -> None:
    assert formatting.number(6.62, "de", decimals=1) == "6,6"
    assert formatting.number(6.62, "en", decimals=1) == "6.6"
    assert formatting.number(2, "uk", decimals=1) == "2,0"
    assert formatting.number(1234, "de") == "1.234"
    assert formatting.money(None, "de") == ""
    assert formatting.day(None, "de") == ""


def test_an_unknown_language_formats_as_german() -> None:
    assert formatting.babel_locale("fr") == "de_DE"
    assert formatting.day(DAY, "xx") == "15.12.2026"
