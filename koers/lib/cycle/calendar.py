"""When a 20-week plan ends and whether its evaluation is open, due or overdue.

The Dutch school year starts on 1 August; a `school_year` is its start year (2025 is
2025-2026). Test moments fall in the B, M or E period of a school year.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from koers.lib.records import Period

# Koers design choices, to be confirmed with pilot schools. A plan runs from one
# measurement to the next, about 20 school weeks apart. Its evaluation is expected at
# the schoolbespreking that follows the measurement, a few weeks after the results
# come in, so a plan only counts as overdue four weeks after its end date.
PERIOD_WEEKS = 20
GRACE_DAYS = 28


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
    """The end date of a plan started on `start`: PERIOD_WEEKS weeks later."""
    return start + timedelta(weeks=PERIOD_WEEKS)


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
    if today > ends_on + timedelta(days=GRACE_DAYS):
        return CycleStatus.OVERDUE
    if results_in or today >= ends_on:
        return CycleStatus.DUE
    return CycleStatus.OPEN
