"""The verantwoordingsdossier of a school year, and the board's view of the cycle.

A school shows the board and the Inspectie that it works planmatig (signal →
analyse → act → evaluate) with the records it keeps anyway: its ambitions, the
school against them, the onderwijsplan, the schoolbesprekingen and the 20-week
records with their evaluations. Every section names the Inspectie standards it
serves. The dossier and the board page leave the school, so they never name a
pupil: pupil decisions are only counted, and a deviation shows the name of its
subgroup, not the pupils in it.

A school year runs from 1 August to 31 July. A meeting belongs to the year it is
held in, a 20-week record to the year it starts in.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from koers.analysis import presenters as analysis_presenters
from koers.analysis.models import Ambition, MetricChoice
from koers.analysis.services import (
    SchoolResults,
    end_targets_for,
    outcomes_for,
    targets_for,
)
from koers.cycle import presenters, services
from koers.cycle.models import (
    DecisionKind,
    EducationPlan,
    GroupDeviation,
    Meeting,
    Outcome,
    ProfessionalDevelopmentPlan,
    PupilDecision,
    Standard,
    TwentyWeekRecord,
)
from koers.cycle.plan_services import plan_subjects, subject_position
from koers.lib.cycle.calendar import CycleStatus, cycle_status, school_year_bounds
from koers.lib.records import Period
from koers.lib.values import school_year_of
from koers.schools.models import Group, School

logger = logging.getLogger(__name__)

# Ambitions and the school overview are not records with standards of their own.
# In the method's mapping (method.md §7) they serve quality assurance and ambition,
# and the results.
AMBITION_STANDARDS = (Standard.KA, Standard.OR1)
OVERVIEW_STANDARDS = (Standard.KA, Standard.OR1)
# A record not evaluated in time is a gap in the school's quality assurance and
# in its loop of signal, analysis, action and evaluation.
CARRIED_OVER_STANDARDS = (Standard.KA, Standard.OP2)
# The measurements a schoolbespreking looks back on (method.md §3.1, step 8).
DOSSIER_PERIODS = (Period.MIDDLE, Period.END)
METRIC_ORDER = {value: position for position, value in enumerate(MetricChoice.values)}
END_METRICS = {"end_pct_1f": "% 1F", "end_pct_1s2f": "% 1S/2F"}


# --- sections ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Section:
    number: int
    key: str
    title: Promise
    standards: tuple[Standard, ...]

    @property
    def standard_labels(self) -> list[str]:
        return [str(standard.label) for standard in self.standards]


SECTIONS = (
    Section(1, "ambitions", gettext_lazy("Ambities"), AMBITION_STANDARDS),
    Section(
        2,
        "results",
        gettext_lazy("De school tegen haar ambities en de eindresultaten"),
        OVERVIEW_STANDARDS,
    ),
    Section(3, "plan", gettext_lazy("Het onderwijsplan"), EducationPlan.standards),
    Section(4, "meetings", gettext_lazy("Schoolbesprekingen"), Meeting.standards),
    Section(
        5,
        "development_plans",
        gettext_lazy("Professionalisering"),
        ProfessionalDevelopmentPlan.standards,
    ),
    Section(
        6,
        "deviations",
        gettext_lazy("Afwijkingen van het onderwijsplan"),
        GroupDeviation.standards,
    ),
    Section(
        7, "pupil_decisions", gettext_lazy("Leerlingbesluiten"), PupilDecision.standards
    ),
    Section(
        8,
        "carried_over",
        gettext_lazy("Niet geëvalueerd terwijl de periode voorbij is"),
        CARRIED_OVER_STANDARDS,
    ),
)


def standard_index() -> list[tuple[str, list[Section]]]:
    """Per standard the sections that serve it: where an inspector finds what."""
    return [
        (str(standard.label), [s for s in SECTIONS if standard in s.standards])
        for standard in Standard
    ]


# --- school years and counts -----------------------------------------------------


def year_bounds(school_year: int) -> tuple[date, date]:
    return school_year_bounds(school_year)


def school_years(school: School) -> list[int]:
    """The school years the school has groups or meetings in, newest first."""
    years = set(
        Group.objects.filter(school=school).values_list(
            "school_year__start_year", flat=True
        )
    )
    years |= {
        school_year_of(held_on)
        for held_on in Meeting.objects.filter(school=school).values_list(
            "held_on", flat=True
        )
    }
    return sorted(years, reverse=True)


class StatusReader:
    """The status of a school's records on one day. Whether a measurement's
    results are in is asked once per measurement, not once per record."""

    def __init__(self, school: School, today: date) -> None:
        self.school = school
        self.today = today
        self.measured: dict[services.Measurement, bool] = {}

    def __call__(self, record: TwentyWeekRecord) -> CycleStatus:
        if record.evaluated:
            return CycleStatus.EVALUATED
        measurement = services.measurement_of(record)
        if measurement not in self.measured:
            self.measured[measurement] = services.measured(self.school, measurement)
        return cycle_status(
            self.today, record.ends_on, False, self.measured[measurement]
        )


@dataclass(frozen=True, slots=True)
class RecordCounts:
    """Records started in a school year and where they stand now; `running` is
    neither evaluated nor overdue (the period runs, or its evaluation is due)."""

    made: int
    evaluated: int
    running: int
    overdue: int


def record_counts(
    records: Iterable[TwentyWeekRecord], status: StatusReader
) -> RecordCounts:
    statuses = [status(record) for record in records]
    return RecordCounts(
        made=len(statuses),
        evaluated=statuses.count(CycleStatus.EVALUATED),
        running=statuses.count(CycleStatus.OPEN) + statuses.count(CycleStatus.DUE),
        overdue=statuses.count(CycleStatus.OVERDUE),
    )


@dataclass(frozen=True, slots=True)
class CycleRecords:
    """A school's meetings held and its 20-week records, of one year or of all."""

    meetings: list[Meeting]
    development_plans: list[ProfessionalDevelopmentPlan]
    deviations: list[GroupDeviation]
    pupil_decisions: list[PupilDecision]

    def of_year(self, school_year: int) -> CycleRecords:
        return CycleRecords(
            [m for m in self.meetings if school_year_of(m.held_on) == school_year],
            _started_in(self.development_plans, school_year),
            _started_in(self.deviations, school_year),
            _started_in(self.pupil_decisions, school_year),
        )


def cycle_records(
    school: School, today: date, school_year: int | None = None
) -> CycleRecords:
    """The meetings held by `today` and the records started, in the year given."""
    meetings = Meeting.objects.filter(school=school, held_on__lte=today)
    plans = ProfessionalDevelopmentPlan.objects.filter(school=school)
    # How many pupils a deviation names, without reading who they are.
    deviations = GroupDeviation.objects.filter(school=school).annotate(
        named_pupils=Count("pupils")
    )
    decisions = PupilDecision.objects.filter(school=school)
    if school_year is not None:
        bounds = year_bounds(school_year)
        meetings = meetings.filter(held_on__range=bounds)
        plans = plans.filter(starts_on__range=bounds)
        deviations = deviations.filter(starts_on__range=bounds)
        decisions = decisions.filter(starts_on__range=bounds)

    return CycleRecords(
        list(
            meetings.select_related("school_year")
            .prefetch_related("decisions", "actions")
            .order_by("held_on", "pk")
        ),
        list(plans.select_related("evaluate_year", "gap_year").order_by("starts_on")),
        list(
            deviations.select_related("evaluate_year", "group", "plan").order_by(
                "starts_on", "pk"
            )
        ),
        # No pupil: the decisions are only counted.
        list(decisions.select_related("evaluate_year").order_by("starts_on", "pk")),
    )


@dataclass(frozen=True, slots=True)
class YearSummary:
    """What the dossier of one school year holds, in counts. `meetings` counts the
    meetings held and closed (vastgesteld), `open_meetings` those whose date has
    passed but whose minutes are not closed yet; `last_meeting` is the newest
    closed one."""

    school_year: int
    meetings: int
    open_meetings: int
    last_meeting: date | None
    ambitions: int
    development_plans: RecordCounts
    deviations: RecordCounts
    pupil_decisions: RecordCounts

    @property
    def label(self) -> str:
        return analysis_presenters.year_label(self.school_year)


def year_summary(
    school: School,
    school_year: int,
    records: CycleRecords,
    status: StatusReader,
    end_ambitions: int,
) -> YearSummary:
    """`records` are those of the year; `end_ambitions` holds for every year."""
    closed = [m for m in records.meetings if m.closed_at is not None]
    return YearSummary(
        school_year=school_year,
        meetings=len(closed),
        open_meetings=len(records.meetings) - len(closed),
        last_meeting=max((m.held_on for m in closed), default=None),
        ambitions=len(targets_for(school, school_year)) + end_ambitions,
        development_plans=record_counts(records.development_plans, status),
        deviations=record_counts(records.deviations, status),
        pupil_decisions=record_counts(records.pupil_decisions, status),
    )


def year_summaries(school: School, today: date) -> list[YearSummary]:
    """One summary per school year of the school, newest first."""
    records = cycle_records(school, today)
    status = StatusReader(school, today)
    end_ambitions = len(end_targets_for(school))
    return [
        year_summary(school, year, records.of_year(year), status, end_ambitions)
        for year in school_years(school)
    ]


# --- the board -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One school on the board page: figures and counts, never a pupil."""

    school: School
    measurement: str | None
    ambitions_met: int
    ambitions_judged: int
    outcomes: dict[str, Any]
    cycle: YearSummary


def board_row(
    school: School, today: date, results: SchoolResults, year: int
) -> BoardRow:
    found = services.measurements(results)
    verdicts = [
        verdict
        for row in (services.school_verdicts(results, found[-1]) if found else [])
        for verdict in row["verdicts"]
        if verdict["met"] is not None
    ]

    summary = year_summary(
        school,
        year,
        cycle_records(school, today, year),
        StatusReader(school, today),
        len(end_targets_for(school)),
    )
    return BoardRow(
        school=school,
        measurement=services.measurement_label(found[-1]) if found else None,
        ambitions_met=sum(1 for verdict in verdicts if verdict["met"]),
        ambitions_judged=len(verdicts),
        outcomes=analysis_presenters.outcomes(outcomes_for(school)),
        cycle=summary,
    )


def board_rows(schools: Iterable[School], today: date) -> list[BoardRow]:
    """One row per school, each counting the cycle of the same school year: the
    newest year in which any of the schools was measured or met (not later than
    today's), so that a board looking in the autumn before new results still sees
    the year that ran."""
    loaded = [(school, SchoolResults.load(school)) for school in schools]
    year = cycle_year(loaded, today)
    return [board_row(school, today, results, year) for school, results in loaded]


def cycle_year(loaded: Iterable[tuple[School, SchoolResults]], today: date) -> int:
    current = school_year_of(today)
    found = [
        year
        for school, results in loaded
        for year in (
            *(m[0] for m in services.measurements(results)[-1:]),
            *(
                school_year_of(held_on)
                for held_on in Meeting.objects.filter(
                    school=school, held_on__lte=today
                ).values_list("held_on", flat=True)[:1]
            ),
        )
    ]
    return min(current, max(found)) if found else current


# --- the dossier -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordView:
    """A professionalisation plan or a deviation as the dossier prints it."""

    record: ProfessionalDevelopmentPlan | GroupDeviation
    title: str
    status_label: str
    outcome_label: str
    evaluates: str
    started_in: str
    gap: str
    overdue: bool


@dataclass(frozen=True, slots=True)
class Dossier:
    school: School
    school_year: int
    summary: YearSummary
    sections: dict[str, Section]
    standard_index: list[tuple[str, list[Section]]]
    ambitions: list[dict[str, Any]]
    measurements: list[dict[str, Any]]
    outcomes: dict[str, Any]
    plans: list[dict[str, Any]]
    plan_from_earlier_year: bool
    meetings: list[dict[str, Any]]
    development_plans: list[RecordView]
    deviations: list[RecordView]
    decision_rows: list[dict[str, Any]]
    decision_total: dict[str, Any]
    carried_over: list[RecordView]
    carried_over_decisions: list[tuple[str, int]]

    @property
    def label(self) -> str:
        return analysis_presenters.year_label(self.school_year)

    @property
    def ambitions_explained(self) -> bool:
        return any(row["reasons"] for row in self.ambitions)

    @property
    def outcome_labels(self) -> list[str]:
        return [str(outcome.label) for outcome in Outcome]


def dossier(school: School, school_year: int, today: date) -> Dossier:
    """Everything the dossier of the school year shows, as it stands on `today`."""
    records = cycle_records(school, today, school_year)
    status = StatusReader(school, today)
    end_targets = end_targets_for(school)
    results = SchoolResults.load(school)
    plans, from_earlier_year = plan_versions(school, school_year)
    carried, carried_decisions = carried_over(school, school_year, today, status)

    found = Dossier(
        school=school,
        school_year=school_year,
        summary=year_summary(school, school_year, records, status, len(end_targets)),
        sections={section.key: section for section in SECTIONS},
        standard_index=standard_index(),
        ambitions=ambition_rows(school, school_year, end_targets),
        measurements=measurement_rows(results, school_year),
        outcomes=analysis_presenters.outcomes(outcomes_for(school)),
        plans=plans,
        plan_from_earlier_year=from_earlier_year,
        meetings=meeting_rows(records),
        development_plans=[
            record_view(plan, status) for plan in records.development_plans
        ],
        deviations=[record_view(d, status) for d in records.deviations],
        decision_rows=decision_rows(records.pupil_decisions),
        decision_total=decision_total(records.pupil_decisions),
        carried_over=carried,
        carried_over_decisions=carried_decisions,
    )
    logger.debug(
        "dossier gathered school=%s year=%s meetings=%d records=%d",
        school.pk,
        school_year,
        len(records.meetings),
        len(records.development_plans)
        + len(records.deviations)
        + len(records.pupil_decisions),
    )
    return found


def ambition_rows(
    school: School, school_year: int, end_targets: dict[str, float]
) -> list[dict[str, Any]]:
    """The targets that held in the year, one row per subject and population,
    with the school's reasons for them."""
    reasons = _ambition_reasons(school, school_year)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    ordered = sorted(
        targets_for(school, school_year).items(),
        key=lambda item: (
            subject_position(item[0][0].value),
            item[0][2].value,
            METRIC_ORDER.get(item[0][1].value, 0),
        ),
    )
    for (subject, metric, population), target in ordered:
        row = rows.setdefault(
            (subject.value, population.value),
            {
                "subject": presenters.subject_label(subject.value),
                "population": presenters.population_label(population.value),
                "targets": [],
                "reasons": [],
            },
        )
        row["targets"].append((presenters.metric_label(metric.value), target))
        reason = reasons.get((subject.value, metric.value, population.value))
        if reason:
            row["reasons"].append(reason)

    if end_targets:
        rows[("", "")] = {
            "subject": _("Lezen, taalverzorging en rekenen samen"),
            "population": _("schoolverlaters, drie jaar"),
            "targets": [
                (END_METRICS.get(metric, metric), target)
                for metric, target in sorted(end_targets.items())
            ],
            "reasons": [
                reasons[("", m)] for m in sorted(end_targets) if ("", m) in reasons
            ],
        }
    return list(rows.values())


def _ambition_reasons(school: School, school_year: int) -> dict[tuple[str, ...], str]:
    """The rationale per ambition; one set for the year wins, as in targets_for."""
    reasons: dict[tuple[str, ...], str] = {}
    ambitions = Ambition.objects.filter(school=school).filter(
        Q(school_year__isnull=True) | Q(school_year__start_year=school_year)
    )
    for ambition in sorted(ambitions, key=lambda a: a.school_year_id is not None):
        if not ambition.rationale:
            continue
        key: tuple[str, ...]
        if ambition.subject:
            key = (ambition.subject, ambition.metric, ambition.population)
        else:
            key = ("", ambition.metric)
        reasons[key] = ambition.rationale
    return reasons


def measurement_rows(results: SchoolResults, school_year: int) -> list[dict[str, Any]]:
    """The school against its ambitions at the M and E measurements of the year."""
    return [
        {
            "label": services.measurement_label((school_year, period)),
            "rows": [
                {
                    "subject": presenters.subject_label(row["subject"]),
                    "population": presenters.population_label(row["population"]),
                    "n": row["n"],
                    "verdicts": presenters.verdicts(row["verdicts"]),
                }
                for row in services.school_verdicts(results, (school_year, period))
            ],
        }
        for period in DOSSIER_PERIODS
    ]


def plan_versions(
    school: School, school_year: int
) -> tuple[list[dict[str, Any]], bool]:
    """The onderwijsplan versions made for the year. Without one, the newest
    version of an earlier year, which then still held; the flag says so."""
    plans = list(
        EducationPlan.objects.filter(
            school=school, school_year__start_year=school_year
        ).order_by("number")
    )
    earlier = False
    if not plans:
        held = (
            EducationPlan.objects.filter(
                school=school, school_year__start_year__lt=school_year
            )
            .order_by("-number")
            .first()
        )
        plans = [held] if held else []
        earlier = held is not None

    return [plan_view(plan) for plan in plans], earlier


def plan_view(plan: EducationPlan) -> dict[str, Any]:
    return {
        "plan": plan,
        "year_label": plan.school_year.label,
        "subjects": [
            {
                "label": presenters.subject_label(offer.subject.subject),
                "minutes": offer.subject.minutes_per_week,
                "instruction_model": offer.subject.instruction_model,
            }
            for offer in plan_subjects(plan)
        ],
        "agreements": [agreement.title for agreement in plan.agreements.all()],
    }


def meeting_rows(records: CycleRecords) -> list[dict[str, Any]]:
    """The meetings of the year with what they decided. The minutes' free text
    stays out: it is written for the team and may name pupils."""
    decided: dict[int, Counter[str]] = {}
    for record in (
        *records.development_plans,
        *records.deviations,
        *records.pupil_decisions,
    ):
        if record.meeting_id is not None:
            decided.setdefault(record.meeting_id, Counter())[type(record).__name__] += 1

    rows = []
    for meeting in records.meetings:
        counts = decided.get(meeting.pk, Counter())
        rows.append(
            {
                "meeting": meeting,
                "measurement": services.measurement_label(
                    services.measurement_of(meeting)
                ),
                "decisions": list(meeting.decisions.all()),
                "actions": list(meeting.actions.all()),
                "development_plans": counts["ProfessionalDevelopmentPlan"],
                "deviations": counts["GroupDeviation"],
                "pupil_decisions": counts["PupilDecision"],
            }
        )
    return rows


def record_view(
    record: ProfessionalDevelopmentPlan | GroupDeviation, status: StatusReader
) -> RecordView:
    state = status(record)
    label = presenters.status_label(state)
    if record.evaluated_on is not None:
        label = _("geëvalueerd op %(date)s") % {
            "date": formats.date_format(record.evaluated_on, "j F Y")
        }
    return RecordView(
        record=record,
        title=record_title(record),
        status_label=label,
        outcome_label=presenters.outcome_label(record.outcome or None),
        evaluates=services.measurement_label(services.measurement_of(record)),
        started_in=analysis_presenters.year_label(school_year_of(record.starts_on)),
        gap=gap_text(record) if isinstance(record, ProfessionalDevelopmentPlan) else "",
        overdue=state == CycleStatus.OVERDUE,
    )


def record_title(record: ProfessionalDevelopmentPlan | GroupDeviation) -> str:
    subject = presenters.subject_label(record.subject).lower()
    if isinstance(record, GroupDeviation):
        return _("Afwijking groep %(group)s, %(subject)s: %(element)s") % {
            "group": record.group.name,
            "subject": subject,
            "element": presenters.element_label(record.element),
        }
    return _("Professionalisering %(subject)s: %(metric)s (%(population)s)") % {
        "subject": subject,
        "metric": presenters.metric_label(record.metric),
        "population": presenters.population_label(record.population),
    }


def gap_text(plan: ProfessionalDevelopmentPlan) -> str:
    """The missed ambition that started the plan, in one sentence."""
    measurement = (plan.gap_year.start_year, Period(plan.gap_period))
    return _(
        "%(value)s tegen een ambitie van %(target)s bij de meting %(measurement)s, "
        "over %(n)s leerlingen."
    ) % {
        "value": presenters.number(float(plan.value_at_start)),
        "target": presenters.number(float(plan.target)),
        "measurement": services.measurement_label(measurement),
        "n": plan.n_at_start,
    }


def decision_rows(decisions: Sequence[PupilDecision]) -> list[dict[str, Any]]:
    """Per kind of decision how many were taken and how they turned out."""
    return [
        {"label": str(kind.label), **_tally(d for d in decisions if d.kind == kind)}
        for kind in DecisionKind
    ]


def decision_total(decisions: Sequence[PupilDecision]) -> dict[str, Any]:
    return {"label": _("Samen"), **_tally(decisions)}


def _tally(decisions: Iterable[PupilDecision]) -> dict[str, Any]:
    found = list(decisions)
    outcomes = Counter(d.outcome for d in found if d.evaluated)
    return {
        "total": len(found),
        "outcomes": [outcomes[outcome.value] for outcome in Outcome],
        "not_evaluated": sum(1 for d in found if not d.evaluated),
    }


def carried_over(
    school: School, school_year: int, today: date, status: StatusReader
) -> tuple[list[RecordView], list[tuple[str, int]]]:
    """Records whose period ended by the end of the year (or by today) without an
    evaluation in the year: plans and deviations one by one, pupil decisions as
    counts per status."""
    _start, end = year_bounds(school_year)
    unevaluated = Q(evaluated_on__isnull=True) | Q(evaluated_on__gt=end)
    ended = Q(ends_on__lte=end, ends_on__lt=today)
    plans = ProfessionalDevelopmentPlan.objects.filter(
        unevaluated, ended, school=school
    ).select_related("evaluate_year", "gap_year")
    deviations = GroupDeviation.objects.filter(
        unevaluated, ended, school=school
    ).select_related("evaluate_year", "group")
    decisions = PupilDecision.objects.filter(
        unevaluated, ended, school=school
    ).select_related("evaluate_year")

    views = sorted(
        [
            *(record_view(plan, status) for plan in plans),
            *(record_view(deviation, status) for deviation in deviations),
        ],
        key=lambda view: (view.record.ends_on, view.title),
    )
    per_status = Counter(
        _("geëvalueerd na het schooljaar")
        if decision.evaluated
        else presenters.status_label(status(decision))
        for decision in decisions
    )
    return views, sorted(per_status.items())


def _started_in[T: TwentyWeekRecord](records: Iterable[T], school_year: int) -> list[T]:
    return [r for r in records if school_year_of(r.starts_on) == school_year]
