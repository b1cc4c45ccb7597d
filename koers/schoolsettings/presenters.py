"""Turning settings into what the Dutch pages show: labels, rows and sections."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from koers.analysis.models import Ambition, MetricChoice, PopulationChoice
from koers.lib.analysis.outcomes import shipped_signal_values, weighting_band
from koers.lib.records import Subject
from koers.results.models import SubjectChoice
from koers.schools.models import SchoolWeighting
from koers.schoolsettings.forms import (
    COURSE_METRICS,
    FORM_POPULATIONS,
    INDEX_METRICS,
    AmbitionsForm,
)
from koers.schoolsettings.rules import StrOrLazy
from koers.schoolsettings.services import AmbitionKey, key_of
from koers.schoolsettings.suggestion import SuggestedProfile

FORM_METRICS = INDEX_METRICS + COURSE_METRICS
INFERRED = gettext_lazy("afgeleid uit de open data van de Inspectie")
STATUS_LABELS: dict[str, StrOrLazy] = {
    "observed": gettext_lazy("waargenomen in de open data van de Inspectie"),
    "inferred_high": INFERRED,
    "inferred_medium": INFERRED,
    "inferred_low": gettext_lazy("afgeleid uit de open data van de Inspectie, onzeker"),
}


def year_label(start_year: int | None) -> str:
    if start_year is None:
        return _("alle schooljaren")
    return f"{start_year}-{start_year + 1}"


def subject_label(subject: str) -> str:
    return str(SubjectChoice(subject).label) if subject else _("lezen, taal, rekenen")


@dataclass(frozen=True, slots=True)
class AmbitionLine:
    subject: str
    metric: str
    population: str
    target: Decimal
    rationale: str


@dataclass(frozen=True, slots=True)
class AmbitionScope:
    start_year: int | None
    label: str
    lines: list[AmbitionLine]


def ambition_scopes(ambitions: Iterable[Ambition]) -> list[AmbitionScope]:
    """The ambitions per scope: every year first, then each school year."""
    by_scope: dict[int | None, list[AmbitionLine]] = {}
    for ambition in ambitions:
        year = ambition.school_year.start_year if ambition.school_year else None
        by_scope.setdefault(year, []).append(
            AmbitionLine(
                subject=subject_label(ambition.subject),
                metric=str(MetricChoice(ambition.metric).label),
                population=str(PopulationChoice(ambition.population).label),
                target=ambition.target,
                rationale=ambition.rationale,
            )
        )
    years = sorted(by_scope, key=lambda year: -1 if year is None else year)
    return [AmbitionScope(year, year_label(year), by_scope[year]) for year in years]


@dataclass(frozen=True, slots=True)
class FormRow:
    subject: str
    cells: list[forms.BoundField | None]


@dataclass(frozen=True, slots=True)
class FormSection:
    population: str
    label: str
    rows: list[FormRow]


def form_sections(form: AmbitionsForm) -> list[FormSection]:
    """The ambitions form as one table per population: a row per subject, a
    column per metric (empty where a subject has no reference level)."""
    names = set(form.fields)
    sections = []
    for population in FORM_POPULATIONS:
        rows = []
        for target in form.targets:
            subject, metric, target_population = target.key
            if target_population != population or metric != "p80" or not subject:
                continue
            cells = [
                form[name] if name in names else None
                for name in (f"{population}-{subject}-{m}" for m in FORM_METRICS)
            ]
            rows.append(FormRow(subject_label(subject), cells))
        label = str(PopulationChoice(population).label)
        sections.append(FormSection(population, label, rows))
    return sections


def end_fields(form: AmbitionsForm) -> list[forms.BoundField]:
    return [form[t.name] for t in form.targets if not t.key[0]]


def suggested_values(profile: SuggestedProfile) -> dict[AmbitionKey, Decimal]:
    return {
        key_of(t.subject, t.metric.value, t.population.value): t.target
        for t in profile.targets
    }


@dataclass(frozen=True, slots=True)
class SuggestionRow:
    subject: str
    values: list[Decimal | None]


def suggestion_rows(profile: SuggestedProfile) -> list[SuggestionRow]:
    values = suggested_values(profile)
    rows = []
    for subject in Subject:
        cells = [values.get((subject.value, m, "school_3_8")) for m in FORM_METRICS]
        if any(cell is not None for cell in cells):
            rows.append(SuggestionRow(subject_label(subject.value), cells))
    return rows


@dataclass(frozen=True, slots=True)
class WeightingRow:
    start_year: int
    label: str
    value: Decimal
    band: tuple[int, int]
    shipped_value: Decimal | None
    shipped_status: str
    own_value: Decimal | None


def weighting_rows(weightings: Iterable[SchoolWeighting]) -> list[WeightingRow]:
    shipped = {s.band_from: s for s in shipped_signal_values()}
    rows = []
    for weighting in weightings:
        band = weighting_band(weighting.value)
        signal = shipped.get(band[0])
        rows.append(
            WeightingRow(
                start_year=weighting.school_year.start_year,
                label=weighting.school_year.label,
                value=weighting.value,
                band=band,
                shipped_value=signal.value if signal else None,
                shipped_status=str(STATUS_LABELS.get(signal.status, ""))
                if signal
                else "",
                own_value=weighting.signal_value_1s2f,
            )
        )
    return rows
