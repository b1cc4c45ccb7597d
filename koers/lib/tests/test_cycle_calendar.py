from __future__ import annotations

from datetime import date

import pytest

from koers.lib.cycle.calendar import (
    GRACE_DAYS,
    PERIOD_WEEKS,
    CycleStatus,
    cycle_status,
    default_end,
    next_measurement,
)
from koers.lib.records import Period

# 2025-09-01 + 20 weeks (140 days): 30 days to 1 Oct, 61 to 1 Nov, 91 to 1 Dec,
# 122 to 1 Jan 2026, 140 to 19 Jan 2026. Grace: 19 Jan + 28 days = 16 Feb 2026.
ENDS_ON = date(2026, 1, 19)
LAST_GRACE_DAY = date(2026, 2, 16)


def test_constants_match_the_design() -> None:
    assert PERIOD_WEEKS == 20
    assert GRACE_DAYS == 28


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period.BEGIN, (2025, Period.MIDDLE)),
        (Period.MIDDLE, (2025, Period.END)),
        (Period.END, (2026, Period.MIDDLE)),
    ],
)
def test_next_measurement_follows_the_period(
    period: Period, expected: tuple[int, Period]
) -> None:
    assert next_measurement(2025, period) == expected


def test_next_measurement_never_closes_on_a_begin_moment() -> None:
    for period in Period:
        assert next_measurement(2025, period)[1] != Period.BEGIN


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        # Worked out above: a Monday to a Monday.
        (date(2025, 9, 1), ENDS_ON),
        # 26 Jan: 6 days to 1 Feb, 34 to 1 Mar (February 2026 has 28 days),
        # 65 to 1 Apr, 95 to 1 May, 126 to 1 Jun, 140 to 15 Jun.
        (date(2026, 1, 26), date(2026, 6, 15)),
        # Leap year 2028, 1 Feb: 29 days to 1 Mar, 60 to 1 Apr, 90 to 1 May,
        # 121 to 1 Jun, 140 to 20 Jun.
        (date(2028, 2, 1), date(2028, 6, 20)),
    ],
)
def test_default_end_is_twenty_weeks_later(start: date, expected: date) -> None:
    assert default_end(start) == expected


def status(
    today: date, evaluated: bool = False, results_in: bool = False
) -> CycleStatus:
    return cycle_status(today, ENDS_ON, evaluated=evaluated, results_in=results_in)


def test_cycle_status_evaluated_wins_even_when_late() -> None:
    today = date(2026, 6, 1)

    assert status(today, evaluated=True, results_in=True) == CycleStatus.EVALUATED
    assert status(today, evaluated=True) == CycleStatus.EVALUATED


def test_cycle_status_overdue_after_the_grace_period() -> None:
    # 17 Feb is the first day after 19 Jan + 28 days; results do not rescue it.
    day_after = date(2026, 2, 17)

    assert status(day_after, results_in=True) == CycleStatus.OVERDUE
    assert status(day_after) == CycleStatus.OVERDUE


def test_cycle_status_due_on_the_last_grace_day() -> None:
    assert status(LAST_GRACE_DAY) == CycleStatus.DUE


def test_cycle_status_due_on_the_end_date() -> None:
    assert status(ENDS_ON) == CycleStatus.DUE


def test_cycle_status_due_early_when_results_are_in() -> None:
    assert status(date(2026, 1, 10), results_in=True) == CycleStatus.DUE


def test_cycle_status_open_before_the_end_without_results() -> None:
    assert status(date(2026, 1, 18)) == CycleStatus.OPEN
