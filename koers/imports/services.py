"""Preview and import of the files of one upload, through the CLI's importer.

Both run the files in the CLI's order (rosters before results), so that a
results file sees the pupils of a roster uploaded with it. The preview writes
everything like the real import inside one transaction and then rolls it back,
exactly as `koers import --dry-run` does; the real import commits file by file.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koers.imports import storage
from koers.imports.models import ImportJob, JobStatus
from koers.imports.storage import StoredFile
from koers.lib.importers import detect_format
from koers.lib.records import ImportRejected
from koers.results.management.commands.import_files import FORMAT_ORDER
from koers.results.services import ImportContext, import_file
from koers.schools.models import School

logger = logging.getLogger(__name__)

FileDone = Callable[[dict[str, Any]], None]
STALE_PREVIEW = dt.timedelta(days=1)


def create_job(
    school: School, user: User, uploads: list[UploadedFile[bytes]]
) -> ImportJob:
    """Store the uploads and preview them; nothing is imported yet."""
    cancel_stale_previews(school)

    files = [store_upload(upload) for upload in uploads]
    files.sort(key=lambda file: (FORMAT_ORDER.get(file["format"], 9), file["name"]))

    job = ImportJob.objects.create(school=school, user=user, files=files)
    job.preview = preview(job)
    job.save(update_fields=["preview"])

    logger.info(
        "import previewed school=%s job=%s files=%d", school.pk, job.pk, len(files)
    )
    return job


def store_upload(upload: UploadedFile[bytes]) -> StoredFile:
    stored, data = storage.store(upload)
    try:
        kind = detect_format(data)
    except ImportRejected:
        # The preview reports the importer's full explanation.
        kind = "unknown"
    return {
        "name": storage.display_name(upload.name),
        "stored": stored,
        "size": len(data),
        "format": kind,
    }


def preview(job: ImportJob) -> list[dict[str, Any]]:
    with transaction.atomic():
        reports = import_files(job)
        transaction.set_rollback(True)

    for report in reports:
        report["dry_run"] = True
        report["batch"] = None
    return reports


def import_files(job: ImportJob, done: FileDone | None = None) -> list[dict[str, Any]]:
    """Import every file of the job, calling `done(report)` after each."""
    reports: list[dict[str, Any]] = []
    contexts: dict[int, ImportContext] = {}
    imported_by = job.user.get_username() if job.user else "web"
    for file in job.files:
        try:
            summary = import_file(
                file["name"],
                storage.read(file),
                school=job.school,
                imported_by=imported_by,
                contexts=contexts,
            )
            report = summary.as_dict()
        except ImportRejected as rejection:
            # Rolled back with the file's own transaction: the shared lookups
            # may hold pupils that no longer exist.
            contexts.clear()
            report = rejected_report(file, rejection)
        reports.append(report)
        if done is not None:
            done(report)
    return reports


def rejected_report(file: StoredFile, rejection: ImportRejected) -> dict[str, Any]:
    return {
        "file": file["name"],
        "format": file["format"],
        "rejected": True,
        "message": rejection.describe(),
    }


def confirm(job: ImportJob) -> None:
    """Drop the files the preview rejected and queue the rest for the worker."""
    from koers.imports.tasks import run_import_job

    rejected = [
        file
        for file, report in zip(job.files, job.preview, strict=True)
        if report.get("rejected")
    ]
    storage.delete(rejected)
    job.files = [file for file in job.files if file not in rejected]
    job.status = JobStatus.QUEUED
    job.save(update_fields=["files", "status"])

    # The immediate backend of the tests runs the task inside enqueue(), so the
    # job row is saved before and only the task id after.
    result = run_import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    logger.info("import queued school=%s job=%s", job.school_id, job.pk)


def cancel_stale_previews(school: School) -> None:
    # A preview nobody confirmed or cancelled would keep its files forever.
    cutoff = timezone.now() - STALE_PREVIEW
    stale = ImportJob.objects.filter(
        school=school, status=JobStatus.PREVIEW, created_at__lt=cutoff
    )
    for job in stale:
        cancel(job)


def cancel(job: ImportJob) -> None:
    storage.delete(job.files)
    job.status = JobStatus.CANCELLED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    logger.info("import cancelled school=%s job=%s", job.school_id, job.pk)


def run(job_id: int) -> None:
    """The background import: one transaction per file, like the CLI's files."""
    job = ImportJob.objects.select_related("school", "user").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        logger.warning("import job not queued job=%s status=%s", job.pk, job.status)
        return

    job.status = JobStatus.RUNNING
    job.current_file = job.files[0]["name"] if job.files else ""
    job.save(update_fields=["status", "current_file"])

    try:
        import_files(job, lambda report: record_progress(job, report))
        job.status = JobStatus.DONE
    except Exception:
        logger.exception("import job failed job=%s", job.pk)
        job.status = JobStatus.FAILED
        job.error = _(
            "De import is onderbroken door een fout in Koers. Bestanden die al "
            "klaar waren, zijn geïmporteerd; zie de importgeschiedenis."
        )
    finally:
        storage.delete(job.files)
        job.current_file = ""
        job.finished_at = timezone.now()
        job.save()

    logger.info(
        "import job finished school=%s job=%s status=%s files=%d",
        job.school_id,
        job.pk,
        job.status,
        job.files_done,
    )


def record_progress(job: ImportJob, report: dict[str, Any]) -> None:
    job.summaries = [*job.summaries, report]
    job.files_done = len(job.summaries)
    upcoming = job.files[job.files_done : job.files_done + 1]
    job.current_file = upcoming[0]["name"] if upcoming else ""
    job.save(update_fields=["summaries", "files_done", "current_file"])
