"""How a booking's day and time are written in each language (the wizard, "Meine Termine", Home)."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from leipzig_app.i18n import Translator
from leipzig_app.ui.appointments.common import day_text, when_text

MOMENT = datetime(2026, 12, 11, 8, 30, tzinfo=ZoneInfo("Europe/Berlin"))


def ctx(language: str) -> Any:
    return SimpleNamespace(t=Translator(language))


@pytest.mark.parametrize(
    ("language", "day", "when"),
    [
        ("de", "Freitag, 11.12.2026", "Freitag, 11.12.2026, 08:30 Uhr"),
        ("en", "Friday, 11 Dec 2026", "Friday, 11 Dec 2026, 08:30"),
        # Arabic separates with its own comma, between weekday and date as between date and time
        ("ar", "الجمعة، 11\u200f/12\u200f/2026", "الجمعة، 11\u200f/12\u200f/2026، 08:30"),
    ],
)
def test_day_and_time_in_the_residents_language(language: str, day: str, when: str) -> None:
    assert day_text(ctx(language), MOMENT) == day
    assert when_text(ctx(language), MOMENT) == when
