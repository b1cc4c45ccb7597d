"""A button clicked twice makes one thing: one meeting per measurement in
preparation, one onderwijsplan version per base, one decision per pupil and
subject in a meeting, and no identical twin of a deviation or plan."""

from __future__ import annotations

import datetime as dt
import importlib
from unittest import mock

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from koers.cycle.models import (
    Action,
    Decision,
    EducationPlan,
    GroupDeviation,
    Meeting,
    ProfessionalDevelopmentPlan,
    PupilDecision,
)
from koers.cycle.tests.factories import cycle_school, meeting_after_m24
from koers.cycle.tests.test_meeting_views import plan_form
from koers.tests.helpers import member_of

pytestmark = pytest.mark.django_db

DEVIATION = {
    "element": "instruction",
    "from_text": "EDI met verlengde instructie",
    "to_text": "dagelijks een instructietafel",
    "subgroup": "",
    "reason": "p80 34 tegen 40",
    "expected_effect": "de zwakste rekenaars groeien mee",
    "starts_on": "2025-02-20",
    "ends_on": "2025-07-10",
}
DECISION = {
    "kind": "adaptation",
    "reason": "extra oefentijd",
    "starts_on": "2025-02-20",
    "ends_on": "2025-07-10",
}


def test_preparing_twice_opens_the_meeting_made_the_first_time() -> None:
    made = cycle_school()
    client = member_of(made.school)
    url = reverse("cycle:meeting-new", args=[made.school.pk])
    fields = {"measurement": "2024-M", "held_on": "2025-02-20", "participants": ""}

    first = client.post(url, fields)
    second = client.post(url, fields, follow=True)

    meeting = Meeting.objects.get()
    assert first["Location"] == reverse("cycle:meeting", args=[meeting.pk])
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "Na deze meting is al een schoolbespreking in voorbereiding" in (
        second.content.decode()
    )


def test_a_closed_meeting_does_not_stop_a_new_one_after_the_same_measurement() -> None:
    made = cycle_school()
    meeting_after_m24(made.school)
    Meeting.objects.update(closed_at=dt.datetime(2025, 2, 20, 17, tzinfo=dt.UTC))
    client = member_of(made.school)

    client.post(
        reverse("cycle:meeting-new", args=[made.school.pk]),
        {"measurement": "2024-M", "held_on": "2025-03-01", "participants": ""},
    )

    assert Meeting.objects.count() == 2


def test_the_database_refuses_a_second_open_meeting_that_slips_through() -> None:
    # Two requests at the same moment both find no meeting; the constraint lets
    # only the first one in, and the second is sent to the cycle page in words.
    made = cycle_school()
    meeting_after_m24(made.school)
    client = member_of(made.school)

    with mock.patch("koers.cycle.services.open_meeting_after", return_value=None):
        response = client.post(
            reverse("cycle:meeting-new", args=[made.school.pk]),
            {"measurement": "2024-M", "held_on": "2025-02-21", "participants": ""},
        )

    assert response["Location"] == reverse("cycle:cycle", args=[made.school.pk])
    assert Meeting.objects.count() == 1


def test_a_pupil_decision_is_recorded_once_per_meeting() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    url = (
        reverse("cycle:pupil-decision-new", args=[meeting.pk])
        + f"?leerling={made.pupils['P6'].pk}&vak=spelling"
    )

    client.post(url, DECISION)
    again = client.post(url, {**DECISION, "reason": "nog eens"})
    form_again = client.get(url, follow=True)

    decision = PupilDecision.objects.get()
    assert again["Location"] == reverse("cycle:pupil-decision", args=[decision.pk])
    assert decision.reason == "extra oefentijd"
    assert "al een besluit vastgelegd" in form_again.content.decode()


def test_the_database_keeps_one_decision_per_pupil_and_subject_in_a_meeting() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    fields = {
        "school": made.school,
        "meeting": meeting,
        "starts_on": dt.date(2025, 2, 20),
        "ends_on": dt.date(2025, 7, 10),
        "evaluate_year": made.year,
        "evaluate_period": "E",
        "pupil": made.pupils["P6"],
        "subject": "spelling",
        "kind": "adaptation",
        "reason": "r",
    }
    PupilDecision.objects.create(**fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        PupilDecision.objects.create(**fields)


def test_an_identical_deviation_is_not_recorded_twice() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    url = (
        reverse("cycle:deviation-new", args=[meeting.pk])
        + f"?groep={made.group.pk}&vak=rekenen"
    )

    client.post(url, DEVIATION)
    again = client.post(url, DEVIATION)
    different = client.post(url, {**DEVIATION, "to_text": "twee keer per week"})

    first, second = GroupDeviation.objects.order_by("pk")
    assert again["Location"] == reverse("cycle:deviation", args=[first.pk])
    assert different["Location"] == reverse("cycle:deviation", args=[second.pk])


def test_a_second_plan_for_the_same_gap_opens_the_first() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    url = (
        reverse("cycle:development-plan-new", args=[meeting.pk])
        + "?vak=rekenen&maat=p80&populatie=school_3_8"
    )

    client.post(url, plan_form())
    again = client.post(url, plan_form(goal="nog een keer"))

    plan = ProfessionalDevelopmentPlan.objects.get()
    assert again["Location"] == reverse("cycle:development-plan", args=[plan.pk])


def test_a_new_plan_version_posted_twice_makes_one_version() -> None:
    made = cycle_school()
    client = member_of(made.school)
    url = reverse("cycle:plan-new-version", args=[made.school.pk])
    fields = {"school_year": "2024", "summary": "Meer rekentijd", "based_on": "1"}

    first = client.post(url, fields)
    second = client.post(url, fields, follow=True)

    assert first["Location"] == reverse("cycle:plan-edit", args=[made.school.pk, 2])
    assert list(
        EducationPlan.objects.filter(school=made.school).values_list(
            "number", flat=True
        )
    ) == [2, 1]
    assert "Versie 2 is al gemaakt als kopie van versie 1." in (second.content.decode())


def test_the_migration_merges_twin_meetings_into_the_first() -> None:
    migration = importlib.import_module(
        "koers.cycle.migrations.0002_one_open_meeting_one_decision"
    )
    made = cycle_school()
    first = meeting_after_m24(made.school)
    first.notes = "Eerste verslag"
    first.save()
    # A closed twin is the only kind the constraint still lets exist.
    twin = Meeting.objects.create(
        school=made.school,
        school_year=made.year,
        after_period="M",
        held_on=dt.date(2025, 2, 20),
        notes="Tweede verslag",
        closed_at=dt.datetime(2025, 2, 20, 17, tzinfo=dt.UTC),
    )
    Decision.objects.create(meeting=twin, text="Rekentijd herzien")
    Action.objects.create(
        meeting=twin, description="x", owner="IB", due_on=dt.date(2025, 3, 1)
    )

    migration.merge_into(apps, twin, first)

    first.refresh_from_db()
    assert list(Meeting.objects.all()) == [first]
    assert first.notes == "Eerste verslag\nTweede verslag"
    assert Decision.objects.get().meeting == first
    assert Action.objects.get().meeting == first
