"""The schoolweging page: per school year the schoolweging and the school's own
1S/2F signaleringswaarde, stored where `outcomes_for` reads them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from koers.analysis.services import outcomes_for
from koers.lib.analysis.outcomes import SignalSource
from koers.schools.models import School, SchoolWeighting, SchoolYear
from koers.schoolsettings.tests.support import member_of
from koers.tests.helpers import dump_database, make_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def school() -> School:
    return make_school()


@pytest.fixture
def client(school: School) -> Client:
    return member_of(school)


def page_url(school: School) -> str:
    return reverse("schoolsettings:weightings", args=[school.pk])


def test_it_saves_a_schoolweging_that_outcomes_use(
    school: School, client: Client
) -> None:
    response = client.post(
        page_url(school), {"school_year": "2024-2025", "value": "30,61"}
    )

    assert response.status_code == 302
    weighting = SchoolWeighting.objects.get(school=school)
    assert weighting.school_year.start_year == 2024
    assert weighting.value == Decimal("30.61")
    assert weighting.signal_value_1s2f is None
    report = outcomes_for(school)
    assert report.school_weighting == Decimal("30.61")
    assert report.signal_value_1s2f == Decimal("45.5")
    assert report.signal_source == SignalSource.SHIPPED_TABLE


def test_the_schools_own_signal_value_wins(school: School, client: Client) -> None:
    client.post(
        page_url(school),
        {"school_year": "2024-2025", "value": "33,2", "signal_value_1s2f": "41,7"},
    )

    report = outcomes_for(school)
    assert report.signal_value_1s2f == Decimal("41.7")
    assert report.signal_source == SignalSource.SCHOOL


def test_saving_a_year_again_replaces_its_values(
    school: School, client: Client
) -> None:
    client.post(page_url(school), {"school_year": "2024-2025", "value": "30"})
    client.post(page_url(school), {"school_year": "2024/2025", "value": "31,5"})

    assert SchoolWeighting.objects.get(school=school).value == Decimal("31.50")


def test_it_says_when_koers_has_no_signal_value_for_the_band(
    school: School, client: Client
) -> None:
    year, _ = SchoolYear.objects.get_or_create(start_year=2024)
    SchoolWeighting.objects.create(
        school=school, school_year=year, value=Decimal("33.2")
    )

    page = client.get(page_url(school)).content.decode()

    assert "niet bekend: vul de eigen waarde in" in page
    assert "Koers kent de waarde voor deze categorie niet" in page
    assert "33,2" in page


def test_it_fills_the_form_with_a_stored_year(school: School, client: Client) -> None:
    year, _ = SchoolYear.objects.get_or_create(start_year=2023)
    SchoolWeighting.objects.create(
        school=school,
        school_year=year,
        value=Decimal("28.10"),
        signal_value_1s2f=Decimal(49),
    )

    response = client.get(page_url(school) + "?jaar=2023")

    assert response.context["form"].initial == {
        "school_year": "2023-2024",
        "value": Decimal("28.10"),
        "signal_value_1s2f": Decimal(49),
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"school_year": "2024-2025", "value": "45"}, "ligt tussen 20 en 40."),
        ({"school_year": "2024-2025", "value": "19,99"}, "ligt tussen 20 en 40."),
        ({"school_year": "2024-2025", "value": "dertig"}, "Vul een getal in"),
        (
            {"school_year": "volgend jaar", "value": "30"},
            "is geen schooljaar; schrijf het als 2025-2026.",
        ),
        (
            {"school_year": "2024-2025", "value": "30", "signal_value_1s2f": "120"},
            "Een percentage ligt tussen 0 en 100.",
        ),
    ],
)
def test_it_refuses_a_bad_value_and_changes_nothing(
    school: School, client: Client, data: dict[str, str], message: str
) -> None:
    before = dump_database()

    response = client.post(page_url(school), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "Er is niets opgeslagen." in page
    assert dump_database() == before


def test_it_deletes_a_year(school: School, client: Client) -> None:
    year, _ = SchoolYear.objects.get_or_create(start_year=2024)
    SchoolWeighting.objects.create(school=school, school_year=year, value=Decimal(30))

    response = client.post(
        reverse("schoolsettings:weighting-delete", args=[school.pk, 2024])
    )

    assert response.status_code == 302
    assert not SchoolWeighting.objects.filter(school=school).exists()
