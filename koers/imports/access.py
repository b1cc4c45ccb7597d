"""The imports and uploads a user may see: those of the schools where the user
may import."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from koers.imports.models import ImportJob
from koers.results.models import ImportBatch
from koers.schools.access import get_school


def get_job(request: HttpRequest, school_id: int, job_id: int) -> ImportJob:
    school = get_school(request, school_id)
    job = ImportJob.objects.filter(pk=job_id, school=school).first()
    if job is None:
        raise Http404
    return job


def get_batch(request: HttpRequest, school_id: int, batch_id: int) -> ImportBatch:
    school = get_school(request, school_id)
    batch = ImportBatch.objects.filter(pk=batch_id, school=school).first()
    if batch is None:
        raise Http404
    return batch
