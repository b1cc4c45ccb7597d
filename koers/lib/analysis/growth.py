"""Growth between consecutive measurements of one instrument, in index points.

A pupil who keeps the same national percentile grew exactly as much as the average
pupil in the country, so a change of 0 index points means average national growth;
+10 means the pupil overtook about a tenth of the country.

Growth is only computed within one instrument: `instrument_id` must identify one
scale (supplier, instrument and generation), because a pupil's index on two
different tests differs by more than growth alone.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist, fmean, stdev

from koers.lib.analysis.index import index_from_normal_score, normal_score

CONFIDENCE = 0.95
_Z_CRITICAL = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)


@dataclass(frozen=True, slots=True)
class Measurement:
    """One result of one pupil; `moment` is the test moment such as `M5`."""

    pupil_id: int
    instrument_id: int
    administered_on: date
    index: float
    moment: str


@dataclass(frozen=True, slots=True)
class GrowthStep:
    """From one measurement to the next; `change` = to_index - from_index."""

    pupil_id: int
    instrument_id: int
    from_date: date
    to_date: date
    from_index: float
    to_index: float
    change: float


@dataclass(frozen=True, slots=True)
class GroupGrowth:
    """Growth of a group over pupils measured at both moments.

    `change` is in index points: the index of the mean normal score at the second
    moment minus that at the first. `mean_z_change` and `standard_error` are in
    normal-score (pupil-SD) units. `low`/`high` is the 95 % interval of `change` in
    index points; it and the standard error are None for a single pupil. The interval
    uses the normal 1.96, so for small groups (under about 10) it is somewhat too
    narrow; pupils in one class are not independent either, so treat it as a floor.
    """

    n: int
    change: float
    mean_z_change: float
    standard_error: float | None
    low: float | None
    high: float | None


def growth_steps(measurements: Iterable[Measurement]) -> list[GrowthStep]:
    """Steps between consecutive measurements per pupil and instrument, by date.

    Two measurements on the same date stay in input order and form a step of zero
    days; the caller decides whether a retake replaces the first sitting.
    """
    series: dict[tuple[int, int], list[Measurement]] = defaultdict(list)
    for measurement in measurements:
        series[(measurement.pupil_id, measurement.instrument_id)].append(measurement)

    steps: list[GrowthStep] = []
    for key in sorted(series):
        ordered = sorted(series[key], key=lambda m: m.administered_on)
        steps.extend(_step(a, b) for a, b in itertools.pairwise(ordered))
    return steps


def changes_in_order(
    results: Iterable[tuple[Hashable, float]],
) -> list[float | None]:
    """The growth of each result in a list already sorted by series and date.

    `results` holds (series key, index) pairs, a series being one pupil on one
    instrument; each result's growth is its index minus the previous index of the
    same series, None for the first. The same rule as `growth_steps`, without
    building a step per pair, for reading a whole school at once.
    """
    changes: list[float | None] = []
    previous_key: Hashable = object()
    previous_index = 0.0
    for key, index in results:
        changes.append(index - previous_index if key == previous_key else None)
        previous_key, previous_index = key, index
    return changes


def group_growth(steps: Iterable[GrowthStep]) -> GroupGrowth | None:
    """Group growth from one step per pupil; None when there are no steps.

    Each pupil must appear once: a pupil counted twice would weigh double and make
    the interval look narrower than it is.
    """
    steps = list(steps)
    if not steps:
        return None
    _check_one_step_per_pupil(steps)

    z_before = [normal_score(step.from_index) for step in steps]
    z_change = [
        normal_score(s.to_index) - z for s, z in zip(steps, z_before, strict=True)
    ]
    mean_before = fmean(z_before)
    mean_change = fmean(z_change)

    def change_in_index(z_change_value: float) -> float:
        return index_from_normal_score(mean_before + z_change_value) - (
            index_from_normal_score(mean_before)
        )

    if len(steps) < 2:
        return GroupGrowth(
            1, change_in_index(mean_change), mean_change, None, None, None
        )

    standard_error = stdev(z_change) / math.sqrt(len(steps))
    margin = _Z_CRITICAL * standard_error
    return GroupGrowth(
        n=len(steps),
        change=change_in_index(mean_change),
        mean_z_change=mean_change,
        standard_error=standard_error,
        low=change_in_index(mean_change - margin),
        high=change_in_index(mean_change + margin),
    )


def _step(earlier: Measurement, later: Measurement) -> GrowthStep:
    return GrowthStep(
        pupil_id=earlier.pupil_id,
        instrument_id=earlier.instrument_id,
        from_date=earlier.administered_on,
        to_date=later.administered_on,
        from_index=earlier.index,
        to_index=later.index,
        change=later.index - earlier.index,
    )


def _check_one_step_per_pupil(steps: list[GrowthStep]) -> None:
    pupils = [step.pupil_id for step in steps]
    if len(set(pupils)) != len(pupils):
        raise ValueError("group_growth needs one step per pupil")
