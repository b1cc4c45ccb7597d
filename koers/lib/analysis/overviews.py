"""School, group and pupil overviews against the school's ambitions.

The overviews pool the results of all instruments of one subject through the
supplier-neutral index (that is what the index is for). Indexes taken from a
level band are coarse (they only say "somewhere in this band"), so every summary
reports how many of its n indexes were coarse. Growth is never computed here: it
arrives on each observation, computed within one instrument.

Counting rules:

- one result per pupil per subject, school year and period: the latest by date
  (then by instrument id, for a stable choice), so a retake or a second
  instrument does not count the pupil twice;
- school rows are per subject x grade x period; the school aggregates are per
  subject x period for grades 3-8 and grades 6-8;
- a grade row or a group is judged against the `group` target of the subject and,
  when the school set none, against its `school_3_8` target;
- the end-of-school metrics (`end_pct_*`) are judged in `outcomes`, not here.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any

from koers.lib.analysis.ambitions import (
    AmbitionMetric,
    Population,
    Targets,
    Verdict,
    target_for,
)
from koers.lib.analysis.index import IndexSource, iv_band, mean_index
from koers.lib.analysis.observations import Observation as Observation
from koers.lib.analysis.serialise import jsonable
from koers.lib.analysis.summary import Summary as Summary
from koers.lib.analysis.summary import course_of, summarise, verdicts_for
from koers.lib.records import Period, ReferenceLevel, Subject

logger = logging.getLogger(__name__)

# Koers defaults (a design choice, not a published norm) for the need labels when a
# school set no p80/p20 target: support below index 25, challenge from 75.
DEFAULT_SUPPORT_BELOW = 25.0
DEFAULT_CHALLENGE_FROM = 75.0

POPULATION_GRADES: dict[Population, frozenset[int]] = {
    Population.SCHOOL_3_8: frozenset(range(3, 9)),
    Population.SCHOOL_6_8: frozenset(range(6, 9)),
}
TREND_YEARS = 2

_PERIOD_ORDER = {period: position for position, period in enumerate(Period)}
_SUBJECT_ORDER = {subject: position for position, subject in enumerate(Subject)}


class EducationalNeed(StrEnum):
    SUPPORT = "support"
    CORE = "core"
    CHALLENGE = "challenge"


@dataclass(frozen=True, slots=True)
class TrendPoint:
    school_year: int
    n: int
    mean_index: float | None


@dataclass(frozen=True, slots=True)
class SchoolRow:
    subject: Subject
    grade: str
    period: Period
    summary: Summary
    verdicts: tuple[Verdict, ...]
    trend: tuple[TrendPoint, ...]


@dataclass(frozen=True, slots=True)
class SchoolAggregate:
    subject: Subject
    period: Period
    population: Population
    summary: Summary
    verdicts: tuple[Verdict, ...]


@dataclass(frozen=True, slots=True)
class SchoolOverview:
    school_year: int
    rows: tuple[SchoolRow, ...]
    aggregates: tuple[SchoolAggregate, ...]

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable(self)
        return result


@dataclass(frozen=True, slots=True)
class NeedThresholds:
    """Index bounds of the need labels; `from_targets` False means Koers defaults."""

    support_below: float
    challenge_from: float
    from_targets: bool


@dataclass(frozen=True, slots=True)
class PupilLine:
    pupil_id: int
    grade: str
    index: float
    coarse: bool
    band: str
    growth: float | None
    educational_need: EducationalNeed
    on_course_1f: bool | None
    on_course_target: bool | None


@dataclass(frozen=True, slots=True)
class GroupSubjectOverview:
    subject: Subject
    period: Period
    summary: Summary
    verdicts: tuple[Verdict, ...]
    need_thresholds: NeedThresholds
    need_counts: dict[str, int]
    pupils: tuple[PupilLine, ...]


@dataclass(frozen=True, slots=True)
class GroupOverview:
    group_id: int
    group_name: str
    school_year: int
    subjects: tuple[GroupSubjectOverview, ...]

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable(self)
        return result


@dataclass(frozen=True, slots=True)
class PupilResult:
    administered_on: date
    school_year: int
    period: Period
    moment: str
    grade: str
    instrument_id: int
    index: float
    index_source: IndexSource
    coarse: bool
    band: str
    growth: float | None
    reference_level: ReferenceLevel | None


@dataclass(frozen=True, slots=True)
class PupilSubjectHistory:
    subject: Subject
    results: tuple[PupilResult, ...]


@dataclass(frozen=True, slots=True)
class PupilOverview:
    pupil_id: int
    subjects: tuple[PupilSubjectHistory, ...]

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable(self)
        return result


def school_overview(
    observations: Iterable[Observation],
    targets: Targets,
    school_year: int,
    *,
    latest_only: bool = False,
) -> SchoolOverview:
    """Rows per subject x grade x period of `school_year`, with trend and aggregates.

    `observations` may hold earlier school years: they feed the trend (the mean index
    of the same subject x grade x period in each of the previous two years).
    `latest_only` says the caller already kept one result per pupil, subject and
    moment (`latest_per_pupil`), as a page with several overviews does once.
    """
    latest = list(observations) if latest_only else latest_per_pupil(observations)
    this_year = [o for o in latest if o.school_year == school_year]

    history: dict[tuple[int, tuple[Subject, str, Period]], list[float]] = defaultdict(
        list
    )
    for observation in latest:
        history[(observation.school_year, _row_key(observation))].append(
            observation.index
        )
    rows = tuple(
        _school_row(key, cells, history, targets)
        for key, cells in _sorted_groups(this_year, _row_key)
    )
    aggregates = tuple(
        aggregate
        for (subject, period), cells in _sorted_groups(this_year, _subject_period)
        for aggregate in _school_aggregates(subject, period, cells, targets)
    )

    logger.debug(
        "school overview school_year=%s results=%d rows=%d",
        school_year,
        len(this_year),
        len(rows),
    )
    return SchoolOverview(school_year, rows, aggregates)


def group_overview(
    observations: Iterable[Observation],
    targets: Targets,
    group_id: int,
    school_year: int,
    *,
    latest_only: bool = False,
) -> GroupOverview:
    """Per subject x period: the group's summary and verdicts, and each pupil's need.

    `latest_only`: as for `school_overview`.
    """
    latest = observations if latest_only else latest_per_pupil(observations)
    cells = [
        o for o in latest if o.group_id == group_id and o.school_year == school_year
    ]
    group_name = cells[0].group_name if cells else ""

    subjects = tuple(
        _group_subject(subject, period, group, targets)
        for (subject, period), group in _sorted_groups(cells, _subject_period)
    )

    logger.debug(
        "group overview group=%s school_year=%s results=%d",
        group_id,
        school_year,
        len(cells),
    )
    return GroupOverview(group_id, group_name, school_year, subjects)


def pupil_overview(observations: Iterable[Observation]) -> PupilOverview:
    """All results of one pupil (at least one) over time, per subject by date."""
    results = list(observations)
    pupils = {o.pupil_id for o in results}
    if len(pupils) != 1:
        raise ValueError("pupil_overview takes the observations of exactly one pupil")

    by_subject: dict[Subject, list[Observation]] = defaultdict(list)
    for observation in results:
        by_subject[observation.subject].append(observation)

    subjects = tuple(
        _subject_history(subject, by_subject[subject])
        for subject in sorted(by_subject, key=_SUBJECT_ORDER.__getitem__)
    )
    return PupilOverview(pupils.pop(), subjects)


@dataclass(frozen=True, slots=True)
class CohortPoint:
    """One subject at one moment for the pupils of a cohort: how many were tested,
    and their summary (mean index, p80, p20, growth)."""

    subject: Subject
    school_year: int
    period: Period
    grade: str
    summary: Summary


@dataclass(frozen=True, slots=True)
class CohortOverview:
    pupil_ids: tuple[int, ...]
    points: tuple[CohortPoint, ...]

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable(self)
        return result


def cohort_overview(
    observations: Iterable[Observation], pupil_ids: Iterable[int]
) -> CohortOverview:
    """One cohort followed through its grades: the pupils given (a group of this
    year), summarised per subject at every moment they were tested at this school,
    in time order.

    Each moment counts the pupils of the cohort that were tested then, so the
    number can change as pupils join or leave; `summary.n` says how many.
    """
    members = frozenset(pupil_ids)
    cells = [o for o in latest_per_pupil(observations) if o.pupil_id in members]

    points = []
    by_moment = _sorted_groups(cells, lambda o: (o.subject, o.school_year, o.period))
    for (subject, school_year, period), group in by_moment:
        points.append(
            CohortPoint(
                subject, school_year, period, _usual_grade(group), summarise(group)
            )
        )
    return CohortOverview(tuple(sorted(members)), tuple(points))


def _usual_grade(observations: Iterable[Observation]) -> str:
    """The grade most of the cohort was in at that moment (combination groups and
    pupils who repeated a year make it vary)."""
    counts: dict[str, int] = defaultdict(int)
    for observation in observations:
        counts[observation.grade] += 1
    return max(sorted(counts), key=counts.__getitem__) if counts else ""


def educational_need(index: float, thresholds: NeedThresholds) -> EducationalNeed:
    """Support below the p80 target, challenge from the p20 target, core between."""
    if index < thresholds.support_below:
        return EducationalNeed.SUPPORT
    if index >= thresholds.challenge_from:
        return EducationalNeed.CHALLENGE
    return EducationalNeed.CORE


def need_thresholds(subject: Subject, targets: Targets) -> NeedThresholds:
    populations = (Population.GROUP, Population.SCHOOL_3_8)
    p80 = target_for(targets, subject, AmbitionMetric.P80, populations)
    p20 = target_for(targets, subject, AmbitionMetric.P20, populations)
    return NeedThresholds(
        support_below=DEFAULT_SUPPORT_BELOW if p80 is None else p80,
        challenge_from=DEFAULT_CHALLENGE_FROM if p20 is None else p20,
        from_targets=p80 is not None and p20 is not None,
    )


def _school_row(
    key: tuple[Subject, str, Period],
    cells: list[Observation],
    history: Mapping[tuple[int, tuple[Subject, str, Period]], list[float]],
    targets: Targets,
) -> SchoolRow:
    subject, grade, period = key
    summary = summarise(cells)
    populations = (Population.GROUP, Population.SCHOOL_3_8)
    return SchoolRow(
        subject=subject,
        grade=grade,
        period=period,
        summary=summary,
        verdicts=verdicts_for(subject, summary, targets, populations),
        trend=_trend(key, cells[0].school_year, history),
    )


def _school_aggregates(
    subject: Subject, period: Period, cells: list[Observation], targets: Targets
) -> list[SchoolAggregate]:
    aggregates = []
    for population, grades in POPULATION_GRADES.items():
        members = [o for o in cells if _grade_number(o.grade) in grades]
        summary = summarise(members)
        verdicts = verdicts_for(subject, summary, targets, (population,))
        aggregates.append(
            SchoolAggregate(subject, period, population, summary, verdicts)
        )
    return aggregates


def _trend(
    key: tuple[Subject, str, Period],
    school_year: int,
    history: Mapping[tuple[int, tuple[Subject, str, Period]], list[float]],
) -> tuple[TrendPoint, ...]:
    """The same subject x grade x period in each of the previous school years;
    `history` holds the indexes per (school year, row key)."""
    points = []
    for year in range(school_year - TREND_YEARS, school_year):
        indexes = history.get((year, key), [])
        points.append(
            TrendPoint(year, len(indexes), mean_index(indexes) if indexes else None)
        )
    return tuple(points)


def _group_subject(
    subject: Subject, period: Period, cells: list[Observation], targets: Targets
) -> GroupSubjectOverview:
    summary = summarise(cells)
    thresholds = need_thresholds(subject, targets)
    pupils = tuple(
        _pupil_line(o, thresholds) for o in sorted(cells, key=lambda o: o.pupil_id)
    )

    need_counts = {need.value: 0 for need in EducationalNeed}
    for pupil in pupils:
        need_counts[pupil.educational_need.value] += 1

    populations = (Population.GROUP, Population.SCHOOL_3_8)
    return GroupSubjectOverview(
        subject=subject,
        period=period,
        summary=summary,
        verdicts=verdicts_for(subject, summary, targets, populations),
        need_thresholds=thresholds,
        need_counts=need_counts,
        pupils=pupils,
    )


def _pupil_line(observation: Observation, thresholds: NeedThresholds) -> PupilLine:
    course = course_of(observation)
    return PupilLine(
        pupil_id=observation.pupil_id,
        grade=observation.grade,
        index=observation.index,
        coarse=observation.coarse,
        band=iv_band(observation.index),
        growth=observation.growth,
        educational_need=educational_need(observation.index, thresholds),
        on_course_1f=course.on_course_1f if course else None,
        on_course_target=course.on_course_target if course else None,
    )


def _subject_history(
    subject: Subject, observations: list[Observation]
) -> PupilSubjectHistory:
    ordered = sorted(observations, key=lambda o: (o.administered_on, o.moment))
    return PupilSubjectHistory(subject, tuple(_pupil_result(o) for o in ordered))


def _pupil_result(observation: Observation) -> PupilResult:
    return PupilResult(
        administered_on=observation.administered_on,
        school_year=observation.school_year,
        period=observation.period,
        moment=observation.moment,
        grade=observation.grade,
        instrument_id=observation.instrument_id,
        index=observation.index,
        index_source=observation.index_source,
        coarse=observation.coarse,
        band=iv_band(observation.index),
        growth=observation.growth,
        reference_level=observation.reference_level,
    )


def latest_per_pupil(observations: Iterable[Observation]) -> list[Observation]:
    """One result per pupil, subject, school year and period: the latest taken
    (a retake replaces the first attempt)."""
    latest: dict[tuple[int, Subject, int, Period], Observation] = {}
    for observation in observations:
        key = (
            observation.pupil_id,
            observation.subject,
            observation.school_year,
            observation.period,
        )
        current = latest.get(key)
        if current is None or _recency(observation) > _recency(current):
            latest[key] = observation
    return list(latest.values())


def _recency(observation: Observation) -> tuple[date, int]:
    return observation.administered_on, observation.instrument_id


def _row_key(observation: Observation) -> tuple[Subject, str, Period]:
    return observation.subject, observation.grade, observation.period


def _subject_period(observation: Observation) -> tuple[Subject, Period]:
    return observation.subject, observation.period


def _sorted_groups[K: tuple[Hashable, ...]](
    observations: Iterable[Observation], key: Callable[[Observation], K]
) -> list[tuple[K, list[Observation]]]:
    groups: dict[K, list[Observation]] = defaultdict(list)
    for observation in observations:
        groups[key(observation)].append(observation)
    return sorted(groups.items(), key=lambda item: _sort_key(item[0]))


def _sort_key(key: tuple[Hashable, ...]) -> tuple[tuple[int, str], ...]:
    return tuple(_sort_part(part) for part in key)


def _sort_part(part: Hashable) -> tuple[int, str]:
    # Subjects and periods in their natural order, grades numerically.
    if isinstance(part, Subject):
        return _SUBJECT_ORDER[part], ""
    if isinstance(part, Period):
        return _PERIOD_ORDER[part], ""
    text = str(part)
    return _grade_number(text) or 0, text


@lru_cache(maxsize=256)
def _grade_number(grade: str) -> int | None:
    text = grade.strip()
    return int(text) if text.isdigit() else None
