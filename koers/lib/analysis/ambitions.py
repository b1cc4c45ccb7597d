"""Ambition metrics and verdicts: is a value at or above the school's target?

The p80/p20 reading follows norms.md §6 (a Koers design choice, to be confirmed
with pilot schools): the p80 value of a group is the index that at least 80 % of
its pupils reach, the p20 value the index that its strongest 20 % reach.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from koers.lib.records import Subject


class AmbitionMetric(StrEnum):
    P80 = "p80"
    P20 = "p20"
    PCT_1F = "pct_1f"
    PCT_1S2F = "pct_1s2f"
    END_PCT_1F = "end_pct_1f"
    END_PCT_1S2F = "end_pct_1s2f"


class Population(StrEnum):
    SCHOOL_3_8 = "school_3_8"
    SCHOOL_6_8 = "school_6_8"
    GROUP = "group"


# Share of pupils that must reach the value, per reach metric.
REACH_SHARE: dict[AmbitionMetric, float] = {
    AmbitionMetric.P80: 0.8,
    AmbitionMetric.P20: 0.2,
}

Targets = Mapping[tuple[Subject, AmbitionMetric, Population], float]


@dataclass(frozen=True, slots=True)
class Verdict:
    """A value against a target; `met` and `margin` are None when there is no value.

    `margin` = value - target, unrounded; round it (to one decimal) only for display.
    """

    metric: AmbitionMetric
    target: float
    value: float | None
    met: bool | None
    margin: float | None
    n: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def reach_value(indexes: Iterable[float], share: float) -> float | None:
    """The value that at least `share` (0 < share ≤ 1) of the pupils reach.

    Sort the values from high to low, take k = ceil(share x n) and return the k-th
    highest: with n = 10 and share 0.8 that is the 8th highest, reached by 8 of the
    10 pupils. None for an empty list.
    """
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share must lie in (0, 1], got {share}")

    ordered = sorted(indexes, reverse=True)
    if not ordered:
        return None

    # Decimal keeps 0.7 x 10 at exactly 7; in floats it is 7.000000000000001,
    # which would round up to the 8th value.
    k = math.ceil(Decimal(str(share)) * len(ordered))
    return ordered[max(k, 1) - 1]


def share_reaching(flags: Iterable[bool]) -> float | None:
    """Percentage (0..100) of True values; None for an empty list."""
    values = list(flags)
    if not values:
        return None
    return 100.0 * sum(values) / len(values)


def evaluate(
    metric: AmbitionMetric, target: float, value: float | None, n: int
) -> Verdict:
    """Compare `value` with `target`; met when value ≥ target. `n` = pupils counted."""
    if value is None:
        return Verdict(metric, target, None, None, None, n)
    return Verdict(metric, target, value, value >= target, value - target, n)


def target_for(
    targets: Targets,
    subject: Subject,
    metric: AmbitionMetric,
    populations: Iterable[Population],
) -> float | None:
    """The first target found for the populations, in the order given."""
    for population in populations:
        target = targets.get((subject, metric, population))
        if target is not None:
            return target
    return None
