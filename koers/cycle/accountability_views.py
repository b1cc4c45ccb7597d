"""The verantwoording pages: a school's dossiers per school year with the dossier
as PDF, and the board's page that shows per school whether the cycle ran.

A school is looked up within the user's schools, a board through them: a school or
board outside them answers 404. Neither page nor PDF names a pupil.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from koers.analysis import exports, reports
from koers.analysis.report_views import attachment
from koers.cycle import accountability
from koers.schools.access import get_board, get_school, requires
from koers.schools.roles import Permission

logger = logging.getLogger(__name__)


@requires(Permission.VIEW_SCHOOL)
@require_GET
def accountability_page(request: HttpRequest, school_id: int) -> HttpResponse:
    """Per school year what its dossier holds, with a link to the PDF."""
    school = get_school(request, school_id)

    summaries = accountability.year_summaries(school, timezone.localdate())

    context = {"school": school, "summaries": summaries}
    logger.info("accountability viewed school=%s years=%d", school.pk, len(summaries))
    return render(request, "cycle/accountability.html", context)


@requires(Permission.VIEW_SCHOOL)
@require_GET
def accountability_pdf(request: HttpRequest, school_id: int, year: int) -> HttpResponse:
    """The verantwoordingsdossier of one school year as an A4 document."""
    school = get_school(request, school_id)
    if year not in accountability.school_years(school):
        raise Http404

    dossier = accountability.dossier(school, year, timezone.localdate())
    pdf = reports.render_pdf(
        "cycle/report/dossier.html", {"school": school, "dossier": dossier}
    )

    name = f"verantwoording_{exports.school_code(school)}_{year}-{year + 1}.pdf"
    logger.info("accountability dossier printed school=%s year=%s", school.pk, year)
    return attachment(pdf, name)


@requires(Permission.VIEW_BOARD)
@require_GET
def board_page(request: HttpRequest, board_id: int) -> HttpResponse:
    """Per school of the board that the user may see: results against ambitions
    and signaleringswaarden, and whether the cycle runs this school year."""
    board = get_board(request, board_id)
    schools = list(board.schools.select_related("board").order_by("name"))
    if not schools:
        raise Http404

    today = timezone.localdate()
    rows = accountability.board_rows(schools, today)

    context = {
        "board": board,
        "rows": rows,
        "year_label": rows[0].cycle.label,
        "today": today,
    }
    logger.info("board viewed board=%s schools=%d", board_id, len(schools))
    return render(request, "cycle/board.html", context)
