"""The evaluation of a professionalisation plan compares like with like: the
change of a school figure is measured on the pupils counted at both
measurements, because groep 8 is tested at M but not at E."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from koers.analysis.services import SchoolResults
from koers.cycle import services
from koers.cycle.models import ProfessionalDevelopmentPlan
from koers.cycle.tests.factories import M24, cycle_school, meeting_after_m24
from koers.cycle.tests.test_meeting_views import plan_form
from koers.lib.analysis.ambitions import AmbitionMetric, Population
from koers.lib.records import Period, Subject
from koers.results.models import Instrument
from koers.schools.models import Enrolment, Group, Pupil
from koers.tests.helpers import add_result, member_of

pytestmark = pytest.mark.django_db

# Groep 8, tested at M only (they take the doorstroomtoets instead of an E test).
GROUP_8 = (10.0, 12.0, 14.0)


def with_group_8() -> tuple[ProfessionalDevelopmentPlan, Client]:
    """The cycle school plus three pupils of groep 8 with a math result at M24,
    and a plan made after M24 for the p80 of groups 3-8.

    p80 is the k-th highest index with k = ceil(0.8 n):

    - at M24 over all 8 pupils (22, 34, 44, 50, 60 and 10, 12, 14): k = 7, so
      the 7th highest of 60, 50, 44, 34, 22, 14, 12, 10 is 12;
    - at E24 over the 5 pupils tested (30, 40, 52, 58, 70): k = 4, so 40;
    - at M24 over the same 5 pupils (22, 34, 44, 50, 60): k = 4, so 34.
    """
    made = cycle_school()
    group = Group.objects.create(school=made.school, school_year=made.year, name="8A")
    math = Instrument.objects.get(subject="rekenen")
    for number, index in enumerate(GROUP_8, start=1):
        pupil = Pupil.objects.create(
            school=made.school, key=f"8-{number}", surname=f"A{number}"
        )
        Enrolment.objects.create(pupil=pupil, group=group, grade="8")
        add_result(pupil, math, made.year, M24, index, "M", "8")

    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    client.post(
        reverse("cycle:development-plan-new", args=[meeting.pk])
        + "?vak=rekenen&maat=p80&populatie=school_3_8",
        plan_form(),
    )
    return ProfessionalDevelopmentPlan.objects.get(), client


def test_the_plan_keeps_the_gap_over_everyone_counted_at_m() -> None:
    plan, _client = with_group_8()

    assert (float(plan.value_at_start), plan.n_at_start) == (12.0, 8)


def test_the_change_is_measured_on_the_same_pupils() -> None:
    plan, _client = with_group_8()

    evidence = services.plan_evidence(plan, SchoolResults.load(plan.school))

    found = evidence.evidence
    assert (found.before, found.after, found.n_after) == (12.0, 40.0, 5)
    assert (found.paired_before, found.paired_after, found.n_paired) == (
        34.0,
        40.0,
        5,
    )
    # +6 on the same pupils, where all pupils would suggest +28.
    assert found.change == 6.0
    assert found.closed is True


def test_the_page_explains_the_like_for_like_comparison() -> None:
    plan, client = with_group_8()

    page = client.get(reverse("cycle:development-plan", args=[plan.pk]))

    html = page.content.decode()
    assert "Was 12,0, nu 40,0 (ambitie 40,0, 5 leerlingen)." in html
    assert (
        "Bij dezelfde 5 leerlingen, die aan beide metingen meededen: van 34,0 "
        "naar 40,0 (+6,0)."
    ) in html
    assert "zoals groep 8 bij de eindmeting" in html


def test_a_plan_without_results_at_the_evaluating_measurement_has_no_pair() -> None:
    plan, _client = with_group_8()
    results = SchoolResults.load(plan.school)

    paired = services.paired_values(
        results,
        (2024, Period.MIDDLE),
        (2025, Period.MIDDLE),
        Subject.MATH,
        AmbitionMetric.P80,
        Population.SCHOOL_3_8,
    )

    assert paired is not None
    assert (paired.before, paired.after, paired.n) == (None, None, 0)
