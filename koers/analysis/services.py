"""Reading a school's results from the database into the analysis package.

The arithmetic lives in `koers.lib.analysis`; this module only gathers its inputs
(observations, targets, transition results, weightings) for one school, and stores
what a school sets (ambitions, flag rules). Everything here is scoped to one school.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from koers.analysis.models import Ambition, FlagRuleSetting
from koers.lib.ambitions_file import AmbitionFile
from koers.lib.analysis.ambitions import AmbitionMetric, Population, Targets
from koers.lib.analysis.flags import Flag, FlagRule, flag_pupils, rules_from_mapping
from koers.lib.analysis.growth import Measurement, growth_steps
from koers.lib.analysis.index import IndexSource
from koers.lib.analysis.observations import Observation
from koers.lib.analysis.outcomes import OutcomeReport, TransitionOutcome, outcome_report
from koers.lib.analysis.overviews import (
    GroupOverview,
    PupilOverview,
    SchoolOverview,
    group_overview,
    pupil_overview,
    school_overview,
)
from koers.lib.records import Domain, Period, ReferenceLevel, Subject
from koers.lib.values import school_year_of
from koers.results.models import TestResult, TransitionTestResult
from koers.schools.models import Enrolment, Group, Pupil, School, SchoolYear

logger = logging.getLogger(__name__)

# Subjects of the overviews; other tests (IQ, kleuter tests) stay on the pupil page.
OVERVIEW_SUBJECTS = (
    Subject.MATH,
    Subject.READING_COMPREHENSION,
    Subject.SPELLING,
    Subject.TECHNICAL_READING,
    Subject.VOCABULARY,
    Subject.LANGUAGE,
)


@dataclass(frozen=True, slots=True)
class Placement:
    group_id: int
    group_name: str
    grade: str


def placements(school: School) -> dict[tuple[int, int], Placement]:
    """Each pupil's group and grade per school year, by (pupil id, start year).

    A pupil who changed groups during a year counts in the group they were in last.
    """
    found: dict[tuple[int, int], Placement] = {}
    rows = (
        Enrolment.objects.filter(group__school=school)
        .order_by("start_date", "pk")
        .values_list(
            "pupil_id",
            "group_id",
            "group__name",
            "group__school_year__start_year",
            "grade",
        )
    )
    for pupil_id, group_id, group_name, year, grade in rows:
        found[(pupil_id, year)] = Placement(group_id, group_name, grade)
    return found


def load_observations(
    school: School, pupil: Pupil | None = None, *, at_school_only: bool = True
) -> list[Observation]:
    """Every indexed result of the school's pupils, with growth per instrument.

    Results taken while the pupil was not placed in a group of this school (an
    earlier school, through an OSO dossier) count for the pupil's own history but
    not for the school: with `at_school_only` they are left out.
    """
    results = TestResult.objects.filter(
        pupil__school=school,
        index_value__isnull=False,
        instrument__subject__in=[subject.value for subject in OVERVIEW_SUBJECTS],
    )
    if pupil is not None:
        results = results.filter(pupil=pupil)
    rows = list(
        results.values_list(
            "pk",
            "pupil_id",
            "instrument_id",
            "instrument__subject",
            "school_year__start_year",
            "period",
            "moment_grade",
            "grade_at_test",
            "administered_on",
            "index_value",
            "index_source",
            "index_coarse",
            "reference_level",
        )
    )
    growth = growth_by_result(rows)
    where = placements(school)

    observations = []
    for row in rows:
        (
            pk,
            pupil_id,
            instrument_id,
            subject,
            year,
            period,
            moment_grade,
            grade_at_test,
            administered_on,
            index,
            source,
            coarse,
            level,
        ) = row
        placement = where.get((pupil_id, year))
        if index is None or (placement is None and at_school_only):
            continue
        observations.append(
            Observation(
                pupil_id=pupil_id,
                group_id=placement.group_id if placement else 0,
                group_name=placement.group_name if placement else "",
                grade=(placement.grade if placement else "") or grade_at_test,
                subject=Subject(subject),
                school_year=year,
                period=Period(period) if period else Period.MIDDLE,
                moment_grade=moment_grade or None,
                instrument_id=instrument_id,
                administered_on=administered_on,
                index=index,
                index_source=IndexSource(source),
                coarse=coarse,
                growth=growth.get(pk),
                reference_level=ReferenceLevel(level) if level else None,
            )
        )
    return observations


def growth_by_result(rows: list[tuple[Any, ...]]) -> dict[int, float]:
    """The index change of each result since the previous one on its instrument."""
    measurements = []
    result_ids: dict[tuple[int, int, object], int] = {}
    for row in rows:
        pk, pupil_id, instrument_id = row[0], row[1], row[2]
        administered_on, index = row[8], row[9]
        measurements.append(
            Measurement(pupil_id, instrument_id, administered_on, index, "")
        )
        result_ids[(pupil_id, instrument_id, administered_on)] = pk

    return {
        result_ids[(step.pupil_id, step.instrument_id, step.to_date)]: step.change
        for step in growth_steps(measurements)
    }


def targets_for(school: School, school_year: int) -> Targets:
    """The school's targets for a year: a target set for that year wins over one
    that holds for every year."""
    targets: dict[tuple[Subject, AmbitionMetric, Population], float] = {}
    ambitions = Ambition.objects.filter(school=school).exclude(subject="")
    ordered = sorted(
        ambitions.select_related("school_year"),
        key=lambda a: a.school_year_id is not None,
    )
    for ambition in ordered:
        if ambition.school_year and ambition.school_year.start_year != school_year:
            continue
        key = (
            Subject(ambition.subject),
            AmbitionMetric(ambition.metric),
            Population(ambition.population),
        )
        targets[key] = float(ambition.target)
    return targets


def end_targets_for(school: School) -> dict[str, float]:
    """The end-of-school ambitions (three-year % 1F and % 1S/2F)."""
    ambitions = Ambition.objects.filter(
        school=school, metric__in=["end_pct_1f", "end_pct_1s2f"]
    ).order_by("school_year__start_year")
    return {ambition.metric: float(ambition.target) for ambition in ambitions}


def school_years_with_results(school: School) -> list[int]:
    years = (
        TestResult.objects.filter(pupil__school=school)
        .values_list("school_year__start_year", flat=True)
        .distinct()
    )
    return sorted(set(years))


def school_overview_for(school: School, school_year: int) -> SchoolOverview:
    observations = load_observations(school)
    return school_overview(observations, targets_for(school, school_year), school_year)


def group_overview_for(group: Group) -> GroupOverview:
    observations = load_observations(group.school)
    year = group.school_year.start_year
    return group_overview(observations, targets_for(group.school, year), group.pk, year)


def pupil_overview_for(pupil: Pupil) -> PupilOverview | None:
    observations = load_observations(pupil.school, pupil, at_school_only=False)
    if not observations:
        return None
    return pupil_overview(observations)


def rules_for(school: School) -> list[FlagRule]:
    settings = {
        setting.rule: {"enabled": setting.enabled, **setting.parameters}
        for setting in FlagRuleSetting.objects.filter(school=school)
    }
    return rules_from_mapping(settings)


def flags_for(school: School, pupil: Pupil | None = None) -> list[Flag]:
    """Flags on the pupils' own series, at this school and before it."""
    observations = load_observations(school, pupil, at_school_only=False)
    by_pupil: dict[int, list[Observation]] = defaultdict(list)
    for observation in observations:
        by_pupil[observation.pupil_id].append(observation)
    return flag_pupils(by_pupil, rules_for(school))


def current_flags(school: School, school_year: int) -> list[Flag]:
    """Flags whose latest result falls in the school year, for the pupils placed in
    one of the school's groups that year: what the schoolbespreking discusses."""
    placed = set(
        Enrolment.objects.filter(
            group__school=school, group__school_year__start_year=school_year
        ).values_list("pupil_id", flat=True)
    )
    return [
        flag
        for flag in flags_for(school)
        if flag.pupil_id in placed
        and school_year_of(flag.evidence[-1].administered_on) == school_year
    ]


def outcomes_for(school: School) -> OutcomeReport:
    """End-of-school results of the last three school years with results."""
    rows = TransitionTestResult.objects.filter(pupil__school=school).values_list(
        "pupil_id",
        "school_year__start_year",
        "level_reading",
        "level_language",
        "level_math",
        "exempt",
    )
    outcomes = [
        TransitionOutcome(
            pupil_id=pupil_id,
            school_year=year,
            levels={
                Domain.READING: level_or_none(reading),
                Domain.LANGUAGE: level_or_none(language),
                Domain.MATH: level_or_none(math),
            },
            exempt=exempt,
        )
        for pupil_id, year, reading, language, math, exempt in rows
    ]
    last_years = sorted({outcome.school_year for outcome in outcomes})[-3:]
    outcomes = [o for o in outcomes if o.school_year in last_years]

    weightings = list(
        school.weightings.select_related("school_year").order_by(
            "-school_year__start_year"
        )[:3]
    )
    own_value = next(
        (w.signal_value_1s2f for w in weightings if w.signal_value_1s2f is not None),
        None,
    )
    return outcome_report(
        outcomes,
        school_weightings=[w.value for w in weightings],
        school_signal_value_1s2f=own_value,
    )


def level_or_none(code: str) -> ReferenceLevel | None:
    return ReferenceLevel(code) if code else None


def replace_ambitions(school: School, loaded: AmbitionFile) -> tuple[int, int | None]:
    """Store a loaded ambitions file: it replaces the school's ambitions, and its
    flag rules when it has any. Raises ValueError for an unknown rule."""
    rules = None
    if loaded.flag_rules is not None:
        rules_from_mapping(loaded.flag_rules)
        rules = len(loaded.flag_rules)

    with transaction.atomic():
        Ambition.objects.filter(school=school).delete()
        for spec in loaded.ambitions:
            year = None
            if spec.school_year is not None:
                year, _ = SchoolYear.objects.get_or_create(start_year=spec.school_year)
            Ambition.objects.create(
                school=school,
                school_year=year,
                subject=spec.subject,
                metric=spec.metric,
                population=spec.population,
                target=Decimal(spec.target),
                rationale=spec.rationale,
            )

        if loaded.flag_rules is not None:
            FlagRuleSetting.objects.filter(school=school).delete()
            for rule, parameters in loaded.flag_rules.items():
                values = dict(parameters)
                enabled = bool(values.pop("enabled", True))
                FlagRuleSetting.objects.create(
                    school=school, rule=rule, enabled=enabled, parameters=values
                )

    logger.info(
        "ambitions loaded school=%s ambitions=%d rules=%s",
        school.pk,
        len(loaded.ambitions),
        rules,
    )
    return len(loaded.ambitions), rules
