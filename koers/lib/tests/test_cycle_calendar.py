from __future__ import annotations

from datetime import date, timedelta

import pytest

from koers.lib.cycle.calendar import (
    GRACE_DAYS,
    MAX_PERIOD_DAYS,
    PERIOD_WEEKS,
    CycleStatus,
    cycle_status,
    default_end,
    meeting_window,
    next_measurement,
    record_window,
    school_year_bounds,
    shift,
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


def test_a_date_at_the_end_of_the_calendar_never_overflows() -> None:
    # A plan ending on 31 December 9999 (a typing error stored before the forms
    # refused it) is overdue long before; adding the grace period to it must not
    # raise OverflowError.
    assert cycle_status(date(2026, 1, 1), date.max, False, False) == CycleStatus.OPEN
    assert cycle_status(date.max, date(2026, 1, 1), False, False) == (
        CycleStatus.OVERDUE
    )
    assert default_end(date.max) == date.max
    assert default_end(date(9999, 12, 1)) == date.max
    assert shift(date.min, timedelta(days=-1)) == date.min


@pytest.mark.parametrize(
    ("school_year", "expected"),
    [
        (2024, (date(2024, 8, 1), date(2025, 7, 31))),
        # Years that only wrongly typed dates produce stay within the calendar.
        (9999, (date(9999, 8, 1), date.max)),
        (0, (date.min, date(1, 7, 31))),
        (-1, (date.min, date.min)),
        (10000, (date.max, date.max)),
    ],
)
def test_school_year_bounds_are_clamped_to_the_calendar(
    school_year: int, expected: tuple[date, date]
) -> None:
    assert school_year_bounds(school_year) == expected


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # B and M: from the start of the testing period to the end of the year.
        (Period.BEGIN, (date(2024, 8, 1), date(2025, 7, 31))),
        (Period.MIDDLE, (date(2024, 12, 1), date(2025, 7, 31))),
        # E: from April, and into the autumn of the next school year.
        (Period.END, (date(2025, 4, 1), date(2025, 10, 31))),
    ],
)
def test_meeting_window_follows_the_measurement(
    period: Period, expected: tuple[date, date]
) -> None:
    assert meeting_window(2024, period) == expected


def test_record_window_spans_the_school_years_around_the_anchor() -> None:
    # 20 February 2025 lies in 2024-2025: from 1 August 2023 to 31 July 2026.
    assert record_window(date(2025, 2, 20)) == (date(2023, 8, 1), date(2026, 7, 31))
    assert MAX_PERIOD_DAYS == 366
