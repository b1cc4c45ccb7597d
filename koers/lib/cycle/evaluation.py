"""What a 20-week plan achieved: intervals, gap evidence and suggested outcomes.

The suggestions are only suggestions: the team decides the outcome of a plan at the
schoolbespreking, and the intervals tell it how firmly the numbers support one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from fractions import Fraction
from statistics import NormalDist, fmean, variance
from typing import Any


class Outcome(StrEnum):
    EFFECTIVE = "effective"
    PARTLY = "partly"
    NOT_EFFECTIVE = "not_effective"


@dataclass(frozen=True, slots=True)
class PairedValues:
    """A metric at two measurements over the same `n` pupils (those counted at
    both); a value is None when it cannot be computed, for instance for n = 0."""

    before: float | None
    after: float | None
    n: int


@dataclass(frozen=True, slots=True)
class GapEvidence:
    """A metric before and after a plan against its target.

    `before` and `after` are the metric over everyone counted at each measurement
    (`n_before` and `n_after` pupils);
    `paired_before` and `paired_after` over the `n_paired` pupils counted at both.
    `change` is paired_after - paired_before when both are known (like for like:
    pupils who left or came in between do not move it), else after - before.
    `gap_before`/`gap_after` = target - value, positive while the value falls
    short. `closed` when after ≥ target. `after_low` and `after_high` bound the
    after value; `certain` is True when that whole interval lies on the side of
    the target that `closed` says. Fields that need a missing value are None.
    """

    target: float
    before: float | None
    after: float | None
    after_low: float | None
    after_high: float | None
    n_after: int
    change: float | None
    gap_before: float | None
    gap_after: float | None
    closed: bool | None
    certain: bool | None
    paired_before: float | None = None
    paired_after: float | None = None
    n_paired: int = 0
    n_before: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class GrowthComparison:
    """Mean growth (index points) before and during a plan, and their difference.

    `difference` = mean_after - mean_before; `low`/`high` bound it. Means are None
    for a side without values, the difference when either side has none, and the
    interval also when either side has fewer than two values.
    """

    n_before: int
    mean_before: float | None
    n_after: int
    mean_after: float | None
    difference: float | None
    low: float | None
    high: float | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def reach_interval(
    indexes: Sequence[float], share: float, confidence: float = 0.95
) -> tuple[float, float] | None:
    """Distribution-free interval for the value that `share` of all pupils reach.

    That value is the q = 1 - share quantile ξ of the population (share 0.8, the
    p80 value, is the 0.2 quantile). Sort the n values as x(1) ≤ ... ≤ x(n) and let
    B ~ Binomial(n, q) count the pupils below ξ: x(l) ≤ ξ < x(u) exactly when
    l ≤ B < u, whatever the distribution of the indexes. With tied values (whole
    index points) the closed interval [x(l), x(u)] covers ξ at least as often.

    Rule: among ranks 1 ≤ l < u ≤ n with P(l ≤ B < u) ≥ `confidence`, take the
    pairs with the smallest u - l; of those, the one whose counts l..u-1 are centred
    closest to n·q; then the one with the larger coverage; then the lower one. The
    probabilities are exact (math.comb in integer arithmetic) and `share` and
    `confidence` are read as the decimals they print as.

    x(1)..x(n) covers only 1 - q^n - (1 - q)^n, so small groups reach no pair: for
    the p80 or p20 value at 95 % that takes 14 pupils. Then this returns the widest
    interval (x(1), x(n)), which covers ξ less often than `confidence`. None for
    fewer than 2 values. Raises ValueError unless 0 < share < 1 and
    0 < confidence < 1.
    """
    # share = 1 (the lowest value) has no two-sided interval from a sample.
    if not 0.0 < share < 1.0:
        raise ValueError(f"share must lie in (0, 1), got {share}")
    _check_confidence(confidence)

    ordered = sorted(indexes)
    n = len(ordered)
    if n < 2:
        return None

    # As decimals: 0.8 is 0.80000000000000004 in binary, which would tip the
    # centring tie-break below.
    quantile = 1 - Fraction(str(share))
    ranks = _shortest_ranks(n, quantile, Fraction(str(confidence)))
    low, high = ranks if ranks is not None else (1, n)
    return ordered[low - 1], ordered[high - 1]


def _shortest_ranks(
    n: int, quantile: Fraction, confidence: Fraction
) -> tuple[int, int] | None:
    a, b = quantile.numerator, quantile.denominator
    # P(B = j) times b^n is a whole number, so sums and comparisons are exact and
    # cannot overflow a float for large groups.
    weights = [math.comb(n, j) * a**j * (b - a) ** (n - j) for j in range(n + 1)]
    # below[k] = P(B < k) · b^n.
    below = list(itertools.accumulate(weights, initial=0))
    needed = confidence * b**n

    # The smallest upper rank that works never decreases as the lower rank grows,
    # because raising the lower rank only removes probability; one pass finds all.
    pairs: list[tuple[int, int]] = []
    upper = 2
    for lower in range(1, n):
        upper = max(upper, lower + 1)
        while upper <= n and below[upper] - below[lower] < needed:
            upper += 1
        if upper > n:
            break
        pairs.append((lower, upper))
    if not pairs:
        return None

    width = min(upper - lower for lower, upper in pairs)
    centre = 2 * n * quantile

    def preference(pair: tuple[int, int]) -> tuple[Fraction, int, int]:
        lower, upper = pair
        # Twice the distance of the counts' midpoint from n·q; then more coverage.
        return abs(lower + upper - 1 - centre), below[lower] - below[upper], lower

    return min((pair for pair in pairs if pair[1] - pair[0] == width), key=preference)


def proportion_interval(
    successes: int, n: int, confidence: float = 0.95
) -> tuple[float, float] | None:
    """Wilson score interval for a percentage (0..100) of `successes` out of `n`.

    Unlike the textbook p ± z·SE it stays within 0..100 and keeps a width at 0 % and
    100 %, where small groups often are. None for n = 0. Raises ValueError unless
    0 ≤ successes ≤ n and 0 < confidence < 1.
    """
    _check_confidence(confidence)
    if not 0 <= successes <= n:
        raise ValueError(f"need 0 ≤ successes ≤ n, got {successes} of {n}")
    if n == 0:
        return None

    z = _critical_value(confidence)
    p = successes / n
    z2_n = z * z / n
    centre = (p + z2_n / 2) / (1 + z2_n)
    half = z * math.sqrt(p * (1 - p) / n + z2_n / (4 * n)) / (1 + z2_n)
    # At 0 and n one bound is exactly 0 % or 100 %, which rounding misses.
    low = 0.0 if successes == 0 else max(0.0, 100 * (centre - half))
    high = 100.0 if successes == n else min(100.0, 100 * (centre + half))
    return low, high


def gap_evidence(
    target: float,
    before: float | None,
    after: float | None,
    interval: tuple[float, float] | None,
    n_after: int,
    paired: PairedValues | None = None,
    n_before: int | None = None,
) -> GapEvidence:
    """Compare a metric before and after a plan with its target.

    `interval` bounds `after` (from `reach_interval` or `proportion_interval`);
    `n_after` is the number of pupils behind `after`. `paired`, when given, holds
    the metric over the pupils counted at both measurements, and sets `change`.
    """
    after_low, after_high = interval if interval is not None else (None, None)
    closed = None if after is None else after >= target
    certain: bool | None = None
    if closed is not None and after_low is not None and after_high is not None:
        certain = after_low >= target if closed else after_high < target
    paired = paired or PairedValues(None, None, 0)
    change = None if before is None or after is None else after - before
    if paired.before is not None and paired.after is not None:
        change = paired.after - paired.before
    return GapEvidence(
        target=target,
        before=before,
        after=after,
        after_low=after_low,
        after_high=after_high,
        n_after=n_after,
        change=change,
        gap_before=None if before is None else target - before,
        gap_after=None if after is None else target - after,
        closed=closed,
        certain=certain,
        paired_before=paired.before,
        paired_after=paired.after,
        n_paired=paired.n,
        n_before=n_before,
    )


def suggest_gap_outcome(evidence: GapEvidence) -> Outcome | None:
    """EFFECTIVE when the target is reached, PARTLY when the gap narrowed.

    None without an after value; NOT_EFFECTIVE when the value stayed short and did
    not rise (or there is no before value to show that it did).
    """
    if evidence.after is None:
        return None
    if evidence.closed:
        return Outcome.EFFECTIVE
    if evidence.change is not None and evidence.change > 0:
        return Outcome.PARTLY
    return Outcome.NOT_EFFECTIVE


def compare_growth(
    before: Sequence[float], after: Sequence[float], confidence: float = 0.95
) -> GrowthComparison:
    """Mean growth during the plan against mean growth in the period before it.

    `before` and `after` hold growth in index points, one value per pupil. The
    interval of the difference uses the Welch standard error
    sqrt(s1²/n1 + s2²/n2) with sample standard deviations and the normal critical
    value, so for small groups (under about 10) it is somewhat too narrow.

    The two halves are mostly the same pupils, and this treats them as independent.
    Where the same pupils grow fast or slow in both halves that makes the interval
    wider than a paired one, a conservative choice. The halves also share the
    measurement between them, whose luck raises one growth and lowers the other;
    that pulls the other way, so read the interval as approximate.
    """
    _check_confidence(confidence)
    n_before, n_after = len(before), len(after)
    mean_before = fmean(before) if before else None
    mean_after = fmean(after) if after else None
    if mean_before is None or mean_after is None:
        return GrowthComparison(
            n_before, mean_before, n_after, mean_after, None, None, None
        )

    difference = mean_after - mean_before
    if n_before < 2 or n_after < 2:
        return GrowthComparison(
            n_before, mean_before, n_after, mean_after, difference, None, None
        )

    standard_error = math.sqrt(variance(before) / n_before + variance(after) / n_after)
    margin = _critical_value(confidence) * standard_error
    return GrowthComparison(
        n_before=n_before,
        mean_before=mean_before,
        n_after=n_after,
        mean_after=mean_after,
        difference=difference,
        low=difference - margin,
        high=difference + margin,
    )


def suggest_growth_outcome(comparison: GrowthComparison) -> Outcome | None:
    """EFFECTIVE when growth clearly rose (the interval lies above 0).

    PARTLY when it rose but the interval reaches 0 or is unknown; NOT_EFFECTIVE when
    it did not rise; None without a difference.
    """
    if comparison.difference is None:
        return None
    if comparison.low is not None and comparison.low > 0:
        return Outcome.EFFECTIVE
    if comparison.difference > 0:
        return Outcome.PARTLY
    return Outcome.NOT_EFFECTIVE


def suggest_pupil_outcome(
    still_flagged: bool | None,
    growth_before: float | None,
    growth_after: float | None,
) -> Outcome | None:
    """The outcome for one pupil in a plan.

    EFFECTIVE when the pupil is no longer flagged; PARTLY when still flagged but
    growing faster than before (both growths known); otherwise NOT_EFFECTIVE. None
    when it is unknown whether the pupil is still flagged.
    """
    if still_flagged is None:
        return None
    if not still_flagged:
        return Outcome.EFFECTIVE
    if (
        growth_before is not None
        and growth_after is not None
        and growth_after > growth_before
    ):
        return Outcome.PARTLY
    return Outcome.NOT_EFFECTIVE


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")


def _critical_value(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)
