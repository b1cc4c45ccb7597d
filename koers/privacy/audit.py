"""The audit trail of reads: who opened, exported or printed which pupil data.

`koers.schools.access.requires` calls `record_read` after every view, so one
request makes at most one event, written as a django-auditlog `LogEntry` with the
action ACCESS. An event names its object by content type and id and carries, in
`additional_data`, only ids and codes: the page, the kind of read, the role, the
school and, where the page is about one, the pupil or group. Never a name or a
score. Imports and undos are recorded here too (`record_import`, `record_undo`,
`record_cli_imports`); changes to plans and settings are in `audit_registry`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from auditlog.context import auditlog_disabled
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase

from koers.cycle.models import (
    GroupDeviation,
    Meeting,
    ProfessionalDevelopmentPlan,
    PupilDecision,
)
from koers.imports.models import ImportJob
from koers.results.models import ImportBatch
from koers.schools.models import Group, Pupil, School, SchoolMembership
from koers.schools.roles import Permission, roles_with

logger = logging.getLogger(__name__)

VIEW = "view"
EXPORT = "export"
PRINT = "print"
CHANGE = "change"
IMPORT = "import"
UNDO = "undo"
ACCOUNT = "account"
KINDS = (VIEW, EXPORT, PRINT, CHANGE, IMPORT, UNDO, ACCOUNT)

# Permissions whose pages show pupil data; reading the audit log itself is
# recorded too, since its pages name pupils by number.
READ_PERMISSIONS = frozenset(
    {
        Permission.VIEW_SCHOOL,
        Permission.VIEW_GROUP,
        Permission.VIEW_PUPIL,
        Permission.PUPIL_RIGHTS,
        Permission.AUDIT,
    }
)
# Forms of the cycle that list pupils (with their signals) before anything is
# saved: reading them is a read like any other.
PUPIL_FORMS = frozenset(
    {"cycle:deviation-new", "cycle:pupil-decision-new", "cycle:record-edit"}
)

RECORD_KINDS: dict[str, type[Model]] = {
    "aanpak": ProfessionalDevelopmentPlan,
    "afwijking": GroupDeviation,
    "leerlingbesluit": PupilDecision,
}
RECORD_PAGES: dict[str, type[Model]] = {
    "cycle:development-plan": ProfessionalDevelopmentPlan,
    "cycle:deviation": GroupDeviation,
    "cycle:pupil-decision": PupilDecision,
}
# Set on the request once recorded, so that a view wrapped twice still makes
# one event.
RECORDED = "koers_audit_recorded"
# Ids and counts a view adds to its own event (a search: how many pupils it
# listed, and which), set with `add_details`.
DETAILS = "koers_audit_details"


def add_details(request: HttpRequest, **details: Any) -> None:
    """Ids and numbers only: never what was typed, which may be a name."""
    setattr(request, DETAILS, {**getattr(request, DETAILS, {}), **details})


def is_recorded_read(request: HttpRequest, permission: Permission) -> bool:
    if permission in READ_PERMISSIONS:
        return True
    return (
        permission is Permission.EDIT_CYCLE
        and request.method == "GET"
        and page_of(request) in PUPIL_FORMS
    )


def record_read(
    request: HttpRequest,
    permission: Permission,
    kwargs: Mapping[str, Any],
    response: HttpResponseBase,
) -> LogEntry | None:
    """One ACCESS event for a successful read of pupil data; None otherwise."""
    if not 200 <= response.status_code < 300 or getattr(request, RECORDED, False):
        return None
    if not is_recorded_read(request, permission):
        return None

    page = page_of(request)
    subject = subject_of(page, kwargs)
    if subject is None:
        logger.error("audit: no object for page=%s", page)
        return None
    school_id = school_of(subject)

    details: dict[str, Any] = {
        "kind": kind_of(page, response),
        "page": page,
        "role": role_of(request.user, school_id, permission),
        "school": school_id,
        "status": response.status_code,
        **about(subject, request, school_id),
        **getattr(request, DETAILS, {}),
    }
    setattr(request, RECORDED, True)
    return write(subject, LogEntry.Action.ACCESS, details, request)


def page_of(request: HttpRequest) -> str:
    match = request.resolver_match
    return match.view_name if match is not None else ""


def subject_of(page: str, kwargs: Mapping[str, Any]) -> Model | None:
    """The most specific object the URL names: a pupil before a record, before
    a meeting, a group and a school."""
    model: type[Model] | None = None
    pk = None
    if "pupil_id" in kwargs:
        model, pk = Pupil, kwargs["pupil_id"]
    elif "record_id" in kwargs:
        model = RECORD_KINDS.get(kwargs.get("kind", "")) or RECORD_PAGES.get(page)
        pk = kwargs["record_id"]
    elif "meeting_id" in kwargs:
        model, pk = Meeting, kwargs["meeting_id"]
    elif "group_id" in kwargs:
        model, pk = Group, kwargs["group_id"]
    elif "school_id" in kwargs:
        model, pk = School, kwargs["school_id"]
    if model is None:
        return None
    found: Model | None = model._default_manager.filter(pk=pk).first()
    return found


def school_of(subject: Model) -> int | None:
    if isinstance(subject, School):
        return subject.pk
    school_id = getattr(subject, "school_id", None)
    return school_id if isinstance(school_id, int) else None


def about(
    subject: Model, request: HttpRequest, school_id: int | None
) -> dict[str, int]:
    """The pupil or group a page is about, for "who viewed pupil X" and for the
    scope of a breach. A form of the cycle names them in its query string."""
    found: dict[str, int] = {}
    if isinstance(subject, Pupil):
        found["pupil"] = subject.pk
    elif isinstance(subject, PupilDecision):
        found["pupil"] = subject.pupil_id
    elif isinstance(subject, Group):
        found["group"] = subject.pk
    elif isinstance(subject, GroupDeviation):
        found["group"] = subject.group_id

    for parameter, key, model in (
        ("leerling", "pupil", Pupil),
        ("groep", "group", Group),
    ):
        value = request.GET.get(parameter, "")
        if key not in found and value.isdigit() and school_id is not None:
            named = model._default_manager.filter(pk=int(value), school_id=school_id)
            if named.exists():
                found[key] = int(value)
    return found


def kind_of(page: str, response: HttpResponseBase) -> str:
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/pdf"):
        return PRINT
    if "attachment" in response.get("Content-Disposition", "") or page.endswith(
        "-export"
    ):
        return EXPORT
    return VIEW


def role_of(user: Any, school_id: int | None, permission: Permission) -> str:
    """The user's roles at the school that grant the permission, as codes."""
    if school_id is None:
        return ""
    roles = SchoolMembership.objects.filter(
        user_id=user.pk, school_id=school_id, role__in=roles_with(permission)
    ).values_list("role", flat=True)
    return ",".join(sorted(set(roles)))


def write(
    subject: Model,
    action: int,
    details: dict[str, Any],
    request: HttpRequest | None = None,
) -> LogEntry | None:
    if auditlog_disabled.get():
        return None
    actor = request.user if request is not None else None
    entry: LogEntry | None = LogEntry.objects.log_create(
        subject,
        force_log=True,
        action=action,
        actor=actor if isinstance(actor, User) else None,
        remote_addr=(
            AuditlogMiddleware._get_remote_addr(request)
            if request is not None
            else None
        ),
        additional_data=details,
    )
    logger.info(
        "audit event=%s kind=%s object=%s:%s",
        entry.pk if entry else None,
        details.get("kind"),
        type(subject).__name__,
        subject.pk,
    )
    return entry


# Imports and undos ------------------------------------------------------------------


def record_import(request: HttpRequest, job: ImportJob) -> LogEntry | None:
    """A confirmed upload: its job, how many files and what the preview counted."""
    counts = total_counts(
        report.get("counts", {}) for report in job.preview if not report.get("rejected")
    )
    details = {
        "kind": IMPORT,
        "page": page_of(request),
        "role": role_of(request.user, job.school_id, Permission.IMPORT),
        "school": job.school_id,
        "files": len(job.files),
        "counts": counts,
    }
    return write(job, LogEntry.Action.CREATE, details, request)


def record_undo(
    request: HttpRequest, batch: ImportBatch, counts: Mapping[str, int]
) -> LogEntry | None:
    details = {
        "kind": UNDO,
        "page": page_of(request),
        "role": role_of(request.user, batch.school_id, Permission.IMPORT),
        "school": batch.school_id,
        "counts": total_counts([counts]),
    }
    return write(batch, LogEntry.Action.UPDATE, details, request)


def record_cli_imports(batch_ids: Iterable[int | None], operator: str) -> None:
    """The batches one `koers import` wrote. On the command line there is no
    account: `operator` is what `--user` said."""
    for batch in ImportBatch.objects.filter(
        pk__in=[pk for pk in batch_ids if pk is not None]
    ):
        details = {
            "kind": IMPORT,
            "page": "cli:import",
            "operator": operator[:150],
            "school": batch.school_id,
            "counts": total_counts([batch.counts]),
        }
        write(batch, LogEntry.Action.CREATE, details)


def total_counts(parts: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Numbers only: a count that is not a number is left out."""
    total: Counter[str] = Counter()
    for part in parts:
        for name, count in part.items():
            if isinstance(count, int) and not isinstance(count, bool):
                total[str(name)] += count
    return dict(sorted(total.items()))
