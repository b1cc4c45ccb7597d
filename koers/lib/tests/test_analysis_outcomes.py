from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pytest

from koers.lib.analysis.outcomes import (
    SignalSource,
    ThresholdVerdict,
    TransitionOutcome,
    YearOutcome,
    outcome_report,
    round2,
    school_weighting,
    shipped_signal_values,
    weighting_band,
    year_outcome,
)
from koers.lib.records import Domain, ReferenceLevel
from koers.lib.tests.files import NORMS_DIR

NORMS = NORMS_DIR
YEARS = (2022, 2023, 2024)
TARGET = {
    Domain.MATH: ReferenceLevel.S1,
    Domain.READING: ReferenceLevel.F2,
    Domain.LANGUAGE: ReferenceLevel.F2,
}
DOMAINS = (Domain.READING, Domain.LANGUAGE, Domain.MATH)


def cohort(
    school_year: int, pupils: int, hits_1f: int, hits_1s2f: int
) -> list[TransitionOutcome]:
    """Pupils whose results give exactly the hit counts, plus one exempt pupil.

    The 3 x pupils pupil-domain slots are filled in order: first the target level,
    then 1F, then below 1F; every fifth slot below 1F is left empty (no result).
    """
    slots: list[ReferenceLevel | None] = []
    for position in range(3 * pupils):
        domain = DOMAINS[position % 3]
        if position < hits_1s2f:
            slots.append(TARGET[domain])
        elif position < hits_1f:
            slots.append(ReferenceLevel.F1)
        else:
            slots.append(None if position % 5 == 0 else ReferenceLevel.BELOW_1F)

    outcomes = [
        TransitionOutcome(
            pupil_id=school_year * 1000 + pupil,
            school_year=school_year,
            levels={d: slots[3 * pupil + i] for i, d in enumerate(DOMAINS)},
        )
        for pupil in range(pupils)
    ]
    exempt = TransitionOutcome(
        pupil_id=school_year * 1000 + 999,
        school_year=school_year,
        levels=dict.fromkeys(DOMAINS, ReferenceLevel.F2),
        exempt=True,
    )
    return [*outcomes, exempt]


@dataclass(frozen=True)
class WorkedExample:
    pupils: tuple[int, int, int]
    hits_1f: tuple[int, int, int]
    hits_1s2f: tuple[int, int, int]
    years_1f: tuple[float, float, float]
    years_1s2f: tuple[float, float, float]
    three_year: tuple[float, float]
    weighting: str
    band: tuple[int, int]
    signal: Decimal
    verdicts: tuple[ThresholdVerdict, ThresholdVerdict]


# The Inspectie open-data rows (inspectie_worked_examples.csv), with the hit counts
# pct x 3n / 100 worked out by hand:
#   00AP 1F: 94.44 x 54 = 51, 92.31 x 39 = 36, 91.67 x 36 = 33 -> 120/129 = 93.02
#   00AP 1S/2F: 30, 20, 17 -> 67/129 = 51.94
#   00AR 1F: 60, 27, 62 -> 149/150 = 99.33; 1S/2F: 42, 16, 29 -> 87/150 = 58.00
#   00AV 1F: 24, 15, 27 -> 66/69 = 95.65; 1S/2F: 10, 6, 10 -> 26/69 = 37.68
# Bands are the floor of the school weighting; the signal values are the shipped
# values of those bands (observed in the same open data).
WORKED_EXAMPLES = {
    "00AP": WorkedExample(
        pupils=(18, 13, 12),
        hits_1f=(51, 36, 33),
        hits_1s2f=(30, 20, 17),
        years_1f=(94.44, 92.31, 91.67),
        years_1s2f=(55.56, 51.28, 47.22),
        three_year=(93.02, 51.94),
        weighting="31.47",
        band=(31, 32),
        signal=Decimal("43.5"),
        verdicts=(ThresholdVerdict.ABOVE, ThresholdVerdict.ABOVE),
    ),
    "00AR": WorkedExample(
        pupils=(20, 9, 21),
        hits_1f=(60, 27, 62),
        hits_1s2f=(42, 16, 29),
        years_1f=(100.0, 100.0, 98.41),
        years_1s2f=(70.0, 59.26, 46.03),
        three_year=(99.33, 58.0),
        weighting="27.78",
        band=(27, 28),
        signal=Decimal("50.1"),
        verdicts=(ThresholdVerdict.ABOVE, ThresholdVerdict.ABOVE),
    ),
    "00AV": WorkedExample(
        pupils=(8, 5, 10),
        hits_1f=(24, 15, 27),
        hits_1s2f=(10, 6, 10),
        years_1f=(100.0, 100.0, 90.0),
        years_1s2f=(41.67, 40.0, 33.33),
        three_year=(95.65, 37.68),
        weighting="30.61",
        band=(30, 31),
        signal=Decimal("45.5"),
        verdicts=(ThresholdVerdict.ABOVE, ThresholdVerdict.BELOW),
    ),
}
VERDICT_WORDS = {"boven": ThresholdVerdict.ABOVE, "onder": ThresholdVerdict.BELOW}


def published_rows() -> dict[str, dict[str, str]]:
    with (NORMS / "inspectie_worked_examples.csv").open(encoding="utf-8") as file:
        return {row["ovt"].split("|")[0]: row for row in csv.DictReader(file)}


def school_outcomes(example: WorkedExample) -> list[TransitionOutcome]:
    outcomes: list[TransitionOutcome] = []
    for year, pupils, hits_1f, hits_1s2f in zip(
        YEARS, example.pupils, example.hits_1f, example.hits_1s2f, strict=True
    ):
        outcomes.extend(cohort(year, pupils, hits_1f, hits_1s2f))
    return outcomes


@pytest.mark.parametrize("school", sorted(WORKED_EXAMPLES))
def test_it_matches_the_published_row(school: str) -> None:
    # The hard-coded expectations are the published open-data row.
    example = WORKED_EXAMPLES[school]
    row = published_rows()[school]

    for position, suffix in enumerate(("2223", "2324", "2425")):
        assert int(row[f"n_{suffix}"]) == example.pupils[position]
        assert float(row[f"pct_1F_{suffix}"]) == example.years_1f[position]
        assert float(row[f"pct_1S2F_{suffix}"]) == example.years_1s2f[position]
        hits = float(row[f"pct_1F_{suffix}"]) * 3 * example.pupils[position] / 100
        assert round(hits) == example.hits_1f[position]
        assert hits == pytest.approx(round(hits), abs=0.01)
    assert (
        float(row["weighted_3yr_pct_1F"]),
        float(row["weighted_3yr_pct_1S2F"]),
    ) == example.three_year
    assert row["schoolweging"] == example.weighting
    assert Decimal(row["signaleringswaarde_1S2F"]) == example.signal
    assert (
        VERDICT_WORDS[row["outcome_1F"]],
        VERDICT_WORDS[row["outcome_1S2F"]],
    ) == example.verdicts


@pytest.mark.parametrize("school", sorted(WORKED_EXAMPLES))
def test_it_reproduces_the_inspectie_worked_examples(school: str) -> None:
    example = WORKED_EXAMPLES[school]

    report = outcome_report(school_outcomes(example), [Decimal(example.weighting)])
    data = report.as_dict()

    assert [y.pupils for y in report.years] == list(example.pupils)
    assert [y.hits_1f for y in report.years] == list(example.hits_1f)
    assert [y.hits_1s2f for y in report.years] == list(example.hits_1s2f)
    assert [y["pct_1f"] for y in data["years"]] == list(example.years_1f)
    assert [y["pct_1s2f"] for y in data["years"]] == list(example.years_1s2f)
    assert (data["three_year"]["pct_1f"], data["three_year"]["pct_1s2f"]) == (
        example.three_year
    )
    assert report.three_year.pupils == sum(example.pupils)
    assert report.weighting_band == example.band
    assert report.signal_value_1s2f == example.signal
    assert report.signal_source == SignalSource.SHIPPED_TABLE
    assert report.signal_status == "observed"
    assert (report.verdict_1f, report.verdict_1s2f) == example.verdicts
    assert report.reason == ""
    json.dumps(data)


def test_it_keeps_exact_fractions_inside() -> None:
    report = outcome_report(
        school_outcomes(WORKED_EXAMPLES["00AR"]), [Decimal("27.78")]
    )

    # 87 / 150 x 100 = 58 exactly; 149 / 150 x 100 = 298 / 3.
    assert report.three_year.pct_1s2f == Fraction(58)
    assert report.three_year.pct_1f == Fraction(298, 3)


def test_it_leaves_out_exempt_pupils_and_counts_missing_levels_as_not_reached() -> None:
    outcomes = [
        TransitionOutcome(1, 2024, {Domain.READING: ReferenceLevel.F2}),
        TransitionOutcome(2, 2024, dict.fromkeys(DOMAINS, ReferenceLevel.F3), True),
    ]

    year = year_outcome(2024, outcomes)

    # One counted pupil with lezen 2F and two missing levels: 1 of 3 for both.
    assert year == YearOutcome(2024, 1, 1, 1, Fraction(100, 3), Fraction(100, 3))


def test_it_counts_1s_as_target_level_only_for_rekenen() -> None:
    outcomes = [TransitionOutcome(1, 2024, dict.fromkeys(DOMAINS, ReferenceLevel.S1))]

    year = year_outcome(2024, outcomes)

    # 1S reaches 1F in all three domains but the target level only in rekenen.
    assert (year.hits_1f, year.hits_1s2f) == (3, 1)


def test_it_pools_the_last_three_years_with_pupils() -> None:
    outcomes = [
        *cohort(2020, 10, 0, 0),
        *cohort(2021, 2, 6, 6),
        *cohort(2022, 2, 6, 0),
        *cohort(2023, 2, 3, 3),
        # 2024: only an exempt pupil, so no results that year.
        TransitionOutcome(1, 2024, {}, exempt=True),
    ]

    report = outcome_report(outcomes, [30.2])

    # 2021-2023: 1F hits 6 + 6 + 3 = 15 of 18 -> 83.33; target 6 + 0 + 3 = 9 -> 50.
    assert report.three_year.school_years == (2021, 2022, 2023)
    assert report.three_year.pct_1f == Fraction(250, 3)
    assert report.years[-1].pct_1f is None
    # 83.33 is below 85; 50 is above the shipped 45.5 of band [30, 31).
    assert (report.verdict_1f, report.verdict_1s2f) == (
        ThresholdVerdict.BELOW,
        ThresholdVerdict.ABOVE,
    )


def test_it_gives_no_1s2f_verdict_when_the_band_value_is_unknown() -> None:
    report = outcome_report(school_outcomes(WORKED_EXAMPLES["00AP"]), [33.4])

    assert report.weighting_band == (33, 34)
    assert (report.signal_value_1s2f, report.verdict_1s2f) == (None, None)
    assert report.verdict_1f == ThresholdVerdict.ABOVE
    assert report.reason == (
        "Voor schoolwegingscategorie [33,34) is geen signaleringswaarde bekend; "
        "voer de waarde uit het Inspectie-overzicht van de school in."
    )


def test_it_asks_for_a_school_weighting_when_there_is_none() -> None:
    report = outcome_report(school_outcomes(WORKED_EXAMPLES["00AP"]))

    assert report.verdict_1s2f is None
    assert "geen schoolweging bekend" in report.reason


def test_it_prefers_the_value_the_school_entered() -> None:
    # 00AR: 58.00 % is above the shipped 50.1 but below an entered 60.
    report = outcome_report(
        school_outcomes(WORKED_EXAMPLES["00AR"]),
        [Decimal("27.78")],
        school_signal_value_1s2f=60,
    )

    assert report.signal_value_1s2f == Decimal(60)
    assert report.signal_source == SignalSource.SCHOOL
    assert report.verdict_1s2f == ThresholdVerdict.BELOW


def test_it_accepts_an_entered_value_without_a_school_weighting() -> None:
    report = outcome_report(
        school_outcomes(WORKED_EXAMPLES["00AR"]), school_signal_value_1s2f=50.1
    )

    assert (report.weighting_band, report.verdict_1s2f) == (
        None,
        ThresholdVerdict.ABOVE,
    )


def test_it_reports_equality_as_not_above() -> None:
    # 2 pupils, 3 of 6 results at target level -> exactly 50.0 against 50.
    outcomes = cohort(2024, 2, 6, 3)

    report = outcome_report(outcomes, school_signal_value_1s2f=Decimal("50.0"))

    assert report.verdict_1s2f == ThresholdVerdict.BELOW
    assert report.equal_1s2f is True
    assert report.equal_1f is False


def test_it_reports_no_verdicts_without_results() -> None:
    report = outcome_report([], [30.0])

    assert (report.verdict_1f, report.verdict_1s2f) == (None, None)
    assert report.three_year.pct_1f is None
    assert "geen eindresultaten" in report.reason


def test_it_averages_up_to_three_school_weightings() -> None:
    # (31.2 + 31.9 + 31.6) / 3 = 31.5666... -> band [31, 32).
    weighting = school_weighting([31.2, Decimal("31.9"), 31.6])

    assert weighting is not None
    assert round(weighting, 4) == Decimal("31.5667")
    assert weighting_band(weighting) == (31, 32)
    # (30.1 + 31.2 + 31.7) / 3 = 31 exactly: in float arithmetic 30.99999...
    assert weighting_band(school_weighting([30.1, 31.2, 31.7]) or Decimal(0)) == (
        31,
        32,
    )
    assert school_weighting([]) is None


def test_it_refuses_more_than_three_school_weightings() -> None:
    with pytest.raises(ValueError, match="at most three"):
        school_weighting([30, 31, 32, 33])


def test_it_ships_only_bands_with_a_value() -> None:
    values = shipped_signal_values()

    # Eight of the twenty bands have a public value (inspectie_signaleringswaarden).
    assert [(v.band_from, v.value) for v in values] == [
        (20, Decimal("68.3")),
        (25, Decimal("53.8")),
        (27, Decimal("50.1")),
        (29, Decimal("47.1")),
        (30, Decimal("45.5")),
        (31, Decimal("43.5")),
        (35, Decimal("36.3")),
        (39, Decimal("30.3")),
    ]
    assert all(v.band_to == v.band_from + 1 and v.source for v in values)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(Fraction(12345, 1000), 12.35), (Fraction(280, 3), 93.33), (Fraction(100), 100.0)],
)
def test_it_rounds_half_up_to_two_decimals(value: Fraction, expected: float) -> None:
    assert round2(value) == expected
