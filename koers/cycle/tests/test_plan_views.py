"""The onderwijsplan pages: access, the plan and its versions, editing (saving,
validation, frozen versions), a new version and the differences page."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats

from koers.cycle.models import (
    Arrangement,
    EducationPlan,
    GroupDeviation,
    PlanSubject,
    ProfessionalDevelopmentPlan,
    SchoolAgreement,
)
from koers.cycle.plan_forms import PlanEditForms
from koers.cycle.plan_services import (
    AgreementEdit,
    PlanEdit,
    new_version,
    plan_subjects,
    save_plan,
    start_plan,
)
from koers.schools.models import Group, School, SchoolYear
from koers.tests.helpers import dump_database, make_school, member_of, small_school

if TYPE_CHECKING:
    from time_machine import TimeMachineFixture

pytestmark = pytest.mark.django_db

# (URL name, takes a version number, answers GET, answers POST)
PAGES = [
    ("cycle:plan", False, True, False),
    ("cycle:plan-start", False, False, True),
    ("cycle:plan-new-version", False, True, True),
    ("cycle:plan-diff", False, True, False),
    ("cycle:plan-version", True, True, False),
    ("cycle:plan-edit", True, True, True),
]
POST_PAGES = [page for page in PAGES if page[3]]


def url_of(name: str, school: School, numbered: bool, number: int = 1) -> str:
    return reverse(name, args=[school.pk, number] if numbered else [school.pk])


def year_of(start_year: int) -> SchoolYear:
    return SchoolYear.objects.get_or_create(start_year=start_year)[0]


def plan_with_content(school: School) -> EducationPlan:
    """Version 1 (2024-2025): math with 300 minutes and a basic band 25 to 75,
    and one agreement."""
    plan = start_plan(school, year_of(2024), None)
    math = PlanSubject.objects.get(plan=plan, subject="rekenen")
    basic = math.arrangements.get(tier="basic")
    save_plan(
        plan,
        PlanEdit(
            subjects={
                math.pk: {
                    "learning_line": "Leerlijn tot 1S",
                    "methods": "Wereld in getallen",
                    "minutes_per_week": 300,
                    "instruction_model": "EDI",
                }
            },
            arrangements={
                basic.pk: {
                    "entry_criteria": "De middenmoot",
                    "index_from": Decimal("25"),
                    "index_below": Decimal("75"),
                    "instruction": "Instructie aan de hele groep",
                }
            },
            agreements=[AgreementEdit(None, "Lesdoel op het bord", "Elke les.")],
        ),
    )
    return plan


def form_data(plan: EducationPlan, **changes: str) -> dict[str, str]:
    """Every field of the edit page as a browser posts it, then the changes."""
    forms = PlanEditForms(plan_subjects(plan), plan.agreements.all())
    data: dict[str, str] = {}
    bound_forms: list[Any] = [forms.agreements.management_form, *forms.agreements]
    for subject in forms.subjects:
        bound_forms += [subject.form, *subject.arrangement_forms]
    for form in bound_forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = formats.localize_input(value)
    data.update(changes)
    return data


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def school() -> School:
    made: School = small_school()["school"]
    return made


@pytest.fixture
def client(school: School) -> Client:
    return member_of(school)


@pytest.mark.parametrize(("name", "numbered", "gets", "posts"), PAGES)
def test_it_sends_an_anonymous_visitor_to_the_login_page(
    name: str, numbered: bool, gets: bool, posts: bool
) -> None:
    school = make_school()
    plan_with_content(school)
    url = url_of(name, school, numbered)

    for response in (Client().get(url), Client().post(url)):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize(("name", "numbered", "gets", "posts"), PAGES)
def test_it_answers_404_for_another_schools_id(
    name: str, numbered: bool, gets: bool, posts: bool
) -> None:
    own = make_school("11AA", "Eigen school")
    other = make_school("22BB", "Andere school")
    plan_with_content(other)
    client = member_of(own)
    url = url_of(name, other, numbered)
    before = dump_database()

    got = client.get(url)
    posted = client.post(url, {"school_year": "2024", "summary": "Weg ermee"})

    assert got.status_code == (404 if gets else 405)
    assert posted.status_code == (404 if posts else 405)
    assert dump_database() == before


@pytest.mark.parametrize("name", ["cycle:plan-version", "cycle:plan-edit"])
def test_it_answers_404_for_a_version_only_another_school_has(
    school: School, client: Client, name: str
) -> None:
    plan_with_content(school)
    other_plan = plan_with_content(make_school("22BB", "Andere school"))
    new_version(other_plan, year_of(2024), "", None)
    before = dump_database()

    response = client.get(url_of(name, school, True, 2))
    posted = client.post(url_of(name, school, True, 2), form_data(other_plan))

    assert response.status_code == 404
    assert posted.status_code == (404 if name == "cycle:plan-edit" else 405)
    assert dump_database() == before


@pytest.mark.parametrize(("name", "numbered", "gets", "posts"), POST_PAGES)
def test_it_refuses_a_post_without_csrf_token(
    school: School, name: str, numbered: bool, gets: bool, posts: bool
) -> None:
    plan = plan_with_content(school)
    client = member_of(school, csrf=True)
    before = dump_database()

    response = client.post(
        url_of(name, school, numbered),
        form_data(plan, school_year="2024", summary="Nieuw"),
    )

    assert response.status_code == 403
    assert dump_database() == before


def test_without_a_plan_it_explains_and_offers_to_begin(
    school: School, client: Client, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(dt.datetime(2025, 10, 1, 12, tzinfo=dt.UTC))

    response = client.get(reverse("cycle:plan", args=[school.pk]))

    text = page_text(response)
    assert response.status_code == 200
    assert "Deze school heeft nog geen onderwijsplan" in text
    assert "Onderwijsplan beginnen" in text
    assert '<option value="2025" selected>2025-2026</option>' in text
    assert "OP1 Aanbod" in text
    assert "OP3 Didactisch handelen" in text


def test_beginning_makes_version_1_and_opens_its_edit_page(
    school: School, client: Client
) -> None:
    response = client.post(
        reverse("cycle:plan-start", args=[school.pk]), {"school_year": "2024"}
    )

    plan = EducationPlan.objects.get(school=school)
    assert (plan.number, plan.school_year.start_year) == (1, 2024)
    assert plan.subjects.count() == 6
    assert response["Location"] == reverse("cycle:plan-edit", args=[school.pk, 1])
    page = client.get(response["Location"])
    assert "Het onderwijsplan voor 2024-2025 is begonnen:" in page_text(page)


def test_beginning_twice_keeps_the_first_plan(school: School, client: Client) -> None:
    plan_with_content(school)
    before = dump_database()

    response = client.post(
        reverse("cycle:plan-start", args=[school.pk]),
        {"school_year": "2024"},
        follow=True,
    )

    assert "Deze school heeft al een onderwijsplan." in page_text(response)
    assert dump_database() == before


def test_the_plan_page_shows_the_newest_version(school: School, client: Client) -> None:
    first = plan_with_content(school)
    second = new_version(first, year_of(2025), "Nieuw schooljaar", None)

    response = client.get(reverse("cycle:plan", args=[school.pk]))

    text = page_text(response)
    assert response.context["plan"] == second
    assert "Versie 2 · schooljaar 2025-2026" in text
    assert "gebaseerd op versie 1" in text
    assert "Nieuw schooljaar" in text
    assert "Nog niet vastgelegd" in text
    assert "OP1 Aanbod" in text
    assert "OP3 Didactisch handelen" in text
    assert "Leerlijn tot 1S" in text
    assert "Wereld in getallen" in text
    assert "index 25 tot 75" in text
    assert "Instructie aan de hele groep" in text
    assert "Lesdoel op het bord" in text
    assert reverse("cycle:plan-edit", args=[school.pk, 2]) in text
    assert reverse("cycle:plan-version", args=[school.pk, 1]) in text


def test_an_older_version_is_shown_read_only(school: School, client: Client) -> None:
    first = plan_with_content(school)
    new_version(first, year_of(2025), "", None)

    response = client.get(reverse("cycle:plan-version", args=[school.pk, 1]))

    text = page_text(response)
    assert response.status_code == 200
    assert "U bekijkt versie 1, een oudere versie." in text
    assert "er is een nieuwere versie (versie 2)" in text
    assert reverse("cycle:plan-edit", args=[school.pk, 1]) not in text
    assert "Versie 1 · schooljaar 2024-2025" in text


def test_a_version_with_deviations_says_so(school: School, client: Client) -> None:
    plan = plan_with_content(school)
    add_deviation(school, plan)

    response = client.get(reverse("cycle:plan", args=[school.pk]))

    text = page_text(response)
    assert "afwijkingen verwijzen naar deze versie (1 afwijking)" in text
    assert reverse("cycle:plan-edit", args=[school.pk, 1]) not in text


def add_deviation(school: School, plan: EducationPlan) -> GroupDeviation:
    return GroupDeviation.objects.create(
        school=school,
        starts_on=dt.date(2025, 2, 10),
        ends_on=dt.date(2025, 6, 30),
        evaluate_year=year_of(2024),
        evaluate_period="E",
        group=Group.objects.get(school=school, name="5A"),
        subject="rekenen",
        plan=plan,
        element="time",
        from_text="300 minuten",
        to_text="360 minuten",
        reason="p80 niet gehaald",
        expected_effect="p80 hoger",
    )


def edit_url(school: School, number: int = 1) -> str:
    return reverse("cycle:plan-edit", args=[school.pk, number])


def test_the_edit_page_shows_the_current_values(school: School, client: Client) -> None:
    plan_with_content(school)

    response = client.get(edit_url(school))

    text = page_text(response)
    assert response.status_code == 200
    assert 'name="rekenen-minutes_per_week" value="300"' in text
    assert 'name="rekenen-basic-index_from" value="25"' in text
    assert "Leerlijn tot 1S</textarea>" in text
    assert 'value="Lesdoel op het bord"' in text
    assert "Nieuwe afspraak" in text


def test_it_saves_subjects_arrangements_and_a_new_agreement(
    school: School, client: Client
) -> None:
    plan = plan_with_content(school)

    response = client.post(
        edit_url(school),
        form_data(
            plan,
            **{
                "rekenen-minutes_per_week": "360",
                "spelling-methods": "Staal",
                "rekenen-enriched-index_from": "75,5",
                "rekenen-enriched-compacting_enriching": "Plustaken",
                "agreements-1-title": "Toetskalender",
                "agreements-1-text": "M-toetsen in januari.",
            },
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("cycle:plan", args=[school.pk])
    math = PlanSubject.objects.get(plan=plan, subject="rekenen")
    assert math.minutes_per_week == 360
    assert math.learning_line == "Leerlijn tot 1S"
    assert PlanSubject.objects.get(plan=plan, subject="spelling").methods == "Staal"
    enriched = math.arrangements.get(tier="enriched")
    assert enriched.index_from == Decimal("75.5")
    assert enriched.compacting_enriching == "Plustaken"
    basic = math.arrangements.get(tier="basic")
    assert (basic.index_from, basic.index_below) == (Decimal("25"), Decimal("75"))
    assert list(plan.agreements.values_list("title", "text", "position")) == [
        ("Lesdoel op het bord", "Elke les.", 1),
        ("Toetskalender", "M-toetsen in januari.", 2),
    ]
    page = client.get(response["Location"])
    assert "Versie 1 van het onderwijsplan is opgeslagen." in page_text(page)
    assert "index 75,5 en hoger" in page_text(page)


def test_it_deletes_a_ticked_agreement(school: School, client: Client) -> None:
    plan = plan_with_content(school)

    client.post(edit_url(school), form_data(plan, **{"agreements-0-DELETE": "on"}))

    assert plan.agreements.count() == 0


def test_it_freezes_a_version_whose_agreement_a_development_plan_names(
    school: School, client: Client
) -> None:
    plan = plan_with_content(school)
    year = year_of(2024)
    development = ProfessionalDevelopmentPlan.objects.create(
        school=school,
        starts_on=dt.date(2025, 2, 10),
        ends_on=dt.date(2025, 6, 30),
        evaluate_year=year,
        evaluate_period="E",
        subject="rekenen",
        metric="p80",
        population="school_3_8",
        gap_year=year,
        gap_period="M",
        target=Decimal("25"),
        value_at_start=Decimal("18"),
        n_at_start=40,
        goal="p80 omhoog",
        activities="Klassenbezoeken",
        owner="IB",
        success_criterion="p80 25",
    )
    development.agreements.add(plan.agreements.get())
    before = dump_database()

    response = client.post(
        edit_url(school), form_data(plan, **{"agreements-0-DELETE": "on"})
    )

    # The plan names the agreement it strengthens, so the whole version keeps
    # what it said: nothing is saved and a new version is the way forward.
    assert response.status_code == 409
    assert dump_database() == before
    assert "professionaliseringsaanpak noemt haar schoolafspraken" in page_text(
        response
    )
    assert "Alles opslaan" not in page_text(response)


def test_save_and_add_returns_to_the_agreements(school: School, client: Client) -> None:
    plan = plan_with_content(school)

    response = client.post(edit_url(school), form_data(plan, next="add-agreement"))

    assert response["Location"] == f"{edit_url(school)}#afspraken"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        (
            "rekenen-minutes_per_week",
            "1501",
            "Vul een heel aantal minuten in, van 0 tot 1.500.",
        ),
        (
            "rekenen-minutes_per_week",
            "-5",
            "Vul een heel aantal minuten in, van 0 tot 1.500.",
        ),
        (
            "rekenen-minutes_per_week",
            "veel",
            "Vul een heel aantal minuten in, van 0 tot 1.500.",
        ),
        ("spelling-intensive-index_from", "0", "Een index ligt tussen 1 en 99."),
        ("spelling-intensive-index_below", "100", "Een index ligt tussen 1 en 99."),
        (
            "spelling-intensive-index_from",
            "abc",
            "Vul een getal in, zoals 25 of 62,5.",
        ),
        (
            "spelling-intensive-index_from",
            "12,25",
            "Hoogstens één cijfer achter de komma.",
        ),
        ("agreements-0-title", "", "Geef de afspraak een korte titel."),
    ],
)
def test_it_shows_an_invalid_value_at_its_field_and_saves_nothing(
    school: School, client: Client, field: str, value: str, error: str
) -> None:
    plan = plan_with_content(school)
    before = dump_database()

    response = client.post(
        edit_url(school), form_data(plan, **{"spelling-methods": "Staal", field: value})
    )

    assert response.status_code == 200
    assert dump_database() == before
    text = page_text(response)
    assert "Er is niets opgeslagen." in text
    assert error in text
    errors = field_errors(response, field)
    assert any(message.startswith(error) for message in errors)


def field_errors(response: Any, html_name: str) -> list[str]:
    forms = response.context["forms"]
    bound_forms = [
        form for s in forms.subjects for form in (s.form, *s.arrangement_forms)
    ]
    for form in [*bound_forms, *forms.agreements]:
        for field in form:
            if field.html_name == html_name:
                return list(field.errors)
    raise AssertionError(html_name)


def test_the_index_band_error_is_shown_at_the_upper_bound(
    school: School, client: Client
) -> None:
    plan = plan_with_content(school)
    before = dump_database()

    response = client.post(
        edit_url(school), form_data(plan, **{"rekenen-basic-index_from": "75"})
    )

    assert dump_database() == before
    assert field_errors(response, "rekenen-basic-index_below") == [
        "'Tot index' moet hoger zijn dan 'vanaf index': de band loopt van laag "
        "naar hoog."
    ]
    assert field_errors(response, "rekenen-basic-index_from") == []


def test_a_frozen_version_opens_read_only(school: School, client: Client) -> None:
    first = plan_with_content(school)
    new_version(first, year_of(2025), "", None)

    response = client.get(edit_url(school), follow=True)

    assert response.redirect_chain == [
        (reverse("cycle:plan-version", args=[school.pk, 1]), 302)
    ]
    assert "Versie 1 is vastgelegd, want er is een nieuwere versie." in page_text(
        response
    )


def test_a_post_to_a_version_with_a_newer_one_changes_nothing(
    school: School, client: Client
) -> None:
    first = plan_with_content(school)
    data = form_data(first, **{"rekenen-minutes_per_week": "10"})
    new_version(first, year_of(2025), "", None)
    before = dump_database()

    response = client.post(edit_url(school), data)

    assert response.status_code == 409
    assert dump_database() == before
    text = page_text(response)
    assert "Er is niets opgeslagen." in text
    assert "Pas de nieuwste versie aan." in text
    assert 'value="10"' in text


def test_a_post_to_a_version_with_deviations_asks_for_a_new_version(
    school: School, client: Client
) -> None:
    plan = plan_with_content(school)
    add_deviation(school, plan)
    before = dump_database()

    response = client.post(
        edit_url(school), form_data(plan, **{"spelling-methods": "Staal"})
    )

    assert response.status_code == 409
    assert dump_database() == before
    text = page_text(response)
    assert "Maak een nieuwe versie om iets te veranderen." in text
    assert reverse("cycle:plan-new-version", args=[school.pk]) in text


def test_the_new_version_page_proposes_the_newest_year_with_groups(
    school: School, client: Client
) -> None:
    plan_with_content(school)

    response = client.get(reverse("cycle:plan-new-version", args=[school.pk]))

    text = page_text(response)
    assert response.status_code == 200
    assert '<option value="2024" selected>2024-2025</option>' in text
    # A version never goes back to a year before the version it copies.
    assert '<option value="2023">' not in text
    assert "Versie 2 begint als een volledige kopie van versie 1" in text


def test_the_new_version_page_never_proposes_a_year_before_the_plans(
    school: School, client: Client
) -> None:
    plan = plan_with_content(school)
    plan.school_year = year_of(2026)
    plan.save()

    response = client.get(reverse("cycle:plan-new-version", args=[school.pk]))

    assert '<option value="2026" selected>2026-2027</option>' in page_text(response)


def test_it_makes_a_new_version_and_opens_its_edit_page(
    school: School, client: Client
) -> None:
    plan_with_content(school)

    response = client.post(
        reverse("cycle:plan-new-version", args=[school.pk]),
        {"school_year": "2025", "summary": "Meer tijd voor rekenen"},
    )

    assert response["Location"] == edit_url(school, 2)
    second = EducationPlan.objects.get(school=school, number=2)
    assert second.school_year.start_year == 2025
    assert second.summary == "Meer tijd voor rekenen"
    assert second.based_on == EducationPlan.objects.get(school=school, number=1)
    math = PlanSubject.objects.get(plan=second, subject="rekenen")
    assert math.minutes_per_week == 300
    assert SchoolAgreement.objects.get(plan=second).title == "Lesdoel op het bord"
    page = client.get(response["Location"])
    assert "Versie 2 is gemaakt als kopie van versie 1." in page_text(page)


def test_a_new_version_needs_a_summary(school: School, client: Client) -> None:
    plan_with_content(school)
    before = dump_database()

    response = client.post(
        reverse("cycle:plan-new-version", args=[school.pk]),
        {"school_year": "2025", "summary": " "},
    )

    assert response.status_code == 200
    assert "Schrijf kort op wat er verandert en waarom." in page_text(response)
    assert dump_database() == before


def test_the_new_version_page_without_a_plan_goes_to_the_plan_page(
    school: School, client: Client
) -> None:
    response = client.get(reverse("cycle:plan-new-version", args=[school.pk]))

    assert response["Location"] == reverse("cycle:plan", args=[school.pk])


def diff_url(school: School, query: str = "") -> str:
    url = reverse("cycle:plan-diff", args=[school.pk])
    return f"{url}?{query}" if query else url


def test_the_diff_page_marks_deleted_and_inserted_words_and_escapes_them(
    school: School, client: Client
) -> None:
    first = plan_with_content(school)
    second = new_version(first, year_of(2025), "", None)
    client.post(
        edit_url(school, 2),
        form_data(
            second,
            **{
                "rekenen-instruction_model": "<script>alert(1)</script>",
                "rekenen-basic-instruction": (
                    "Instructie aan de hele groep, daarna zelfstandig werken "
                    "met <b>weektaak</b>"
                ),
            },
        ),
    )

    response = client.get(diff_url(school))

    content = response.content.decode()
    assert response.context["older"] == first
    assert response.context["newer"] == second
    assert "<script>alert" not in content
    assert "<b>weektaak" not in content
    assert "was: <del>EDI</del>" in content
    assert "wordt: <ins>&lt;script&gt;alert(1)&lt;/script&gt;</ins>" in content
    assert (
        '<ins><span class="sr">erbij: </span>, daarna zelfstandig werken met '
        "&lt;b&gt;weektaak&lt;/b&gt;</ins>" in content
    )
    assert "Rekenen, arrangement basis" in content


def test_the_diff_page_compares_the_versions_chosen(
    school: School, client: Client
) -> None:
    first = plan_with_content(school)
    second = new_version(first, year_of(2025), "", None)
    save_plan(
        second,
        PlanEdit(
            subjects={
                PlanSubject.objects.get(plan=second, subject="spelling").pk: {
                    "methods": "Staal"
                }
            }
        ),
    )
    third = new_version(second, year_of(2025), "", None)

    default = client.get(diff_url(school))
    chosen = client.get(diff_url(school, "van=1&naar=3"))

    assert (default.context["older"], default.context["newer"]) == (second, third)
    assert "Er zijn geen verschillen" in page_text(default)
    assert (chosen.context["older"], chosen.context["newer"]) == (first, third)
    assert '<option value="1" selected>versie 1 (2024-2025)</option>' in page_text(
        chosen
    )
    assert "Staal" in page_text(chosen)


@pytest.mark.parametrize(
    "query", ["van=9", "naar=9", "van=1&naar=5", "van=abc", "naar=-1", "van=1.0"]
)
def test_the_diff_page_answers_404_for_an_unknown_version(
    school: School, client: Client, query: str
) -> None:
    first = plan_with_content(school)
    new_version(first, year_of(2025), "", None)

    assert client.get(diff_url(school, query)).status_code == 404


def test_the_diff_page_with_one_version_explains(
    school: School, client: Client
) -> None:
    plan_with_content(school)

    response = client.get(diff_url(school))

    assert response.status_code == 200
    assert "Er is nog maar één versie" in page_text(response)


def test_the_logs_name_ids_but_no_texts(
    school: School, client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    plan = plan_with_content(school)
    caplog.set_level("INFO", logger="koers.cycle")

    client.post(
        edit_url(school), form_data(plan, **{"spelling-methods": "Geheime methode"})
    )
    client.post(
        reverse("cycle:plan-new-version", args=[school.pk]),
        {"school_year": "2025", "summary": "Geheime reden"},
    )

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"school={school.pk} plan={plan.pk}" in logged
    assert "Geheim" not in logged
    assert Arrangement.objects.filter(plan_subject__plan__school=school).count() == 36


def test_it_refuses_index_bands_that_overlap(school: School, client: Client) -> None:
    # The basic band runs from 25 to 75; an enriched band from 70 would put a
    # pupil with index 72 in two arrangements.
    plan = plan_with_content(school)
    before = dump_database()

    response = client.post(
        edit_url(school), form_data(plan, **{"rekenen-enriched-index_from": "70"})
    )

    assert response.status_code == 200
    assert "Deze indexband overlapt met die van het arrangement basis" in (
        page_text(response)
    )
    assert dump_database() == before


def test_it_takes_bands_that_touch(school: School, client: Client) -> None:
    plan = plan_with_content(school)

    response = client.post(
        edit_url(school),
        form_data(
            plan,
            **{
                "rekenen-intensive-index_below": "25",
                "rekenen-enriched-index_from": "75",
            },
        ),
    )

    assert response.status_code == 302


def test_the_new_version_form_refuses_an_earlier_school_year(
    school: School, client: Client
) -> None:
    plan_with_content(school)

    response = client.post(
        reverse("cycle:plan-new-version", args=[school.pk]),
        {"school_year": "2023", "summary": "Terug in de tijd", "based_on": "1"},
    )

    assert response.status_code == 200
    assert EducationPlan.objects.filter(school=school).count() == 1
