"""End-of-school results as the Inspectie judges them (onderwijsresultatenmodel po).

Per school year, over the pupils of the groep-8 cohort without an exemption:

- `hits_1f`: pupil-domain results at 1F or higher, over lezen, taalverzorging and
  rekenen; a missing level counts as not reached;
- `hits_1s2f`: results at the target level (rekenen 1S or higher, lezen and
  taalverzorging 2F or higher; a 1S in lezen does not count);
- percentage = 100 x hits / (3 x pupils).

The three-year value pools the last three years with results, weighted by pupils:
100 x sum of hits / (3 x sum of pupils). The 1F signal value is 85 for every school;
the 1S/2F value depends on the school-weighting band (floor of the unweighted mean of
up to three yearly school weightings). Koers ships the publicly known band values
(`data/signal_values_1s2f.csv`, several of them inferred); a value the school entered
from its own Inspectie overview always wins. The judgement needs the value strictly
ABOVE the signal value; equality is reported separately so a page can say so.
Percentages are exact fractions here and are rounded (2 decimals) only in `as_dict`.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

from koers.lib.analysis.levels import reaches_1f, reaches_target
from koers.lib.analysis.serialise import jsonable
from koers.lib.records import Domain, ReferenceLevel

SIGNAL_VALUE_1F = Decimal(85)
THREE_YEARS = 3
DATA_FILE = "signal_values_1s2f.csv"


class ThresholdVerdict(StrEnum):
    ABOVE = "above"
    BELOW = "below"


class SignalSource(StrEnum):
    SCHOOL = "school"
    SHIPPED_TABLE = "shipped_table"


@dataclass(frozen=True, slots=True)
class TransitionOutcome:
    """The groep-8 reference levels of one pupil in one school year."""

    pupil_id: int
    school_year: int
    levels: Mapping[Domain, ReferenceLevel | None]
    exempt: bool = False


@dataclass(frozen=True, slots=True)
class YearOutcome:
    """One year; percentages are None when every pupil was exempt."""

    school_year: int
    pupils: int
    hits_1f: int
    hits_1s2f: int
    pct_1f: Fraction | None
    pct_1s2f: Fraction | None


@dataclass(frozen=True, slots=True)
class ThreeYear:
    school_years: tuple[int, ...]
    pupils: int
    pct_1f: Fraction | None
    pct_1s2f: Fraction | None


@dataclass(frozen=True, slots=True)
class SignalValue:
    band_from: int
    band_to: int
    value: Decimal
    status: str
    source: str


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    """The Inspectie view of a school. A verdict is None when it cannot be given;
    `reason` then says why, in Dutch."""

    years: tuple[YearOutcome, ...]
    three_year: ThreeYear
    school_weighting: Decimal | None
    weighting_band: tuple[int, int] | None
    signal_value_1f: Decimal
    signal_value_1s2f: Decimal | None
    signal_source: SignalSource | None
    signal_status: str
    verdict_1f: ThresholdVerdict | None
    equal_1f: bool
    verdict_1s2f: ThresholdVerdict | None
    equal_1s2f: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = jsonable(_rounded(self))
        return result


def year_outcome(
    school_year: int, outcomes: Iterable[TransitionOutcome]
) -> YearOutcome:
    counted = [o for o in outcomes if not o.exempt]
    hits_1f = sum(reaches_1f(o.levels.get(d)) for o in counted for d in Domain)
    hits_1s2f = sum(reaches_target(d, o.levels.get(d)) for o in counted for d in Domain)
    return YearOutcome(
        school_year=school_year,
        pupils=len(counted),
        hits_1f=hits_1f,
        hits_1s2f=hits_1s2f,
        pct_1f=_percentage(hits_1f, len(counted)),
        pct_1s2f=_percentage(hits_1s2f, len(counted)),
    )


def three_year(years: Sequence[YearOutcome]) -> ThreeYear:
    """Pupil-weighted value over the last three school years that have pupils."""
    recent = sorted((y for y in years if y.pupils), key=lambda y: y.school_year)
    recent = recent[-THREE_YEARS:]
    pupils = sum(y.pupils for y in recent)
    return ThreeYear(
        school_years=tuple(y.school_year for y in recent),
        pupils=pupils,
        pct_1f=_percentage(sum(y.hits_1f for y in recent), pupils),
        pct_1s2f=_percentage(sum(y.hits_1s2f for y in recent), pupils),
    )


def school_weighting(values: Sequence[Decimal | float]) -> Decimal | None:
    """Unweighted mean of up to three yearly school weightings (None if none).

    The caller picks the years: from 2023/24 the Inspectie uses the values published
    the year before the results.
    """
    if len(values) > THREE_YEARS:
        raise ValueError("the Inspectie averages at most three school weightings")
    if not values:
        return None
    return sum((Decimal(str(v)) for v in values), Decimal(0)) / len(values)


def weighting_band(weighting: Decimal) -> tuple[int, int]:
    """The 1-point band [k, k+1) of a school weighting."""
    lower = math.floor(weighting)
    return lower, lower + 1


@cache
def shipped_signal_values() -> tuple[SignalValue, ...]:
    text = resources.files("koers.lib.analysis").joinpath("data", DATA_FILE)
    reader = csv.DictReader(io.StringIO(text.read_text(encoding="utf-8")))
    return tuple(
        SignalValue(
            band_from=int(row["band_from"]),
            band_to=int(row["band_to"]),
            value=Decimal(row["value"]),
            status=row["status"],
            source=row["source"],
        )
        for row in reader
    )


def outcome_report(
    outcomes: Iterable[TransitionOutcome],
    school_weightings: Sequence[Decimal | float] = (),
    school_signal_value_1s2f: Decimal | float | None = None,
) -> OutcomeReport:
    """Yearly and three-year indicators with verdicts against the signal values.

    `school_signal_value_1s2f` is the value from the school's own Inspectie
    overview; when given it replaces the shipped table.
    """
    years = _years(outcomes)
    pooled = three_year(years)
    weighting = school_weighting(school_weightings)
    band = weighting_band(weighting) if weighting is not None else None
    signal = _signal_value_1s2f(band, school_signal_value_1s2f)

    verdict_1f, equal_1f = _judge(pooled.pct_1f, SIGNAL_VALUE_1F)
    verdict_1s2f, equal_1s2f = _judge(pooled.pct_1s2f, signal.value if signal else None)

    return OutcomeReport(
        years=years,
        three_year=pooled,
        school_weighting=weighting,
        weighting_band=band,
        signal_value_1f=SIGNAL_VALUE_1F,
        signal_value_1s2f=signal.value if signal else None,
        signal_source=_source(signal, school_signal_value_1s2f),
        signal_status=signal.status if signal else "",
        verdict_1f=verdict_1f,
        equal_1f=equal_1f,
        verdict_1s2f=verdict_1s2f,
        equal_1s2f=equal_1s2f,
        reason=_reason(pooled, weighting, band, signal),
    )


def _years(outcomes: Iterable[TransitionOutcome]) -> tuple[YearOutcome, ...]:
    by_year: dict[int, list[TransitionOutcome]] = defaultdict(list)
    for outcome in outcomes:
        by_year[outcome.school_year].append(outcome)
    return tuple(year_outcome(year, by_year[year]) for year in sorted(by_year))


def _percentage(hits: int, pupils: int) -> Fraction | None:
    if pupils == 0:
        return None
    return Fraction(100 * hits, 3 * pupils)


def _signal_value_1s2f(
    band: tuple[int, int] | None, school_value: Decimal | float | None
) -> SignalValue | None:
    if school_value is not None:
        value = Decimal(str(school_value))
        low, high = band if band else (0, 0)
        return SignalValue(low, high, value, "entered", "school")
    if band is None:
        return None
    return next((s for s in shipped_signal_values() if s.band_from == band[0]), None)


def _source(signal: SignalValue | None, school_value: object) -> SignalSource | None:
    if signal is None:
        return None
    return (
        SignalSource.SCHOOL if school_value is not None else SignalSource.SHIPPED_TABLE
    )


def _judge(
    value: Fraction | None, threshold: Decimal | None
) -> tuple[ThresholdVerdict | None, bool]:
    # The Inspectie requires a value above the signal value; the exact comparison of
    # fractions keeps e.g. 43.50 from counting as above 43.5.
    if value is None or threshold is None:
        return None, False
    limit = Fraction(threshold)
    verdict = ThresholdVerdict.ABOVE if value > limit else ThresholdVerdict.BELOW
    return verdict, value == limit


def _reason(
    pooled: ThreeYear,
    weighting: Decimal | None,
    band: tuple[int, int] | None,
    signal: SignalValue | None,
) -> str:
    if not pooled.pupils:
        return "Er zijn nog geen eindresultaten van leerlingen zonder ontheffing."
    if signal is not None:
        return ""
    if weighting is None or band is None:
        return (
            "Er is geen schoolweging bekend; voer de schoolweging of de "
            "signaleringswaarde uit het Inspectie-overzicht van de school in."
        )
    return (
        f"Voor schoolwegingscategorie [{band[0]},{band[1]}) is geen "
        "signaleringswaarde bekend; voer de waarde uit het Inspectie-overzicht "
        "van de school in."
    )


def _rounded(report: OutcomeReport) -> dict[str, Any]:
    # Round the exact fractions, not floats made from them: 12.345 as a float is
    # 12.3449999..., which would round down.
    result: dict[str, Any] = jsonable(report)
    for values, year in zip(result["years"], report.years, strict=True):
        values.update(_rounded_percentages(year))
    result["three_year"].update(_rounded_percentages(report.three_year))
    return result


def _rounded_percentages(item: YearOutcome | ThreeYear) -> dict[str, float | None]:
    return {
        "pct_1f": None if item.pct_1f is None else round2(item.pct_1f),
        "pct_1s2f": None if item.pct_1s2f is None else round2(item.pct_1s2f),
    }


def round2(value: Fraction | float) -> float:
    """Round half up to two decimals, as the Inspectie's published percentages do."""
    fraction = Fraction(value)
    exact = Decimal(fraction.numerator) / Decimal(fraction.denominator)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
