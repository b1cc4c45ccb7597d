"""Turning analysis results into what the Dutch pages show.

The analysis package speaks in enums and floats; the templates need labels, CSS
classes, percentages of a bar and links. Nothing here computes a statistic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from koers.lib.analysis.ambitions import AmbitionMetric, Verdict
from koers.lib.analysis.flags import Flag
from koers.lib.analysis.index import IV_BANDS
from koers.lib.analysis.outcomes import OutcomeReport
from koers.lib.analysis.overviews import (
    CohortOverview,
    GroupOverview,
    PupilOverview,
    SchoolOverview,
)
from koers.lib.analysis.summary import Summary
from koers.lib.records import Period, Subject
from koers.results.models import SubjectChoice
from koers.schools.models import Group, Pupil

PERIOD_PARAMETER = "moment"
YEAR_PARAMETER = "jaar"
SUBJECT_PARAMETER = "vak"
FILTER_SESSION_KEY = "koers_filters"

METRIC_LABELS = {
    AmbitionMetric.P80: "p80",
    AmbitionMetric.P20: "p20",
    AmbitionMetric.PCT_1F: "% 1F",
    AmbitionMetric.PCT_1S2F: "% 1S/2F",
}
NEED_LABELS = {
    "support": "ondersteuning",
    "core": "basis",
    "challenge": "uitdaging",
}


def subject_label(subject: Subject) -> str:
    return str(SubjectChoice(subject.value).label)


def subject_labels() -> dict[str, str]:
    """The Dutch label of every subject, by its code."""
    return {subject.value: subject_label(subject) for subject in Subject}


def year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


def asked_filter(request: HttpRequest, name: str) -> str:
    """A filter from the query string, else the one chosen last on another page.

    The school year, moment and subject stay as chosen while the user moves from
    the school to a group to a pupil and back: a choice is kept in the session.
    """
    session = getattr(request, "session", None)
    remembered: dict[str, str] = session.get(FILTER_SESSION_KEY, {}) if session else {}
    asked = request.GET.get(name)
    if asked is None:
        return remembered.get(name, "")

    if session is not None and remembered.get(name) != asked:
        session[FILTER_SESSION_KEY] = {**remembered, name: asked}
    return asked


def chosen_year(request: HttpRequest, years: Sequence[int]) -> int | None:
    """The school year asked for (or chosen before), else the latest with results."""
    asked = asked_filter(request, YEAR_PARAMETER)
    for year in years:
        if asked in (str(year), year_label(year)):
            return year
    return years[-1] if years else None


def periods_of(overview: SchoolOverview | GroupOverview | None) -> list[Period]:
    if overview is None:
        return []
    if isinstance(overview, SchoolOverview):
        found = {row.period for row in overview.rows}
    else:
        found = {item.period for item in overview.subjects}
    return [period for period in Period if period in found]


def chosen_period(
    request: HttpRequest, overview: SchoolOverview | GroupOverview | None
) -> Period | None:
    """The moment asked for (or chosen before), else the latest moment of the year
    that has results."""
    periods = periods_of(overview)
    asked = asked_filter(request, PERIOD_PARAMETER).upper()
    for period in periods:
        if period.value == asked:
            return period
    return periods[-1] if periods else None


def subjects_of(views: Sequence[Any]) -> list[tuple[str, str]]:
    """(code, label) of the subjects on a page, for the subject filter."""
    return [(view.key, view.subject) for view in views]


def chosen_subject(request: HttpRequest, subjects: Sequence[tuple[str, str]]) -> str:
    """The subject code asked for (or chosen before); "" shows every subject."""
    asked = asked_filter(request, SUBJECT_PARAMETER)
    return asked if asked in {code for code, _label in subjects} else ""


@dataclass
class VerdictView:
    label: str
    target: float
    value: float | None
    met: bool | None
    margin: float | None

    @property
    def css(self) -> str:
        if self.met is None:
            return "none"
        return "met" if self.met else "missed"

    @property
    def margin_text(self) -> str:
        """The margin to one decimal, signed; a miss that rounds to nothing is
        "net niet" with the value in two decimals, so that a cross never stands
        next to +0,0 or next to a value that the table rounds to the target."""
        if self.margin is None:
            return ""
        rounded = round(self.margin, 1)
        if not self.met and rounded >= 0:
            value = f"{self.value:.2f}".replace(".", ",") if self.value else ""
            return (
                _("net niet (%(value)s)") % {"value": value} if value else _("net niet")
            )
        return f"{rounded:+.1f}".replace(".", ",").replace("-", "\u2212")


def verdict_views(verdicts: Iterable[Verdict]) -> list[VerdictView]:
    return [
        VerdictView(
            METRIC_LABELS.get(v.metric, str(v.metric)),
            v.target,
            v.value,
            v.met,
            v.margin,
        )
        for v in verdicts
    ]


@dataclass
class BandView:
    band: str
    count: int
    percent: float

    @property
    def share(self) -> int:
        """The bar's width class, `share-0` to `share-100` in koers.css: a style
        attribute would need 'unsafe-inline' in the Content-Security-Policy. A
        band with pupils stays visible however small its share."""
        if self.count == 0:
            return 0
        return min(100, max(1, round(self.percent)))


def band_views(summary: Summary) -> list[BandView]:
    total = sum(summary.bands.values()) or 1
    return [
        BandView(
            band, summary.bands.get(band, 0), 100.0 * summary.bands.get(band, 0) / total
        )
        for band in IV_BANDS
    ]


@dataclass
class RowView:
    label: str
    summary: Summary
    bands: list[BandView]
    verdicts: list[VerdictView]
    trend: list[tuple[str, float | None]] = field(default_factory=list)


@dataclass
class SubjectView:
    subject: str
    aggregates: list[RowView]
    rows: list[RowView]
    key: str = ""  # the subject's code, for the chart's address


def school_subjects(
    overview: SchoolOverview | None, period: Period | None
) -> list[SubjectView]:
    if overview is None or period is None:
        return []

    views: dict[Subject, SubjectView] = {}
    for aggregate in overview.aggregates:
        if aggregate.period != period:
            continue
        view = views.setdefault(
            aggregate.subject,
            SubjectView(subject_label(aggregate.subject), [], [], aggregate.subject),
        )
        label = (
            _("School, groep 3-8")
            if aggregate.population.value.endswith("3_8")
            else _("School, groep 6-8")
        )
        view.aggregates.append(
            RowView(
                label,
                aggregate.summary,
                band_views(aggregate.summary),
                verdict_views(aggregate.verdicts),
            )
        )

    for row in overview.rows:
        if row.period != period:
            continue
        view = views.setdefault(
            row.subject, SubjectView(subject_label(row.subject), [], [], row.subject)
        )
        view.rows.append(
            RowView(
                _("Groep %(grade)s") % {"grade": row.grade},
                row.summary,
                band_views(row.summary),
                verdict_views(row.verdicts),
                [(year_label(p.school_year), p.mean_index) for p in row.trend if p.n],
            )
        )
    return list(views.values())


@dataclass
class GroupLink:
    group: Group
    pupils: int


def group_links(groups: QuerySet[Group]) -> list[GroupLink]:
    counted = groups.annotate(pupil_count=Count("enrolments")).order_by("name")
    return [GroupLink(group, group.pupil_count) for group in counted]


@dataclass
class PupilLineView:
    pupil: Pupil
    grade: str
    index: float
    coarse: bool
    band: str
    growth: float | None
    need: str
    need_label: str
    flags: list[str]


@dataclass
class GroupSubjectView:
    subject: str
    summary: Summary
    bands: list[BandView]
    verdicts: list[VerdictView]
    need_counts: list[tuple[str, str, int]]
    thresholds_from_targets: bool
    support_below: float
    challenge_from: float
    pupils: list[PupilLineView]
    without_result: list[Pupil]
    key: str = ""  # the subject's code, for the chart's address


def group_subjects(
    overview: GroupOverview, period: Period | None, group: Group, flags: list[Flag]
) -> list[GroupSubjectView]:
    enrolled = {p.pk: p for p in Pupil.objects.filter(enrolments__group=group)}
    pupil_ids = {line.pupil_id for item in overview.subjects for line in item.pupils}
    pupils = {p.pk: p for p in Pupil.objects.filter(pk__in=pupil_ids)}
    flags_by_key: dict[tuple[int, Subject], list[str]] = {}
    for flag in flags:
        flags_by_key.setdefault((flag.pupil_id, flag.subject), []).append(
            flag.rule_label_nl
        )

    views = []
    for item in overview.subjects:
        if item.period != period:
            continue
        lines = [
            PupilLineView(
                pupils[line.pupil_id],
                line.grade,
                line.index,
                line.coarse,
                line.band,
                line.growth,
                line.educational_need.value,
                NEED_LABELS[line.educational_need.value],
                flags_by_key.get((line.pupil_id, item.subject), []),
            )
            for line in item.pupils
        ]
        lines.sort(key=lambda line: line.pupil.sort_name)
        # Pupils of the group who missed this test: the IB'er asks after them.
        tested = {line.pupil.pk for line in lines}
        without_result = sorted(
            (pupil for pk, pupil in enrolled.items() if pk not in tested),
            key=lambda pupil: pupil.sort_name,
        )
        views.append(
            GroupSubjectView(
                subject_label(item.subject),
                item.summary,
                band_views(item.summary),
                verdict_views(item.verdicts),
                [
                    (key, NEED_LABELS[key], item.need_counts.get(key, 0))
                    for key in ("support", "core", "challenge")
                ],
                item.need_thresholds.from_targets,
                item.need_thresholds.support_below,
                item.need_thresholds.challenge_from,
                lines,
                without_result,
                item.subject,
            )
        )
    return views


def pupil_placements(pupil: Pupil) -> list[dict[str, Any]]:
    return [
        {
            "year": enrolment.group.school_year.label,
            "group": enrolment.group,
            "grade": enrolment.grade,
        }
        for enrolment in pupil.enrolments.select_related("group__school_year").order_by(
            "group__school_year__start_year"
        )
    ]


def pupil_subjects(overview: PupilOverview | None) -> list[dict[str, Any]]:
    if overview is None:
        return []
    return [
        {"subject": subject_label(history.subject), "results": history.results}
        for history in overview.subjects
    ]


def flag(item: Flag) -> dict[str, Any]:
    return {
        "subject": subject_label(item.subject),
        "rule": item.rule_label_nl,
        "explanation": item.explanation_nl,
        "evidence": item.evidence,
    }


SIGNAL_STATUS_LABELS = {
    "observed": "gezien in de open data van de Inspectie",
    "inferred_high": "afgeleid uit de open data van de Inspectie",
    "inferred_medium": "afgeleid uit de open data van de Inspectie (onzeker)",
    "inferred_low": "afgeleid uit de open data van de Inspectie (onzeker)",
    "entered": "ingevoerd door de school",
}


def outcomes(report: OutcomeReport) -> dict[str, Any]:
    return {
        "report": report,
        "signal_status": SIGNAL_STATUS_LABELS.get(
            report.signal_status, report.signal_status
        ),
        "years": [
            {
                "label": year_label(year.school_year),
                "pupils": year.pupils,
                "pct_1f": float(year.pct_1f) if year.pct_1f is not None else None,
                "pct_1s2f": float(year.pct_1s2f) if year.pct_1s2f is not None else None,
            }
            for year in report.years
        ],
        "three_year_1f": float(report.three_year.pct_1f)
        if report.three_year.pct_1f is not None
        else None,
        "three_year_1s2f": float(report.three_year.pct_1s2f)
        if report.three_year.pct_1s2f is not None
        else None,
    }


@dataclass
class MissedAmbitions:
    group: Group
    period: Period
    subjects: list[tuple[str, list[VerdictView]]]


def missed_ambitions(
    overviews: Sequence[tuple[Group, GroupOverview]],
) -> list[MissedAmbitions]:
    """Per group, at its latest moment, the subjects with a missed ambition."""
    found = []
    for group, overview in overviews:
        periods = periods_of(overview)
        if not periods:
            continue
        latest = periods[-1]
        subjects = [
            (subject_label(item.subject), missed)
            for item in overview.subjects
            if item.period == latest
            and (missed := [v for v in verdict_views(item.verdicts) if v.met is False])
        ]
        if subjects:
            found.append(MissedAmbitions(group, latest, subjects))
    return found


def flagged_per_group(
    flags: Sequence[Flag], groups: Sequence[Group]
) -> list[tuple[Group, int]]:
    """How many pupils of each group have a signal, for groups with any."""
    pupils_of = {
        group.pk: set(group.enrolments.values_list("pupil_id", flat=True))
        for group in groups
    }
    flagged = {flag.pupil_id for flag in flags}
    counts = [(group, len(pupils_of[group.pk] & flagged)) for group in groups]
    return [(group, count) for group, count in counts if count]


@dataclass
class CohortRowView:
    moment: str
    year: str
    summary: Summary
    bands: list[BandView]


def cohort_subjects(overview: CohortOverview) -> list[tuple[str, list[CohortRowView]]]:
    """Per subject the cohort's rows in time order, for the cohort table."""
    found: dict[Subject, list[CohortRowView]] = {}
    for point in overview.points:
        found.setdefault(point.subject, []).append(
            CohortRowView(
                f"{point.period.value}{point.grade}",
                year_label(point.school_year),
                point.summary,
                band_views(point.summary),
            )
        )
    return [(subject_label(subject), rows) for subject, rows in found.items()]
