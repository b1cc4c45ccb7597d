"""Every import page needs a login and answers 404 for another school's objects."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from koers.imports.models import ImportJob
from koers.results.models import ImportBatch
from koers.results.services import import_file
from koers.schools.models import School

from .conftest import RESULTS

pytestmark = pytest.mark.django_db

# (url name, needs a job, needs a batch, method)
PAGES = [
    ("imports:upload", False, False, "get"),
    ("imports:upload", False, False, "post"),
    ("imports:job", True, False, "get"),
    ("imports:confirm", True, False, "post"),
    ("imports:cancel", True, False, "post"),
    ("imports:history", False, False, "get"),
    ("imports:undo", False, True, "get"),
    ("imports:undo", False, True, "post"),
]


def url_for(name: str, school: School, job: bool, batch: bool) -> str:
    args: list[int] = [school.pk]
    if job:
        args.append(ImportJob.objects.create(school=school).pk)
    if batch:
        summary = import_file("resultaten.csv", RESULTS, school=school)
        assert summary.batch_id is not None
        args.append(summary.batch_id)
    return reverse(name, args=args)


@pytest.mark.parametrize(("name", "job", "batch", "method"), PAGES)
def test_it_sends_an_anonymous_visitor_to_the_login_page(
    school: School, name: str, job: bool, batch: bool, method: str
) -> None:
    url = url_for(name, school, job, batch)

    response = getattr(Client(), method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize(("name", "job", "batch", "method"), PAGES)
def test_it_hides_the_imports_of_another_school(
    staff: Client,
    other_school: School,
    name: str,
    job: bool,
    batch: bool,
    method: str,
) -> None:
    url = url_for(name, other_school, job, batch)
    jobs_before = list(ImportJob.objects.values_list("pk", "status"))

    response = getattr(staff, method)(url)

    assert response.status_code == 404
    assert list(ImportJob.objects.values_list("pk", "status")) == jobs_before
    assert not ImportBatch.objects.filter(undone_at__isnull=False).exists()


def test_it_hides_a_job_of_another_school_behind_the_users_own_school(
    staff: Client, school: School, other_school: School, member: User
) -> None:
    foreign = ImportJob.objects.create(school=other_school)

    response = staff.get(reverse("imports:job", args=[school.pk, foreign.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["imports:confirm", "imports:cancel"])
def test_it_refuses_get_on_the_actions(
    staff: Client, school: School, name: str
) -> None:
    job = ImportJob.objects.create(school=school)

    response = staff.get(reverse(name, args=[school.pk, job.pk]))

    assert response.status_code == 405
