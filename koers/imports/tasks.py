"""Background work of the imports app, run by `koers manage db_worker`."""

from __future__ import annotations

from django.tasks import task

from koers.imports import services


@task
def run_import_job(job_id: int) -> None:
    services.run(job_id)
