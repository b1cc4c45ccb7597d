"""The overviews as A4 PDF reports, for the board, the Inspectie or a talk with
parents.

Each report reads the same data as its page, with the same filters from the query
string and the same access rules: another school's group or pupil answers 404.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from koers.analysis import charts, exports, presenters, reports, services
from koers.lib.analysis.overviews import PupilOverview
from koers.lib.records import Period, Subject
from koers.schools.access import (
    get_group,
    get_pupil,
    get_school,
    requires,
)
from koers.schools.roles import Permission

logger = logging.getLogger(__name__)

NOTHING = "\N{EN DASH}"
PERIOD_LABELS = {
    Period.BEGIN: gettext_lazy("begin (B)"),
    Period.MIDDLE: gettext_lazy("midden (M)"),
    Period.END: gettext_lazy("eind (E)"),
}


@requires(Permission.VIEW_SCHOOL)
def school_report(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    results = services.SchoolResults.load(school)
    year = presenters.chosen_year(request, results.school_years())
    overview = results.school_overview(year) if year else None
    period = presenters.chosen_period(request, overview)
    sections = []
    for view in presenters.school_subjects(overview, period):
        chart = charts.school_chart_for(overview, Subject(view.key), period)
        sections.append({"view": view, "chart": chart or ""})
    report = services.outcomes_for(school)
    outcomes_chart = charts.outcomes_chart(report) if report.years else ""

    pdf = reports.render_pdf(
        "analysis/report/school.html",
        {
            "school": school,
            "year_label": presenters.year_label(year) if year else NOTHING,
            "period_label": period_label(period),
            "sections": sections,
            "outcomes": presenters.outcomes(report),
            "outcomes_chart": outcomes_chart,
        },
    )

    # Named as the xlsx and csv of the same overview are.
    name = exports.file_name(
        "schooloverzicht",
        exports.school_code(school),
        presenters.year_label(year) if year else "",
        period.value if period else "",
    )
    logger.info("school report downloaded school=%s year=%s", school.pk, year)
    return attachment(pdf, f"{name}.pdf")


@requires(Permission.VIEW_GROUP)
def group_report(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group(request, group_id)

    results = services.SchoolResults.load(group.school)
    overview = results.group_overview(group)
    period = presenters.chosen_period(request, overview)
    flags = results.current_flags(group.school_year.start_year)
    subjects = presenters.group_subjects(overview, period, group, flags)
    subject = presenters.chosen_subject(request, presenters.subjects_of(subjects))
    sections = [
        {
            "view": view,
            "chart": charts.group_chart_for(overview, Subject(view.key), period) or "",
            # Paper has no tooltip: the footnote on a coarse index is printed.
            "coarse": any(line.coarse for line in view.pupils),
        }
        for view in subjects
        if view.key == subject or not subject
    ]

    pdf = reports.render_pdf(
        "analysis/report/group.html",
        {
            "school": group.school,
            "group": group,
            "teachers": list(group.teachers.all()),
            "year_label": group.school_year.label,
            # Empty without results: the heading then names the school year only.
            "period_label": period_label(period) if period else "",
            "sections": sections,
        },
    )

    # The group's name comes from the school's own files: made safe for the header.
    name = exports.file_name(
        "groepsoverzicht",
        exports.school_code(group.school),
        group.school_year.label,
        group.name or str(group.pk),
        period.value if period else "",
    )
    logger.info(
        "group report downloaded group=%s user=%s period=%s subject=%s",
        group.pk,
        request.user.pk,
        period.value if period else "",
        subject,
    )
    return attachment(pdf, f"{name}.pdf")


@requires(Permission.VIEW_PUPIL)
def pupil_report(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = get_pupil(request, pupil_id)

    overview = services.pupil_overview_for(pupil)
    flags = services.flags_for(pupil.school, pupil)
    labels = presenters.subject_labels()
    chart = (
        charts.pupil_chart(overview, flags, labels)
        if overview is not None and overview.subjects
        else ""
    )
    placements = presenters.pupil_placements(pupil)

    pdf = reports.render_pdf(
        "analysis/report/pupil.html",
        {
            "school": pupil.school,
            "pupil": pupil,
            "placements": placements,
            "current": placements[-1] if placements else None,
            "latest": latest_measurement(overview),
            "subjects": presenters.pupil_subjects(overview),
            "flags": [presenters.flag(flag) for flag in flags],
            "chart": chart,
        },
    )

    # The file name holds no name: a downloaded file travels further than a page.
    name = exports.file_name(
        "leerlingoverzicht", exports.school_code(pupil.school), str(pupil.pk)
    )
    logger.info(
        "pupil report downloaded pupil=%s user=%s flags=%d",
        pupil.pk,
        request.user.pk,
        len(flags),
    )
    return attachment(pdf, f"{name}.pdf")


def period_label(period: Period | None) -> str:
    return str(PERIOD_LABELS[period]) if period else NOTHING


def latest_measurement(overview: PupilOverview | None) -> dict[str, Any] | None:
    """The moment and date of the pupil's latest result, for the report's heading."""
    results = [
        result
        for history in (overview.subjects if overview else ())
        for result in history.results
    ]
    if not results:
        return None

    latest = max(results, key=lambda result: result.administered_on)
    return {
        "year_label": presenters.year_label(latest.school_year),
        "period_label": period_label(latest.period),
        "date": latest.administered_on,
    }


def attachment(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # Pupil data stays out of shared and browser caches, as with the exports.
    response["Cache-Control"] = "no-store"
    return response
