from __future__ import annotations

import pytest

from koers.lib.analysis.ambitions import (
    AmbitionMetric,
    Population,
    Verdict,
    evaluate,
    reach_value,
    share_reaching,
    target_for,
)
from koers.lib.records import Subject

TEN = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        # k = ceil(0.8 x 10) = 8 -> 8th highest of 100..10 is 30.
        (0.8, 30.0),
        # k = ceil(0.2 x 10) = 2 -> 90.
        (0.2, 90.0),
        # k = ceil(0.7 x 10) = 7 -> 40 (a float 7.000000000000001 would give 30).
        (0.7, 40.0),
        # k = 10 -> the lowest.
        (1.0, 10.0),
        # k = ceil(0.05 x 10) = 1 -> the highest.
        (0.05, 100.0),
    ],
)
def test_it_finds_the_value_a_share_of_ten_pupils_reach(
    share: float, expected: float
) -> None:
    assert reach_value(reversed(TEN), share) == expected


def test_it_finds_reach_values_for_five_pupils() -> None:
    values = [30.0, 10.0, 50.0, 20.0, 40.0]

    # k = ceil(0.8 x 5) = 4 -> 4th highest = 20; k = ceil(0.2 x 5) = 1 -> 50.
    assert reach_value(values, 0.8) == 20.0
    assert reach_value(values, 0.2) == 50.0


def test_it_returns_the_only_value_for_one_pupil() -> None:
    assert reach_value([42.0], 0.8) == 42.0
    assert reach_value([42.0], 0.2) == 42.0


def test_it_handles_ties() -> None:
    values = [60.0, 40.0, 60.0, 40.0, 60.0]

    # Sorted 60, 60, 60, 40, 40: k = 4 -> 40; k = ceil(0.6 x 5) = 3 -> 60.
    assert reach_value(values, 0.8) == 40.0
    assert reach_value(values, 0.6) == 60.0


def test_it_returns_none_for_no_pupils() -> None:
    assert reach_value([], 0.8) is None


@pytest.mark.parametrize("share", [0.0, -0.1, 1.01])
def test_it_refuses_a_share_outside_0_to_1(share: float) -> None:
    with pytest.raises(ValueError, match="share"):
        reach_value(TEN, share)


def test_it_computes_the_share_of_true_values() -> None:
    # 2 of 3 -> 66.67 %.
    assert share_reaching([True, False, True]) == pytest.approx(66.667, abs=0.001)
    assert share_reaching([]) is None


def test_it_meets_a_target_at_or_above_it() -> None:
    above = evaluate(AmbitionMetric.P80, 30.0, 32.25, 20)
    equal = evaluate(AmbitionMetric.P80, 30.0, 30.0, 20)
    below = evaluate(AmbitionMetric.P20, 75.0, 74.95, 20)

    assert above == Verdict(AmbitionMetric.P80, 30.0, 32.25, True, 2.25, 20)
    assert (equal.met, equal.margin) == (True, 0.0)
    assert below.met is False
    # 74.95 - 75 = -0.05; rounding happens only in display.
    assert below.margin == pytest.approx(-0.05)


def test_it_gives_no_verdict_without_a_value() -> None:
    verdict = evaluate(AmbitionMetric.PCT_1F, 85.0, None, 0)

    assert (verdict.met, verdict.margin, verdict.value) == (None, None, None)
    assert verdict.as_dict()["met"] is None


def test_it_takes_the_first_population_with_a_target() -> None:
    targets = {(Subject.MATH, AmbitionMetric.P80, Population.SCHOOL_3_8): 30.0}
    populations = (Population.GROUP, Population.SCHOOL_3_8)

    assert target_for(targets, Subject.MATH, AmbitionMetric.P80, populations) == 30.0
    assert (
        target_for(targets, Subject.SPELLING, AmbitionMetric.P80, populations) is None
    )
