"""The figures of the cycle: what a schoolbespreking looks at, and the evidence
with which a 20-week plan is evaluated.

Everything is computed from the school's results through the analysis package;
the arithmetic of the evaluations lives in `koers.lib.cycle.evaluation`. A meeting
looks back on one measurement (a school year and a period). A meeting in
September looks at the June results in the new year's groups, so the results of
a measurement are regrouped into the groups of the year the meeting is held in.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet

from koers.analysis.services import SchoolResults, load_observations, rules_for
from koers.cycle.models import (
    Action,
    GroupDeviation,
    Meeting,
    ProfessionalDevelopmentPlan,
    PupilDecision,
    TwentyWeekRecord,
)
from koers.lib.analysis.ambitions import (
    REACH_SHARE,
    AmbitionMetric,
    Population,
    Verdict,
)
from koers.lib.analysis.flags import Flag, flag_pupils
from koers.lib.analysis.observations import Observation
from koers.lib.analysis.overviews import (
    POPULATION_GRADES,
    GroupSubjectOverview,
    group_overview,
)
from koers.lib.analysis.summary import Summary, summarise
from koers.lib.cycle.calendar import (
    CycleStatus,
    cycle_status,
    meeting_window,
    next_measurement,
    shift,
)
from koers.lib.cycle.evaluation import (
    GapEvidence,
    GrowthComparison,
    Outcome,
    PairedValues,
    compare_growth,
    gap_evidence,
    proportion_interval,
    reach_interval,
    suggest_gap_outcome,
    suggest_growth_outcome,
    suggest_pupil_outcome,
)
from koers.lib.records import Period, Subject
from koers.lib.values import school_year_of
from koers.results.models import TestResult
from koers.schools.models import Enrolment, Group, Pupil, School

logger = logging.getLogger(__name__)

Measurement = tuple[int, Period]

_PERIOD_ORDER = {Period.BEGIN: 0, Period.MIDDLE: 1, Period.END: 2}
# The percentage metrics and the Summary field and count they are read from.
_SHARE_METRICS = {
    AmbitionMetric.PCT_1F: "pct_1f",
    AmbitionMetric.PCT_1S2F: "pct_1s2f",
}
# A deviation counts as returning when the same change of the same subject was
# written down in this many periods: then the plan itself may need to change.
RECURRING_PERIODS = 2


def measurement_of(record: Meeting | TwentyWeekRecord) -> Measurement:
    """The measurement a meeting looks back on, or the one that evaluates a plan."""
    if isinstance(record, Meeting):
        return record.school_year.start_year, Period(record.after_period)
    return record.evaluate_year.start_year, Period(record.evaluate_period)


def measurement_label(measurement: Measurement) -> str:
    year, period = measurement
    names = {Period.BEGIN: "begin", Period.MIDDLE: "midden", Period.END: "eind"}
    return f"{names[period]} {year}-{year + 1}"


def measured(school: School, measurement: Measurement) -> bool:
    """Whether results of the measurement have been imported for the school."""
    year, period = measurement
    return TestResult.objects.filter(
        pupil__school=school,
        school_year__start_year=year,
        period=period.value,
        index_value__isnull=False,
    ).exists()


def measurements(results: SchoolResults) -> list[Measurement]:
    """Every measurement of the school's own pupils, oldest first."""
    found = {(o.school_year, o.period) for o in results.at_school}
    return sorted(found, key=measurement_order)


def at_measurement(
    results: SchoolResults, measurement: Measurement
) -> list[Observation]:
    """One result per pupil and subject at the measurement (the latest taken)."""
    year, period = measurement
    return [o for o in results.latest.get(year, []) if o.period == period]


# --- the school against its ambitions ---------------------------------------


@dataclass(frozen=True, slots=True)
class SchoolValue:
    """One ambition metric of the school at a measurement, with its uncertainty."""

    value: float | None
    n: int
    interval: tuple[float, float] | None


def school_value(
    results: SchoolResults,
    measurement: Measurement,
    subject: Subject,
    metric: AmbitionMetric,
    population: Population,
) -> SchoolValue:
    """The school's value of a metric, counted as the school overview counts it;
    no value for a metric or population the school overview does not count (the
    end-of-school metrics, a single group)."""
    if not counted(metric, population):
        return SchoolValue(None, 0, None)

    year, period = measurement
    overview = results.school_overview(year)
    aggregate = next(
        (
            a
            for a in overview.aggregates
            if a.subject == subject
            and a.period == period
            and a.population == population
        ),
        None,
    )
    if aggregate is None:
        return SchoolValue(None, 0, None)

    summary = aggregate.summary
    if metric in REACH_SHARE:
        grades = POPULATION_GRADES[population]
        indexes = [
            o.index
            for o in at_measurement(results, measurement)
            if o.subject == subject and _grade(o.grade) in grades
        ]
        value = summary.p80 if metric == AmbitionMetric.P80 else summary.p20
        return SchoolValue(
            value, summary.n, reach_interval(indexes, REACH_SHARE[metric])
        )

    share = getattr(summary, _SHARE_METRICS[metric])
    n = summary.n_forecast
    if share is None or not n:
        return SchoolValue(None, n, None)
    return SchoolValue(share, n, proportion_interval(round(share * n / 100), n))


def counted(metric: AmbitionMetric, population: Population) -> bool:
    """Whether the school overview has a value for the metric and population."""
    return (
        metric in REACH_SHARE or metric in _SHARE_METRICS
    ) and population in POPULATION_GRADES


def school_verdicts(
    results: SchoolResults, measurement: Measurement
) -> list[dict[str, Any]]:
    """Per subject and population the verdicts at the measurement, with the values
    of the same period in the two years before as the trend."""
    year, period = measurement
    rows = []
    overview = results.school_overview(year)
    earlier = {
        earlier_year: results.school_overview(earlier_year)
        for earlier_year in (year - 2, year - 1)
    }
    for aggregate in overview.aggregates:
        if aggregate.period != period or not aggregate.verdicts:
            continue
        trend = []
        for earlier_year, earlier_overview in earlier.items():
            match = next(
                (
                    a
                    for a in earlier_overview.aggregates
                    if (a.subject, a.period, a.population)
                    == (aggregate.subject, period, aggregate.population)
                ),
                None,
            )
            trend.append(
                {
                    "school_year": earlier_year,
                    "values": {
                        v.metric.value: v.value
                        for v in (match.verdicts if match else ())
                    },
                }
            )
        rows.append(
            {
                "subject": aggregate.subject.value,
                "population": aggregate.population.value,
                "n": aggregate.summary.n,
                "verdicts": [_verdict(v) for v in aggregate.verdicts],
                "trend": trend,
            }
        )
    return rows


# --- groups ------------------------------------------------------------------


def groups_of_meeting(meeting: Meeting) -> QuerySet[Group]:
    """The groups the meeting talks about: those of the year it is held in, or,
    when the school has no groups in that year (a meeting entered afterwards, or
    held before the new year's groups were imported), those of the measurement."""
    held_in = Group.objects.filter(
        school=meeting.school, school_year__start_year=school_year_of(meeting.held_on)
    )
    if held_in.exists():
        return held_in.order_by("name")
    return Group.objects.filter(
        school=meeting.school, school_year=meeting.school_year
    ).order_by("name")


def group_at_measurement(
    results: SchoolResults, group: Group, measurement: Measurement
) -> list[GroupSubjectOverview]:
    """The group's overview at a measurement, over the pupils in the group now."""
    year, period = measurement
    pupils = set(
        Enrolment.objects.filter(group=group).values_list("pupil_id", flat=True)
    )
    regrouped = [
        dataclasses.replace(o, group_id=group.pk, group_name=group.name)
        for o in at_measurement(results, measurement)
        if o.pupil_id in pupils
    ]
    overview = group_overview(
        regrouped, results.targets_for(year), group.pk, year, latest_only=True
    )
    return [item for item in overview.subjects if item.period == period]


def group_verdicts(
    results: SchoolResults, group: Group, measurement: Measurement
) -> list[dict[str, Any]]:
    return [
        {
            "subject": item.subject.value,
            "n": item.summary.n,
            "mean_growth": item.summary.mean_growth,
            "verdicts": [_verdict(v) for v in item.verdicts],
            "missed": any(v.met is False for v in item.verdicts),
        }
        for item in group_at_measurement(results, group, measurement)
    ]


def growth_values(
    results: SchoolResults,
    pupils: Iterable[int],
    subject: Subject,
    measurement: Measurement,
) -> list[float]:
    """The growth of each of the pupils up to the measurement, where known."""
    wanted = set(pupils)
    return [
        o.growth
        for o in at_measurement(results, measurement)
        if o.pupil_id in wanted and o.subject == subject and o.growth is not None
    ]


def deviation_pupils(deviation: GroupDeviation) -> list[int]:
    """The named subgroup, or else everyone in the group."""
    named = list(deviation.pupils.values_list("pk", flat=True))
    if named:
        return named
    return list(
        Enrolment.objects.filter(group=deviation.group).values_list(
            "pupil_id", flat=True
        )
    )


# --- pupils ------------------------------------------------------------------


def flags_at(
    results: SchoolResults, measurement: Measurement, pupils: set[int]
) -> list[Flag]:
    """The signals of the pupils as they stood at the measurement: later results
    are left out, so a meeting prepared late still sees what it was about."""
    year, period = measurement
    by_pupil: dict[int, list[Observation]] = defaultdict(list)
    for observation in results.observations:
        if observation.pupil_id in pupils and measurement_order(
            (observation.school_year, observation.period)
        ) <= measurement_order(measurement):
            by_pupil[observation.pupil_id].append(observation)
    return [
        flag
        for flag in flag_pupils(by_pupil, rules_for(results.school))
        if _evidence_measurement(flag) == (year, period)
    ]


def flag_snapshot(flag: Flag) -> dict[str, Any]:
    """What a decision keeps of the signal it answers (no names, only figures)."""
    last = flag.evidence[-1]
    return {
        "rule": flag.rule,
        "rule_label": flag.rule_label_nl,
        "explanation": flag.explanation_nl,
        "moment": last.moment,
        "school_year": school_year_of(last.administered_on),
        "period": last.moment[:1],
        "index": last.index,
    }


# --- evaluations ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanEvidence:
    evidence: GapEvidence
    suggestion: Outcome | None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.evidence.as_dict(),
            "suggestion": self.suggestion.value if self.suggestion else None,
        }


def plan_evidence(
    plan: ProfessionalDevelopmentPlan, results: SchoolResults
) -> PlanEvidence:
    """Did the school's gap close at the measurement that evaluates the plan?

    Whether the ambition is met is judged on everyone the ambition counts now. The
    change is measured on the same pupils at both measurements, because the two
    populations differ: groep 8 is not tested at E, and after E a new groep 3
    comes in. Comparing all pupils would credit or blame the plan for that."""
    subject = Subject(plan.subject)
    metric = AmbitionMetric(plan.metric)
    population = Population(plan.population)
    now = school_value(results, measurement_of(plan), subject, metric, population)
    before = (plan.gap_year.start_year, Period(plan.gap_period))
    paired = paired_values(
        results, before, measurement_of(plan), subject, metric, population
    )
    evidence = gap_evidence(
        float(plan.target),
        float(plan.value_at_start),
        now.value,
        now.interval,
        now.n,
        paired=paired,
        n_before=plan.n_at_start,
    )
    return PlanEvidence(evidence, suggest_gap_outcome(evidence))


def paired_values(
    results: SchoolResults,
    before: Measurement,
    after: Measurement,
    subject: Subject,
    metric: AmbitionMetric,
    population: Population,
) -> PairedValues | None:
    """The metric at both measurements over the pupils counted in the population
    at both; None when the school overview does not count the metric."""
    if not counted(metric, population):
        return None
    sides = [
        _population_results(results, measurement, subject, population)
        for measurement in (before, after)
    ]
    common = set(sides[0]) & set(sides[1])
    values = [
        _metric_of(summarise([side[pupil] for pupil in common]), metric)
        for side in sides
    ]
    return PairedValues(values[0], values[1], len(common))


def _population_results(
    results: SchoolResults,
    measurement: Measurement,
    subject: Subject,
    population: Population,
) -> dict[int, Observation]:
    grades = POPULATION_GRADES[population]
    return {
        o.pupil_id: o
        for o in at_measurement(results, measurement)
        if o.subject == subject and _grade(o.grade) in grades
    }


def _metric_of(summary: Summary, metric: AmbitionMetric) -> float | None:
    if metric == AmbitionMetric.P80:
        return summary.p80
    if metric == AmbitionMetric.P20:
        return summary.p20
    share: float | None = getattr(summary, _SHARE_METRICS[metric])
    return share


@dataclass(frozen=True, slots=True)
class DeviationEvidence:
    comparison: GrowthComparison
    verdicts: list[dict[str, Any]]
    suggestion: Outcome | None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.comparison.as_dict(),
            "verdicts": self.verdicts,
            "suggestion": self.suggestion.value if self.suggestion else None,
        }


def deviation_evidence(
    deviation: GroupDeviation, results: SchoolResults
) -> DeviationEvidence:
    """The growth of the group (or subgroup) in the period against its growth up
    to the measurement the deviation was decided on."""
    subject = Subject(deviation.subject)
    pupils = deviation_pupils(deviation)
    before = (deviation.figures["school_year"], Period(deviation.figures["period"]))
    after = measurement_of(deviation)
    comparison = compare_growth(
        growth_values(results, pupils, subject, before),
        growth_values(results, pupils, subject, after),
    )
    verdicts = [
        item
        for item in group_verdicts(results, deviation.group, after)
        if item["subject"] == subject.value
    ]
    suggestion = suggest_growth_outcome(comparison)
    if suggestion is None:
        suggestion = _verdict_outcome(verdicts)
    return DeviationEvidence(comparison, verdicts, suggestion)


def _verdict_outcome(subjects: list[dict[str, Any]]) -> Outcome | None:
    """Without growth on both sides (a first measurement in groep 3, say), judge by
    the group's ambitions now: all met, some met, or none."""
    met = [v["met"] for s in subjects for v in s["verdicts"] if v["met"] is not None]
    if not met:
        return None
    if all(met):
        return Outcome.EFFECTIVE
    return Outcome.PARTLY if any(met) else Outcome.NOT_EFFECTIVE


@dataclass(frozen=True, slots=True)
class PupilEvidence:
    still_flagged: bool | None
    growth_before: float | None
    growth_after: float | None
    index_after: float | None
    suggestion: Outcome | None

    def as_dict(self) -> dict[str, Any]:
        result = dataclasses.asdict(self)
        result["suggestion"] = self.suggestion.value if self.suggestion else None
        return result


def pupil_evidence(decision: PupilDecision, results: SchoolResults) -> PupilEvidence:
    """Is the pupil still signalled at the next measurement, and did growth pick up?"""
    subject = Subject(decision.subject)
    after = measurement_of(decision)
    before = (decision.flag["school_year"], Period(decision.flag["period"]))
    pupil = decision.pupil_id

    latest = [
        o
        for o in at_measurement(results, after)
        if o.pupil_id == pupil and o.subject == subject
    ]
    still_flagged = None
    if latest:
        still_flagged = any(
            flag.subject == subject for flag in flags_at(results, after, {pupil})
        )
    growth_before = _first(growth_values(results, [pupil], subject, before))
    growth_after = _first(growth_values(results, [pupil], subject, after))
    return PupilEvidence(
        still_flagged,
        growth_before,
        growth_after,
        latest[0].index if latest else None,
        suggest_pupil_outcome(still_flagged, growth_before, growth_after),
    )


def evidence_for(record: TwentyWeekRecord, results: SchoolResults) -> dict[str, Any]:
    if isinstance(record, ProfessionalDevelopmentPlan):
        return plan_evidence(record, results).as_dict()
    if isinstance(record, GroupDeviation):
        return deviation_evidence(record, results).as_dict()
    if isinstance(record, PupilDecision):
        return pupil_evidence(record, results).as_dict()
    raise TypeError(f"no evidence for {type(record).__name__}")


# --- the calendar -------------------------------------------------------------


def status_of(record: TwentyWeekRecord, today: date | None = None) -> CycleStatus:
    return cycle_status(
        today or date.today(),
        record.ends_on,
        record.evaluated,
        measured(record.school, measurement_of(record)),
    )


def evaluation_moment(meeting: Meeting) -> Measurement:
    """The measurement that closes the period a meeting opens."""
    year, period = measurement_of(meeting)
    return next_measurement(year, period)


def default_meeting_date(
    results: SchoolResults, measurement: Measurement, today: date
) -> date:
    """The date a new meeting after the measurement most likely has: today when
    that can be, else two weeks after the last test of the measurement, for a
    meeting entered afterwards."""
    first, last = meeting_window(*measurement)
    if first <= today <= last:
        return today
    taken = [o.administered_on for o in at_measurement(results, measurement)]
    after = shift(max(taken), timedelta(weeks=2)) if taken else first
    return min(max(after, first), last)


def open_meeting_after(school: School, measurement: Measurement) -> Meeting | None:
    """The meeting in preparation after the measurement, if there is one."""
    year, period = measurement
    return Meeting.objects.filter(
        school=school,
        school_year__start_year=year,
        after_period=period.value,
        closed_at__isnull=True,
    ).first()


def evaluation_meetings(record: TwentyWeekRecord) -> QuerySet[Meeting]:
    """The open meetings a record can be evaluated in: held after the meeting
    that decided it, and after the measurement that evaluates it."""
    meetings = Meeting.objects.filter(
        school=record.school, closed_at__isnull=True
    ).select_related("school_year")
    if record.meeting is not None:
        meetings = meetings.filter(held_on__gt=record.meeting.held_on)
    else:
        meetings = meetings.filter(held_on__gte=record.starts_on)
    due = measurement_order(measurement_of(record))
    return meetings.filter(
        pk__in=[m.pk for m in meetings if measurement_order(measurement_of(m)) >= due]
    ).order_by("held_on", "pk")


def open_records(school: School) -> list[TwentyWeekRecord]:
    """Every plan, deviation and pupil decision of the school not yet evaluated,
    oldest first: what carries over until someone evaluates it."""
    records: list[TwentyWeekRecord] = [
        *ProfessionalDevelopmentPlan.objects.filter(
            school=school, evaluated_on__isnull=True
        ).select_related("evaluate_year", "school"),
        *GroupDeviation.objects.filter(
            school=school, evaluated_on__isnull=True
        ).select_related("evaluate_year", "school", "group"),
        *PupilDecision.objects.filter(
            school=school, evaluated_on__isnull=True
        ).select_related("evaluate_year", "school", "pupil"),
    ]
    return sorted(records, key=lambda r: (r.ends_on, r.pk))


def recurring_deviations(school: School) -> list[dict[str, Any]]:
    """Changes of the same subject and element written down in several periods:
    candidates for changing the onderwijsplan itself."""
    periods: dict[tuple[str, str], set[Measurement]] = defaultdict(set)
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for deviation in GroupDeviation.objects.filter(school=school).select_related(
        "evaluate_year", "group"
    ):
        key = (deviation.subject, deviation.element)
        periods[key].add(measurement_of(deviation))
        groups[key].add(deviation.group.name)
    return [
        {
            "subject": subject,
            "element": element,
            "periods": len(periods[(subject, element)]),
            "groups": sorted(groups[(subject, element)]),
        }
        for subject, element in sorted(periods)
        if len(periods[(subject, element)]) >= RECURRING_PERIODS
    ]


# --- helpers -------------------------------------------------------------------


def measurement_order(measurement: Measurement) -> tuple[int, int]:
    """A measurement as a sortable pair: B, M and E do not sort by their letters."""
    year, period = measurement
    return year, _PERIOD_ORDER[period]


def _evidence_measurement(flag: Flag) -> Measurement:
    last = flag.evidence[-1]
    return school_year_of(last.administered_on), Period(last.moment[:1])


def _verdict(verdict: Verdict) -> dict[str, Any]:
    return {
        "metric": verdict.metric.value,
        "target": verdict.target,
        "value": verdict.value,
        "met": verdict.met,
        "margin": verdict.margin,
        "n": verdict.n,
    }


def _grade(grade: str) -> int | None:
    return int(grade) if grade.isdigit() else None


def _first(values: Sequence[float]) -> float | None:
    return values[0] if values else None


@dataclass(frozen=True, slots=True)
class Attention:
    """What the cycle asks of the school now, for the start page."""

    due: list[TwentyWeekRecord]
    overdue: list[TwentyWeekRecord]
    running: int
    latest: Measurement | None
    meeting_after_latest: Meeting | None
    late_actions: int


def attention(school: School, results: SchoolResults, today: date) -> Attention:
    statuses = [(record, status_of(record, today)) for record in open_records(school)]
    found = measurements(results)
    latest = found[-1] if found else None
    meeting = None
    if latest is not None:
        meeting = Meeting.objects.filter(
            school=school,
            school_year__start_year=latest[0],
            after_period=latest[1].value,
        ).first()
    return Attention(
        due=[r for r, s in statuses if s == CycleStatus.DUE],
        overdue=[r for r, s in statuses if s == CycleStatus.OVERDUE],
        running=sum(1 for _, s in statuses if s == CycleStatus.OPEN),
        latest=latest,
        meeting_after_latest=meeting,
        late_actions=Action.objects.filter(
            meeting__school=school, done_on__isnull=True, due_on__lt=today
        ).count(),
    )


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One measurement of a pupil: the signals then, and what was decided."""

    measurement: Measurement
    flags: list[Flag]
    decisions: list[PupilDecision]
    deviations: list[GroupDeviation]


def pupil_history(pupil: Pupil) -> list[HistoryRow]:
    """Every measurement of the pupil here, newest first, with the signals as they
    stood then, the decisions taken on them and the group deviations that included
    the pupil: what the school knew and did, when an inspector asks."""
    observations = load_observations(
        pupil.school, at_school_only=False, pupils={pupil.pk}
    )
    results = SchoolResults(pupil.school, observations)
    decisions = list(
        PupilDecision.objects.filter(pupil=pupil).select_related(
            "evaluate_year", "meeting", "school"
        )
    )
    groups = Enrolment.objects.filter(pupil=pupil).values_list("group_id", flat=True)
    deviations = [
        deviation
        for deviation in GroupDeviation.objects.filter(group_id__in=list(groups))
        .select_related("evaluate_year", "group", "school")
        .prefetch_related("pupils")
        if _includes(deviation, pupil)
    ]

    rows = []
    for measurement in reversed(measurements(results)):
        rows.append(
            HistoryRow(
                measurement,
                flags_at(results, measurement, {pupil.pk}),
                [d for d in decisions if _flag_measurement(d) == measurement],
                [d for d in deviations if _decided_at(d) == measurement],
            )
        )
    return [row for row in rows if row.flags or row.decisions or row.deviations]


def _includes(deviation: GroupDeviation, pupil: Pupil) -> bool:
    """Whether the deviation was for the pupil: the whole group, or a subgroup the
    pupil was named in. A subgroup saved without pupils (possible before the form
    required them) says nothing about who was in it, so it is left out."""
    named = deviation.pupils.all()
    if named:
        return pupil in named
    return not deviation.subgroup


def same_deviation(
    meeting: Meeting, record: GroupDeviation, pupils: Iterable[Pupil]
) -> GroupDeviation | None:
    """A deviation of the meeting that says exactly what the unsaved `record` says,
    for the same pupils: the same form sent twice."""
    wanted = {pupil.pk for pupil in pupils}
    candidates = GroupDeviation.objects.filter(
        meeting=meeting,
        group=record.group,
        subject=record.subject,
        element=record.element,
        from_text=record.from_text,
        to_text=record.to_text,
        subgroup=record.subgroup,
        starts_on=record.starts_on,
        ends_on=record.ends_on,
    ).prefetch_related("pupils")
    return next(
        (c for c in candidates if {p.pk for p in c.pupils.all()} == wanted), None
    )


def _flag_measurement(decision: PupilDecision) -> Measurement:
    return decision.flag["school_year"], Period(decision.flag["period"])


def _decided_at(deviation: GroupDeviation) -> Measurement:
    return deviation.figures["school_year"], Period(deviation.figures["period"])
