"""The deadline engine: notification, month ends, holidays of Saxony, one year, Einspruch, posting day."""

from __future__ import annotations

from datetime import date

import pytest

from leipzig_app.domain.deadlines import (
    DeadlineError,
    add_months,
    compute_deadline,
    latest_posting_day,
    notification_date,
)


def widerspruch(**kwargs: object) -> tuple[date, date]:
    result = compute_deadline("widerspruch", **kwargs)  # type: ignore[arg-type]
    return result.notified, result.deadline


def test_notification_four_days_from_2025_three_before() -> None:
    assert notification_date(date(2024, 12, 31)) == date(2025, 1, 3)
    assert notification_date(date(2025, 1, 1)) == date(2025, 1, 5)
    # not moved off a Sunday (2025-01-05) even though the period then starts later in some courts' view
    result = compute_deadline("widerspruch", posted=date(2025, 1, 1))
    assert result.notified == date(2025, 1, 5)
    assert result.may_be_later
    assert result.rule_key == "widerspruch_one_month"


def test_month_end_rules() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 3, 31), 1) == date(2025, 4, 30)
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    # Friday 2025-01-31 -> Friday 2025-02-28; 2024: Thursday 2024-02-29
    assert widerspruch(delivered=date(2025, 1, 31)) == (date(2025, 1, 31), date(2025, 2, 28))
    assert widerspruch(delivered=date(2024, 1, 31)) == (date(2024, 1, 31), date(2024, 2, 29))


def test_the_2025_rule_change_moves_the_deadline() -> None:
    # posted Monday 2024-12-30: three days -> 2025-01-02, one month -> Sun 2025-02-02 -> Mon 02-03
    assert widerspruch(posted=date(2024, 12, 30)) == (date(2025, 1, 2), date(2025, 2, 3))
    # posted Thursday 2025-01-02: four days -> 2025-01-06, one month -> Thu 2025-02-06
    assert widerspruch(posted=date(2025, 1, 2)) == (date(2025, 1, 6), date(2025, 2, 6))


def test_reformation_day_moves_the_end() -> None:
    # Einspruch delivered Fri 2025-10-17 -> Fri 2025-10-31, Reformation Day in Saxony -> Mon 2025-11-03
    result = compute_deadline("einspruch", delivered=date(2025, 10, 17))
    assert result.unshifted == date(2025, 10, 31)
    assert result.deadline == date(2025, 11, 3)
    assert {"reason": "holiday", "holiday": "Reformationstag"} in [dict(s.params) for s in result.steps]
    # in Bavaria it is no holiday
    assert compute_deadline("einspruch", delivered=date(2025, 10, 17), state="BY").deadline == date(
        2025, 10, 31
    )
    # a one-year Widerspruch period ending on 2025-10-31 moves the same way
    late = compute_deadline("widerspruch", delivered=date(2024, 10, 31), instructions_given=False)
    assert late.deadline == date(2025, 11, 3)


def test_buss_und_bettag() -> None:
    # 2025-11-19 is Buß- und Bettag (Wednesday before 23 Nov), a holiday only in Saxony
    assert widerspruch(delivered=date(2025, 10, 19))[1] == date(2025, 11, 20)
    assert compute_deadline("widerspruch", delivered=date(2025, 10, 19), state="BE").deadline == date(
        2025, 11, 19
    )


def test_easter_christmas_new_year() -> None:
    # Good Friday 2026-04-03 -> Saturday, Sunday, Easter Monday -> Tuesday 2026-04-07
    assert widerspruch(delivered=date(2026, 3, 3))[1] == date(2026, 4, 7)
    # Christmas Day 2025-12-25 (Thu), 26 (Fri), weekend -> Monday 2025-12-29
    assert widerspruch(delivered=date(2025, 11, 25))[1] == date(2025, 12, 29)
    # New Year 2026-01-01 (Thu) -> Friday 2026-01-02
    assert widerspruch(delivered=date(2025, 12, 1))[1] == date(2026, 1, 2)


def test_no_instructions_gives_one_year() -> None:
    result = compute_deadline("widerspruch", delivered=date(2025, 3, 14), instructions_given=False)
    assert result.deadline == date(2026, 3, 16)  # 2026-03-14 is a Saturday
    assert result.rule_key == "widerspruch_one_year"


def test_einspruch_two_weeks_after_delivery() -> None:
    result = compute_deadline("einspruch", delivered=date(2025, 12, 11))
    assert result.deadline == date(2025, 12, 29)  # 12-25 Thu holiday; two weeks end Thu 12-25 -> Mon 12-29
    assert result.rule_key == "einspruch_two_weeks"
    assert not result.may_be_later
    assert compute_deadline("einspruch", delivered=date(2026, 3, 2)).deadline == date(2026, 3, 16)


def test_einspruch_from_formal_delivery_can_end_before_the_posting_presumption() -> None:
    # Bußgeldbescheid posted Monday 1 Dec 2025, delivered (Zustellung) Tuesday 2 Dec.
    by_post = compute_deadline("einspruch", posted=date(2025, 12, 1))
    delivered = compute_deadline("einspruch", delivered=date(2025, 12, 2))
    assert (by_post.notified, by_post.deadline) == (date(2025, 12, 5), date(2025, 12, 19))
    assert (delivered.notified, delivered.deadline) == (date(2025, 12, 2), date(2025, 12, 16))
    assert not delivered.may_be_later


def test_steps_explain_the_result() -> None:
    result = compute_deadline("widerspruch", posted=date(2025, 10, 27))
    assert [s.key for s in result.steps] == ["notified", "period_end", "skip", "moved"]
    assert result.deadline == date(2025, 12, 1)
    # Codes and values only: the texts are the app's, in the resident's language.
    notified, period_end, skip, _ = result.steps
    assert (notified.day, dict(notified.params)) == (
        date(2025, 10, 31),
        {"posted": date(2025, 10, 27), "days": 4},
    )
    assert (period_end.day, dict(period_end.params)) == (
        date(2025, 11, 30),
        {"rule": "widerspruch_one_month"},
    )
    assert dict(skip.params) == {"reason": "sunday", "holiday": ""}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "klage", "delivered": date(2025, 1, 1)},
        {"kind": "widerspruch"},
        {"kind": "widerspruch", "posted": date(2025, 1, 1), "delivered": date(2025, 1, 1)},
        {"kind": "widerspruch", "delivered": date(2025, 1, 1), "state": "XX"},
    ],
)
def test_bad_input_is_a_clear_error(kwargs: dict[str, object]) -> None:
    with pytest.raises(DeadlineError):
        compute_deadline(**kwargs)  # type: ignore[arg-type]


def test_latest_posting_day() -> None:
    # deadline Friday 2025-12-05: three working days before -> Tuesday 2025-12-02
    assert latest_posting_day(date(2025, 12, 5)) == date(2025, 12, 2)
    # deadline Monday 2025-12-29 after Christmas: Mon 22 + Tue 23, Wed 24, Mon 29 -> Tuesday 2025-12-23
    assert latest_posting_day(date(2025, 12, 29)) == date(2025, 12, 22)
    # Reformation Day in Saxony is no working day
    assert latest_posting_day(date(2025, 11, 4)) == date(2025, 10, 29)
    assert latest_posting_day(date(2025, 11, 4), state="BY") == date(2025, 10, 30)
    assert latest_posting_day(date(2025, 12, 5), transit_working_days=0) == date(2025, 12, 5)
