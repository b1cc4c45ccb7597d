"""Every settings page: login required, another school's id answers 404 for GET
and POST and changes nothing, CSRF is checked, and a wrong method answers 405."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from koers.schools.models import SchoolWeighting, SchoolYear
from koers.schoolsettings.tests.support import member_of
from koers.tests.helpers import dump_database, make_school, small_school

pytestmark = pytest.mark.django_db

# (URL name, extra arguments after the school id, answers GET)
PAGES = [
    ("schoolsettings:index", [], True),
    ("schoolsettings:ambitions", [], True),
    ("schoolsettings:ambitions-edit", [], True),
    ("schoolsettings:ambitions-file", [], True),
    ("schoolsettings:flag-rules", [], True),
    ("schoolsettings:norms", [], True),
    ("schoolsettings:weightings", [], True),
    ("schoolsettings:weighting-delete", [2024], False),
]
READ_ONLY = ("schoolsettings:index", "schoolsettings:ambitions")
POST_PAGES = [page for page in PAGES if page[0] not in READ_ONLY]


def url_of(name: str, school_id: int, extra: list[int]) -> str:
    return reverse(name, args=[school_id, *extra])


@pytest.mark.parametrize(("name", "extra", "gets"), PAGES)
def test_it_sends_an_anonymous_visitor_to_the_login_page(
    name: str, extra: list[int], gets: bool
) -> None:
    school = make_school()
    url = url_of(name, school.pk, extra)

    for response in (Client().get(url), Client().post(url)):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize(("name", "extra", "gets"), PAGES)
def test_it_answers_404_for_another_schools_id(
    name: str, extra: list[int], gets: bool
) -> None:
    own = make_school("11AA", "Eigen school")
    other = small_school("22BB", "Andere school")["school"]
    year, _ = SchoolYear.objects.get_or_create(start_year=2024)
    SchoolWeighting.objects.create(school=other, school_year=year, value=Decimal(30))
    client = member_of(own)
    url = url_of(name, other.pk, extra)
    before = dump_database()

    # An address refuses a method it never takes before it looks at the school.
    posted = client.post(url, {"school_year": "2024-2025", "value": "31"})
    assert client.get(url).status_code == (404 if gets else 405)
    assert posted.status_code == (405 if name in READ_ONLY else 404)
    assert dump_database() == before


@pytest.mark.parametrize(("name", "extra", "gets"), PAGES)
def test_it_shows_each_page_to_a_member(
    name: str, extra: list[int], gets: bool
) -> None:
    school = small_school()["school"]
    client = member_of(school)

    response = client.get(url_of(name, school.pk, extra))

    if gets:
        assert response.status_code == 200
        assert "OBS De Proef" in response.content.decode()
    else:
        assert response.status_code == 405


@pytest.mark.parametrize(("name", "extra", "gets"), POST_PAGES)
def test_it_refuses_a_post_without_csrf_token(
    name: str, extra: list[int], gets: bool
) -> None:
    school = small_school()["school"]
    year, _ = SchoolYear.objects.get_or_create(start_year=2024)
    SchoolWeighting.objects.create(school=school, school_year=year, value=Decimal(30))
    client = member_of(school, csrf=True)
    before = dump_database()

    response = client.post(
        url_of(name, school.pk, extra), {"school_year": "2024-2025", "value": "31"}
    )

    assert response.status_code == 403
    assert dump_database() == before


def test_the_start_page_links_every_settings_page() -> None:
    school = make_school()

    page = member_of(school).get(reverse("schoolsettings:index", args=[school.pk]))

    text = page.content.decode()
    for name in (
        "schoolsettings:ambitions",
        "schoolsettings:flag-rules",
        "schoolsettings:norms",
        "schoolsettings:weightings",
    ):
        assert reverse(name, args=[school.pk]) in text
    assert "Instellingen" in text


@pytest.mark.parametrize("name", READ_ONLY)
def test_a_read_only_page_refuses_a_post(name: str) -> None:
    school = make_school()

    response = member_of(school).post(reverse(name, args=[school.pk]))

    assert response.status_code == 405
