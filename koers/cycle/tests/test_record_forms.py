"""The forms of the 20-week records and their evaluation: what they offer, what
they refuse, and how the pages read."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from koers.cycle.models import (
    Action,
    GroupDeviation,
    Meeting,
    ProfessionalDevelopmentPlan,
    PupilDecision,
)
from koers.cycle.tests.factories import cycle_school, meeting_after_m24
from koers.cycle.tests.test_double_submit import DECISION, DEVIATION
from koers.cycle.tests.test_meeting_views import plan_form
from koers.tests.helpers import member_of

pytestmark = pytest.mark.django_db

PLAN_QUERY = "?vak=rekenen&maat=p80&populatie=school_3_8"


def text_of(content: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", content.decode()).split())


def make_plan(client: Client, meeting: Meeting) -> ProfessionalDevelopmentPlan:
    url = reverse("cycle:development-plan-new", args=[meeting.pk]) + PLAN_QUERY
    client.post(url, plan_form())
    return ProfessionalDevelopmentPlan.objects.get()


def test_evaluation_offers_only_later_meetings_with_their_measurement() -> None:
    made = cycle_school()
    deciding = meeting_after_m24(made.school)
    client = member_of(made.school)
    plan = make_plan(client, deciding)
    earlier = Meeting.objects.create(
        school=made.school,
        school_year=made.year,
        after_period="B",
        held_on=dt.date(2024, 10, 1),
    )
    later = Meeting.objects.create(
        school=made.school,
        school_year=made.year,
        after_period="E",
        held_on=dt.date(2025, 6, 30),
    )

    page = client.get(reverse("cycle:development-plan", args=[plan.pk]))
    refused = client.post(
        reverse("cycle:development-plan", args=[plan.pk]),
        {"outcome": "effective", "meeting": earlier.pk},
    )

    field = page.context["form"].fields["meeting"]
    assert list(field.queryset) == [later]
    assert [label for _value, label in field.choices] == [
        "buiten een bespreking",
        "30 juni 2025, na de meting eind 2024-2025",
    ]
    plan.refresh_from_db()
    assert refused.status_code == 200
    assert plan.evaluated_on is None
    assert deciding.pk not in [m.pk for m in field.queryset]


def test_a_subgroup_needs_its_pupils() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    url = (
        reverse("cycle:deviation-new", args=[meeting.pk])
        + f"?groep={made.group.pk}&vak=rekenen"
    )

    response = client.post(url, {**DEVIATION, "subgroup": "instructietafel"})

    assert response.status_code == 200
    assert "Kies de leerlingen van de subgroep" in response.content.decode()
    assert not GroupDeviation.objects.exists()


def test_an_old_subgroup_without_pupils_is_not_put_in_every_history() -> None:
    # Stored before the form required pupils: it says nothing about who was in
    # the subgroup, so no pupil's history claims it.
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    deviation = GroupDeviation.objects.create(
        school=made.school,
        meeting=meeting,
        starts_on=dt.date(2025, 2, 20),
        ends_on=dt.date(2025, 7, 10),
        evaluate_year=made.year,
        evaluate_period="E",
        group=made.group,
        subject="rekenen",
        plan=made.plan,
        element="instruction",
        from_text="EDI",
        to_text="instructietafel",
        subgroup="instructietafel",
        reason="r",
        figures={"school_year": 2024, "period": "M", "subjects": []},
        expected_effect="e",
    )
    client = member_of(made.school)

    record = client.get(reverse("cycle:deviation", args=[deviation.pk]))
    history = client.get(
        reverse("analysis:pupil-overview", args=[made.pupils["P6"].pk])
    )

    assert "instructietafel (geen leerlingen gekozen)" in text_of(record.content)
    assert all(row.deviations == [] for row in history.context["history"])


@pytest.mark.parametrize(
    "query",
    [
        "?vak=rekenen&maat=end_pct_1f&populatie=school_3_8",
        "?vak=rekenen&maat=p80&populatie=group",
        "?vak=rekenen&maat=onzin&populatie=school_3_8",
        "?vak=&maat=p80&populatie=school_3_8",
    ],
)
def test_a_plan_for_a_metric_the_school_overview_does_not_count_is_404(
    query: str,
) -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)

    response = client.get(
        reverse("cycle:development-plan-new", args=[meeting.pk]) + query
    )

    assert response.status_code == 404


def test_no_change_takes_no_arrangement() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    url = (
        reverse("cycle:pupil-decision-new", args=[meeting.pk])
        + f"?leerling={made.pupils['P6'].pk}&vak=spelling"
    )

    response = client.post(url, {**DECISION, "kind": "no_change", "tier": "intensive"})

    assert response.status_code == 200
    assert "Een arrangement hoort alleen bij" in response.content.decode()
    assert not PupilDecision.objects.exists()


def test_the_lists_speak_dutch_and_no_decision_is_chosen_beforehand() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)

    deviation = client.get(
        reverse("cycle:deviation-new", args=[meeting.pk])
        + f"?groep={made.group.pk}&vak=rekenen"
    ).content.decode()
    decision = client.get(
        reverse("cycle:pupil-decision-new", args=[meeting.pk])
        + f"?leerling={made.pupils['P6'].pk}&vak=spelling"
    ).content.decode()

    for html in (deviation, decision):
        assert "Select an option" not in html
        assert re.search('<option value=""( selected)?>\N{EN DASH} kies ', html)
    assert not re.search(r'name="kind"[^>]*checked', decision)
    assert 'name="kind" value=""' not in decision


def test_free_text_has_a_length_limit() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    url = reverse("cycle:development-plan-new", args=[meeting.pk]) + PLAN_QUERY

    form = client.get(url).content.decode()
    too_long = client.post(url, plan_form(goal="x" * 2_001))
    long_activities = client.post(url, plan_form(activities="y" * 10_000))

    assert 'maxlength="2000"' in form
    assert 'maxlength="10000"' in form
    assert too_long.status_code == 200
    assert long_activities.status_code == 302
    assert ProfessionalDevelopmentPlan.objects.get().activities == "y" * 10_000


def test_delete_is_offered_only_for_a_meeting_that_can_go() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    url = reverse("cycle:meeting", args=[meeting.pk])

    empty = client.get(url).content.decode()
    make_plan(client, meeting)
    with_plan = client.get(url).content.decode()

    assert "Bespreking verwijderen" in empty
    assert "Bespreking verwijderen" not in with_plan


def test_a_done_action_can_be_undone_from_the_cycle_page_while_open() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    action = Action.objects.create(
        meeting=meeting,
        description="Kijkwijzer",
        owner="IB",
        due_on=dt.date(2025, 3, 1),
    )
    client = member_of(made.school)
    page_url = reverse("cycle:cycle", args=[made.school.pk])

    client.post(reverse("cycle:action-done", args=[action.pk]), {"next": page_url})
    page = client.get(page_url).content.decode()
    client.post(reverse("cycle:action-done", args=[action.pk]), {"next": page_url})

    action.refresh_from_db()
    assert "Toch niet gedaan" in page
    assert action.done_on is None


def test_an_overdue_record_says_when_its_period_ended() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    plan = make_plan(client, meeting)

    with time_machine.travel(dt.datetime(2025, 9, 1, 12, tzinfo=dt.UTC)):
        page = client.get(reverse("cycle:development-plan", args=[plan.pk]))
        cycle = client.get(reverse("cycle:cycle", args=[made.school.pk]))

    assert (
        "evaluatie te laat</span>: de periode liep tot 10 juli 2025; evalueren na "
        "de meting eind 2024-2025"
    ) in page.content.decode()
    assert "0 lopen nog" in text_of(cycle.content)


def test_a_long_unbroken_action_keeps_its_date_on_the_pdf_page() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    Action.objects.create(
        meeting=meeting,
        description="x" * 1_500,
        owner="IB",
        due_on=dt.date(2025, 3, 14),
    )
    client = member_of(made.school)

    response = client.get(reverse("cycle:meeting-pdf", args=[meeting.pk]))

    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(page.extract_text() for page in pages)
    assert "14-3-2025" in text


def test_ticking_an_action_never_leaves_the_site() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    action = Action.objects.create(
        meeting=meeting, description="x", owner="IB", due_on=dt.date(2025, 3, 1)
    )
    client = member_of(made.school)

    response = client.post(
        reverse("cycle:action-done", args=[action.pk]),
        {"next": "https://elders.example/"},
    )

    assert response["Location"] == (
        reverse("cycle:meeting", args=[meeting.pk]) + "#acties"
    )
