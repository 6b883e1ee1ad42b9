"""Dates, times, amounts and numbers in the resident's language, for every view (CLDR data through babel).

Views pass `ctx.t.base_language` ("de" also for easy German). Moments are shown in the city's time zone
(`ctx.profile.timezone`), never in the device's, so a booking reads the same everywhere. babel is imported
inside the functions: it loads its locale data on first use, which keeps the app's start fast.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from leipzig_app.domain.languages import babel_locale


def day(value: date | None, language: str) -> str:
    """A calendar date in the language's medium form: "15.12.2026", "15 Dec 2026", "15‏/12‏/2026"."""
    if value is None:
        return ""
    from babel.dates import format_date

    return str(format_date(value, format="medium", locale=babel_locale(language)))


def long_day(value: date, language: str) -> str:
    """A date with its weekday: "Dienstag, 15. Dezember 2026"."""
    from babel.dates import format_date

    return str(format_date(value, format="full", locale=babel_locale(language)))


def weekday(value: date, language: str) -> str:
    """The weekday's name: "Dienstag", "вівторок", "الثلاثاء"."""
    from babel.dates import format_date

    return str(format_date(value, format="EEEE", locale=babel_locale(language)))


def weekday_abbreviations(language: str) -> tuple[str, ...]:
    """Short weekday names from Monday (index 0, as `date.weekday()`): "Mo.", "Mon", "пн"."""
    from babel.dates import get_day_names

    names = get_day_names("abbreviated", locale=babel_locale(language))
    return tuple(str(names[i]) for i in range(7))


def time_of_day(value: time | datetime, language: str) -> str:
    """A clock time in the language's short form: "18:00"."""
    from babel.dates import format_time

    return str(format_time(value, format="short", locale=babel_locale(language)))


def moment(value: datetime | None, language: str, timezone: str) -> str:
    """Date and time of an instant in the city's time zone: "23.11.2026 15:02" (naive values as given)."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        from zoneinfo import ZoneInfo

        value = value.astimezone(ZoneInfo(timezone))
    return f"{day(value.date(), language)} {time_of_day(value, language)}"


def money(amount: Decimal | int | float | None, language: str, currency: str = "EUR") -> str:
    """An amount with its currency where the language puts it: "61,20 €", "€61.20"."""
    if amount is None:
        return ""
    from babel.numbers import format_currency

    return str(format_currency(amount, currency, locale=babel_locale(language)))


def number(value: Decimal | int | float, language: str, decimals: int | None = None) -> str:
    """A number with the language's separators: "1.234,5" in German, "1,234.5" in English; with
    `decimals`, exactly that many digits after the separator ("2,0")."""
    from babel.numbers import format_decimal

    pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(value, format=pattern, locale=babel_locale(language)))
