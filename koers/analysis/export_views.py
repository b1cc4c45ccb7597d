"""Downloads of the overview pages as CSV or XLSX.

Each download looks its object up the way its page does, so another school's
school, group or pupil answers 404, and an unknown format does too.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse

from koers.analysis import exports
from koers.schools.access import (
    get_group,
    get_pupil,
    get_school,
    requires,
)
from koers.schools.roles import Permission

logger = logging.getLogger(__name__)


@requires(Permission.VIEW_SCHOOL)
def school_export(request: HttpRequest, school_id: int, fmt: str) -> HttpResponse:
    check_format(fmt)
    school = get_school(request, school_id)

    export = exports.school_export(school, request)

    log_export("school", school.pk, request, fmt, export)
    return download(export, fmt)


@requires(Permission.VIEW_GROUP)
def group_export(request: HttpRequest, group_id: int, fmt: str) -> HttpResponse:
    check_format(fmt)
    group = get_group(request, group_id)

    export = exports.group_export(group, request)

    log_export("group", group.pk, request, fmt, export)
    return download(export, fmt)


@requires(Permission.VIEW_PUPIL)
def pupil_export(request: HttpRequest, pupil_id: int, fmt: str) -> HttpResponse:
    check_format(fmt)
    pupil = get_pupil(request, pupil_id)

    export = exports.pupil_export(pupil)

    log_export("pupil", pupil.pk, request, fmt, export)
    return download(export, fmt)


def check_format(fmt: str) -> None:
    if fmt not in exports.WRITERS:
        raise Http404


def download(export: exports.Export, fmt: str) -> HttpResponse:
    content_type, write = exports.WRITERS[fmt]
    response = HttpResponse(write(export.tables), content_type=content_type)
    # The name holds ASCII letters, digits and hyphens only (exports.file_name).
    response["Content-Disposition"] = f'attachment; filename="{export.name}.{fmt}"'
    # Pupil data stays out of shared and browser caches (security.md EXP-5).
    response["Cache-Control"] = "no-store"
    return response


def log_export(
    kind: str, object_id: int, request: HttpRequest, fmt: str, export: exports.Export
) -> None:
    logger.info(
        "overview exported kind=%s id=%s user=%s format=%s rows=%d",
        kind,
        object_id,
        request.user.pk,
        fmt,
        sum(len(table.rows) for table in export.tables),
    )
