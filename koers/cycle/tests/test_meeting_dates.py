"""The date of a schoolbespreking: refused outside the measurement it looks back
on, proposed sensibly for a meeting entered afterwards, and never able to take a
page down when a wrong date was stored before the forms refused it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from koers.cycle.models import Meeting, ProfessionalDevelopmentPlan
from koers.cycle.tests.factories import cycle_school, meeting_after_m24
from koers.schools.models import SchoolYear
from koers.tests.helpers import member_of

pytestmark = pytest.mark.django_db


def new_meeting(measurement: str, held_on: str) -> dict[str, str]:
    return {"measurement": measurement, "held_on": held_on, "participants": "IB"}


@pytest.mark.parametrize(
    "held_on",
    [
        "9999-12-31",
        "0001-01-01",
        "1900-01-01",
        # Before the M period of 2024-2025 begins (1 December 2024).
        "2024-11-30",
        # After the school year of the measurement.
        "2025-08-01",
    ],
)
def test_it_refuses_a_meeting_date_outside_the_measurement(held_on: str) -> None:
    made = cycle_school()
    client = member_of(made.school)

    response = client.post(
        reverse("cycle:meeting-new", args=[made.school.pk]),
        new_meeting("2024-M", held_on),
    )

    assert response.status_code == 200
    assert (
        "Na de meting midden 2024-2025 kan de bespreking van 1 december 2024 tot "
        "en met 31 juli 2025 gehouden worden."
    ) in response.content.decode()
    assert not Meeting.objects.exists()


def test_it_takes_a_meeting_after_e_in_the_autumn_that_follows() -> None:
    made = cycle_school()
    client = member_of(made.school)

    accepted = client.post(
        reverse("cycle:meeting-new", args=[made.school.pk]),
        new_meeting("2024-E", "2025-10-31"),
    )
    refused = client.post(
        reverse("cycle:meeting-new", args=[made.school.pk]),
        new_meeting("2024-E", "2025-11-01"),
    )

    assert accepted.status_code == 302
    assert refused.status_code == 200
    assert Meeting.objects.get().held_on == dt.date(2025, 10, 31)


def test_it_proposes_today_when_the_meeting_can_be_held_today() -> None:
    made = cycle_school()
    client = member_of(made.school)

    with time_machine.travel(dt.datetime(2025, 6, 20, 12, tzinfo=dt.UTC)):
        response = client.get(reverse("cycle:meeting-new", args=[made.school.pk]))

    assert response.context["form"].initial["held_on"] == dt.date(2025, 6, 20)


def test_it_proposes_a_date_after_the_measurement_for_a_late_entry() -> None:
    # In March 2026 the newest measurement is E 2024-2025, tested on 10 June
    # 2025: a meeting entered now is proposed two weeks later, on 24 June 2025,
    # not on today's date, which lies outside that measurement's window.
    made = cycle_school()
    client = member_of(made.school)

    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)):
        response = client.get(reverse("cycle:meeting-new", args=[made.school.pk]))

    assert response.context["form"].initial["held_on"] == dt.date(2025, 6, 24)


def test_a_meeting_in_a_year_without_groups_shows_the_measurements_groups() -> None:
    # Held in September 2025 on the June results, before the groups of
    # 2025-2026 exist: the groups and signals of 2024-2025 are shown.
    made = cycle_school()
    meeting = Meeting.objects.create(
        school=made.school,
        school_year=made.year,
        after_period="E",
        held_on=dt.date(2025, 9, 15),
    )
    client = member_of(made.school)

    response = client.get(reverse("cycle:meeting", args=[meeting.pk]))

    pack = response.context["pack"]
    assert [group.name for group in pack.groups] == ["5A"]
    # P6 is persistently low in spelling at E 2024-2025.
    assert pack.pupil_count == 1
    assert "1 signaal bij deze meting" in response.content.decode()


def test_it_refuses_a_wrong_date_in_the_minutes() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)

    response = client.post(
        reverse("cycle:meeting-minutes", args=[meeting.pk]),
        {"held_on": "9999-12-31", "participants": "IB", "notes": ""},
    )

    meeting.refresh_from_db()
    assert response.status_code == 400
    assert meeting.held_on == dt.date(2025, 2, 20)


@pytest.mark.parametrize("held_on", [dt.date(9999, 12, 31), dt.date(1, 1, 1)])
def test_pages_survive_a_meeting_stored_with_an_impossible_date(
    held_on: dt.date,
) -> None:
    made = cycle_school()
    meeting = Meeting.objects.create(
        school=made.school,
        school_year=SchoolYear.objects.get(start_year=2024),
        after_period="M",
        held_on=held_on,
    )
    client = member_of(made.school)
    year = held_on.year if held_on.month >= 8 else held_on.year - 1

    urls = [
        reverse("cycle:meeting", args=[meeting.pk]),
        reverse("cycle:meeting-pdf", args=[meeting.pk]),
        reverse("cycle:development-plan-new", args=[meeting.pk])
        + "?vak=rekenen&maat=p80&populatie=school_3_8",
        reverse("cycle:cycle", args=[made.school.pk]),
        reverse("analysis:school-start", args=[made.school.pk]),
        reverse("cycle:accountability", args=[made.school.pk]),
        reverse("cycle:accountability-pdf", args=[made.school.pk, year]),
    ]

    assert [client.get(url).status_code for url in urls] == [200] * len(urls)


def test_a_plan_made_in_a_meeting_at_the_end_of_the_calendar_can_be_opened() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school, held_on=dt.date(9999, 12, 31))
    client = member_of(made.school)
    url = (
        reverse("cycle:development-plan-new", args=[meeting.pk])
        + "?vak=rekenen&maat=p80&populatie=school_3_8"
    )

    form = client.get(url)

    # 20 weeks after 31 December 9999 does not exist: the last date there is.
    assert form.context["form"].initial["ends_on"] == dt.date.max
    assert not ProfessionalDevelopmentPlan.objects.exists()
