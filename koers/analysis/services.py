"""Reading a school's results from the database into the analysis package.

The arithmetic lives in `koers.lib.analysis`; this module only gathers its inputs
(observations, targets, transition results, weightings) for one school, and stores
what a school sets (ambitions, flag rules). Everything here is scoped to one school.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction

from koers.analysis.models import Ambition, FlagRuleSetting
from koers.lib.ambitions_file import AmbitionFile
from koers.lib.analysis.ambitions import AmbitionMetric, Population, Targets
from koers.lib.analysis.flags import Flag, FlagRule, flag_pupils, rules_from_mapping
from koers.lib.analysis.growth import changes_in_order
from koers.lib.analysis.index import IndexSource
from koers.lib.analysis.observations import Observation
from koers.lib.analysis.outcomes import OutcomeReport, TransitionOutcome, outcome_report
from koers.lib.analysis.overviews import (
    TREND_YEARS,
    CohortOverview,
    GroupOverview,
    PupilOverview,
    SchoolOverview,
    cohort_overview,
    group_overview,
    latest_per_pupil,
    pupil_overview,
    school_overview,
)
from koers.lib.records import Domain, Period, ReferenceLevel, Subject
from koers.lib.values import school_year_of
from koers.results.models import Instrument, TestResult, TransitionTestResult
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
    school: School,
    pupil: Pupil | None = None,
    *,
    at_school_only: bool = True,
    pupils: Collection[int] | None = None,
) -> list[Observation]:
    """Every indexed result of the school's pupils, with growth per instrument.

    Results taken while the pupil was not placed in a group of this school (an
    earlier school, through an OSO dossier) count for the pupil's own history but
    not for the school: with `at_school_only` they are left out. `pupils` limits
    the reading to those pupils' whole histories (a group's page).
    """
    subject_of = dict(
        Instrument.objects.filter(
            subject__in=[subject.value for subject in OVERVIEW_SUBJECTS]
        ).values_list("pk", "subject")
    )
    year_of = dict(SchoolYear.objects.values_list("pk", "start_year"))
    # The school's pupils as a subquery, and the subject filter in Python: one
    # index range per pupil instead of one per pupil and instrument.
    results = TestResult.objects.filter(
        pupil_id__in=Pupil.objects.filter(school=school).values("pk"),
        index_value__isnull=False,
    )
    if pupil is not None:
        results = results.filter(pupil=pupil)
    if pupils is not None:
        if not pupils:
            return []
        results = results.filter(pupil_id__in=list(pupils))
    # Sorted per pupil, instrument and date, so growth is the difference with the
    # row before (same rule as koers.lib.analysis.growth).
    query = results.order_by("pupil_id", "instrument_id", "administered_on")
    sql, params = query.values_list(
        "pupil_id",
        "instrument_id",
        "school_year_id",
        "period",
        "moment_grade",
        "grade_at_test",
        "administered_on",
        "index_value",
        "index_source",
        "index_coarse",
        "reference_level",
    ).query.sql_with_params()
    # Read through the driver, without the ORM's per-row converters, which cost a
    # fifth of a school page: the driver already returns dates, floats and (with
    # the converters Django registers for SQLite) booleans.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [row for row in cursor.fetchall() if row[1] in subject_of]
    growth = changes_in_order(((row[0], row[1]), row[7] or 0.0) for row in rows)
    where = placements(school)

    subjects = {subject.value: subject for subject in Subject}
    periods = {period.value: period for period in Period}
    sources = {source.value: source for source in IndexSource}
    levels = {level.value: level for level in ReferenceLevel}

    observations = []
    for row, change in zip(rows, growth, strict=True):
        (
            pupil_id,
            instrument_id,
            year_id,
            period,
            moment_grade,
            grade_at_test,
            administered_on,
            index,
            source,
            coarse,
            level,
        ) = row
        year = year_of[year_id]
        placement = where.get((pupil_id, year))
        if index is None or (placement is None and at_school_only):
            continue
        # Positional, in the field order of Observation: a page makes one per
        # result of five years, and keywords cost a third of the reading here.
        observations.append(
            Observation(
                pupil_id,
                placement.group_id if placement else 0,
                placement.group_name if placement else "",
                (placement.grade if placement else "") or grade_at_test,
                subjects[subject_of[instrument_id]],
                year,
                periods.get(period, Period.MIDDLE),
                moment_grade or None,
                instrument_id,
                administered_on,
                index,
                sources[source],
                coarse,
                change,
                levels.get(level),
            )
        )
    return observations


class SchoolResults:
    """Every indexed result of one school, read once for all the overviews of a
    page or command: reading and computing growth is most of the work."""

    def __init__(self, school: School, observations: list[Observation]) -> None:
        self.school = school
        self.observations = observations
        self.at_school = [o for o in observations if o.group_id]
        # The overviews count one result per pupil and moment: chosen once here
        # for all of them, and kept per school year.
        self.latest: dict[int, list[Observation]] = defaultdict(list)
        for observation in latest_per_pupil(self.at_school):
            self.latest[observation.school_year].append(observation)
        self.targets: dict[int, Targets] = {}

    @classmethod
    def load(cls, school: School) -> SchoolResults:
        return cls(school, load_observations(school, at_school_only=False))

    @classmethod
    def load_group(cls, group: Group) -> SchoolResults:
        """The results of one group's pupils only, over all their years: enough
        for the group's overview, its pupils' flags and its cohort, at a
        fraction of the school's reading."""
        pupils = Enrolment.objects.filter(group=group).values_list(
            "pupil_id", flat=True
        )
        observations = load_observations(
            group.school, at_school_only=False, pupils=set(pupils)
        )
        return cls(group.school, observations)

    def school_years(self) -> list[int]:
        """The years in which the school's own pupils were tested here."""
        return sorted({o.school_year for o in self.at_school})

    def targets_for(self, school_year: int) -> Targets:
        if school_year not in self.targets:
            self.targets[school_year] = targets_for(self.school, school_year)
        return self.targets[school_year]

    def school_overview(self, school_year: int) -> SchoolOverview:
        # The overview reads its own year and the years of its trend.
        window = [
            observation
            for year in range(school_year - TREND_YEARS, school_year + 1)
            for observation in self.latest.get(year, [])
        ]
        return school_overview(
            window, self.targets_for(school_year), school_year, latest_only=True
        )

    def group_overview(self, group: Group) -> GroupOverview:
        year = group.school_year.start_year
        in_year = self.latest.get(year, [])
        return group_overview(
            in_year, self.targets_for(year), group.pk, year, latest_only=True
        )

    def cohort(self, group: Group) -> CohortOverview:
        """The pupils of `group` followed back through their grades here."""
        pupil_ids = Enrolment.objects.filter(group=group).values_list(
            "pupil_id", flat=True
        )
        return cohort_overview(self.at_school, pupil_ids)

    def flags(self, pupils: set[int] | None = None) -> list[Flag]:
        """Flags of all pupils, or of the pupils given."""
        by_pupil: dict[int, list[Observation]] = defaultdict(list)
        for observation in self.observations:
            if pupils is None or observation.pupil_id in pupils:
                by_pupil[observation.pupil_id].append(observation)
        return flag_pupils(by_pupil, rules_for(self.school))

    def current_flags(self, school_year: int) -> list[Flag]:
        """Flags whose latest result falls in the school year, for the pupils
        placed in one of the school's groups that year: what the schoolbespreking
        discusses."""
        placed = set(
            Enrolment.objects.filter(
                group__school=self.school, group__school_year__start_year=school_year
            ).values_list("pupil_id", flat=True)
        )
        return [
            flag
            for flag in self.flags(placed)
            if school_year_of(flag.evidence[-1].administered_on) == school_year
        ]


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


def group_overview_for(group: Group) -> GroupOverview:
    return SchoolResults.load(group.school).group_overview(group)


def pupil_overview_for(pupil: Pupil) -> PupilOverview | None:
    observations = load_observations(pupil.school, pupil, at_school_only=False)
    if not observations:
        return None
    return pupil_overview(observations)


def rules_for(school: School) -> list[FlagRule]:
    settings = {
        setting.rule: setting.parameters
        for setting in FlagRuleSetting.objects.filter(school=school)
    }
    return rules_from_mapping(settings)


def flags_for(school: School, pupil: Pupil | None = None) -> list[Flag]:
    """Flags on the pupils' own series, at this school and before it."""
    if pupil is None:
        return SchoolResults.load(school).flags()
    observations = load_observations(school, pupil, at_school_only=False)
    return flag_pupils({pupil.pk: observations}, rules_for(school))


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
    # The Inspectie takes the last three school years, not the last three years
    # that happen to have results: an old year never fills a gap. And it counts
    # the school's own leavers: where Koers knows the groups of a year, a result
    # of a pupil in none of them (a stray message) does not count.
    latest = max((outcome.school_year for outcome in outcomes), default=0)
    placed: dict[int, set[int]] = defaultdict(set)
    enrolments = Enrolment.objects.filter(group__school=school).values_list(
        "group__school_year__start_year", "pupil_id"
    )
    for year, pupil_id in enrolments:
        placed[year].add(pupil_id)
    outcomes = [
        o
        for o in outcomes
        if o.school_year > latest - 3
        and (not placed[o.school_year] or o.pupil_id in placed[o.school_year])
    ]

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
        if loaded.ambitions:
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
            # Only what the file says is stored: a rule whose section leaves out
            # `enabled` keeps Koers's default for it.
            for rule, parameters in loaded.flag_rules.items():
                FlagRuleSetting.objects.create(
                    school=school, rule=rule, parameters=dict(parameters)
                )

    logger.info(
        "ambitions loaded school=%s ambitions=%d rules=%s",
        school.pk,
        len(loaded.ambitions),
        rules,
    )
    return len(loaded.ambitions), rules
