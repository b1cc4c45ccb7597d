"""When a 20-week plan ends and whether its evaluation is open, due or overdue.

The Dutch school year starts on 1 August; a `school_year` is its start year (2025 is
2025-2026). Test moments fall in the B, M or E period of a school year.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from koers.lib.records import Period
from koers.lib.values import school_year_of

# Koers design choices, to be confirmed with pilot schools. A plan runs from one
# measurement to the next, about 20 school weeks apart. Its evaluation is expected at
# the schoolbespreking that follows the measurement, a few weeks after the results
# come in, so a plan only counts as overdue four weeks after its end date.
PERIOD_WEEKS = 20
GRACE_DAYS = 28
# A 20-week record that runs longer than a school year is a typing error, not a
# plan: its end date is refused.
MAX_PERIOD_DAYS = 366
# A meeting looks back on one measurement. It cannot be held before that period
# of testing starts (B from 1 August, M from 1 December, E from 1 April), and is
# held in the same school year, except after E: the results of June are often
# discussed in September or October, in the new school year's groups.
_PERIOD_STARTS = {
    Period.BEGIN: (8, 1, 0),
    Period.MIDDLE: (12, 1, 0),
    Period.END: (4, 1, 1),
}
AFTER_END_MONTHS_LAST_DAY = (10, 31)


class CycleStatus(StrEnum):
    OPEN = "open"
    DUE = "due"
    OVERDUE = "overdue"
    EVALUATED = "evaluated"


def next_measurement(school_year: int, period: Period) -> tuple[int, Period]:
    """The measurement that closes a plan started at (school_year, period).

    After B comes M of the same year, after M comes E of the same year and after E
    comes M of the next school year.
    """
    # The method's periods run between the M and E measurements; a B moment is
    # optional, so it may open a plan but never closes one.
    if period == Period.BEGIN:
        return school_year, Period.MIDDLE
    if period == Period.MIDDLE:
        return school_year, Period.END
    return school_year + 1, Period.MIDDLE


def default_end(start: date) -> date:
    """The end date of a plan started on `start`: PERIOD_WEEKS weeks later, or the
    last date there is for a start that close to it."""
    return shift(start, timedelta(weeks=PERIOD_WEEKS))


def shift(day: date, delta: timedelta) -> date:
    """`day + delta`, kept within the dates Python has instead of overflowing: a
    wrong date typed once must not take every page that computes with it down."""
    try:
        return day + delta
    except OverflowError:
        return date.max if delta > timedelta(0) else date.min


def school_year_bounds(school_year: int) -> tuple[date, date]:
    """1 August of `school_year` and 31 July after it, clamped to the dates Python
    has (school year 0 or 9999 come only from wrongly typed dates)."""
    return _clamped_date(school_year, 8, 1), _clamped_date(school_year + 1, 7, 31)


def meeting_window(school_year: int, period: Period) -> tuple[date, date]:
    """The first and last day a meeting after the measurement can be held."""
    month, day, years_later = _PERIOD_STARTS[period]
    first = _clamped_date(school_year + years_later, month, day)
    if period == Period.END:
        month, day = AFTER_END_MONTHS_LAST_DAY
        return first, _clamped_date(school_year + 1, month, day)
    return first, school_year_bounds(school_year)[1]


def record_window(anchor: date) -> tuple[date, date]:
    """The dates a 20-week record decided on `anchor` may start on: from the school
    year before the anchor's to the one after it."""
    year = school_year_of(anchor)
    return school_year_bounds(year - 1)[0], school_year_bounds(year + 1)[1]


def _clamped_date(year: int, month: int, day: int) -> date:
    if year < date.min.year:
        return date.min
    if year > date.max.year:
        return date.max
    return date(year, month, day)


def cycle_status(
    today: date, ends_on: date, evaluated: bool, results_in: bool
) -> CycleStatus:
    """Where a plan stands on `today`.

    EVALUATED once it is evaluated; otherwise OVERDUE more than GRACE_DAYS days after
    `ends_on`; otherwise DUE from `ends_on`, or earlier as soon as the closing
    measurement's results are in; otherwise OPEN.
    """
    if evaluated:
        return CycleStatus.EVALUATED
    # Subtracting two dates cannot overflow; adding the grace to a date near the
    # end of the calendar could.
    if (today - ends_on).days > GRACE_DAYS:
        return CycleStatus.OVERDUE
    if results_in or today >= ends_on:
        return CycleStatus.DUE
    return CycleStatus.OPEN
