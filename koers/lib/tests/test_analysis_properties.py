"""Properties that must hold for any input, checked with hypothesis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from koers.lib.analysis.ambitions import reach_value
from koers.lib.analysis.index import (
    LEVEL_AE_MIDPOINTS,
    LEVEL_IV_MIDPOINTS,
    derive_index,
    mean_index,
)
from koers.lib.analysis.norms import NormRow
from koers.lib.analysis.outcomes import TransitionOutcome, outcome_report
from koers.lib.records import Domain, ReferenceLevel

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
indexes = st.floats(min_value=1.0, max_value=99.0)
levels_iv = st.sampled_from(["", "X", *LEVEL_IV_MIDPOINTS])
levels_ae = st.sampled_from(["", "Z", *LEVEL_AE_MIDPOINTS])
norms = st.builds(
    NormRow,
    instrument=st.just("Rekenen-Wiskunde"),
    generation=st.just("3.0"),
    norm_version=st.just("2022"),
    moment=st.just("M5"),
    population=st.just("pupils"),
    national_mean=st.floats(min_value=-1000, max_value=1000),
    national_sd=st.floats(min_value=0.01, max_value=1000),
)


@given(
    st.none() | finite,
    st.none() | finite,
    st.none() | norms,
    levels_iv,
    levels_ae,
)
def test_it_keeps_every_index_within_1_and_99(
    percentile: float | None,
    ability_score: float | None,
    norm: NormRow | None,
    level_iv: str,
    level_ae: str,
) -> None:
    index = derive_index(percentile, ability_score, norm, level_iv, level_ae)

    if index is not None:
        assert 1.0 <= index.value <= 99.0


@given(indexes, st.integers(min_value=1, max_value=40))
def test_it_averages_identical_indexes_to_themselves(index: float, count: int) -> None:
    assert abs(mean_index([index] * count) - index) < 1e-6


@given(
    st.lists(indexes, min_size=1, max_size=60),
    st.floats(min_value=0.001, max_value=1.0),
    st.floats(min_value=0.001, max_value=1.0),
)
def test_it_never_raises_the_reach_value_for_a_larger_share(
    values: list[float], share_a: float, share_b: float
) -> None:
    smaller, larger = sorted((share_a, share_b))

    low_share_value = reach_value(values, smaller)
    high_share_value = reach_value(values, larger)

    assert low_share_value is not None and high_share_value is not None
    assert high_share_value <= low_share_value


pupil_levels = st.fixed_dictionaries(
    {domain: st.none() | st.sampled_from(ReferenceLevel) for domain in Domain}
)
outcomes = st.lists(
    st.builds(
        TransitionOutcome,
        pupil_id=st.integers(min_value=1, max_value=10_000),
        school_year=st.integers(min_value=2018, max_value=2025),
        levels=pupil_levels,
        exempt=st.booleans(),
    ),
    max_size=80,
)


@given(outcomes, st.floats(min_value=20.0, max_value=39.99))
def test_it_keeps_percentages_between_0_and_100(
    results: list[TransitionOutcome], weighting: float
) -> None:
    report = outcome_report(results, [weighting])

    percentages = [p for y in report.years for p in (y.pct_1f, y.pct_1s2f)]
    percentages += [report.three_year.pct_1f, report.three_year.pct_1s2f]
    for percentage in percentages:
        assert percentage is None or 0 <= percentage <= 100
    for year in report.years:
        assert year.hits_1s2f <= year.hits_1f <= 3 * year.pupils
