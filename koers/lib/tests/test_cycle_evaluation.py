from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koers.lib.cycle.evaluation import (
    GapEvidence,
    GrowthComparison,
    Outcome,
    PairedValues,
    compare_growth,
    gap_evidence,
    proportion_interval,
    reach_interval,
    suggest_gap_outcome,
    suggest_growth_outcome,
    suggest_pupil_outcome,
)

# x(k) = 5k, handed over shuffled so the function has to sort.
TEN = [35.0, 5.0, 50.0, 20.0, 45.0, 10.0, 30.0, 15.0, 40.0, 25.0]
TWENTY = [5.0 * k for k in (7, 3, 12, 1, 20, 15, 9, 5, 18, 11, 2, 14, 8, 17, 4, 13)]
TWENTY += [5.0 * k for k in (19, 6, 16, 10)]
ELEVEN = [float(k) for k in (6, 2, 9, 11, 1, 4, 10, 3, 8, 5, 7)]

# B ~ Binomial(10, 0.2), P(B = j) = C(10, j) 0.2^j 0.8^(10 - j):
#   j=0: 0.8^10                   = 0.1073741824
#   j=1: 10 x 0.2 x 0.134217728   = 0.268435456
#   j=2: 45 x 0.04 x 0.16777216   = 0.301989888
#   j=3: 120 x 0.008 x 0.2097152  = 0.201326592
#   j=4: 210 x 0.0016 x 0.262144  = 0.088080384
#   j=5: 252 x 0.00032 x 0.32768  = 0.0264241152
#   j=6..10 together              = 0.0063693824  (the ten sum to 1)
# A pair of ranks (l, u) covers the counts l..u-1, and l ≥ 1, so P(B = 0) is
# never covered.


def test_reach_interval_small_group_falls_back_to_the_range() -> None:
    # The widest pair (1, 10) covers 1 - P(B = 0) - P(B = 10)
    # = 1 - 0.1073741824 - 0.0000001024 = 0.8926 < 0.95: no pair reaches 95 %.
    assert reach_interval(TEN, 0.8) == (5.0, 50.0)


def test_reach_interval_p80_of_ten_at_80_percent() -> None:
    # Width 1: the largest P(B = j) is 0.302. Width 2: {1,2} 0.570, {2,3} 0.503.
    # Width 3: {1,2,3} 0.7718, {2,3,4} 0.5914. Width 4: {1..4} 0.8598 ≥ 0.80,
    # {2..5} 0.6178. Only counts 1..4 qualify: ranks (1, 5) -> x(1) = 5, x(5) = 25.
    assert reach_interval(TEN, 0.8, confidence=0.80) == (5.0, 25.0)


def test_reach_interval_p20_of_ten_mirrors_p80() -> None:
    # q = 0.8: B' = 10 - B ~ Binomial(10, 0.2), so counts 6..9 of B are counts 1..4
    # of B' (0.8598), the only width-4 set that qualifies as above; ranks (6, 10).
    assert reach_interval(TEN, 0.2, confidence=0.80) == (30.0, 50.0)


def test_reach_interval_median_of_twenty_matches_the_table() -> None:
    # Published median table (e.g. Conover, Practical Nonparametric Statistics):
    # n = 20, 95 %: x(6) and x(15), coverage 0.9586. By hand with Binomial(20, 0.5),
    # 2^20 = 1048576: P(B ≤ 4) = 6196/2^20 = 0.005909, P(B ≤ 5) = 21700/2^20
    # = 0.020695, P(B ≤ 6) = 60460/2^20 = 0.057659.
    # Width 8: counts 6..13 cover 1 - P(B ≤ 5) - P(B ≥ 14) = 1 - 0.020695
    # - 0.057659 = 0.921646 < 0.95, and 7..14 the same by symmetry.
    # Width 9: 6..14 cover 1 - 2 x 0.020695 = 0.958611; 5..13 cover
    # 1 - P(B ≤ 4) - P(B ≥ 14) = 0.936432 < 0.95. So ranks (6, 15): 30 and 75.
    assert reach_interval(TWENTY, 0.5) == (30.0, 75.0)


def test_reach_interval_prefers_the_pair_centred_on_nq() -> None:
    # At 93 % the width-9 sets 5..13 (0.936432), 6..14 (0.958611) and 7..15
    # (0.936432) all qualify (width 8 still does not). Their midpoints are 9, 10 and
    # 11; n·q = 10, so counts 6..14 win: ranks (6, 15) again.
    assert reach_interval(TWENTY, 0.5, confidence=0.93) == (30.0, 75.0)


def test_reach_interval_equal_centring_goes_to_more_coverage() -> None:
    # At 50 %, width 2: counts {1,2} cover 0.268435456 + 0.301989888 = 0.570425,
    # {2,3} cover 0.301989888 + 0.201326592 = 0.503316. Midpoints 1.5 and 2.5 are
    # both 0.5 from n·q = 2; {1,2} covers more: ranks (1, 3) -> 5 and 15.
    assert reach_interval(TEN, 0.8, confidence=0.5) == (5.0, 15.0)


def test_reach_interval_full_tie_goes_to_the_lower_pair() -> None:
    # Binomial(11, 0.5), 2^11 = 2048: P(B ≤ 1) = 12/2048, P(B ≤ 2) = 67/2048,
    # P(B ≤ 3) = 232/2048. Width 6: 3..8 cover 1 - 2 x 67/2048 = 0.9346, 2..7 cover
    # 1 - 12/2048 - 232/2048 = 0.8809: none reach 95 %. Width 7: 2..8 and 3..9 both
    # cover 1 - 12/2048 - 67/2048 = 0.9614, midpoints 5 and 6 both 0.5 from 5.5.
    # The lower pair wins: ranks (2, 9) -> 2 and 9.
    assert reach_interval(ELEVEN, 0.5) == (2.0, 9.0)


def test_reach_interval_coverage_equal_to_confidence_counts() -> None:
    # Binomial(3, 0.2): P(B = 1) = 3 x 0.2 x 0.64 = 48/125 = 0.384 exactly, so ranks
    # (1, 2) reach a confidence of 0.384 and beat the fallback (1, 3).
    assert reach_interval([70.0, 10.0, 40.0], 0.8, confidence=0.384) == (10.0, 40.0)


def test_reach_interval_keeps_tied_values() -> None:
    # Same ranks as the 80 % case above, (1, 5); sorted 30,30,30,40,40,40,...
    values = [30.0, 40.0, 30.0, 50.0, 40.0, 30.0, 60.0, 40.0, 70.0, 50.0]
    assert reach_interval(values, 0.8, confidence=0.80) == (30.0, 40.0)


def test_reach_interval_none_below_two_values() -> None:
    assert reach_interval([], 0.8) is None
    assert reach_interval([42.0], 0.8) is None


def test_reach_interval_two_values_span_both() -> None:
    assert reach_interval([60.0, 20.0], 0.5) == (20.0, 60.0)


@pytest.mark.parametrize("share", [0.0, 1.0, -0.2, 1.5])
def test_reach_interval_invalid_share_raises(share: float) -> None:
    with pytest.raises(ValueError, match="share"):
        reach_interval(TEN, share)


@pytest.mark.parametrize("confidence", [0.0, 1.0, -0.5, 95.0])
def test_reach_interval_invalid_confidence_raises(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        reach_interval(TEN, 0.8, confidence=confidence)


@given(
    st.lists(st.floats(min_value=1.0, max_value=99.0), max_size=60),
    st.sampled_from([0.2, 0.5, 0.8]) | st.floats(min_value=0.01, max_value=0.99),
    st.floats(min_value=0.5, max_value=0.99),
)
def test_reach_interval_bounds_come_from_the_input(
    indexes: list[float], share: float, confidence: float
) -> None:
    interval = reach_interval(indexes, share, confidence)

    if len(indexes) < 2:
        assert interval is None
        return
    assert interval is not None
    low, high = interval
    assert low in indexes
    assert high in indexes
    assert low <= high


# Wilson with z = 1.959964, z^2 = 3.841459; for n = 10, z^2/n = 0.3841459:
#   centre = (p + z^2/2n) / (1 + z^2/n)
#   half   = z sqrt(p(1 - p)/n + z^2/4n^2) / (1 + z^2/n)


def test_proportion_interval_eight_of_ten() -> None:
    # centre = (0.8 + 0.1920730) / 1.3841459 = 0.7167402
    # half = 1.959964 x sqrt(0.016 + 0.0096036) / 1.3841459
    #      = 1.959964 x 0.1600114 / 1.3841459 = 0.3136166 / 1.3841459 = 0.2265777
    # -> 49.016 % to 94.332 %; published: 0.4902 to 0.9433.
    interval = proportion_interval(8, 10)

    assert interval is not None
    assert interval[0] == pytest.approx(49.016, abs=0.01)
    assert interval[1] == pytest.approx(94.332, abs=0.01)


def test_proportion_interval_none_of_ten_starts_at_zero() -> None:
    # p = 0: half = centre = 0.1920730 / 1.3841459 = 0.1387664, so the interval
    # is 0 to 2 x 0.1387664 = 27.753 % (published upper bound 0.2775).
    interval = proportion_interval(0, 10)

    assert interval is not None
    assert interval[0] == 0.0
    assert interval[1] == pytest.approx(27.753, abs=0.01)


def test_proportion_interval_all_of_ten_ends_at_hundred() -> None:
    # The mirror image of 0 of 10: 100 - 27.753 = 72.247 % to 100 %.
    interval = proportion_interval(10, 10)

    assert interval is not None
    assert interval[0] == pytest.approx(72.247, abs=0.01)
    assert interval[1] == 100.0


def test_proportion_interval_none_without_pupils() -> None:
    assert proportion_interval(0, 0) is None


@pytest.mark.parametrize(("successes", "n"), [(-1, 10), (11, 10), (1, 0), (0, -1)])
def test_proportion_interval_invalid_counts_raise(successes: int, n: int) -> None:
    with pytest.raises(ValueError, match="successes"):
        proportion_interval(successes, n)


def test_proportion_interval_invalid_confidence_raises() -> None:
    with pytest.raises(ValueError, match="confidence"):
        proportion_interval(8, 10, confidence=1.0)


@given(
    st.integers(min_value=1, max_value=10_000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    ),
    st.floats(min_value=0.5, max_value=0.999),
)
def test_proportion_interval_contains_the_observed_percentage(
    counts: tuple[int, int], confidence: float
) -> None:
    successes, n = counts
    interval = proportion_interval(successes, n, confidence)

    assert interval is not None
    low, high = interval
    assert 0.0 <= low <= 100.0 * successes / n <= high <= 100.0


def test_gap_evidence_closed_but_uncertain() -> None:
    # p80 target 40: 35 -> 42 is a change of +7; gap 40 - 35 = 5 before,
    # 40 - 42 = -2 after. Closed, but the low bound 38 < 40.
    evidence = gap_evidence(40.0, 35.0, 42.0, (38.0, 45.0), 25)

    assert evidence == GapEvidence(
        target=40.0,
        before=35.0,
        after=42.0,
        after_low=38.0,
        after_high=45.0,
        n_after=25,
        change=7.0,
        gap_before=5.0,
        gap_after=-2.0,
        closed=True,
        certain=False,
    )


def test_gap_evidence_closed_and_certain_from_the_target_up() -> None:
    # Low bound exactly at the target counts (≥); after = target is closed.
    evidence = gap_evidence(40.0, 35.0, 40.0, (40.0, 45.0), 25)

    assert evidence.closed is True
    assert evidence.certain is True
    assert evidence.gap_after == 0.0


def test_gap_evidence_open_and_certain_below_the_target() -> None:
    # pct_1f target 85: 70 -> 80, gap 15 -> 5; high bound 84 < 85.
    evidence = gap_evidence(85.0, 70.0, 80.0, (72.0, 84.0), 30)

    assert evidence.change == 10.0
    assert evidence.gap_before == 15.0
    assert evidence.gap_after == 5.0
    assert evidence.closed is False
    assert evidence.certain is True


def test_gap_evidence_open_and_uncertain_when_high_reaches_the_target() -> None:
    evidence = gap_evidence(85.0, 70.0, 80.0, (72.0, 85.0), 30)

    assert evidence.closed is False
    assert evidence.certain is False


def test_gap_evidence_without_after_value() -> None:
    evidence = gap_evidence(40.0, 35.0, None, None, 0)

    assert evidence.change is None
    assert evidence.gap_before == 5.0
    assert evidence.gap_after is None
    assert evidence.closed is None
    assert evidence.certain is None


def test_gap_evidence_without_before_value() -> None:
    evidence = gap_evidence(40.0, None, 42.0, (38.0, 45.0), 25)

    assert evidence.change is None
    assert evidence.gap_before is None
    assert evidence.closed is True


def test_gap_evidence_without_interval() -> None:
    evidence = gap_evidence(40.0, 35.0, 42.0, None, 1)

    assert evidence.after_low is None
    assert evidence.after_high is None
    assert evidence.closed is True
    assert evidence.certain is None


def test_gap_evidence_as_dict_is_plain() -> None:
    evidence = gap_evidence(40.0, 35.0, 42.0, (38.0, 45.0), 25)

    assert evidence.as_dict() == {
        "target": 40.0,
        "before": 35.0,
        "after": 42.0,
        "after_low": 38.0,
        "after_high": 45.0,
        "n_after": 25,
        "change": 7.0,
        "gap_before": 5.0,
        "gap_after": -2.0,
        "closed": True,
        "certain": False,
        "paired_before": None,
        "paired_after": None,
        "n_paired": 0,
        "n_before": None,
    }


def test_gap_evidence_measures_the_change_on_the_same_pupils() -> None:
    # The school went from 12 (8 pupils, three of groep 8 among them) to 40 (5
    # pupils, groep 8 not tested at E). The same 5 pupils went from 34 to 40: the
    # change is +6, not +28; the gaps stay those of the whole populations.
    paired = PairedValues(34.0, 40.0, 5)

    evidence = gap_evidence(40.0, 12.0, 40.0, None, 5, paired=paired)

    assert (evidence.change, evidence.gap_before, evidence.gap_after) == (
        6.0,
        28.0,
        0.0,
    )
    assert (evidence.paired_before, evidence.paired_after, evidence.n_paired) == (
        34.0,
        40.0,
        5,
    )


def test_gap_evidence_falls_back_on_all_pupils_without_a_paired_value() -> None:
    # Nobody was tested at both measurements: the change of the whole groups is
    # all there is.
    evidence = gap_evidence(
        40.0, 35.0, 38.0, None, 5, paired=PairedValues(None, None, 0)
    )

    assert evidence.change == 3.0
    assert suggest_gap_outcome(evidence) == Outcome.PARTLY


def test_a_paired_fall_is_not_partly_effective_even_when_all_pupils_rose() -> None:
    # All pupils: 30 -> 35 (groep 8 pulled the start down). The same pupils:
    # 37 -> 35, a fall, so the plan did not narrow the gap for them.
    evidence = gap_evidence(
        40.0, 30.0, 35.0, None, 5, paired=PairedValues(37.0, 35.0, 5)
    )

    assert evidence.change == -2.0
    assert suggest_gap_outcome(evidence) == Outcome.NOT_EFFECTIVE


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        # Reached 40.
        (35.0, 41.0, Outcome.EFFECTIVE),
        # Still short but 35 -> 38 narrowed the gap.
        (35.0, 38.0, Outcome.PARTLY),
        # Short and no rise.
        (35.0, 35.0, Outcome.NOT_EFFECTIVE),
        (35.0, 33.0, Outcome.NOT_EFFECTIVE),
        # Short and no before value to show a rise.
        (None, 38.0, Outcome.NOT_EFFECTIVE),
        # Reached, whatever the before value.
        (None, 40.0, Outcome.EFFECTIVE),
        (None, None, None),
        (35.0, None, None),
    ],
)
def test_suggest_gap_outcome_by_value(
    before: float | None, after: float | None, expected: Outcome | None
) -> None:
    evidence = gap_evidence(40.0, before, after, None, 20)
    assert suggest_gap_outcome(evidence) == expected


def test_compare_growth_three_against_three() -> None:
    # before 2, 4, 6: mean 4, s^2 = (4 + 0 + 4)/2 = 4; after 6, 8, 10: mean 8,
    # s^2 = 4. Difference 4; SE = sqrt(4/3 + 4/3) = sqrt(8/3) = 1.632993.
    # Margin 1.959964 x 1.632993 = 3.200608: 0.799392 to 7.200608.
    comparison = compare_growth([2.0, 4.0, 6.0], [6.0, 8.0, 10.0])

    assert comparison.n_before == 3
    assert comparison.n_after == 3
    assert comparison.mean_before == 4.0
    assert comparison.mean_after == 8.0
    assert comparison.difference == 4.0
    assert comparison.low == pytest.approx(0.799392, abs=1e-5)
    assert comparison.high == pytest.approx(7.200608, abs=1e-5)


def test_compare_growth_unequal_groups() -> None:
    # before 0, 2: mean 1, s^2 = 2; after 1, 3, 5, 7: mean 4, s^2 = (9+1+1+9)/3
    # = 20/3. SE = sqrt(2/2 + (20/3)/4) = sqrt(1 + 5/3) = sqrt(8/3) = 1.632993,
    # so the same margin 3.200608 around 3: -0.200608 to 6.200608.
    comparison = compare_growth([0.0, 2.0], [1.0, 3.0, 5.0, 7.0])

    assert comparison.difference == 3.0
    assert comparison.low == pytest.approx(-0.200608, abs=1e-5)
    assert comparison.high == pytest.approx(6.200608, abs=1e-5)


def test_compare_growth_single_value_has_no_interval() -> None:
    comparison = compare_growth([3.0], [6.0, 8.0])

    assert comparison == GrowthComparison(1, 3.0, 2, 7.0, 4.0, None, None)


def test_compare_growth_empty_side_has_no_difference() -> None:
    assert compare_growth([], [6.0, 8.0]) == GrowthComparison(
        0, None, 2, 7.0, None, None, None
    )
    assert compare_growth([2.0, 4.0], []) == GrowthComparison(
        2, 3.0, 0, None, None, None, None
    )


def test_compare_growth_invalid_confidence_raises() -> None:
    with pytest.raises(ValueError, match="confidence"):
        compare_growth([2.0, 4.0], [6.0, 8.0], confidence=0.0)


def test_compare_growth_as_dict_is_plain() -> None:
    assert compare_growth([3.0], []).as_dict() == {
        "n_before": 1,
        "mean_before": 3.0,
        "n_after": 0,
        "mean_after": None,
        "difference": None,
        "low": None,
        "high": None,
    }


@pytest.mark.parametrize(
    ("comparison", "expected"),
    [
        (GrowthComparison(3, 4.0, 3, 8.0, 4.0, 0.8, 7.2), Outcome.EFFECTIVE),
        (GrowthComparison(2, 1.0, 4, 4.0, 3.0, -0.2, 6.2), Outcome.PARTLY),
        # The interval touching 0 is not clearly above it.
        (GrowthComparison(3, 4.0, 3, 6.0, 2.0, 0.0, 4.0), Outcome.PARTLY),
        (GrowthComparison(1, 3.0, 2, 7.0, 4.0, None, None), Outcome.PARTLY),
        (GrowthComparison(3, 4.0, 3, 4.0, 0.0, -3.2, 3.2), Outcome.NOT_EFFECTIVE),
        (GrowthComparison(3, 8.0, 3, 4.0, -4.0, -7.2, -0.8), Outcome.NOT_EFFECTIVE),
        (GrowthComparison(0, None, 2, 7.0, None, None, None), None),
    ],
)
def test_suggest_growth_outcome_by_interval(
    comparison: GrowthComparison, expected: Outcome | None
) -> None:
    assert suggest_growth_outcome(comparison) == expected


@pytest.mark.parametrize(
    ("still_flagged", "before", "after", "expected"),
    [
        (False, None, None, Outcome.EFFECTIVE),
        (False, 5.0, -3.0, Outcome.EFFECTIVE),
        (True, -4.0, 2.0, Outcome.PARTLY),
        (True, 2.0, 2.0, Outcome.NOT_EFFECTIVE),
        (True, 2.0, -1.0, Outcome.NOT_EFFECTIVE),
        (True, None, 2.0, Outcome.NOT_EFFECTIVE),
        (True, -4.0, None, Outcome.NOT_EFFECTIVE),
        (None, -4.0, 2.0, None),
    ],
)
def test_suggest_pupil_outcome_by_flag_and_growth(
    still_flagged: bool | None,
    before: float | None,
    after: float | None,
    expected: Outcome | None,
) -> None:
    assert suggest_pupil_outcome(still_flagged, before, after) == expected


def test_outcome_values_are_stable() -> None:
    assert [outcome.value for outcome in Outcome] == [
        "effective",
        "partly",
        "not_effective",
    ]
