"""The imports and uploads a user may see: those of the user's own schools."""

from __future__ import annotations

from django.http import Http404

from koers.imports.models import ImportJob
from koers.results.models import ImportBatch
from koers.schools.access import AnyUser, get_school_for_user


def get_job_for_user(user: AnyUser, school_id: int, job_id: int) -> ImportJob:
    school = get_school_for_user(user, school_id)
    job = ImportJob.objects.filter(pk=job_id, school=school).first()
    if job is None:
        raise Http404
    return job


def get_batch_for_user(user: AnyUser, school_id: int, batch_id: int) -> ImportBatch:
    school = get_school_for_user(user, school_id)
    batch = ImportBatch.objects.filter(pk=batch_id, school=school).first()
    if batch is None:
        raise Http404
    return batch
