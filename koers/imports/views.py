"""Upload → preview → background import → history, with undo, per school."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from koers.imports import presenters, services
from koers.imports.access import get_batch, get_job
from koers.imports.forms import UploadForm
from koers.imports.models import JobStatus
from koers.imports.uploads import SizeLimitHandler
from koers.privacy import audit
from koers.results.models import ImportBatch
from koers.results.undo import UndoRefused, refusal_reason, undo_batch
from koers.schools.access import (
    get_school,
    requires,
)
from koers.schools.roles import Permission

logger = logging.getLogger(__name__)


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@requires(Permission.IMPORT)
@csrf_exempt
def upload_page(request: HttpRequest, school_id: int) -> HttpResponse:
    # The size limit must be in place before anything reads the request body,
    # and the CSRF check reads it: so the check runs after, in `_upload_page`.
    limit = SizeLimitHandler(request)
    request.upload_handlers.insert(0, limit)
    return _upload_page(request, school_id, limit)


@csrf_protect
def _upload_page(
    request: HttpRequest, school_id: int, limit: SizeLimitHandler
) -> HttpResponse:
    school = get_school(request, school_id)

    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form_is_valid(form, limit):
        context = {"school": school, "form": form, "max_bytes": limit.limit}
        return render(request, "imports/upload.html", context)

    if not isinstance(request.user, User):
        raise PermissionDenied
    job = services.create_job(school, request.user, form.cleaned_data["uploads"])
    return redirect("imports:job", school_id=school.pk, job_id=job.pk)


def form_is_valid(form: UploadForm, limit: SizeLimitHandler) -> bool:
    if limit.too_big:
        # Dropped while arriving, so the form never saw them: refuse the upload
        # as a whole rather than preview only part of what was chosen.
        form.is_valid()
        form.errors.pop("uploads", None)
        form.add_error(
            "uploads",
            _(
                "Te groot (meer dan %(limit)s), niet opgeslagen: %(files)s. Er "
                "is niets geüpload. Splits de export of vraag de beheerder om de "
                "grens (KOERS_MAX_IMPORT_BYTES) te verhogen."
            )
            % {
                "limit": filesizeformat(limit.limit),
                "files": ", ".join(limit.too_big),
            },
        )
        return False
    return form.is_valid()


@requires(Permission.IMPORT)
def job_page(request: HtmxHttpRequest, school_id: int, job_id: int) -> HttpResponse:
    job = get_job(request, school_id, job_id)

    context = {
        "school": job.school,
        "job": job,
        "statuses": JobStatus,
        "preview": [presenters.file_report(report) for report in job.preview],
        "summaries": [presenters.file_report(report) for report in job.summaries],
        "can_confirm": any(not report.get("rejected") for report in job.preview),
    }
    if request.htmx:
        return render(request, "imports/job.html#status", context)
    return render(request, "imports/job.html", context)


@requires(Permission.IMPORT)
@require_POST
def confirm_job(request: HttpRequest, school_id: int, job_id: int) -> HttpResponse:
    job = get_job(request, school_id, job_id)

    if job.status == JobStatus.PREVIEW and any(
        not report.get("rejected") for report in job.preview
    ):
        services.confirm(job)
        audit.record_import(request, job)
    return redirect("imports:job", school_id=job.school_id, job_id=job.pk)


@requires(Permission.IMPORT)
@require_POST
def cancel_job(request: HttpRequest, school_id: int, job_id: int) -> HttpResponse:
    job = get_job(request, school_id, job_id)

    if job.status == JobStatus.PREVIEW:
        services.cancel(job)
        messages.info(request, _("De upload is geannuleerd; er is niets opgeslagen."))
    return redirect("imports:upload", school_id=job.school_id)


@requires(Permission.IMPORT)
def history_page(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school(request, school_id)

    batches = list(ImportBatch.objects.filter(school=school).order_by("-pk"))
    context = {"school": school, "rows": presenters.batch_rows(batches)}
    return render(request, "imports/history.html", context)


@requires(Permission.IMPORT)
def undo_page(request: HttpRequest, school_id: int, batch_id: int) -> HttpResponse:
    batch = get_batch(request, school_id, batch_id)

    if request.method != "POST":
        context = {
            "school": batch.school,
            "batch": batch,
            "format": presenters.format_label(batch.format),
            "counts": presenters.count_lines(batch.counts),
            "refused": refusal_reason(batch),
        }
        return render(request, "imports/undo.html", context)

    try:
        counts = undo_batch(batch, undone_by=request.user.get_username())
    except UndoRefused as refusal:
        messages.error(request, str(refusal))
    else:
        audit.record_undo(request, batch, counts)
        messages.success(
            request,
            _("De import van %(file)s is ongedaan gemaakt.")
            % {"file": batch.file_name},
        )
    return redirect("imports:history", school_id=school_id)
