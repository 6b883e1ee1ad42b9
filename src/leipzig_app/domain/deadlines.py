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

Results carry the rule as a stable code (`rule_key`) and the steps as codes with their days and
parameters, so the app can explain the date it shows in every language: the texts live in
`locales/*/notices.json` (`notices.deadline.*`, composed by `services/notice_letters.py`).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
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
    """One step of the calculation, for the explanation on screen.

    `key` says what happened on `day`; `params` carry what the text needs besides it:
    - "notified": posted (date), days (3 or 4): notification presumed `days` days after posting;
    - "delivered": the day of delivery;
    - "period_end": rule (`Deadline.rule_key`): the period ends on `day`;
    - "skip": reason ("saturday", "sunday" or "holiday") and holiday (its German name, else "");
    - "moved": the end moved to the next working day, `day`.
    """

    key: str
    day: date
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    notified: date
    deadline: date
    unshifted: date
    notified_presumed: bool
    #: "widerspruch_one_month", "widerspruch_one_year" or "einspruch_two_weeks".
    rule_key: str
    steps: tuple[Step, ...]
    #: The German state whose public holidays were skipped.
    state: str = "SN"

    @property
    def may_be_later(self) -> bool:
        """True when notification was presumed from the posting date (the real deadline may be later)."""
        return self.notified_presumed


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
        weekend = "saturday" if day.weekday() == 5 else "sunday"
        reason = weekend if name is None else "holiday"
        steps.append(Step("skip", day, {"reason": reason, "holiday": name or ""}))
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
        steps.append(Step("delivered", delivered))
    else:
        assert posted is not None
        notified, presumed = notification_date(posted), True
        steps.append(Step("notified", notified, {"posted": posted, "days": (notified - posted).days}))

    end_of_period, key = _period(kind, notified, instructions_given)
    steps.append(Step("period_end", end_of_period, {"rule": key}))
    deadline, skipped = next_working_day(end_of_period, state)
    steps += skipped
    if skipped:
        steps.append(Step("moved", deadline))
    return Deadline(kind, notified, deadline, end_of_period, presumed, key, tuple(steps), state)


def _period(kind: DeadlineKind, notified: date, instructions_given: bool) -> tuple[date, str]:
    if kind is DeadlineKind.EINSPRUCH:
        return notified + timedelta(days=14), "einspruch_two_weeks"  # § 67 OWiG
    if not instructions_given:
        return add_months(notified, 12), "widerspruch_one_year"  # § 58 (2) VwGO
    return add_months(notified, 1), "widerspruch_one_month"  # § 70 VwGO, §§ 187, 188 BGB


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
