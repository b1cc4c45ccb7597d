"""What the settings pages read and store, always for one school.

The ambitions form edits one scope at a time (one school year, or every year);
the flag rules are stored the way `koers.analysis.services.rules_for` reads them:
per rule only what differs from Koers's default.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from koers.analysis.models import Ambition, FlagRuleSetting
from koers.lib.analysis.flags import FlagRule, default_rules, rules_from_mapping
from koers.results.indexing import PUPIL_POPULATION
from koers.results.models import Instrument, NormRow, TestResult
from koers.schools.models import School, SchoolWeighting, SchoolYear

logger = logging.getLogger(__name__)

END_METRICS = ("end_pct_1f", "end_pct_1s2f")
END_POPULATION = "school_3_8"
PERIOD_ORDER = {"B": 0, "M": 1, "E": 2}

# (subject, metric, population); the end-of-school metrics have no subject.
type AmbitionKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class AmbitionChanges:
    created: int
    updated: int
    deleted: int


def ambitions_in_scope(school: School, school_year: int | None) -> QuerySet[Ambition]:
    """The ambitions of one school year, or (None) those that hold every year."""
    ambitions = Ambition.objects.filter(school=school)
    if school_year is None:
        return ambitions.filter(school_year__isnull=True)
    return ambitions.filter(school_year__start_year=school_year)


def current_targets(
    school: School, school_year: int | None
) -> dict[AmbitionKey, Decimal]:
    targets = {}
    for ambition in ambitions_in_scope(school, school_year):
        targets[key_of(ambition.subject, ambition.metric, ambition.population)] = (
            ambition.target
        )
    return targets


def key_of(subject: str, metric: str, population: str) -> AmbitionKey:
    # Koers reads an end-of-school ambition whatever its population, so the form
    # knows one per metric.
    if metric in END_METRICS:
        return ("", metric, END_POPULATION)
    return (subject, metric, population)


def save_targets(
    school: School,
    school_year: int | None,
    targets: Mapping[AmbitionKey, Decimal | None],
) -> AmbitionChanges:
    """Set the targets the form covers; None removes one. Ambitions the form does
    not cover (e.g. from a file) stay as they are, and so does a rationale."""
    created = updated = deleted = 0

    with transaction.atomic():
        stored: dict[AmbitionKey, list[Ambition]] = defaultdict(list)
        for ambition in ambitions_in_scope(school, school_year).select_for_update():
            key = key_of(ambition.subject, ambition.metric, ambition.population)
            stored[key].append(ambition)

        for key, target in targets.items():
            existing = stored.get(key, [])
            if target is None:
                deleted += sum(ambition.delete()[0] for ambition in existing)
                continue
            if existing:
                updated += update_target(existing, target)
                continue
            Ambition.objects.create(
                school=school,
                school_year=school_year_row(school_year),
                subject=key[0],
                metric=key[1],
                population=key[2],
                target=target,
            )
            created += 1

    logger.info(
        "ambitions saved school=%s year=%s created=%d updated=%d deleted=%d",
        school.pk,
        school_year,
        created,
        updated,
        deleted,
    )
    return AmbitionChanges(created, updated, deleted)


def update_target(existing: list[Ambition], target: Decimal) -> int:
    first, *others = existing
    for extra in others:
        extra.delete()
    if first.target == target:
        return 0
    first.target = target
    first.save(update_fields=["target"])
    return 1


def school_year_row(start_year: int | None) -> SchoolYear | None:
    if start_year is None:
        return None
    year, _ = SchoolYear.objects.get_or_create(start_year=start_year)
    return year


def ambition_years(school: School) -> list[int]:
    """School years worth offering: those the school has groups, ambitions or a
    schoolweging in."""
    years = set(
        SchoolYear.objects.filter(
            Q(groups__school=school)
            | Q(pk__in=Ambition.objects.filter(school=school).values("school_year"))
            | Q(
                pk__in=SchoolWeighting.objects.filter(school=school).values(
                    "school_year"
                )
            )
        ).values_list("start_year", flat=True)
    )
    return sorted(years)


def weighting_for(school: School, school_year: int | None) -> SchoolWeighting | None:
    """The schoolweging of the year; for every year, the most recent one."""
    weightings = SchoolWeighting.objects.filter(school=school).select_related(
        "school_year"
    )
    if school_year is not None:
        weightings = weightings.filter(school_year__start_year=school_year)
    return weightings.order_by("-school_year__start_year").first()


def stored_rule_settings(school: School) -> dict[str, dict[str, Any]]:
    return {
        setting.rule: dict(setting.parameters)
        for setting in FlagRuleSetting.objects.filter(school=school)
    }


def save_rule_settings(school: School, chosen: Mapping[str, Mapping[str, Any]]) -> int:
    """Store the chosen values of every rule; returns how many rules differ from
    Koers's default. Raises ValueError (Dutch) when the rules refuse a value."""
    overrides = differences_from_default(chosen)
    rules_from_mapping(overrides)

    with transaction.atomic():
        FlagRuleSetting.objects.filter(school=school).exclude(
            rule__in=list(overrides)
        ).delete()
        for rule, parameters in overrides.items():
            FlagRuleSetting.objects.update_or_create(
                school=school, rule=rule, defaults={"parameters": parameters}
            )

    logger.info("flag rules saved school=%s changed=%d", school.pk, len(overrides))
    return len(overrides)


def differences_from_default(
    chosen: Mapping[str, Mapping[str, Any]],
) -> dict[str, dict[str, Any]]:
    # Only what differs is stored, so a later change of a Koers default still
    # reaches the rules the school left alone.
    overrides: dict[str, dict[str, Any]] = {}
    for rule in default_rules():
        defaults = rule_values(rule)
        changed = {
            name: value
            for name, value in chosen.get(rule.name, {}).items()
            if name in defaults and value != defaults[name]
        }
        if changed:
            overrides[rule.name] = changed
    return overrides


def rule_values(rule: FlagRule) -> dict[str, Any]:
    return {field.name: getattr(rule, field.name) for field in dataclasses.fields(rule)}


@dataclass(frozen=True, slots=True)
class LoadedNorms:
    instrument: str
    generation: str
    population: str
    norm_versions: tuple[str, ...]
    moments: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class InstrumentCoverage:
    instrument: Instrument
    results: int
    moments: tuple[str, ...]
    missing: tuple[str, ...]
    by_source: dict[str, int]

    @property
    def covered(self) -> bool:
        return not self.missing


def loaded_norms() -> list[LoadedNorms]:
    """Every loaded norm row, per instrument, generation and population."""
    grouped: dict[tuple[str, str, str], list[NormRow]] = defaultdict(list)
    for row in NormRow.objects.order_by("instrument", "generation", "population"):
        grouped[(row.instrument, row.generation, row.population)].append(row)
    return [
        LoadedNorms(
            instrument=instrument,
            generation=generation,
            population=population,
            norm_versions=tuple(sorted({row.norm_version for row in rows})),
            moments=tuple(sorted({row.moment for row in rows}, key=moment_order)),
        )
        for (instrument, generation, population), rows in grouped.items()
    ]


def instrument_coverage(school: School) -> list[InstrumentCoverage]:
    """Per instrument with results at this school: the moments tested, those
    without a pupil norm row, and where the results' index came from."""
    counts = (
        TestResult.objects.filter(pupil__school=school)
        .values_list("instrument_id", "period", "moment_grade", "index_source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    moments: dict[int, set[str]] = defaultdict(set)
    sources: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for instrument_id, period, grade, source, n in counts:
        moments[instrument_id].add(f"{period}{grade}")
        sources[instrument_id][source or "none"] += n

    normed = {
        (row[0].casefold(), row[1].casefold(), row[2].upper())
        for row in NormRow.objects.filter(population=PUPIL_POPULATION).values_list(
            "instrument", "generation", "moment"
        )
    }
    instruments = Instrument.objects.filter(pk__in=list(moments)).order_by(
        "subject", "name", "generation"
    )
    return [
        coverage_of(instrument, moments[instrument.pk], sources[instrument.pk], normed)
        for instrument in instruments
    ]


def coverage_of(
    instrument: Instrument,
    moments: Iterable[str],
    sources: Mapping[str, int],
    normed: set[tuple[str, str, str]],
) -> InstrumentCoverage:
    ordered = tuple(sorted(moments, key=moment_order))
    name, generation = instrument.name.casefold(), instrument.generation.casefold()
    missing = tuple(m for m in ordered if (name, generation, m.upper()) not in normed)
    return InstrumentCoverage(
        instrument=instrument,
        results=sum(sources.values()),
        moments=ordered,
        missing=missing,
        by_source=dict(sources),
    )


def moment_order(moment: str) -> tuple[str, int, str]:
    """M4 before E4 before B5; a moment without grade or period sorts by text."""
    period, grade = moment[:1], moment[1:]
    return (grade.rjust(2, "0"), PERIOD_ORDER.get(period, 3), moment)


def save_weighting(
    school: School,
    start_year: int,
    value: Decimal,
    signal_value_1s2f: Decimal | None,
) -> tuple[SchoolWeighting, bool]:
    year, _ = SchoolYear.objects.get_or_create(start_year=start_year)
    weighting, created = SchoolWeighting.objects.update_or_create(
        school=school,
        school_year=year,
        defaults={"value": value, "signal_value_1s2f": signal_value_1s2f},
    )
    logger.info(
        "school weighting saved school=%s year=%s created=%s",
        school.pk,
        start_year,
        created,
    )
    return weighting, created


def delete_weighting(school: School, start_year: int) -> bool:
    deleted, _ = SchoolWeighting.objects.filter(
        school=school, school_year__start_year=start_year
    ).delete()
    logger.info(
        "school weighting deleted school=%s year=%s rows=%d",
        school.pk,
        start_year,
        deleted,
    )
    return deleted > 0
