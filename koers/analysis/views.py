"""Read-only pages: school overview → group overview → pupil overview."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from koers.analysis import presenters, services
from koers.cycle import presenters as cycle_presenters
from koers.cycle import services as cycle_services
from koers.imports.models import FINISHED, ImportJob
from koers.imports.presenters import format_label
from koers.privacy.purge import due_for_purge
from koers.results.models import ImportBatch
from koers.schools.access import (
    boards_for,
    get_group,
    get_pupil,
    get_school,
    own_groups,
    requires,
    schools_for,
)
from koers.schools.models import Group
from koers.schools.roles import Permission

logger = logging.getLogger(__name__)

# The counts of an import that are new results: tests and end-of-school tests.
NEW_RESULT_COUNTS = ("results_created", "transition_results_created")


@requires(Permission.SIGNED_IN)
def home(request: HttpRequest) -> HttpResponse:
    """Where each role starts: the schools of an IB'er or director, a teacher's
    own groups of this school year, the boards of board staff, and the settings
    of an applicatiebeheerder."""
    user = request.user
    schools = list(schools_for(user, Permission.VIEW_SCHOOL))
    # A teacher's groups of the newest school year Koers has for them: this
    # year's, or last year's while this year's roster is not imported yet.
    reachable = own_groups(user, Permission.VIEW_GROUP)
    newest = reachable.aggregate(newest=Max("school_year__start_year"))["newest"]
    groups = list(
        reachable.filter(school_year__start_year=newest)
        .select_related("school", "school_year")
        .order_by("school__name", "name")
    )
    boards = list(boards_for(user))
    managed = [
        school
        for school in schools_for(user, Permission.SETTINGS)
        if school not in schools
    ]
    if len(schools) == 1 and not (groups or boards or managed):
        return redirect("analysis:school-start", school_id=schools[0].pk)

    context = {
        "schools": schools,
        "groups": groups,
        "boards": boards,
        "managed": managed,
        # RET-4: the applicatiebeheerder sees what the next purge removes.
        "overdue": due_for_purge(schools_for(user, Permission.PUPIL_RIGHTS)).count(),
        "retention_years": settings.KOERS_RETENTION_YEARS,
    }
    return render(request, "analysis/home.html", context)


@requires(Permission.VIEW_SCHOOL)
def start_page(request: HttpRequest, school_id: int) -> HttpResponse:
    """What needs attention now: the groups that miss an ambition at the latest
    moment, the pupils with a signal this school year, and the latest imports."""
    school = get_school(request, school_id)

    results = services.SchoolResults.load(school)
    years = results.school_years()
    year = years[-1] if years else None
    groups = list(
        Group.objects.filter(school=school, school_year__start_year=year or 0)
        .select_related("school_year")
        .order_by("name")
    )
    overviews = [(group, results.group_overview(group)) for group in groups]
    flags = results.current_flags(year) if year else []
    cycle = cycle_services.attention(school, results, timezone.localdate())

    context = {
        "school": school,
        "year": year,
        "year_label": presenters.year_label(year) if year else "",
        "missed": presenters.missed_ambitions(overviews),
        "flagged": presenters.flagged_per_group(flags, groups),
        "flagged_pupils": len({flag.pupil_id for flag in flags}),
        "cycle": cycle,
        "latest_label": cycle_services.measurement_label(cycle.latest)
        if cycle.latest
        else "",
        # Uploads still to be confirmed, or waiting for or in the worker.
        "waiting": ImportJob.objects.filter(school=school)
        .exclude(status__in=FINISHED)
        .order_by("created_at"),
        "imports": [
            (
                batch,
                format_label(batch.format),
                sum(batch.counts.get(key, 0) for key in NEW_RESULT_COUNTS),
            )
            for batch in ImportBatch.objects.filter(school=school)[:5]
        ],
    }
    logger.info("start page viewed school=%s year=%s", school.pk, year)
    return render(request, "analysis/start.html", context)


@requires(Permission.VIEW_SCHOOL)
def school_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    results = services.SchoolResults.load(school)
    years = results.school_years()
    year = presenters.chosen_year(request, years)
    overview = results.school_overview(year) if year else None
    period = presenters.chosen_period(request, overview)
    subjects = presenters.school_subjects(overview, period)
    subject_choices = presenters.subjects_of(subjects)
    subject = presenters.chosen_subject(request, subject_choices)
    groups = Group.objects.filter(school=school, school_year__start_year=year or 0)

    context = {
        "school": school,
        "years": years,
        "year": year,
        "period": period,
        # The filters as text, for the addresses of the charts and downloads.
        "year_text": str(year or ""),
        "period_text": period.value if period else "",
        "periods": presenters.periods_of(overview),
        "subject_choices": subject_choices,
        "subject": subject,
        "subjects": [s for s in subjects if s.key == subject or not subject],
        "groups": presenters.group_links(groups),
        "flag_count": len({f.pupil_id for f in results.current_flags(year or 0)}),
        "outcomes": presenters.outcomes(services.outcomes_for(school)),
    }
    logger.info("school overview viewed school=%s year=%s", school.pk, year)
    return render(request, "analysis/school.html", context)


@requires(Permission.VIEW_GROUP)
def group_page(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_group(request, group_id)

    results = services.SchoolResults.load_group(group)
    overview = results.group_overview(group)
    period = presenters.chosen_period(request, overview)
    flags = results.current_flags(group.school_year.start_year)
    subjects = presenters.group_subjects(overview, period, group, flags)
    subject_choices = presenters.subjects_of(subjects)
    subject = presenters.chosen_subject(request, subject_choices)

    context = {
        "school": group.school,
        "group": group,
        "year": group.school_year.start_year,
        "period": period,
        "period_text": period.value if period else "",
        "periods": presenters.periods_of(overview),
        "subject_choices": subject_choices,
        "subject": subject,
        "subjects": [s for s in subjects if s.key == subject or not subject],
    }
    logger.info("group overview viewed group=%s", group.pk)
    return render(request, "analysis/group.html", context)


@requires(Permission.VIEW_PUPIL)
def pupil_page(request: HttpRequest, pupil_id: int) -> HttpResponse:
    pupil = get_pupil(request, pupil_id)

    overview = services.pupil_overview_for(pupil)
    flags = services.flags_for(pupil.school, pupil)

    context = {
        "school": pupil.school,
        "pupil": pupil,
        "placements": presenters.pupil_placements(pupil),
        "subjects": presenters.pupil_subjects(overview),
        "flags": [presenters.flag(flag) for flag in flags],
        "history": cycle_presenters.history(cycle_services.pupil_history(pupil)),
        "year": request.GET.get("jaar", ""),
    }
    logger.info("pupil overview viewed pupil=%s", pupil.pk)
    return render(request, "analysis/pupil.html", context)


@requires(Permission.VIEW_GROUP)
def cohort_page(request: HttpRequest, group_id: int) -> HttpResponse:
    """The pupils of a group followed back through their grades at this school."""
    group = get_group(request, group_id)

    overview = services.SchoolResults.load_group(group).cohort(group)

    context = {
        "school": group.school,
        "group": group,
        "subjects": presenters.cohort_subjects(overview),
    }
    logger.info("cohort viewed group=%s", group.pk)
    return render(request, "analysis/cohort.html", context)
