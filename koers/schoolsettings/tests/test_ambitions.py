"""The ambitions pages: the list, the form per scope (with the suggestion) and
loading an ambitions file. Saved targets are checked through `targets_for`, the
function the overviews read them with."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from koers.analysis.models import Ambition, FlagRuleSetting
from koers.analysis.services import end_targets_for, targets_for
from koers.lib.analysis.ambitions import AmbitionMetric, Population
from koers.lib.records import Subject
from koers.schools.models import School, SchoolWeighting, SchoolYear
from koers.schoolsettings.forms import target_fields
from koers.schoolsettings.tests.support import member_of
from koers.tests.helpers import dump_database, make_school

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

pytestmark = pytest.mark.django_db

MATH, READING = Subject.MATH, Subject.READING_COMPREHENSION
P80, P20 = AmbitionMetric.P80, AmbitionMetric.P20
SCHOOL, GROUP = Population.SCHOOL_3_8, Population.GROUP


@pytest.fixture
def school() -> School:
    return make_school()


@pytest.fixture
def client(school: School) -> Client:
    return member_of(school)


def edit_url(school: School, year: str = "") -> str:
    url = reverse("schoolsettings:ambitions-edit", args=[school.pk])
    return f"{url}?jaar={year}" if year else url


def form_data(**values: str) -> dict[str, str]:
    """Every field of the form empty, except the ones given."""
    data = {field.name: "" for field in target_fields()}
    data.update(values)
    return data


def test_it_saves_the_targets_of_one_school_year(
    school: School, client: Client
) -> None:
    response = client.post(
        edit_url(school, "2024"),
        form_data(
            **{
                "school_3_8-rekenen-p80": "25",
                "school_3_8-rekenen-p20": "75,5",
                "group-begrijpend_lezen-p80": "30",
                "end-end_pct_1f": "96",
            }
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("schoolsettings:ambitions", args=[school.pk])
    assert targets_for(school, 2024) == {
        (MATH, P80, SCHOOL): 25.0,
        (MATH, P20, SCHOOL): 75.5,
        (READING, P80, GROUP): 30.0,
    }
    assert targets_for(school, 2023) == {}
    assert end_targets_for(school) == {"end_pct_1f": 96.0}


def test_a_target_of_the_year_wins_over_one_for_every_year(
    school: School, client: Client
) -> None:
    client.post(edit_url(school), form_data(**{"school_3_8-rekenen-p80": "20"}))
    client.post(edit_url(school, "2024"), form_data(**{"school_3_8-rekenen-p80": "28"}))

    assert targets_for(school, 2024) == {(MATH, P80, SCHOOL): 28.0}
    assert targets_for(school, 2025) == {(MATH, P80, SCHOOL): 20.0}
    assert Ambition.objects.filter(school=school).count() == 2


def test_an_empty_field_removes_a_target_and_a_kept_one_keeps_its_rationale(
    school: School, client: Client
) -> None:
    Ambition.objects.create(
        school=school,
        subject="rekenen",
        metric="p80",
        population="school_3_8",
        target=Decimal(20),
        rationale="besproken met het team",
    )
    Ambition.objects.create(
        school=school,
        subject="rekenen",
        metric="p20",
        population="school_3_8",
        target=Decimal(80),
    )

    client.post(edit_url(school), form_data(**{"school_3_8-rekenen-p80": "22"}))

    kept = Ambition.objects.get(school=school)
    assert (kept.metric, kept.target) == ("p80", Decimal(22))
    assert kept.rationale == "besproken met het team"


def test_it_leaves_ambitions_the_form_does_not_show_alone(
    school: School, client: Client
) -> None:
    # An ambitions file may set % on course for technisch lezen, which has no
    # reference level and so no field in the form.
    Ambition.objects.create(
        school=school,
        subject="technisch_lezen",
        metric="pct_1f",
        population="school_3_8",
        target=Decimal(90),
    )

    client.post(edit_url(school), form_data())

    assert Ambition.objects.filter(school=school).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("school_3_8-rekenen-p80", "0", "Een indexdoel ligt tussen 1 en 99."),
        ("school_6_8-spelling-p20", "99,5", "Een indexdoel ligt tussen 1 en 99."),
        ("group-rekenen-pct_1f", "101", "Een percentage ligt tussen 0 en 100."),
        ("end-end_pct_1s2f", "-1", "Een percentage ligt tussen 0 en 100."),
        ("school_3_8-rekenen-p20", "veel", "Vul een getal in, zoals 25 of 62,5."),
        ("school_3_8-rekenen-p20", "50,123", "Hoogstens twee cijfers achter de komma."),
    ],
)
def test_it_refuses_a_value_out_of_range_and_changes_nothing(
    school: School, client: Client, field: str, value: str, message: str
) -> None:
    Ambition.objects.create(
        school=school,
        subject="rekenen",
        metric="p80",
        population="school_3_8",
        target=Decimal(20),
    )
    before = dump_database()

    response = client.post(
        edit_url(school),
        form_data(**{"school_3_8-begrijpend_lezen-p80": "30", field: value}),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "Er is niets opgeslagen." in page
    assert dump_database() == before


def test_it_refuses_a_p80_target_above_the_p20_target(
    school: School, client: Client
) -> None:
    before = dump_database()

    response = client.post(
        edit_url(school),
        form_data(**{"school_3_8-rekenen-p80": "90", "school_3_8-rekenen-p20": "10"}),
    )

    page = response.content.decode()
    assert "kan niet hoger zijn dan het doel voor p20" in page
    assert "Er is niets opgeslagen." in page
    assert dump_database() == before


def test_it_shows_the_current_targets_of_the_scope(
    school: School, client: Client
) -> None:
    year, _ = SchoolYear.objects.get_or_create(start_year=2024)
    Ambition.objects.create(
        school=school,
        school_year=year,
        subject="rekenen",
        metric="p80",
        population="school_3_8",
        target=Decimal("27.50"),
    )

    for_year = client.get(edit_url(school, "2024-2025"))
    for_all = client.get(edit_url(school))

    assert for_year.context["form"].initial == {
        "school_3_8-rekenen-p80": Decimal("27.50")
    }
    assert 'value="27,50"' in for_year.content.decode()
    assert for_all.context["form"].initial == {}


def test_it_fills_in_the_suggestion_for_the_schools_weighting(
    school: School, client: Client
) -> None:
    year, _ = SchoolYear.objects.get_or_create(start_year=2024)
    SchoolWeighting.objects.create(
        school=school, school_year=year, value=Decimal("20.40")
    )

    response = client.get(edit_url(school, "2024") + "&voorstel=1")

    initial = response.context["form"].initial
    page = response.content.decode()
    assert initial["school_3_8-rekenen-p80"] == Decimal(20)
    assert initial["school_6_8-woordenschat-p20"] == Decimal(80)
    assert initial["school_3_8-rekenen-pct_1s2f"] == Decimal(45)
    # Band [20, 21) has signaleringswaarde 68.3, above the national 60.7.
    assert initial["end-end_pct_1s2f"] == Decimal("68.3")
    assert "group-rekenen-p80" not in initial
    assert "Waar de getallen vandaan komen" in page
    assert "Signaleringswaarde 1S/2F: 68,3%" in page
    assert not Ambition.objects.exists()


def test_the_suggestion_can_be_saved_and_overridden(
    school: School, client: Client
) -> None:
    suggested = client.get(edit_url(school, "2024") + "&voorstel=1")
    data = form_data(
        **{
            name: str(value).replace(".", ",")
            for name, value in suggested.context["form"].initial.items()
        }
    )
    data["school_3_8-rekenen-p80"] = "24"

    client.post(edit_url(school, "2024"), data)

    targets = targets_for(school, 2024)
    assert targets[(MATH, P80, SCHOOL)] == 24.0
    assert targets[(MATH, P20, SCHOOL)] == 80.0
    assert targets[(Subject.SPELLING, AmbitionMetric.PCT_1S2F, SCHOOL)] == 63.0
    assert end_targets_for(school) == {"end_pct_1f": 96.3, "end_pct_1s2f": 60.7}


def test_it_answers_404_for_a_year_that_cannot_be_one(
    school: School, client: Client
) -> None:
    assert client.get(edit_url(school, "volgend-jaar")).status_code == 404
    assert client.post(edit_url(school, "1850"), form_data()).status_code == 404


def test_it_lists_the_ambitions_per_scope(school: School, client: Client) -> None:
    year, _ = SchoolYear.objects.get_or_create(start_year=2024)
    Ambition.objects.create(
        school=school,
        subject="rekenen",
        metric="p80",
        population="school_3_8",
        target=Decimal("22.50"),
    )
    Ambition.objects.create(
        school=school,
        school_year=year,
        subject="begrijpend_lezen",
        metric="pct_1s2f",
        population="group",
        target=Decimal(60),
    )

    page = client.get(reverse("schoolsettings:ambitions", args=[school.pk]))

    text = page.content.decode()
    scopes = page.context["scopes"]
    assert [scope.label for scope in scopes] == ["alle schooljaren", "2024-2025"]
    assert "Ambities voor alle schooljaren" in text
    assert "22,5" in text
    assert "Begrijpend lezen" in text
    assert "elke groep" in text


def upload(
    client: Client, school: School, name: str, content: str
) -> _MonkeyPatchedWSGIResponse:
    file = SimpleUploadedFile(name, content.encode(), content_type="text/plain")
    return client.post(
        reverse("schoolsettings:ambitions-file", args=[school.pk]), {"file": file}
    )


def test_it_loads_an_ambitions_file(school: School, client: Client) -> None:
    response = upload(
        client,
        school,
        "ambities.csv",
        "subject;metric;population;target;school_year\n"
        "rekenen;p80;school_3_8;26;2024-2025\n",
    )

    assert response.status_code == 302
    assert targets_for(school, 2024) == {(MATH, P80, SCHOOL): 26.0}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "ambities.csv",
            "subject;metric;population;target\nrekenen;p80;school_3_8;120\n",
            "rij 2, kolom target: 120 ligt niet tussen 1 en 99",
        ),
        (
            "ambities.toml",
            "[flag_rules.onbekend]\nenabled = true\n",
            "Onbekende signaleringsregel &#x27;onbekend&#x27;",
        ),
        ("ambities.toml", "[[ambition]\n", "geen geldig TOML"),
    ],
)
def test_it_refuses_a_broken_ambitions_file_and_changes_nothing(
    school: School, client: Client, name: str, content: str, message: str
) -> None:
    Ambition.objects.create(
        school=school,
        subject="rekenen",
        metric="p80",
        population="school_3_8",
        target=Decimal(20),
    )
    FlagRuleSetting.objects.create(
        school=school, rule="sharp_drop", parameters={"enabled": True}
    )
    before = dump_database()

    response = upload(client, school, name, content)

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "Er is niets veranderd." in page
    assert dump_database() == before
