"""The deadline engine: when a letter counts as notified and until when one may object.

Rules (docs/notice-code.md, "Deadlines"):
- A posted letter counts as notified on the 4th day after posting for postings from 2025-01-01 (§ 41 (2)
  VwVfG, § 122 (2) AO as changed by the Postrechtsmodernisierungsgesetz), on the 3rd day before. That day is
  NOT moved off weekends or holidays here: courts disagree, so the earlier date is shown and the result
  says the real deadline may be later (`may_be_later`).
- Widerspruch: one month from notification (§ 70 VwGO), ending on the day of the next month with the same
  number, or that month's last day if there is none (§ 187 (1), § 188 (2), (3) BGB); one year without
  correct instructions on remedies (§ 58 (2) VwGO).
- Einspruch against a fine: two weeks from delivery (§ 67 (1) OWiG).
- A period ending on a Saturday, Sunday or public holiday of the state ends on the next working day
  (§ 193 BGB, § 31 (3) VwVfG, § 222 (2) ZPO, § 57 (2) VwGO, § 46 OWiG with § 43 StPO).

Results carry German and English rule texts and the steps, so the app can explain the date it shows.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

#: The first posting day under the four-day presumption of notification.
FOUR_DAY_RULE_FROM = date(2025, 1, 1)
GERMAN_STATES = (
    "BB",
    "BE",
    "BW",
    "BY",
    "HB",
    "HE",
    "HH",
    "MV",
    "NI",
    "NW",
    "RP",
    "SH",
    "SL",
    "SN",
    "ST",
    "TH",
)


class DeadlineKind(StrEnum):
    WIDERSPRUCH = "widerspruch"
    EINSPRUCH = "einspruch"


class DeadlineError(ValueError):
    """Input the engine cannot work with (say which and why); the text is safe to show."""


@dataclass(frozen=True)
class Step:
    """One step of the calculation, for the explanation on screen."""

    key: str
    day: date
    de: str
    en: str


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    notified: date
    deadline: date
    unshifted: date
    notified_presumed: bool
    rule_key: str
    rule_de: str
    rule_en: str
    steps: tuple[Step, ...]

    @property
    def may_be_later(self) -> bool:
        """True when notification was presumed from the posting date (the real deadline may be later)."""
        return self.notified_presumed

    def rule(self, language: str = "de") -> str:
        return self.rule_de if language == "de" else self.rule_en


def notification_date(posted: date) -> date:
    """The presumed day of notification of a letter posted on `posted` (not moved off holidays)."""
    return posted + timedelta(days=4 if posted >= FOUR_DAY_RULE_FROM else 3)


def add_months(start: date, months: int) -> date:
    """§ 188 (2), (3) BGB: the same day number `months` later, or that month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _check_state(state: str) -> str:
    code = state.strip().upper()
    if code not in GERMAN_STATES:
        raise DeadlineError(f"unknown German state {state!r}; use one of {', '.join(GERMAN_STATES)}")
    return code


@lru_cache(maxsize=64)
def _holidays(state: str, year: int) -> dict[date, str]:
    import holidays

    return dict(holidays.country_holidays("DE", subdiv=state, years=year, language="de"))


def holiday_name(day: date, state: str) -> str | None:
    """The name of the public holiday of `state` on `day`, or None."""
    return _holidays(_check_state(state), day.year).get(day)


def is_working_day(day: date, state: str) -> bool:
    return day.weekday() < 5 and holiday_name(day, state) is None


def next_working_day(day: date, state: str) -> tuple[date, list[Step]]:
    """`day` itself when it is a working day, else the next one; the steps say what was skipped."""
    steps: list[Step] = []
    while not is_working_day(day, state):
        name = holiday_name(day, state)
        if name is None:
            de_why = "Samstag" if day.weekday() == 5 else "Sonntag"
            en_why = "a Saturday" if day.weekday() == 5 else "a Sunday"
        else:
            de_why, en_why = f"Feiertag ({name})", f"a public holiday ({name})"
        steps.append(Step("skip", day, f"{day:%d.%m.%Y} ist {de_why}", f"{day.isoformat()} is {en_why}"))
        day += timedelta(days=1)
    return day, steps


def compute_deadline(
    kind: DeadlineKind | str,
    *,
    posted: date | None = None,
    delivered: date | None = None,
    instructions_given: bool = True,
    state: str = "SN",
) -> Deadline:
    """The last day to object. Give the delivery date when known (it wins), else the posting date."""
    try:
        kind = DeadlineKind(kind)
    except ValueError:
        raise DeadlineError(f"kind must be widerspruch or einspruch, not {kind!r}") from None
    state = _check_state(state)
    if (posted is None) == (delivered is None):
        raise DeadlineError("give either the posting date or the delivery date, not both or neither")
    steps: list[Step] = []
    if delivered is not None:
        notified, presumed = delivered, False
        steps.append(
            Step(
                "delivered",
                delivered,
                f"Zugestellt am {delivered:%d.%m.%Y}",
                f"delivered on {delivered.isoformat()}",
            )
        )
    else:
        assert posted is not None
        notified, presumed = notification_date(posted), True
        days = (notified - posted).days
        law = "§ 41 Abs. 2 VwVfG" + (" (seit 2025)" if days == 4 else " (bis 2024)")
        steps.append(
            Step(
                "notified",
                notified,
                f"Zur Post gegeben am {posted:%d.%m.%Y}; bekannt gegeben am {days}. Tag danach, "
                f"{notified:%d.%m.%Y} ({law}, nicht verschoben)",
                f"posted on {posted.isoformat()}; notified on the {_ordinal(days)} day after, "
                f"{notified.isoformat()} (§ 41 (2) VwVfG, not moved off weekends or holidays)",
            )
        )

    end_of_period, period_de, period_en, law_de, key = _period(kind, notified, instructions_given)
    steps.append(
        Step(
            "period_end",
            end_of_period,
            f"{period_de} ({law_de}) endet am {end_of_period:%d.%m.%Y}",
            f"{period_en} ({law_de}) ends on {end_of_period.isoformat()}",
        )
    )
    deadline, skipped = next_working_day(end_of_period, state)
    steps += skipped
    if skipped:
        steps.append(
            Step(
                "moved",
                deadline,
                f"Fristende verschoben auf den nächsten Werktag, {deadline:%d.%m.%Y} (§ 193 BGB)",
                f"moved to the next working day, {deadline.isoformat()} (§ 193 BGB)",
            )
        )
    start_de, start_en = (
        ("Zustellung", "delivery") if kind is DeadlineKind.EINSPRUCH else ("Bekanntgabe", "notification")
    )
    rule_de = (
        f"{period_de} ab {start_de} ({law_de}); "
        f"Fristende an Wochenende/Feiertag ({state}): dann nächster Werktag"
    )
    rule_en = (
        f"{period_en} from {start_en} ({law_de}); "
        f"an end on a weekend/holiday ({state}) moves to the next working day"
    )
    if presumed:
        rule_de += "; Bekanntgabe aus dem Postdatum vermutet, die Frist kann später enden"
        rule_en += "; notification presumed from the posting date, the real deadline may be later"
    return Deadline(kind, notified, deadline, end_of_period, presumed, key, rule_de, rule_en, tuple(steps))


def _period(kind: DeadlineKind, notified: date, instructions_given: bool) -> tuple[date, str, str, str, str]:
    if kind is DeadlineKind.EINSPRUCH:
        return notified + timedelta(days=14), "Zwei Wochen", "Two weeks", "§ 67 OWiG", "einspruch_two_weeks"
    if not instructions_given:
        return (
            add_months(notified, 12),
            "Ein Jahr (keine oder falsche Rechtsbehelfsbelehrung)",
            "One year (no or wrong instructions on remedies)",
            "§ 58 Abs. 2 VwGO",
            "widerspruch_one_year",
        )
    return (
        add_months(notified, 1),
        "Ein Monat",
        "One month",
        "§ 70 VwGO, §§ 187, 188 BGB",
        "widerspruch_one_month",
    )


def _ordinal(n: int) -> str:
    return {3: "3rd", 4: "4th"}.get(n, f"{n}th")


def latest_posting_day(deadline: date, *, state: str = "SN", transit_working_days: int = 3) -> date:
    """The last day to post a letter so that it reaches the authority by `deadline`.

    Assumption (documented in docs/notice-code.md): the letter must ARRIVE by the deadline, and a letter
    arrives `transit_working_days` working days (Monday to Friday, not holidays of `state`) after a
    working day of posting: since 2025 the Post must deliver 95 % of letters by the third working day
    (§ 18 PostG). The answer is itself a working day; when it is already past, the letter is too late
    by post and the app suggests handing it in person. Earlier is always safer.
    """
    state = _check_state(state)
    if transit_working_days < 0:
        raise DeadlineError("transit_working_days must not be negative")
    day = deadline
    while True:
        if is_working_day(day, state) and _add_working_days(day, transit_working_days, state) <= deadline:
            return day
        day -= timedelta(days=1)


def _add_working_days(day: date, count: int, state: str) -> date:
    while count:
        day += timedelta(days=1)
        if is_working_day(day, state):
            count -= 1
    return day
