"""The import history of a school and undoing an import from the browser."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from koers.results.models import ImportBatch
from koers.results.models import TestResult as Result
from koers.results.services import import_file
from koers.schools.models import Pupil, School
from koers.tests.helpers import dump_database

from .conftest import RESULTS, ROSTER, results_csv, upload

pytestmark = pytest.mark.django_db

BATCH_TABLE = ImportBatch._meta.db_table
# The audit trail only grows: an undo is recorded, not undone.
AUDIT_TABLE = "auditlog_logentry"


def import_through_the_pages(
    client: Client, school: School, name: str, data: bytes
) -> None:
    client.post(
        reverse("imports:upload", args=[school.pk]), {"uploads": [upload(name, data)]}
    )
    job = school.import_jobs.order_by("-pk").first()
    assert job is not None
    client.post(reverse("imports:confirm", args=[school.pk, job.pk]))


def test_it_lists_every_import_of_the_school_newest_first(
    staff: Client, school: School, other_school: School
) -> None:
    import_file("cli.xml", ROSTER, school=school, imported_by="cli")
    import_through_the_pages(staff, school, "resultaten.csv", RESULTS)
    import_file("andere.csv", RESULTS, school=other_school)

    response = staff.get(reverse("imports:history", args=[school.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("resultaten.csv") < page.index("cli.xml")
    assert "andere.csv" not in page
    assert "tabel met toetsresultaten" in page
    assert "EDEXML" in page
    assert "ib-er" in page
    assert "2 nieuwe resultaten" in page
    newest = ImportBatch.objects.get(file_name="resultaten.csv")
    oldest = ImportBatch.objects.get(file_name="cli.xml")
    assert reverse("imports:undo", args=[school.pk, newest.pk]) in page
    assert reverse("imports:undo", args=[school.pk, oldest.pk]) not in page


def test_it_asks_before_it_undoes_and_says_what_undo_does(
    staff: Client, school: School
) -> None:
    import_through_the_pages(staff, school, "resultaten.csv", RESULTS)
    batch = ImportBatch.objects.get()

    response = staff.get(reverse("imports:undo", args=[school.pk, batch.pk]))

    page = response.content.decode()
    assert "Wat ongedaan maken doet" in page
    assert "Wat het niet doet" in page
    assert "Ja, maak deze import ongedaan" in page
    assert Result.objects.count() == 2


def test_it_undoes_an_import_and_imports_it_again(
    staff: Client, school: School
) -> None:
    import_through_the_pages(staff, school, "leerlingen.xml", ROSTER)
    before = dump_database(
        exclude=[BATCH_TABLE, AUDIT_TABLE, "imports_importjob", "django_session"]
    )
    corrected = results_csv(
        "9001;Rekenen-Wiskunde;20-01-2025;30;40;III",
        "9002;Rekenen-Wiskunde;21-01-2025;35;60;II",
    )
    import_through_the_pages(staff, school, "resultaten.csv", corrected)
    batch = ImportBatch.objects.get(file_name="resultaten.csv")
    assert Result.objects.count() == 2

    response = staff.post(reverse("imports:undo", args=[school.pk, batch.pk]))

    assert response["Location"] == reverse("imports:history", args=[school.pk])
    assert Result.objects.count() == 0
    assert Pupil.objects.count() == 2
    assert (
        dump_database(
            exclude=[BATCH_TABLE, AUDIT_TABLE, "imports_importjob", "django_session"]
        )
        == before
    )
    page = staff.get(response["Location"]).content.decode()
    assert "is ongedaan gemaakt" in page
    assert "ongedaan gemaakt op" in page

    import_through_the_pages(staff, school, "resultaten.csv", corrected)
    assert Result.objects.count() == 2
    assert ImportBatch.objects.filter(file_name="resultaten.csv").count() == 2


def test_it_says_why_an_older_import_cannot_be_undone(
    staff: Client, school: School
) -> None:
    import_file("leerlingen.xml", ROSTER, school=school)
    import_file("resultaten.csv", RESULTS, school=school)
    roster = ImportBatch.objects.get(file_name="leerlingen.xml")

    page = staff.get(reverse("imports:undo", args=[school.pk, roster.pk]))
    response = staff.post(reverse("imports:undo", args=[school.pk, roster.pk]))

    assert "Maak eerst die imports ongedaan" in page.content.decode()
    roster.refresh_from_db()
    assert roster.undone_at is None
    assert Pupil.objects.count() == 2
    assert (
        "Maak eerst die imports ongedaan"
        in staff.get(response["Location"]).content.decode()
    )
