"""The rights of pupils and parents (AVG art. 15-17), for the applicatiebeheerder:
find one pupil, export everything about them, correct their name or birth date,
or delete them.

Every page is a read of pupil data and leaves an audit event through `requires`;
a correction and a deletion are recorded as a change and a purge.
"""

from __future__ import annotations

import logging

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from koers.analysis import reports
from koers.analysis.exports import school_code
from koers.privacy import audit, export
from koers.privacy.models import PurgeReason
from koers.privacy.pseudonyms import pupil_pseudonym
from koers.privacy.purge import count_labels, preview_counts, purge_pupil
from koers.privacy.rights_forms import PupilCorrectionForm
from koers.schools.access import get_pupil, get_school, requires
from koers.schools.models import Pupil, School
from koers.schools.roles import Permission

logger = logging.getLogger(__name__)

# A name search shows at most this many pupils: enough to pick one out, not a
# way to list the school.
MAX_RESULTS = 20
# One letter would list half the school; a leerlingnummer of any length is
# exact and may be searched.
MIN_QUERY = 2


def find_pupils(school: School, query: str) -> list[Pupil]:
    """The pupil with this leerlingnummer, or else those whose names hold every
    word of the query."""
    pupils = Pupil.objects.filter(school=school)
    by_key = list(pupils.filter(key=query))
    if by_key:
        return by_key

    condition = Q()
    for word in query.split():
        condition &= (
            Q(surname__icontains=word)
            | Q(prefix__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(given_names__icontains=word)
        )
    return list(pupils.filter(condition)[:MAX_RESULTS])


def exact_key(pupils: list[Pupil], query: str) -> bool:
    return any(pupil.key == query for pupil in pupils)


def school_and_pupil(
    request: HttpRequest, school_id: int, pupil_id: int
) -> tuple[School, Pupil]:
    school = get_school(request, school_id)
    pupil = get_pupil(request, pupil_id)
    if pupil.school_id != school.pk:
        raise Http404
    return school, pupil


@requires(Permission.PUPIL_RIGHTS)
@require_GET
def search(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    query = request.GET.get("q", "").strip()
    pupils = find_pupils(school, query) if query else []
    too_short = bool(query) and len(query) < MIN_QUERY and not exact_key(pupils, query)
    if too_short:
        pupils = []
    if query:
        # The audit event holds what was listed, never the query: it may be a
        # name.
        audit.add_details(
            request, results=len(pupils), pupil_ids=[pupil.pk for pupil in pupils]
        )

    context = {
        "school": school,
        "query": query,
        "pupils": pupils,
        "too_short": too_short,
        "min_query": MIN_QUERY,
        "max_results": MAX_RESULTS,
    }
    return render(request, "privacy/rights_search.html", context)


@requires(Permission.PUPIL_RIGHTS)
@require_GET
def pupil_page(request: HttpRequest, school_id: int, pupil_id: int) -> HttpResponse:
    school, pupil = school_and_pupil(request, school_id, pupil_id)
    context = {"school": school, "pupil": pupil, "pseudonym": pupil_pseudonym(pupil.pk)}
    return render(request, "privacy/rights_pupil.html", context)


def file_name(pupil: Pupil, extension: str) -> str:
    # No name in the file name: a downloaded file travels further than a page.
    return f"leerlinggegevens-{school_code(pupil.school)}-{pupil.pk}.{extension}"


def attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@requires(Permission.PUPIL_RIGHTS)
@require_GET
def export_json(request: HttpRequest, school_id: int, pupil_id: int) -> HttpResponse:
    _school, pupil = school_and_pupil(request, school_id, pupil_id)

    data = export.collect(pupil)

    logger.info("pupil data exported pupil=%s user=%s", pupil.pk, request.user.pk)
    return attachment(
        export.as_json_bytes(data),
        "application/json; charset=utf-8",
        file_name(pupil, "json"),
    )


@requires(Permission.PUPIL_RIGHTS)
@require_GET
def export_pdf(request: HttpRequest, school_id: int, pupil_id: int) -> HttpResponse:
    school, pupil = school_and_pupil(request, school_id, pupil_id)

    data = export.collect(pupil)
    sections = [
        {
            "label": section.relation.label,
            "link_only": section.relation.many_to_many,
            "rows": [export.printable_rows(row) for row in section.rows],
        }
        for section in data.sections
    ]
    pdf = reports.render_pdf(
        "privacy/report/pupil_data.html",
        {
            "school": school,
            "pupil": pupil,
            "pupil_fields": export.printable_rows(pupil),
            "sections": sections,
            "entries": [export.printable_entry(entry) for entry in data.audit_entries],
        },
    )

    logger.info("pupil data printed pupil=%s user=%s", pupil.pk, request.user.pk)
    return attachment(pdf, "application/pdf", file_name(pupil, "pdf"))


@requires(Permission.PUPIL_RIGHTS, post=Permission.PUPIL_RIGHTS)
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, school_id: int, pupil_id: int) -> HttpResponse:
    school, pupil = school_and_pupil(request, school_id, pupil_id)

    form = PupilCorrectionForm(request.POST or None, instance=pupil)
    if request.method == "POST" and form.is_valid():
        form.save()
        record_correction(request, pupil, form.changed_data)
        messages.success(request, _("De gegevens van de leerling zijn gecorrigeerd."))
        return redirect("rights:pupil", school_id=school.pk, pupil_id=pupil.pk)

    context = {"school": school, "pupil": pupil, "form": form}
    return render(request, "privacy/rights_correct.html", context)


def record_correction(request: HttpRequest, pupil: Pupil, fields: list[str]) -> None:
    """Which fields were corrected, by whom; never their old or new values."""
    details = {
        "kind": audit.CHANGE,
        "page": audit.page_of(request),
        "role": audit.role_of(request.user, pupil.school_id, Permission.PUPIL_RIGHTS),
        "school": pupil.school_id,
        "pupil": pupil.pk,
        "fields": sorted(fields),
    }
    audit.write(pupil, LogEntry.Action.UPDATE, details, request)
    logger.info("pupil corrected pupil=%s fields=%s", pupil.pk, ",".join(fields))


@requires(Permission.PUPIL_RIGHTS, post=Permission.PUPIL_RIGHTS)
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, school_id: int, pupil_id: int) -> HttpResponse:
    school, pupil = school_and_pupil(request, school_id, pupil_id)

    if request.method == "POST":
        actor = request.user if isinstance(request.user, AbstractBaseUser) else None
        result = purge_pupil(pupil.pk, PurgeReason.REQUEST, actor=actor)
        pupil_key = result.pupil_key if result else pupil_pseudonym(pupil_id)
        messages.success(
            request,
            _(
                "De leerling is verwijderd. In het verwijderregister staat de "
                "leerling als %(key)s."
            )
            % {"key": pupil_key},
        )
        return redirect("rights:search", school_id=school.pk)

    context = {
        "school": school,
        "pupil": pupil,
        "counts": [row for row in count_labels(preview_counts(pupil)) if row[1]],
    }
    return render(request, "privacy/rights_delete.html", context)
