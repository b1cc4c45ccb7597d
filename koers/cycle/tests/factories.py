"""A school made by hand for the cycle's tests, with numbers small enough to
check every figure on paper.

Group 5A (2024-2025) has five pupils with a math result at E 2023-2024 (grade 4),
M 2024-2025 and E 2024-2025 (grade 5):

    pupil  E23  M24  E24   growth at M24  growth at E24
    P1      20   22   30        2              8
    P2      30   34   40        4              6
    P3      40   44   52        4              8
    P4      50   50   58        0              8
    P5      60   60   70        0             10

and pupil P6 has spelling only: 4 (M23), 5 (E23), 6 (M24), 7 (E24), so the
default rule "persistently low" (three results in a row under 10 without a rise
of 5) fires from M24 on. The school's ambition is p80 = 40 for math, groups 3-8.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from koers.analysis.models import Ambition
from koers.cycle.models import (
    EducationPlan,
    Meeting,
    PlanSubject,
    PupilDecision,
    SchoolAgreement,
)
from koers.results.models import Instrument
from koers.schools.models import Enrolment, Group, Pupil, School, SchoolYear
from koers.tests.helpers import add_result, make_school

MATH = {
    "P1": (20.0, 22.0, 30.0),
    "P2": (30.0, 34.0, 40.0),
    "P3": (40.0, 44.0, 52.0),
    "P4": (50.0, 50.0, 58.0),
    "P5": (60.0, 60.0, 70.0),
}
E23 = dt.date(2024, 6, 10)
M24 = dt.date(2025, 1, 20)
E24 = dt.date(2025, 6, 10)


@dataclass
class CycleSchool:
    school: School
    year: SchoolYear
    group: Group
    pupils: dict[str, Pupil]
    plan: EducationPlan


def cycle_school(brin: str = "22CY", with_e24: bool = True) -> CycleSchool:
    school = make_school(brin, "OBS De Cyclus")
    earlier, _ = SchoolYear.objects.get_or_create(start_year=2023)
    year, _ = SchoolYear.objects.get_or_create(start_year=2024)
    group = Group.objects.create(school=school, school_year=year, name="5A")
    previous = Group.objects.create(school=school, school_year=earlier, name="4A")
    math, _ = Instrument.objects.get_or_create(
        supplier="Cito", name="Rekenen-Wiskunde", generation="3.0", subject="rekenen"
    )
    spelling, _ = Instrument.objects.get_or_create(
        supplier="Cito", name="Spelling", generation="3.0", subject="spelling"
    )

    pupils = {}
    for number, name in enumerate([*MATH, "P6"], start=1):
        pupil = Pupil.objects.create(
            school=school, key=f"{brin}-{number}", surname=name, preferred_name="Kind"
        )
        Enrolment.objects.create(pupil=pupil, group=previous, grade="4")
        Enrolment.objects.create(pupil=pupil, group=group, grade="5")
        pupils[name] = pupil

    for name, (e23, m24, e24) in MATH.items():
        add_result(pupils[name], math, earlier, E23, e23, "E", "4")
        add_result(pupils[name], math, year, M24, m24, "M", "5")
        if with_e24:
            add_result(pupils[name], math, year, E24, e24, "E", "5")
    low = pupils["P6"]
    add_result(low, spelling, earlier, dt.date(2024, 1, 22), 4.0, "M", "4")
    add_result(low, spelling, earlier, E23, 5.0, "E", "4")
    add_result(low, spelling, year, M24, 6.0, "M", "5")
    if with_e24:
        add_result(low, spelling, year, E24, 7.0, "E", "5")

    Ambition.objects.create(
        school=school,
        subject="rekenen",
        metric="p80",
        population="school_3_8",
        target=Decimal(40),
    )
    Ambition.objects.create(
        school=school, subject="rekenen", metric="p80", population="group", target=40
    )
    plan = EducationPlan.objects.create(school=school, school_year=year, number=1)
    PlanSubject.objects.create(
        plan=plan,
        subject="rekenen",
        minutes_per_week=300,
        instruction_model="EDI met verlengde instructie",
    )
    SchoolAgreement.objects.create(plan=plan, title="Elke les begint met het lesdoel")
    return CycleSchool(school, year, group, pupils, plan)


def meeting_after_m24(school: School, held_on: dt.date | None = None) -> Meeting:
    return Meeting.objects.create(
        school=school,
        school_year=SchoolYear.objects.get(start_year=2024),
        after_period="M",
        held_on=held_on or dt.date(2025, 2, 20),
    )


def pupil_decision(made: CycleSchool, meeting: Meeting, **fields: Any) -> PupilDecision:
    """A decision on pupil P6's spelling from that meeting, running until the E
    measurement of 2024-2025; `fields` override any of it."""
    values: dict[str, Any] = {
        "school": made.school,
        "meeting": meeting,
        "starts_on": dt.date(2025, 2, 20),
        "ends_on": dt.date(2025, 7, 10),
        "evaluate_year": made.year,
        "evaluate_period": "E",
        "pupil": made.pupils["P6"],
        "subject": "spelling",
        "kind": "no_change",
        "reason": "r",
    }
    return PupilDecision.objects.create(**{**values, **fields})
