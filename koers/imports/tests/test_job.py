"""Confirming queues the import; the task imports, reports and deletes the upload."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from koers.imports import services
from koers.imports.models import ImportJob, JobStatus
from koers.results.models import ImportBatch
from koers.results.models import TestResult as Result
from koers.schools.models import Pupil, School

from .conftest import RESULTS, ROSTER, results_csv, upload

pytestmark = pytest.mark.django_db


def preview_job(client: Client, school: School, *files: tuple[str, bytes]) -> ImportJob:
    uploads = [upload(name, data) for name, data in files]
    client.post(reverse("imports:upload", args=[school.pk]), {"uploads": uploads})
    return ImportJob.objects.get()


def test_it_imports_the_files_when_the_user_confirms(
    staff: Client, school: School, upload_dir: Path
) -> None:
    job = preview_job(
        staff, school, ("leerlingen.xml", ROSTER), ("resultaten.csv", RESULTS)
    )

    response = staff.post(reverse("imports:confirm", args=[school.pk, job.pk]))

    job.refresh_from_db()
    assert response["Location"] == reverse("imports:job", args=[school.pk, job.pk])
    assert job.status == JobStatus.DONE
    assert job.task_id
    assert (job.files_done, job.files_total) == (2, 2)
    assert job.finished_at is not None
    assert Pupil.objects.filter(school=school).count() == 2
    assert Result.objects.filter(pupil__school=school).count() == 2
    assert ImportBatch.objects.filter(school=school, imported_by="ib-er").count() == 2
    # The preview's numbers are the import's numbers.
    assert [r["counts"] for r in job.summaries] == [r["counts"] for r in job.preview]
    assert list(upload_dir.iterdir()) == []

    page = staff.get(response["Location"]).content.decode()
    assert "Klaar" in page
    assert "2 van 2 bestanden klaar" in page
    assert "2 nieuwe resultaten" in page
    assert "hx-trigger" not in page


def test_it_skips_the_rejected_files_and_imports_the_others(
    staff: Client, school: School
) -> None:
    job = preview_job(
        staff, school, ("kapot.xml", ROSTER[:-20]), ("resultaten.csv", RESULTS)
    )

    staff.post(reverse("imports:confirm", args=[school.pk, job.pk]))

    job.refresh_from_db()
    assert [file["name"] for file in job.files] == ["resultaten.csv"]
    assert [report["file"] for report in job.summaries] == ["resultaten.csv"]
    assert Result.objects.count() == 2


def test_it_polls_the_progress_while_the_import_waits(
    staff: Client, school: School, settings: Any
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}
    }
    job = preview_job(staff, school, ("resultaten.csv", RESULTS))
    staff.post(reverse("imports:confirm", args=[school.pk, job.pk]))
    url = reverse("imports:job", args=[school.pk, job.pk])

    page = staff.get(url).content.decode()
    partial = staff.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "Wacht op verwerking" in page
    assert "0 van 1 bestanden klaar" in page
    assert 'hx-trigger="every 2s"' in page
    assert "htmx" in page
    assert '<meta http-equiv="refresh"' in page
    assert partial.lstrip().startswith('<section id="job-status"')
    assert "<html" not in partial
    assert not Result.objects.exists()


def test_it_imports_several_files_one_after_another(school: School) -> None:
    job = ImportJob.objects.create(school=school, status=JobStatus.QUEUED)
    second = results_csv("9003;Rekenen-Wiskunde;22-01-2025;30;40;III")
    job.files = [
        services.store_upload(upload("a.csv", RESULTS)),
        services.store_upload(upload("b.csv", second)),
    ]
    job.save()

    services.run(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.files_done == 2
    assert Result.objects.count() == 3


def test_it_marks_a_job_failed_when_the_import_breaks(
    school: School, upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = ImportJob.objects.create(school=school, status=JobStatus.QUEUED)
    job.files = [services.store_upload(upload("a.csv", RESULTS))]
    job.save()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "import_file", broken)
    services.run(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "onderbroken" in job.error
    assert list(upload_dir.iterdir()) == []


def test_it_runs_a_job_only_once(school: School) -> None:
    job = ImportJob.objects.create(school=school, status=JobStatus.DONE)

    services.run(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
