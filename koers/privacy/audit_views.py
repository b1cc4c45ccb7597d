"""The audit trail of a school, for its applicatiebeheerder and privacy officer:
search it, download it, and scope a breach. Read-only: no page here, nor
anywhere in Koers, changes or removes an entry."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable, Iterator, Sequence

from auditlog.models import LogEntry
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from koers.analysis.exports import neutralise
from koers.privacy import audit_search as search
from koers.privacy.audit_forms import AuditSearchForm
from koers.privacy.audit_pages import page_label
from koers.schools.access import get_school, requires
from koers.schools.models import Pupil, School
from koers.schools.roles import Permission

logger = logging.getLogger(__name__)

PAGE_SIZE = 50


@requires(Permission.AUDIT)
@require_safe
def log_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    form = AuditSearchForm(request.GET or None, school=school)
    criteria = form.criteria() if form.is_valid() else search.Criteria()
    entries = (
        LogEntry.objects.none() if form.refused else search.search(school, criteria)
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("pagina"))

    context = {
        "school": school,
        "form": form,
        "page": page,
        "rows": list(search.rows(school, page.object_list)),
        "query": query_without_page(request),
        "scope": (
            scope_view(school, criteria.user_id, criteria)
            if criteria.user_id is not None and not form.refused
            else None
        ),
    }
    return render(request, "privacy/audit_log.html", context)


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("pagina", None)
    return query.urlencode()


def scope_view(
    school: School, user_id: int, criteria: search.Criteria
) -> dict[str, object]:
    scope = search.breach_scope(school, user_id, criteria.start, criteria.end)
    return {
        "pupils": pupil_lines(school, scope),
        "school_pages": sorted(page_label(page) for page in scope.school_pages),
        "school_size": Pupil.objects.filter(school=school).count(),
    }


def pupil_lines(school: School, scope: search.Scope) -> list[list[str]]:
    """One line per pupil: Koers id, leerlingnummer, and how it was seen."""
    numbers = dict(
        Pupil.objects.filter(school=school, pk__in=scope.pupil_ids).values_list(
            "pk", "key"
        )
    )
    groups = search.group_names(school, scope.by_group)
    lines = []
    for pupil in sorted(scope.pupil_ids):
        how = [_("eigen pagina of besluit")] if pupil in scope.direct else []
        how += [
            _("groep %(group)s") % {"group": groups.get(group, group)}
            for group, pupils in sorted(scope.by_group.items())
            if pupil in pupils
        ]
        lines.append([str(pupil), numbers.get(pupil) or "", ", ".join(how)])
    return lines


@requires(Permission.AUDIT)
@require_safe
def log_csv(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    form = AuditSearchForm(request.GET or None, school=school)
    if form.refused:
        return refusal(form)
    criteria = form.criteria() if form.is_valid() else search.Criteria()
    entries = search.search(school, criteria).iterator(chunk_size=500)

    header = [
        _("Tijd (UTC)"),
        _("Gebruiker"),
        _("Rol"),
        _("Actie"),
        _("Pagina"),
        _("Object"),
        _("Leerling (Koers-nummer en leerlingnummer)"),
        _("Adres"),
    ]
    lines = (
        [
            row.when.astimezone(dt.UTC).isoformat(timespec="seconds"),
            row.user,
            row.role,
            row.kind,
            row.page,
            row.subject,
            row.pupil,
            row.address,
        ]
        for row in search.rows(school, entries)
    )
    logger.info("audit trail downloaded school=%s", school.pk)
    return csv_response(header, lines, f"logboek-{school.brin}.csv")


@requires(Permission.AUDIT)
@require_safe
def scope_csv(request: HttpRequest, school_id: int) -> HttpResponse:
    """The breach scope of one user in a period, as a list to hand on."""
    school = get_school(request, school_id)

    form = AuditSearchForm(request.GET or None, school=school)
    if form.refused:
        return refusal(form)
    criteria = form.criteria() if form.is_valid() else search.Criteria()
    lines: list[list[str]] = []
    if criteria.user_id is not None:
        scope = search.breach_scope(
            school, criteria.user_id, criteria.start, criteria.end
        )
        lines = pupil_lines(school, scope)
        lines += [
            ["", "", _("schoolpagina %(page)s") % {"page": page_label(page)}]
            for page in sorted(scope.school_pages)
        ]

    header = [_("Koers-nummer"), _("Leerlingnummer"), _("Gezien via")]
    return csv_response(header, lines, f"bereik-{school.brin}.csv")


def refusal(form: AuditSearchForm) -> HttpResponse:
    """400 with the form's errors as text: a download with a wrong filter would
    otherwise be the whole trail."""
    errors = "\n".join(
        str(message) for messages in form.errors.values() for message in messages
    )
    return HttpResponseBadRequest(
        _("Controleer de zoekvelden.") + "\n" + errors,
        content_type="text/plain; charset=utf-8",
    )


def csv_response(
    header: Sequence[str], lines: Iterable[Sequence[str]], name: str
) -> HttpResponse:
    # Built in chunks, so that neither the entries nor their rows are all in
    # memory at once; only the bytes are.
    response = HttpResponse(
        b"".join(csv_chunks(header, lines)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def csv_chunks(
    header: Sequence[str], lines: Iterable[Sequence[str]]
) -> Iterator[bytes]:
    """UTF-8 with a BOM and `;` between cells, as Koers's other exports; every
    text neutralised, since a username or page could start like a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    yield "\ufeff".encode()
    writer.writerow([neutralise(str(cell)) for cell in header])
    for line in lines:
        writer.writerow([neutralise(str(cell)) for cell in line])
        if buffer.tell() > 16_384:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
