"""The norm table page: loading a table reindexes results, a broken table is
refused with its row and column and changes nothing, and the page says which of
the school's tests have no norm rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from koers.results import models as results
from koers.results.models import Instrument, NormRow
from koers.schoolsettings.tests.support import member_of
from koers.tests.helpers import dump_database, make_school, small_school

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db

HEADER = (
    "instrument;generation;norm_version;moment;population;national_mean;national_sd"
)
GOOD_TABLE = f"{HEADER}\nRekenen-Wiskunde;3.0;2023;M5;pupils;152,0;14,5\n"


@pytest.fixture
def data() -> dict[str, Any]:
    """The small school, plus a result at M5 with an ability score of 166.5 and
    level II but no percentile: without norms its index is the middle of II."""
    data = small_school()
    data["scored"] = results.TestResult.objects.create(
        pupil=data["bram"],
        instrument=Instrument.objects.get(name="Rekenen-Wiskunde"),
        school_year=data["year"],
        period="M",
        moment_grade="5",
        grade_at_test="5",
        administered_on=dt.date(2025, 1, 25),
        ability_score=Decimal("166.5"),
        level_iv="II",
        index_value=70.0,
        index_source="level_band",
        index_coarse=True,
    )
    return data


@pytest.fixture
def client(data: dict[str, Any]) -> Client:
    """The installation's administrator, who alone may load a norm table: it
    holds for every school."""
    client = member_of(data["school"])
    User.objects.filter(username="ib-er").update(is_superuser=True)
    return client


def test_with_more_schools_a_staff_member_may_not_load_a_table(
    data: dict[str, Any],
) -> None:
    make_school("22BB", "Andere school")
    staff = member_of(data["school"], username="leerkracht")
    before = dump_database()

    response = upload(staff, data, GOOD_TABLE)
    page = staff.get(reverse("schoolsettings:norms", args=[data["school"].pk]))

    assert response.status_code == 403
    assert dump_database() == before
    assert "alleen de beheerder" in page.content.decode()
    assert 'type="file"' not in page.content.decode()


def test_the_one_school_of_an_installation_loads_its_own_table(
    data: dict[str, Any],
) -> None:
    staff = member_of(data["school"], username="ib-er-2")

    upload(staff, data, GOOD_TABLE)

    assert NormRow.objects.filter(instrument="Rekenen-Wiskunde").exists()


def upload(
    client: Client, data: dict[str, Any], content: str
) -> _MonkeyPatchedWSGIResponse:
    file = SimpleUploadedFile("normen.csv", content.encode(), content_type="text/csv")
    url = reverse("schoolsettings:norms", args=[data["school"].pk])
    return client.post(url, {"file": file}, follow=True)


def test_loading_a_table_reindexes_a_result(
    data: dict[str, Any], client: Client
) -> None:
    response = upload(client, data, GOOD_TABLE)

    scored = results.TestResult.objects.get(pk=data["scored"].pk)
    # z = (166.5 - 152.0) / 14.5 = 1.0, and Φ(1.0) = 0.841345: index 84.13.
    assert scored.index_value == pytest.approx(84.1345, abs=1e-4)
    assert scored.index_source == "norm_table"
    assert not scored.index_coarse
    page = response.content.decode()
    assert "1 normregels geladen" in page
    assert "de index van 1 resultaten is opnieuw berekend" in page


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            f"{HEADER}\nRekenen-Wiskunde;3.0;2023;M5;pupils;152,0;0\n",
            "rij 2, kolom national_sd",
        ),
        (f"{HEADER}\nRekenen-Wiskunde;3.0;2023;X5;pupils;152,0;14,5\n", "rij 2"),
        ("instrument;moment\nRekenen-Wiskunde;M5\n", "national_mean"),
        ("\n\n", "Het bestand is leeg."),
    ],
)
def test_a_broken_table_changes_nothing(
    data: dict[str, Any], client: Client, content: str, message: str
) -> None:
    before = dump_database()

    response = upload(client, data, content)

    page = response.content.decode()
    assert message in page
    assert "normen.csv is geweigerd" in page
    assert "Er is niets veranderd." in page
    assert dump_database() == before


def test_it_lists_the_schools_tests_without_norm_rows(
    data: dict[str, Any], client: Client
) -> None:
    url = reverse("schoolsettings:norms", args=[data["school"].pk])

    before = client.get(url).context["coverage"]
    upload(client, data, GOOD_TABLE)
    after = client.get(url)

    assert [(c.moments, c.missing) for c in before] == [
        (("M4", "E4", "M5"), ("M4", "E4", "M5"))
    ]
    assert [(c.moments, c.missing) for c in after.context["coverage"]] == [
        (("M4", "E4", "M5"), ("M4", "E4"))
    ]
    assert after.context["coverage"][0].by_source == {
        "percentile": 4,
        "norm_table": 1,
    }
    page = after.content.decode()
    assert "uit het midden van het niveau" in page
    assert "Rekenen-Wiskunde" in page


def test_it_lists_the_loaded_norm_rows(data: dict[str, Any], client: Client) -> None:
    NormRow.objects.create(
        instrument="Spelling",
        generation="3.0",
        norm_version="2022",
        moment="E6",
        population="group_means",
        national_mean=140.0,
        national_sd=6.0,
    )

    response = client.get(reverse("schoolsettings:norms", args=[data["school"].pk]))

    loaded = response.context["loaded"]
    assert [(n.instrument, n.population, n.moments) for n in loaded] == [
        ("Spelling", "group_means", ("E6",))
    ]
    assert "groepsgemiddelden" in response.content.decode()
