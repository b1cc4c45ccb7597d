"""The demo school's onderwijsplan and completed cycle, on the small demo."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from koers.conftest import LoadedDemo
from koers.cycle.demo import build_demo_cycle
from koers.cycle.models import (
    EducationPlan,
    GroupDeviation,
    Meeting,
    ProfessionalDevelopmentPlan,
    PupilDecision,
)
from koers.schools.management.commands.demo import Command as DemoCommand

pytestmark = pytest.mark.django_db


def test_the_demo_cycle_runs_from_meeting_to_evaluation(
    loaded_demo: LoadedDemo, tmp_path: Path
) -> None:
    school = loaded_demo.school
    user = User.objects.create_user("demo-ib")
    # The ambitions `koers demo` loads: without them nothing is missed.
    DemoCommand(stdout=io.StringIO()).load_ambitions(school, tmp_path)

    built = build_demo_cycle(school, user)
    again = build_demo_cycle(school, user)

    # The small demo's last school year is 2024-2025: the meetings after its M
    # and E measurements are held in February and July 2025.
    meetings = list(Meeting.objects.filter(school=school).order_by("held_on"))
    assert (built, again) == (True, False)
    assert [(m.held_on.isoformat(), m.after_period) for m in meetings] == [
        ("2025-02-24", "M"),
        ("2025-07-02", "E"),
    ]
    assert all(m.closed_at is not None and m.pack for m in meetings)

    plans = list(EducationPlan.objects.filter(school=school).order_by("number"))
    assert [p.number for p in plans] == [1, 2]
    assert plans[1].based_on == plans[0]
    assert plans[1].subjects.get(subject="rekenen").minutes_per_week == 330

    records = [
        *ProfessionalDevelopmentPlan.objects.filter(school=school),
        *GroupDeviation.objects.filter(school=school),
        *PupilDecision.objects.filter(school=school),
    ]
    assert {type(r).__name__ for r in records} == {
        "ProfessionalDevelopmentPlan",
        "GroupDeviation",
        "PupilDecision",
    }
    assert all(r.meeting == meetings[0] for r in records)
    # Every record was evaluated at the second meeting, on the figures of E.
    assert all(r.evaluated_in == meetings[1] and r.outcome for r in records)
    assert all(r.evidence is not None for r in records)
    # The second meeting's stored pack holds the evaluations it did.
    pack = meetings[1].pack
    assert pack is not None
    assert len(pack["development_plans"]) == 1
    assert all(item["evaluated"] for item in pack["pupil_decisions"])
