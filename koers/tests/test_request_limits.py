"""Request limits (security.md WEB-9, IMP-4): too much form data, too many fields
or too many files get 400 and Koers's Dutch page, before any view stores a thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from koers.imports.forms import MAX_FILES
from koers.imports.models import ImportJob
from koers.schools.models import School, SchoolWeighting
from koers.tests.accounts import make_user, sign_in
from koers.tests.helpers import make_school

pytestmark = pytest.mark.django_db

RESULTS = b"Leerlingnummer;Toets;Afnamedatum;Ruwe score\n9001;Rekenen;20-01-2025;30\n"
REFUSED = "Dit verzoek kan Koers niet verwerken"


@pytest.fixture
def school() -> School:
    return make_school()


@pytest.fixture
def staff(school: School) -> Client:
    return sign_in(make_user("ib-er", school))


@pytest.fixture
def upload_dir(settings: Any, tmp_path: Path) -> Path:
    settings.KOERS_UPLOAD_DIR = tmp_path / "uploads"
    return Path(settings.KOERS_UPLOAD_DIR)


def post_files(client: Client, school: School, count: int) -> Any:
    files = [
        SimpleUploadedFile(f"resultaten-{number}.csv", RESULTS)
        for number in range(count)
    ]
    return client.post(reverse("imports:upload", args=[school.pk]), {"uploads": files})


def test_more_form_data_than_a_megabyte_gets_400(staff: Client, school: School) -> None:
    page = reverse("schoolsettings:weightings", args=[school.pk])
    too_much = "9" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = staff.post(page, {"school_year": "2024", "value": too_much})

    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not SchoolWeighting.objects.exists()


def test_more_fields_than_the_limit_gets_400(staff: Client, school: School) -> None:
    page = reverse("schoolsettings:weightings", args=[school.pk])
    fields = {f"veld{number}": "1" for number in range(1001)}

    response = staff.post(page, fields)

    assert response.status_code == 400
    assert REFUSED in response.content.decode()


def test_more_files_than_the_import_takes_gets_400_and_stores_nothing(
    staff: Client, school: School, upload_dir: Path
) -> None:
    response = post_files(staff, school, MAX_FILES + 2)

    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not upload_dir.exists() or not any(upload_dir.iterdir())


def test_one_file_too_many_still_gets_the_forms_own_message(
    staff: Client, school: School, upload_dir: Path
) -> None:
    response = post_files(staff, school, MAX_FILES + 1)

    assert response.status_code == 200
    assert "Kies hoogstens 20 bestanden tegelijk." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_twenty_files_are_taken(
    staff: Client, school: School, upload_dir: Path
) -> None:
    response = post_files(staff, school, MAX_FILES)

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert len(job.files) == MAX_FILES
