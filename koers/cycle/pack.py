"""The preparation of a schoolbespreking, in the order of its agenda.

1. the school against its ambitions per subject, with the trend;
2. the evaluation of the professionalisation plans of the period that closes;
3. per group the verdict and the evaluation of its deviations;
4. the pupils with a signal at the measurement, and the decisions to evaluate;
5. deviations that keep returning: candidates for changing the onderwijsplan.

The pack is plain data (numbers, codes and record ids, never a pupil's name), so
that closing a meeting can store it as it was and the minutes show the figures
the meeting looked at, also after later imports.
"""

from __future__ import annotations

import logging
from typing import Any

from koers.analysis.services import SchoolResults
from koers.cycle import services
from koers.cycle.models import (
    GroupDeviation,
    Meeting,
    ProfessionalDevelopmentPlan,
    PupilDecision,
    TwentyWeekRecord,
)
from koers.schools.models import Enrolment

logger = logging.getLogger(__name__)


def build_pack(
    meeting: Meeting, results: SchoolResults | None = None
) -> dict[str, Any]:
    """The meeting's preparation from the current data."""
    results = results or SchoolResults.load(meeting.school)
    measurement = services.measurement_of(meeting)
    year, period = measurement
    groups = list(services.groups_of_meeting(meeting))

    placed = dict(
        Enrolment.objects.filter(group__in=groups).values_list("pupil_id", "group_id")
    )
    flags = services.flags_at(results, measurement, set(placed))
    to_evaluate = _records_to_evaluate(meeting)

    pack = {
        "school_year": year,
        "period": period.value,
        "measured": services.measured(meeting.school, measurement),
        "school": services.school_verdicts(results, measurement),
        "development_plans": [
            _evaluation(record, results)
            for record in to_evaluate
            if isinstance(record, ProfessionalDevelopmentPlan)
        ],
        "groups": [
            {
                "group_id": group.pk,
                "name": group.name,
                "subjects": services.group_verdicts(results, group, measurement),
                "deviations": [
                    _evaluation(record, results)
                    for record in to_evaluate
                    if isinstance(record, GroupDeviation)
                    and record.group_id == group.pk
                ],
            }
            for group in groups
        ],
        # Deviations of groups of an earlier year, still waiting for evaluation.
        "other_deviations": [
            _evaluation(record, results)
            for record in to_evaluate
            if isinstance(record, GroupDeviation)
            and record.group_id not in {g.pk for g in groups}
        ],
        "pupils": [
            {
                "pupil_id": flag.pupil_id,
                "group_id": placed[flag.pupil_id],
                "subject": flag.subject.value,
                **services.flag_snapshot(flag),
            }
            for flag in flags
        ],
        "pupil_decisions": [
            _evaluation(record, results)
            for record in to_evaluate
            if isinstance(record, PupilDecision)
        ],
        "recurring": services.recurring_deviations(meeting.school),
    }
    logger.info(
        "meeting pack built meeting=%s groups=%d signals=%d to_evaluate=%d",
        meeting.pk,
        len(groups),
        len(flags),
        len(to_evaluate),
    )
    return pack


def _records_to_evaluate(meeting: Meeting) -> list[TwentyWeekRecord]:
    """Records this meeting should evaluate: those closing at its measurement, and
    older ones nobody evaluated yet (they carry over), and those it evaluated."""
    measurement = services.measurement_of(meeting)
    return [
        record
        for record in [
            *services.open_records(meeting.school),
            *_evaluated_in(meeting),
        ]
        if record.meeting_id != meeting.pk
        and services.measurement_order(services.measurement_of(record))
        <= services.measurement_order(measurement)
    ]


def _evaluated_in(meeting: Meeting) -> list[TwentyWeekRecord]:
    return [
        *ProfessionalDevelopmentPlan.objects.filter(evaluated_in=meeting),
        *GroupDeviation.objects.filter(evaluated_in=meeting),
        *PupilDecision.objects.filter(evaluated_in=meeting),
    ]


def _evaluation(record: TwentyWeekRecord, results: SchoolResults) -> dict[str, Any]:
    """A record's figures: as stored when it was evaluated, else as they are now."""
    evidence = record.evidence
    if evidence is None:
        evidence = services.evidence_for(record, results)
    return {
        "kind": type(record).__name__,
        "id": record.pk,
        "evaluated": record.evaluated,
        "outcome": record.outcome,
        "evidence": evidence,
    }
