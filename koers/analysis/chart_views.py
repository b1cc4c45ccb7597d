"""The charts of the overview pages, each served as an SVG image.

A page links its charts as images, so it renders without waiting for them and the
browser fetches them side by side. Each chart reads the same data as its page,
with the same filters from the query string, and the same access rules.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override

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

# A chart opened on its own (not as an image in a page, where the page's policy
# holds) is a document: matplotlib styles it with style attributes, and nothing
# else may run or load in it. No script at all, so inline style cannot be
# turned against the page (security.md WEB-2, WEB-12).
chart_policy = csp_override(
    {
        "default-src": [CSP.NONE],
        "style-src": [CSP.UNSAFE_INLINE],
        "base-uri": [CSP.NONE],
        "form-action": [CSP.NONE],
        "frame-ancestors": [CSP.NONE],
    }
)


def svg_response(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type=SVG)
    # Pupil data: never kept in a cache (koers.middleware.NoStore says the same
    # for every response; here it is part of what a chart is).
    response["Cache-Control"] = "no-store"
    return response


def subject_or_404(value: str) -> Subject:
    try:
        return Subject(value)
    except ValueError as error:
        raise Http404 from error


@requires(Permission.VIEW_SCHOOL)
@chart_policy
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
@chart_policy
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
@chart_policy
def cohort_chart(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group(request, group_id)

    overview = services.SchoolResults.load_group(group).cohort(group)
    if not overview.points:
        raise Http404
    labels = presenters.subject_labels()

    logger.info("cohort chart group=%s", group.pk)
    return svg_response(charts.cohort_chart(overview, labels))


@requires(Permission.VIEW_PUPIL)
@chart_policy
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
@chart_policy
def outcomes_chart(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    report = services.outcomes_for(school)
    if not report.years:
        raise Http404

    logger.info("outcomes chart school=%s", school.pk)
    return svg_response(charts.outcomes_chart(report))
