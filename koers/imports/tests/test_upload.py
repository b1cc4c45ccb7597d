"""The upload page and the preview: nothing is written before the user confirms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from koers.imports.models import ImportJob, JobStatus
from koers.results.models import ImportBatch
from koers.results.models import TestResult as Result
from koers.schools.models import Pupil, School
from koers.tests.accounts import sign_in
from koers.tests.helpers import dump_database

from .conftest import RESULTS, ROSTER, upload

pytestmark = pytest.mark.django_db

JOB_TABLE = ImportJob._meta.db_table


def post_files(client: Client, school: School, *files: tuple[str, bytes]) -> Any:
    uploads = [upload(name, data) for name, data in files]
    return client.post(
        reverse("imports:upload", args=[school.pk]), {"uploads": uploads}
    )


def test_it_shows_a_dutch_upload_form_for_several_files(
    staff: Client, school: School
) -> None:
    response = staff.get(reverse("imports:upload", args=[school.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in page
    assert "multiple" in page
    assert 'enctype="multipart/form-data"' in page
    assert "csrfmiddlewaretoken" in page
    assert "Bestanden" in page
    assert "Koers herkent het formaat aan de inhoud" in page


def test_it_refuses_an_upload_without_the_csrf_token(
    member: User, school: School
) -> None:
    client = sign_in(member, Client(enforce_csrf_checks=True))

    response = post_files(client, school, ("resultaten.csv", RESULTS))

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_it_previews_the_files_and_writes_nothing(
    staff: Client, school: School
) -> None:
    before = dump_database(exclude=[JOB_TABLE, "django_session"])

    response = post_files(
        staff, school, ("resultaten.csv", RESULTS), ("leerlingen.xml", ROSTER)
    )

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:job", args=[school.pk, job.pk])
    assert dump_database(exclude=[JOB_TABLE, "django_session"]) == before
    assert job.status == JobStatus.PREVIEW
    # Rosters go first, so that the results find the pupils of the roster.
    assert [report["file"] for report in job.preview] == [
        "leerlingen.xml",
        "resultaten.csv",
    ]
    roster, results = job.preview
    assert roster["counts"]["pupils_created"] == 2
    assert results["counts"]["results_created"] == 2
    assert "pupils_created" not in results["counts"]

    page = staff.get(response["Location"]).content.decode()
    assert "Controleer wat er zou veranderen" in page
    assert "2 nieuwe leerlingen" in page
    assert "2 nieuwe resultaten" in page
    assert "EDEXML" in page
    assert reverse("imports:confirm", args=[school.pk, job.pk]) in page


def test_it_lists_skipped_rows_with_their_reason(staff: Client, school: School) -> None:
    data = RESULTS + b"9003;Rekenen-Wiskunde;;30;40;III\n"

    post_files(staff, school, ("resultaten.csv", data))

    job = ImportJob.objects.get()
    page = staff.get(reverse("imports:job", args=[school.pk, job.pk])).content.decode()
    (skipped,) = job.preview[0]["skipped"]
    assert "1 regel overgeslagen" in page
    assert skipped["where"] in page
    assert skipped["reason"] in page


def test_it_shows_why_a_file_is_rejected_and_writes_nothing(
    staff: Client, school: School
) -> None:
    before = dump_database(exclude=[JOB_TABLE, "django_session"])

    post_files(staff, school, ("kapot.xml", ROSTER[:-20]))

    job = ImportJob.objects.get()
    page = staff.get(reverse("imports:job", args=[school.pk, job.pk])).content.decode()
    (report,) = job.preview
    assert report["rejected"]
    assert report["message"].startswith("kapot.xml")
    assert "Het bestand kapot.xml is afgewezen" in page
    assert report["message"] in page
    assert "Geen enkel bestand kan worden geïmporteerd" in page
    assert dump_database(exclude=[JOB_TABLE, "django_session"]) == before

    staff.post(reverse("imports:confirm", args=[school.pk, job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEW
    assert not ImportBatch.objects.exists()


def test_an_empty_file_is_named_in_the_preview_beside_the_others(
    staff: Client, school: School
) -> None:
    post_files(staff, school, ("leeg.csv", b""), ("leerlingen.xml", ROSTER))

    job = ImportJob.objects.get()
    page = staff.get(reverse("imports:job", args=[school.pk, job.pk])).content.decode()
    rejected = [report for report in job.preview if report.get("rejected")]
    assert [report["message"] for report in rejected] == [
        "leeg.csv: het bestand is leeg"
    ]
    assert "Het bestand leeg.csv is afgewezen" in page
    assert "leerlingen.xml" in page
    assert "Geen enkel bestand kan worden geïmporteerd" not in page


def test_it_rejects_a_file_of_another_school(staff: Client, school: School) -> None:
    roster = ROSTER.replace(b"11AA", b"22BB")

    post_files(staff, school, ("leerlingen.xml", roster))

    (report,) = ImportJob.objects.get().preview
    assert report["rejected"]
    assert "22BB" in report["message"]
    assert not Pupil.objects.exists()


def test_it_refuses_a_file_bigger_than_the_limit(
    staff: Client, school: School, settings: Any, upload_dir: Path
) -> None:
    settings.KOERS_MAX_IMPORT_BYTES = 100

    response = post_files(
        staff, school, ("groot.csv", RESULTS * 5), ("klein.csv", RESULTS[:90])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Te groot (meer dan 100" in page
    assert "groot.csv" in page
    assert "Er is niets geüpload" in page
    assert not ImportJob.objects.exists()
    assert not Result.objects.exists()
    assert not upload_dir.exists() or list(upload_dir.iterdir()) == []


def test_it_stores_uploads_under_generated_names_outside_the_static_files(
    staff: Client, school: School, upload_dir: Path
) -> None:
    post_files(staff, school, ("../../etc/passwd.csv", RESULTS))

    (file,) = ImportJob.objects.get().files
    stored = list(upload_dir.iterdir())
    assert [path.name for path in stored] == [file["stored"]]
    assert file["name"] == "passwd.csv"
    assert stored[0].read_bytes() == RESULTS
    assert not (upload_dir.parent / "etc").exists()


def test_it_cancels_a_preview_and_deletes_the_upload(
    staff: Client, school: School, upload_dir: Path
) -> None:
    post_files(staff, school, ("resultaten.csv", RESULTS))
    job = ImportJob.objects.get()

    response = staff.post(reverse("imports:cancel", args=[school.pk, job.pk]))

    job.refresh_from_db()
    assert response.status_code == 302
    assert job.status == JobStatus.CANCELLED
    assert list(upload_dir.iterdir()) == []
    assert not Result.objects.exists()


def test_it_cancels_previews_left_for_more_than_a_day(
    staff: Client, school: School, upload_dir: Path
) -> None:
    post_files(staff, school, ("oud.csv", RESULTS))
    old = ImportJob.objects.get()
    ImportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )

    post_files(staff, school, ("nieuw.csv", RESULTS))

    old.refresh_from_db()
    assert old.status == JobStatus.CANCELLED
    assert [path.name for path in upload_dir.iterdir()] == [
        ImportJob.objects.get(status=JobStatus.PREVIEW).files[0]["stored"]
    ]
