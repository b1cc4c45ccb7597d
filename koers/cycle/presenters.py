"""Turning the cycle's plain data into what the Dutch pages and reports show.

A stored pack holds codes, numbers and record ids. Here the codes get their Dutch
labels and the ids become the records themselves, looked up within the meeting's
school only; a pupil removed since shows as such.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from koers.analysis.models import MetricChoice, PopulationChoice
from koers.analysis.presenters import VerdictView
from koers.cycle import services
from koers.cycle.models import (
    DeviationElement,
    GroupDeviation,
    Meeting,
    Outcome,
    ProfessionalDevelopmentPlan,
    PupilDecision,
    TwentyWeekRecord,
)
from koers.lib.cycle.calendar import CycleStatus
from koers.lib.records import Period
from koers.results.models import SubjectChoice
from koers.schools.models import Group, Pupil

STATUS_LABELS = {
    CycleStatus.OPEN: gettext_lazy("loopt"),
    CycleStatus.DUE: gettext_lazy("te evalueren"),
    CycleStatus.OVERDUE: gettext_lazy("evaluatie te laat"),
    CycleStatus.EVALUATED: gettext_lazy("geëvalueerd"),
}
SHORT_METRICS = {"p80": "p80", "p20": "p20", "pct_1f": "% 1F", "pct_1s2f": "% 1S/2F"}


def subject_label(code: str) -> str:
    return str(SubjectChoice(code).label) if code in SubjectChoice.values else code


def metric_label(code: str) -> str:
    return SHORT_METRICS.get(code, str(MetricChoice(code).label))


def population_label(code: str) -> str:
    return str(PopulationChoice(code).label)


def element_label(code: str) -> str:
    return str(DeviationElement(code).label)


def number(value: float | None, decimals: int = 1) -> str:
    """A figure with a decimal comma and a real minus sign, as in every cycle text."""
    if value is None:
        return "\N{EN DASH}"
    return f"{value:.{decimals}f}".replace(".", ",").replace("-", "\N{MINUS SIGN}")


def signed(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "\N{EN DASH}"
    text = number(abs(value), decimals)
    return f"+{text}" if value >= 0 else f"\N{MINUS SIGN}{text}"


def interval(low: float | None, high: float | None, decimals: int = 1) -> str:
    if low is None or high is None:
        return ""
    return f"{number(low, decimals)} \N{EN DASH} {number(high, decimals)}"


def verdicts(items: Iterable[dict[str, Any]]) -> list[VerdictView]:
    return [
        VerdictView(
            metric_label(v["metric"]), v["target"], v["value"], v["met"], v["margin"]
        )
        for v in items
    ]


@dataclass
class SchoolRowView:
    subject: str
    population: str
    n: int
    verdicts: list[VerdictView]
    trend: list[tuple[str, str]]
    missed: list[dict[str, Any]]


def school_rows(pack: dict[str, Any]) -> list[SchoolRowView]:
    rows = []
    for row in pack["school"]:
        trend = [
            (
                f"{item['school_year']}-{item['school_year'] + 1}",
                ", ".join(
                    f"{metric_label(metric)} {number(value)}"
                    for metric, value in item["values"].items()
                    if value is not None
                )
                or "\N{EN DASH}",
            )
            for item in row["trend"]
        ]
        rows.append(
            SchoolRowView(
                subject_label(row["subject"]),
                population_label(row["population"]),
                row["n"],
                verdicts(row["verdicts"]),
                trend,
                [
                    {
                        **v,
                        "subject": row["subject"],
                        "population": row["population"],
                        "metric_label": metric_label(v["metric"]),
                    }
                    for v in row["verdicts"]
                    if v["met"] is False
                ],
            )
        )
    return rows


@dataclass
class EvaluationView:
    """A record to evaluate, with its figures and status."""

    record: TwentyWeekRecord
    status: CycleStatus
    status_label: str
    evidence: dict[str, Any]
    outcome_label: str
    suggestion_label: str


def evaluation_views(
    items: Iterable[dict[str, Any]], records: dict[tuple[str, int], TwentyWeekRecord]
) -> list[EvaluationView]:
    views = []
    for item in items:
        record = records.get((item["kind"], item["id"]))
        if record is None:  # removed since the meeting was closed
            continue
        status = services.status_of(record)
        suggestion = item["evidence"].get("suggestion")
        views.append(
            EvaluationView(
                record,
                status,
                str(STATUS_LABELS[status]),
                item["evidence"],
                record.get_outcome_display() if record.outcome else "",
                outcome_label(suggestion),
            )
        )
    return views


def outcome_label(code: str | None) -> str:
    return str(Outcome(code).label) if code else ""


@dataclass
class GroupView:
    group: Group | None
    name: str
    subjects: list[tuple[str, str, list[VerdictView], bool]]
    deviations: list[EvaluationView]
    pupils: list[dict[str, Any]] = field(default_factory=list)

    @property
    def missed(self) -> bool:
        return any(missed for *_, missed in self.subjects)

    @property
    def undecided(self) -> int:
        return sum(1 for pupil in self.pupils if pupil["decision"] is None)


@dataclass
class PackView:
    measurement: str
    measured: bool
    school: list[SchoolRowView]
    development_plans: list[EvaluationView]
    groups: list[GroupView]
    other_deviations: list[EvaluationView]
    pupil_count: int
    pupil_decisions: list[EvaluationView]
    recurring: list[dict[str, Any]]

    @property
    def unmeasured_groups(self) -> list[GroupView]:
        """Groups without results at the measurement, such as the kleuters."""
        return [g for g in self.groups if not g.subjects and not g.deviations]


def pack_view(meeting: Meeting, pack: dict[str, Any]) -> PackView:
    school = meeting.school
    records = _records(pack, meeting)
    groups = Group.objects.filter(school=school).in_bulk(
        [g["group_id"] for g in pack["groups"]]
    )
    pupils = Pupil.objects.filter(school=school).in_bulk(
        [p["pupil_id"] for p in pack["pupils"]]
    )
    decided = {
        (d.pupil_id, d.subject): d
        for d in PupilDecision.objects.filter(meeting=meeting)
    }

    group_views = []
    for item in pack["groups"]:
        view = GroupView(
            groups.get(item["group_id"]),
            item["name"],
            [
                (
                    s["subject"],
                    subject_label(s["subject"]),
                    verdicts(s["verdicts"]),
                    s["missed"],
                )
                for s in item["subjects"]
            ],
            evaluation_views(item["deviations"], records),
        )
        for signal in pack["pupils"]:
            if signal["group_id"] == item["group_id"]:
                pupil = pupils.get(signal["pupil_id"])
                view.pupils.append(
                    {
                        **signal,
                        "pupil": pupil,
                        "name": pupil.display_name
                        if pupil
                        else _("verwijderde leerling"),
                        "subject_label": subject_label(signal["subject"]),
                        "decision": decided.get(
                            (signal["pupil_id"], signal["subject"])
                        ),
                    }
                )
        view.pupils.sort(key=lambda p: p["pupil"].sort_name if p["pupil"] else "")
        group_views.append(view)

    year, period = pack["school_year"], pack["period"]
    return PackView(
        services.measurement_label((year, Period(period))),
        pack["measured"],
        school_rows(pack),
        evaluation_views(pack["development_plans"], records),
        group_views,
        evaluation_views(pack["other_deviations"], records),
        len(pack["pupils"]),
        evaluation_views(pack["pupil_decisions"], records),
        [
            {
                **item,
                "subject_label": subject_label(item["subject"]),
                "element_label": element_label(item["element"]),
            }
            for item in pack["recurring"]
        ],
    )


def _records(
    pack: dict[str, Any], meeting: Meeting
) -> dict[tuple[str, int], TwentyWeekRecord]:
    """The records the pack refers to, of the meeting's school only."""
    wanted: dict[str, list[int]] = {}
    for item in [
        *pack["development_plans"],
        *(d for g in pack["groups"] for d in g["deviations"]),
        *pack["other_deviations"],
        *pack["pupil_decisions"],
    ]:
        wanted.setdefault(item["kind"], []).append(item["id"])
    found: dict[tuple[str, int], TwentyWeekRecord] = {}
    for model in (ProfessionalDevelopmentPlan, GroupDeviation, PupilDecision):
        ids = wanted.get(model.__name__, [])
        for record in model.objects.filter(school=meeting.school, pk__in=ids):
            found[(model.__name__, record.pk)] = record
    return found


def status_label(status: CycleStatus) -> str:
    return str(STATUS_LABELS[status])


def due_text(record: TwentyWeekRecord, today: date | None = None) -> str:
    """The record's period and when it is evaluated, in words."""
    values = {
        "date": date_format(record.ends_on, "j F Y"),
        "measurement": services.measurement_label(services.measurement_of(record)),
    }
    if (today or timezone.localdate()) > record.ends_on:
        return (
            _("de periode liep tot %(date)s; evalueren na de meting %(measurement)s")
            % values
        )
    return (
        _("de periode loopt tot %(date)s; evalueren na de meting %(measurement)s")
        % values
    )


def year_label(school_year: int) -> str:
    return f"{school_year}-{school_year + 1}"


@dataclass
class HistoryView:
    measurement: str
    flags: list[tuple[str, str, str]]
    decisions: list[PupilDecision]
    deviations: list[GroupDeviation]


def history(rows: Iterable[services.HistoryRow]) -> list[HistoryView]:
    """A pupil's signals, decisions and group deviations per measurement."""
    return [
        HistoryView(
            services.measurement_label(row.measurement),
            [
                (
                    subject_label(flag.subject.value),
                    flag.rule_label_nl,
                    flag.explanation_nl,
                )
                for flag in row.flags
            ],
            row.decisions,
            row.deviations,
        )
        for row in rows
    ]
