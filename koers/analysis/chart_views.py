"""The charts of the overview pages, each served as an SVG image.

A page links its charts as images, so it renders without waiting for them and the
browser fetches them side by side. Each chart reads the same data as its page,
with the same filters from the query string, and the same access rules.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse

from koers.analysis import charts, presenters, services
from koers.lib.records import Subject
from koers.schools.access import (
    get_group,
    get_pupil,
    get_school,
    requires,
)
from koers.schools.roles import Permission

logger = logging.getLogger(__name__)

SVG = "image/svg+xml"


def svg_response(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type=SVG)
    # Pupil data: kept in the browser's own cache only, for a short while.
    response["Cache-Control"] = "private, max-age=300"
    return response


def subject_or_404(value: str) -> Subject:
    try:
        return Subject(value)
    except ValueError as error:
        raise Http404 from error


@requires(Permission.VIEW_SCHOOL)
def school_chart(request: HttpRequest, school_id: int, subject: str) -> HttpResponse:
    school = get_school(request, school_id)
    wanted = subject_or_404(subject)

    results = services.SchoolResults.load(school)
    year = presenters.chosen_year(request, results.school_years())
    overview = results.school_overview(year) if year else None
    period = presenters.chosen_period(request, overview)
    svg = charts.school_chart_for(overview, wanted, period)
    if svg is None:
        raise Http404

    logger.info("school chart school=%s subject=%s", school.pk, wanted.value)
    return svg_response(svg)


@requires(Permission.VIEW_GROUP)
def group_chart(request: HttpRequest, group_id: int, subject: str) -> HttpResponse:
    group = get_group(request, group_id)
    wanted = subject_or_404(subject)

    overview = services.SchoolResults.load_group(group).group_overview(group)
    period = presenters.chosen_period(request, overview)
    svg = charts.group_chart_for(overview, wanted, period)
    if svg is None:
        raise Http404

    logger.info("group chart group=%s subject=%s", group.pk, wanted.value)
    return svg_response(svg)


@requires(Permission.VIEW_GROUP)
def cohort_chart(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group(request, group_id)

    overview = services.SchoolResults.load_group(group).cohort(group)
    if not overview.points:
        raise Http404
    labels = presenters.subject_labels()

    logger.info("cohort chart group=%s", group.pk)
    return svg_response(charts.cohort_chart(overview, labels))


@requires(Permission.VIEW_PUPIL)
def pupil_chart(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = get_pupil(request, pupil_id)

    overview = services.pupil_overview_for(pupil)
    if overview is None or not overview.subjects:
        raise Http404
    flags = services.flags_for(pupil.school, pupil)
    labels = presenters.subject_labels()

    logger.info("pupil chart pupil=%s", pupil.pk)
    return svg_response(charts.pupil_chart(overview, flags, labels))


@requires(Permission.VIEW_SCHOOL)
def outcomes_chart(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    report = services.outcomes_for(school)
    if not report.years:
        raise Http404

    logger.info("outcomes chart school=%s", school.pk)
    return svg_response(charts.outcomes_chart(report))
