"""The period of a 20-week record: refused when it cannot be meant, and harmless
when such a period was stored before the forms refused it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from koers.cycle.models import Action, ProfessionalDevelopmentPlan
from koers.cycle.tests.factories import cycle_school, meeting_after_m24, pupil_decision
from koers.cycle.tests.test_meeting_views import plan_form
from koers.tests.helpers import member_of

pytestmark = pytest.mark.django_db

PLAN_QUERY = "?vak=rekenen&maat=p80&populatie=school_3_8"
FLAG = {
    "rule": "persistently_low",
    "rule_label": "Blijvend laag",
    "explanation": "drie keer onder 10",
    "moment": "M5",
    "school_year": 2024,
    "period": "M",
    "index": 6.0,
}


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "message"),
    [
        (
            "2025-02-20",
            "9999-12-31",
            "Een periode duurt hoogstens een jaar: kies een einddatum tot en met "
            "21 februari 2026.",
        ),
        (
            "1900-01-01",
            "1900-06-01",
            "Kies een begindatum van 1 augustus 2023 tot en met 31 juli 2026.",
        ),
        (
            "9999-01-01",
            "9999-12-31",
            "Kies een begindatum van 1 augustus 2023 tot en met 31 juli 2026.",
        ),
        ("2025-02-20", "2025-02-20", "De einddatum moet na de begindatum liggen."),
    ],
)
def test_it_refuses_a_period_that_cannot_be_meant(
    starts_on: str, ends_on: str, message: str
) -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    url = reverse("cycle:development-plan-new", args=[meeting.pk]) + PLAN_QUERY

    response = client.post(url, plan_form(starts_on=starts_on, ends_on=ends_on))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProfessionalDevelopmentPlan.objects.exists()


def test_it_takes_a_period_of_exactly_a_year() -> None:
    # 20 February 2025 + 366 days is 21 February 2026.
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    url = reverse("cycle:development-plan-new", args=[meeting.pk]) + PLAN_QUERY

    response = client.post(url, plan_form(ends_on="2026-02-21"))

    assert response.status_code == 302
    assert ProfessionalDevelopmentPlan.objects.get().ends_on == dt.date(2026, 2, 21)


def test_a_correction_is_held_to_the_same_period_rules() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    decision = pupil_decision(made, meeting, kind="adaptation")

    response = client.post(
        reverse(
            "cycle:record-edit",
            kwargs={"kind": "leerlingbesluit", "record_id": decision.pk},
        ),
        {
            "kind": "adaptation",
            "reason": "r",
            "starts_on": "2025-02-20",
            "ends_on": "9999-12-31",
        },
    )

    decision.refresh_from_db()
    assert response.status_code == 200
    assert decision.ends_on == dt.date(2025, 7, 10)


def test_it_refuses_an_action_due_in_year_9999() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)

    response = client.post(
        reverse("cycle:meeting-action", args=[meeting.pk]),
        {"description": "Kijkwijzer", "owner": "IB", "due_on": "9999-12-31"},
    )

    assert response.status_code == 400
    assert not Action.objects.exists()


def test_pages_survive_a_record_stored_with_an_impossible_end() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    decision = pupil_decision(
        made, meeting, ends_on=dt.date(9999, 12, 31), kind="adaptation", flag=FLAG
    )
    client = member_of(made.school)

    urls = [
        reverse("analysis:school-start", args=[made.school.pk]),
        reverse("cycle:cycle", args=[made.school.pk]),
        reverse("cycle:accountability", args=[made.school.pk]),
        reverse("cycle:accountability-pdf", args=[made.school.pk, 2024]),
        reverse("cycle:pupil-decision", args=[decision.pk]),
        reverse("cycle:meeting", args=[meeting.pk]),
        reverse("analysis:pupil-overview", args=[made.pupils["P6"].pk]),
    ]

    assert [client.get(url).status_code for url in urls] == [200] * len(urls)
