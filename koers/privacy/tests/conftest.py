"""A canary pupil with a row in every model that refers to pupils, for the purge
and export tests, and a ledger file of each test's own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry

from koers.cycle.models import (
    DeviationElement,
    EducationPlan,
    GroupDeviation,
    Meeting,
    PupilDecision,
)
from koers.privacy import audit
from koers.results.models import ImportBatch, Instrument, TransitionTestResult
from koers.schools.models import Enrolment, Group, Pupil
from koers.tests.helpers import add_result, small_school

# The pupil leaves on this day; retention (2 years) ends two years later.
LEFT_ON = dt.date(2024, 7, 15)

# Texts that exist only in the canary pupil's rows, one per model.
CANARY_NAME = "Kanariepiet"
CANARY_GIVEN = "Zwaantje"
CANARIES = {
    "schools.enrolment.pupil": "Kanariegroep",
    "results.testresult.pupil": "kanarienorm",
    "results.transitiontestresult.pupil": "kanarieadvies",
    "cycle.pupildecision.pupil": "kanarienotitie",
    "cycle.groupdeviation.pupils": "kanarieafwijking",
}
# These two are the group's (its name, a deviation's reason): they stay when the
# pupil goes; the export shows them because the pupil was in the group.
GROUP_CANARIES = {"schools.enrolment.pupil", "cycle.groupdeviation.pupils"}


@pytest.fixture(autouse=True)
def ledger_file(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "purge-ledger.jsonl"
    settings.KOERS_PURGE_LEDGER = path
    return path


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """`small_school` plus the canary pupil: left on LEFT_ON, with a row in every
    model that refers to pupils, traces in an import's undo record and a closed
    meeting's pack, and audit entries about it."""
    built = small_school()
    school, year = built["school"], built["year"]
    canary = Pupil.objects.create(
        school=school,
        key="11AA-9",
        surname=CANARY_NAME,
        given_names=CANARY_GIVEN,
        preferred_name=CANARY_GIVEN,
        birth_date=dt.date(2014, 2, 3),
        exit_date=LEFT_ON,
    )
    group = Group.objects.create(
        school=school, school_year=year, name=CANARIES["schools.enrolment.pupil"]
    )
    Enrolment.objects.create(pupil=canary, group=group, grade="6")
    math = Instrument.objects.get(name="Rekenen-Wiskunde")
    result = add_result(canary, math, year, dt.date(2025, 1, 20), 3.0)
    result.norm_label = CANARIES["results.testresult.pupil"]
    result.save()
    TransitionTestResult.objects.create(
        pupil=canary,
        school_year=year,
        supplier="Cito",
        advice=CANARIES["results.transitiontestresult.pupil"],
    )

    plan = EducationPlan.objects.create(school=school, school_year=year, number=1)
    meeting = Meeting.objects.create(
        school=school, school_year=year, after_period="M", held_on=dt.date(2025, 2, 3)
    )
    decision = PupilDecision.objects.create(
        school=school,
        meeting=meeting,
        pupil=canary,
        subject="rekenen",
        kind="adaptation",
        reason=CANARIES["cycle.pupildecision.pupil"],
        starts_on=dt.date(2025, 2, 3),
        ends_on=dt.date(2025, 6, 20),
        evaluate_year=year,
        evaluate_period="E",
    )
    deviation = GroupDeviation.objects.create(
        school=school,
        group=built["group"],
        subject="rekenen",
        plan=plan,
        element=DeviationElement.INSTRUCTION,
        from_text="basis",
        to_text="verlengde instructie",
        reason=CANARIES["cycle.groupdeviation.pupils"],
        expected_effect="groei",
        starts_on=dt.date(2025, 2, 3),
        ends_on=dt.date(2025, 6, 20),
        evaluate_year=year,
        evaluate_period="E",
    )
    deviation.pupils.add(canary, built["bram"])

    Meeting.objects.filter(pk=meeting.pk).update(
        pack=pack_with(canary.pk, built["bram"].pk, decision.pk)
    )
    batch = ImportBatch.objects.create(
        school=school,
        file_name="leerlingen.csv",
        checksum="0" * 64,
        format="parnassys",
        imported_by="test",
        undo_log={
            "version": 1,
            "created": {"enrolment": [], "pupil": [built["bram"].pk]},
            "previous": {
                "pupil": [
                    [canary.pk, {"surname": f"{CANARY_NAME}-oud"}],
                    [built["anna"].pk, {"surname": "Appel-oud"}],
                ],
                "result": [[result.pk, {"norm_label": "oude norm"}]],
            },
            "teacher_links": [],
        },
    )
    audit.write(
        canary,
        LogEntry.Action.ACCESS,
        {"kind": audit.VIEW, "school": school.pk, "pupil": canary.pk},
    )
    audit.write(
        built["group"],
        LogEntry.Action.ACCESS,
        {"kind": audit.VIEW, "school": school.pk, "group": built["group"].pk},
    )
    return {
        **built,
        "canary": canary,
        "canary_group": group,
        "result": result,
        "decision": decision,
        "deviation": deviation,
        "meeting": meeting,
        "batch": batch,
    }


def pack_with(canary_id: int, other_id: int, decision_id: int) -> dict[str, Any]:
    """A closed meeting's pack with a signal for the canary and for another pupil."""
    signal = {
        "subject": "rekenen",
        "rule": "persistently_low",
        "rule_label": "blijvend laag",
        "moment": "M5",
        "index": 3.0,
    }
    return {
        "school_year": 2024,
        "period": "M",
        "pupils": [
            {
                **signal,
                "pupil_id": canary_id,
                "group_id": 1,
                "explanation": "kanariesignaal",
            },
            {**signal, "pupil_id": other_id, "group_id": 1, "explanation": "laag"},
        ],
        "pupil_decisions": [
            {
                "kind": "PupilDecision",
                "id": decision_id,
                "evaluated": False,
                "outcome": "",
                "evidence": {"index": 3.0},
            }
        ],
    }
