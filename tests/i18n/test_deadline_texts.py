"""The objection deadline explained in the resident's language: rule and steps come from the locale files,
with dates written the way the language writes them; no English sentence and no ISO date reaches a
Ukrainian or Arabic reader, and easy German gets its own texts."""

from __future__ import annotations

import re
from datetime import date

import pytest

from leipzig_app.domain.deadlines import GERMAN_STATES, Deadline, compute_deadline
from leipzig_app.i18n import EASY_GERMAN, Translator, catalog
from leipzig_app.services.notice_letters import deadline_rule, deadline_steps
from leipzig_app.ui import formatting

#: Every kind of step and rule: posting presumption with a Sunday, delivery with a holiday (Reformation
#: Day in Saxony) and a Saturday, one year without instructions, the two weeks of an Einspruch.
DEADLINES = [
    compute_deadline("widerspruch", posted=date(2025, 10, 27)),
    compute_deadline("einspruch", delivered=date(2025, 10, 17)),
    compute_deadline("widerspruch", delivered=date(2025, 3, 14), instructions_given=False),
    compute_deadline("widerspruch", delivered=date(2025, 11, 25)),
]
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Latin-script words allowed in Ukrainian and Arabic texts: the names of German laws.
LAW_WORDS = {"VwGO", "VwVfG", "BGB", "OWiG", "Abs"}


def explained(deadline: Deadline, language: str) -> list[str]:
    t = Translator(language)
    return [
        deadline_rule(deadline, t),
        *deadline_steps(deadline, t, lambda day: formatting.day(day, t.base_language)),
    ]


@pytest.mark.parametrize(
    ("language", "state"),
    [("de", "Sachsen"), ("en", "Saxony"), ("uk", "Саксонія"), ("ar", "ساكسونيا")],
)
def test_the_rule_names_the_state_whose_holidays_count_in_words(language: str, state: str) -> None:
    # "Feiertag (SN)" leaves a resident guessing what SN is: the state is named as the language names it.
    for deadline in DEADLINES:
        rule = deadline_rule(deadline, Translator(language))
        assert f"({state})" in rule, rule
        assert "(SN)" not in rule, rule


@pytest.mark.parametrize("language", ["de", "en", "uk", "ar"])
@pytest.mark.parametrize("state", GERMAN_STATES)
def test_every_state_has_a_name(language: str, state: str) -> None:
    key = f"notices.deadline.state.{state}"
    assert key in catalog(language), f"{language}: {key}"


def test_every_kind_of_step_is_covered() -> None:
    keys = {step.key for d in DEADLINES for step in d.steps}
    reasons = {str(step.params.get("reason")) for d in DEADLINES for step in d.steps if step.key == "skip"}
    assert keys == {"notified", "delivered", "period_end", "skip", "moved"}
    assert reasons == {"saturday", "sunday", "holiday"}
    assert {d.rule_key for d in DEADLINES} == {
        "widerspruch_one_month",
        "widerspruch_one_year",
        "einspruch_two_weeks",
    }


@pytest.mark.parametrize("language", ["uk", "ar"])
@pytest.mark.parametrize("deadline", DEADLINES, ids=lambda d: d.rule_key + "-" + d.steps[0].key)
def test_no_english_and_no_iso_date_reaches_ukrainian_or_arabic(deadline: Deadline, language: str) -> None:
    english = set(explained(deadline, "en"))
    for text in explained(deadline, language):
        assert text not in english
        assert not ISO_DATE.search(text), text
        latin = set(re.findall(r"[A-Za-zÄÖÜäöüß]{2,}", text)) - LAW_WORDS
        assert not latin, f"{language}: Latin-script words {latin} in {text!r}"
        assert "{" not in text, text  # every placeholder was filled
    for step, text in zip(deadline.steps, explained(deadline, language)[1:], strict=True):
        assert formatting.day(step.day, language) in text


def test_dates_follow_the_language_and_holidays_are_named_in_it() -> None:
    einspruch = DEADLINES[1]  # two weeks end on Friday 31 Oct 2025, Reformation Day in Saxony
    assert "31.10.2025 ist ein Feiertag (Reformationstag)" in " ".join(explained(einspruch, "de"))
    assert "День Реформації" in " ".join(explained(einspruch, "uk"))
    arabic = " ".join(explained(einspruch, "ar"))
    assert "يوم الإصلاح الديني" in arabic
    assert formatting.day(date(2025, 10, 31), "ar") in arabic
    assert "Reformation Day" in " ".join(explained(einspruch, "en"))


def test_easy_german_has_its_own_deadline_texts() -> None:
    for deadline in DEADLINES:
        easy, standard = explained(deadline, EASY_GERMAN), explained(deadline, "de")
        assert all(e != s for e, s in zip(easy, standard, strict=True)), easy
        assert "§" not in " ".join(easy)
