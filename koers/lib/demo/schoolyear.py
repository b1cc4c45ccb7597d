"""Dates in the demo's school years, all derived from the start year.

A school year is named by the calendar year in which it starts: 2023 means
2023-2024. Nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from koers.lib.records import Subject

MONDAY: Final = 0
TUESDAY: Final = 1

# Tests of one moment are spread over a week: one subject per day.
SUBJECT_DAY: Final[dict[Subject, int]] = {
    Subject.MATH: 0,
    Subject.READING_COMPREHENSION: 1,
    Subject.SPELLING: 2,
    Subject.TECHNICAL_READING: 3,
}


def label(year: int) -> str:
    """`2023` -> `2023-2024`, as in EDEXML, ESIS and the doorstroomtoets."""
    return f"{year}-{year + 1}"


def weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def first_school_day(year: int) -> dt.date:
    # The summer holiday ends in the last week of August.
    return weekday_on_or_after(dt.date(year, 8, 22), MONDAY)


def last_school_day(year: int) -> dt.date:
    # The summer holiday starts in the first half of July; school ends on a Friday.
    return weekday_on_or_after(dt.date(year + 1, 7, 4), MONDAY) + dt.timedelta(days=4)


def moment_week(year: int, period: str) -> dt.date:
    """Monday of the school's test week: late January (M) or early June (E)."""
    if period == "M":
        return weekday_on_or_after(dt.date(year + 1, 1, 22), MONDAY)
    return weekday_on_or_after(dt.date(year + 1, 6, 1), MONDAY)


def administration_date(
    year: int, period: str, subject: Subject, group_index: int
) -> dt.date:
    """The day a group takes a test. Odd groups test a week later (one test room)."""
    week = moment_week(year, period) + dt.timedelta(weeks=group_index % 2)
    return week + dt.timedelta(days=SUBJECT_DAY[subject])


def other_school_test_date(year: int, period: str, subject: Subject) -> dt.date:
    """The previous school of an arriving pupil tested a few days later."""
    return moment_week(year, period) + dt.timedelta(days=7 + SUBJECT_DAY[subject])


def transition_test_date(year: int) -> dt.date:
    """The doorstroomtoets is taken in the first half of February."""
    return weekday_on_or_after(dt.date(year + 1, 2, 6), TUESDAY)


def export_date(year: int) -> dt.date:
    """The day the LAS export of a year was made: just after the last test week."""
    return dt.date(year + 1, 6, 28)


def day_between(start: dt.date, end: dt.date, fraction: float) -> dt.date:
    """The weekday at `fraction` (0..1) of the way from `start` to `end`."""
    day = start + dt.timedelta(days=round((end - start).days * fraction))
    return weekday_on_or_after(day, MONDAY) if day.weekday() >= 5 else day
