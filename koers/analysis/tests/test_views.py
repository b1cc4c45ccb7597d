"""The pages: home, school, group and pupil overview. Login, scoping to the user's
schools, the year and moment filters, empty states and flag explanations."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from koers.analysis.presenters import VerdictView
from koers.lib.records import Period
from koers.schools.models import (
    Enrolment,
    Group,
    Pupil,
    SchoolYear,
)
from koers.tests.helpers import make_school, member_of, small_school

pytestmark = pytest.mark.django_db


def detail_urls(data: dict[str, Any]) -> list[str]:
    return [
        reverse("analysis:school-overview", args=[data["school"].pk]),
        reverse("analysis:group-overview", args=[data["group"].pk]),
        reverse("analysis:pupil-overview", args=[data["anna"].pk]),
    ]


def test_it_sends_an_anonymous_visitor_to_the_login_page() -> None:
    data = small_school()
    client = Client()

    for url in [reverse("analysis:home"), *detail_urls(data)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_it_shows_a_dutch_login_page() -> None:
    response = Client().get(reverse("account_login"))

    assert response.status_code == 200
    assert "Inloggen bij Koers" in response.content.decode()


def test_it_sends_a_user_of_one_school_straight_to_its_start_page() -> None:
    data = small_school()
    client = member_of(data["school"])

    response = client.get(reverse("analysis:home"))

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "analysis:school-start", args=[data["school"].pk]
    )


def test_it_lists_the_schools_of_a_user_with_several() -> None:
    first = make_school("11AA", "Eerste school")
    second = make_school("22BB", "Tweede school")
    make_school("33CC", "Andermans school")

    response = member_of(first, second).get(reverse("analysis:home"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Uw scholen" in page
    assert "Eerste school" in page and "Tweede school" in page
    assert "Andermans school" not in page


def test_it_tells_a_user_without_a_school_how_to_get_access() -> None:
    response = member_of().get(reverse("analysis:home"))

    assert response.status_code == 200
    assert "nog geen toegang tot een school" in response.content.decode()


def test_it_shows_the_school_overview_to_a_member() -> None:
    data = small_school()

    response = member_of(data["school"]).get(
        reverse("analysis:school-overview", args=[data["school"].pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Schooloverzicht" in page
    assert "OBS De Proef" in page
    assert "Rekenen" in page
    # Latest year with results: 2024-2025, whose only group is 5A (two pupils).
    assert response.context["year"] == 2024
    assert [link.group.name for link in response.context["groups"]] == ["5A"]
    assert "2 leerlingen" in page


def test_it_shows_the_group_overview_with_its_pupils() -> None:
    data = small_school()

    response = member_of(data["school"]).get(
        reverse("analysis:group-overview", args=[data["group"].pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Groepsoverzicht" in page
    assert "groep 5A" in page
    assert "Anna Appel" in page
    assert "Bram Boom" in page


def test_it_shows_the_pupil_overview_with_the_flag_explanation() -> None:
    data = small_school()

    response = member_of(data["school"]).get(
        reverse("analysis:pupil-overview", args=[data["anna"].pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Leerlingoverzicht" in page
    assert "Anna Appel" in page
    # Index 5, 6 and 7 at the last three results: all below 10 and a rise of only
    # 2 points, so the default rule "Blijvend laag" fires.
    assert "Blijvend laag" in page
    assert "onder 10" in page
    assert "+2 punten" in page
    # Both placements are listed: 4A in 2023-2024 and 5A in 2024-2025.
    assert "2023-2024" in page and "2024-2025" in page


def test_it_shows_no_flag_for_a_pupil_without_one() -> None:
    data = small_school()

    response = member_of(data["school"]).get(
        reverse("analysis:pupil-overview", args=[data["bram"].pk])
    )

    page = response.content.decode()
    assert "Bram Boom" in page
    assert "Geen signalen volgens de regels van de school." in page
    assert "Blijvend laag" not in page


def test_it_answers_404_for_everything_of_another_school() -> None:
    mine = small_school("11AA", "Mijn school")
    theirs = small_school("22BB", "Andere school")
    client = member_of(mine["school"])

    for url in detail_urls(theirs):
        assert client.get(url).status_code == 404
    for url in detail_urls(mine):
        assert client.get(url).status_code == 200


def test_it_answers_404_for_an_id_that_does_not_exist() -> None:
    data = small_school()
    client = member_of(data["school"])

    assert (
        client.get(reverse("analysis:school-overview", args=[9999])).status_code == 404
    )
    assert (
        client.get(reverse("analysis:group-overview", args=[9999])).status_code == 404
    )
    assert (
        client.get(reverse("analysis:pupil-overview", args=[9999])).status_code == 404
    )


def test_it_selects_the_year_and_moment_from_the_query_string() -> None:
    data = small_school()
    client = member_of(data["school"])
    url = reverse("analysis:school-overview", args=[data["school"].pk])

    # 2023-2024 has Anna's M and E results; the latest moment is the default.
    default = client.get(url, {"jaar": "2023"})
    middle = client.get(url, {"jaar": "2023-2024", "moment": "m"})
    unknown = client.get(url, {"jaar": "1999", "moment": "X"})

    assert default.context["year"] == 2023
    assert default.context["periods"] == [Period.MIDDLE, Period.END]
    assert default.context["period"] == Period.END
    assert [link.group.name for link in default.context["groups"]] == ["4A"]
    assert middle.context["year"] == 2023
    assert middle.context["period"] == Period.MIDDLE
    assert '<option value="M" selected>' in middle.content.decode()
    # An unknown year or moment falls back to the latest.
    assert unknown.context["year"] == 2024
    assert unknown.context["period"] == Period.MIDDLE


def test_it_selects_the_moment_of_the_group_overview() -> None:
    data = small_school()
    client = member_of(data["school"])
    url = reverse("analysis:group-overview", args=[data["previous_group"].pk])

    # Group 4A (2023-2024): Anna's M and E results.
    assert client.get(url).context["period"] == Period.END
    assert client.get(url, {"moment": "M"}).context["period"] == Period.MIDDLE


def test_it_renders_every_page_for_a_school_without_results() -> None:
    school = make_school("11AA", "Lege school")
    year = SchoolYear.objects.create(start_year=2025)
    group = Group.objects.create(school=school, school_year=year, name="3B")
    pupil = Pupil.objects.create(
        school=school, key="1", surname="Leeg", preferred_name="Lia"
    )
    client = member_of(school)

    school_page = client.get(reverse("analysis:school-overview", args=[school.pk]))
    group_page = client.get(reverse("analysis:group-overview", args=[group.pk]))
    pupil_page = client.get(reverse("analysis:pupil-overview", args=[pupil.pk]))

    assert school_page.status_code == 200
    assert "nog geen resultaten geïmporteerd" in school_page.content.decode()
    assert "Nog geen doorstroomtoetsresultaten." in school_page.content.decode()
    assert group_page.status_code == 200
    assert "groep 3B" in group_page.content.decode()
    assert pupil_page.status_code == 200
    assert "Lia Leeg" in pupil_page.content.decode()
    assert "nog geen resultaten met een index" in pupil_page.content.decode()


def test_it_answers_404_with_a_dutch_page(settings: Any) -> None:
    settings.DEBUG = False
    data = small_school()
    client = member_of(data["school"])

    response = client.get(reverse("analysis:group-overview", args=[9999]))

    assert response.status_code == 404
    assert "Deze pagina bestaat niet" in response.content.decode()


@pytest.mark.parametrize(
    ("margin", "met", "text"),
    [
        # 19.96 against a target of 20 is a miss that rounds to 0.0.
        (-0.04, False, "net niet (19,96)"),
        (-1.26, False, "\u22121,3"),
        (0.0, True, "+0,0"),
        (7.15, True, "+7,2"),
    ],
)
def test_it_writes_the_margin_of_a_verdict_so_it_agrees_with_the_mark(
    margin: float, met: bool, text: str
) -> None:
    view = VerdictView("p80", 20.0, 20.0 + margin, met, margin)

    assert view.margin_text == text


def test_it_names_the_pupils_of_the_group_without_a_result() -> None:
    data = small_school()
    absent = Pupil.objects.create(
        school=data["school"], key="11AA-3", surname="Claes", preferred_name="Cas"
    )
    Enrolment.objects.create(pupil=absent, group=data["group"], grade="5")

    response = member_of(data["school"]).get(
        reverse("analysis:group-overview", args=[data["group"].pk])
    )

    page = response.content.decode()
    # Anna and Bram took rekenen at M5; Cas is in the group but has no result.
    assert "Geen resultaat op dit moment" in page
    assert "Cas Claes" in page
