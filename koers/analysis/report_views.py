"""The overviews as A4 PDF reports, for the board or the Inspectie."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from koers.analysis import charts, presenters, reports, services
from koers.lib.records import Period
from koers.schools.access import get_school_for_user

logger = logging.getLogger(__name__)

NOTHING = "\N{EN DASH}"
PERIOD_LABELS = {
    Period.BEGIN: gettext_lazy("begin (B)"),
    Period.MIDDLE: gettext_lazy("midden (M)"),
    Period.END: gettext_lazy("eind (E)"),
}


@login_required
def school_report(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school_for_user(request.user, school_id)

    results = services.SchoolResults.load(school)
    year = presenters.chosen_year(request, results.school_years())
    overview = results.school_overview(year) if year else None
    period = presenters.chosen_period(request, overview)
    sections = []
    for view in presenters.school_subjects(overview, period):
        rows = [
            row
            for row in (overview.rows if overview else ())
            if row.subject == view.key and row.period == period
        ]
        labels = [_("Groep %(grade)s") % {"grade": row.grade} for row in rows]
        chart = charts.school_subject_chart(rows, labels) if rows else ""
        sections.append({"view": view, "chart": chart})
    report = services.outcomes_for(school)
    outcomes_chart = charts.outcomes_chart(report) if report.years else ""

    pdf = reports.render_pdf(
        "analysis/report/school.html",
        {
            "school": school,
            "year_label": presenters.year_label(year) if year else NOTHING,
            "period_label": str(PERIOD_LABELS[period]) if period else NOTHING,
            "sections": sections,
            "outcomes": presenters.outcomes(report),
            "outcomes_chart": outcomes_chart,
        },
    )
    name = f"schooloverzicht-{school.brin}{school.branch_code}-{year or 'leeg'}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    logger.info("school report downloaded school=%s year=%s", school.pk, year)
    return response
