"""Every UI language formats for its region: English as written in Europe, German for easy German."""

from __future__ import annotations

from datetime import UTC, datetime

from leipzig_app.domain.languages import babel_locale
from leipzig_app.domain.news import relative_date


def test_locales() -> None:
    assert babel_locale("de-LS") == "de_DE"
    assert babel_locale("en") == "en_GB"
    assert babel_locale("xx") == "de_DE"


def test_news_dates_in_english_are_european() -> None:
    when = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert relative_date(when, now, "en", "Europe/Berlin") == "4 Mar 2026"
    assert relative_date(when, now, "de", "Europe/Berlin") == "04.03.2026"
