"""Statistics of one set of pupils' results, and verdicts on them against targets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import fmean

from koers.lib.analysis.ambitions import (
    REACH_SHARE,
    AmbitionMetric,
    Population,
    Targets,
    Verdict,
    evaluate,
    reach_value,
    share_reaching,
    target_for,
)
from koers.lib.analysis.forecast import CourseForecast, ForecastBasis, forecast_course
from koers.lib.analysis.index import IV_BANDS, iv_band, mean_index
from koers.lib.analysis.observations import Observation
from koers.lib.records import ReferenceLevel, Subject

# The end-of-school metrics are judged on transition-test results (outcomes.py).
_EVALUATED_METRICS = (
    AmbitionMetric.P80,
    AmbitionMetric.P20,
    AmbitionMetric.PCT_1F,
    AmbitionMetric.PCT_1S2F,
)


@dataclass(frozen=True, slots=True)
class Summary:
    """Statistics of one set of pupils (one result each).

    `bands` counts pupils per I-V band of their index. `mean_index` is the index of
    the mean normal score. `mean_growth` is the plain mean of the growth values
    present (index points), over `n_growth` pupils. `pct_1f`/`pct_1s2f` are
    percentages of the `n_forecast` pupils with a delivered or forecast level;
    `n_delivered_levels` of those were delivered by the supplier.
    """

    n: int
    n_coarse: int
    bands: dict[str, int]
    mean_index: float | None
    p80: float | None
    p20: float | None
    n_growth: int
    mean_growth: float | None
    n_forecast: int
    n_delivered_levels: int
    pct_1f: float | None
    pct_1s2f: float | None


def summarise(observations: Sequence[Observation]) -> Summary:
    """Statistics of a set of results, one per pupil (see `Summary`)."""
    indexes = [o.index for o in observations]
    growth = [o.growth for o in observations if o.growth is not None]
    forecasts = [course for o in observations if (course := course_of(o)) is not None]

    return Summary(
        n=len(indexes),
        n_coarse=sum(o.coarse for o in observations),
        bands=_band_counts(indexes),
        mean_index=mean_index(indexes) if indexes else None,
        p80=reach_value(indexes, REACH_SHARE[AmbitionMetric.P80]),
        p20=reach_value(indexes, REACH_SHARE[AmbitionMetric.P20]),
        n_growth=len(growth),
        mean_growth=fmean(growth) if growth else None,
        n_forecast=len(forecasts),
        n_delivered_levels=sum(f.basis == ForecastBasis.DELIVERED for f in forecasts),
        pct_1f=share_reaching(f.on_course_1f for f in forecasts),
        pct_1s2f=share_reaching(f.on_course_target for f in forecasts),
    )


def verdicts_for(
    subject: Subject,
    summary: Summary,
    targets: Targets,
    populations: Sequence[Population],
) -> tuple[Verdict, ...]:
    """A verdict for each metric the school set a target for (first population wins)."""
    verdicts = []
    for metric in _EVALUATED_METRICS:
        target = target_for(targets, subject, metric, populations)
        if target is None:
            continue
        value, n = _metric_value(metric, summary)
        verdicts.append(evaluate(metric, target, value, n))
    return tuple(verdicts)


def _metric_value(metric: AmbitionMetric, summary: Summary) -> tuple[float | None, int]:
    if metric == AmbitionMetric.P80:
        return summary.p80, summary.n
    if metric == AmbitionMetric.P20:
        return summary.p20, summary.n
    if metric == AmbitionMetric.PCT_1F:
        return summary.pct_1f, summary.n_forecast
    if metric == AmbitionMetric.PCT_1S2F:
        return summary.pct_1s2f, summary.n_forecast
    raise ValueError(f"{metric} is not an overview metric")


def course_of(observation: Observation) -> CourseForecast | None:
    return _course(observation.subject, observation.index, observation.reference_level)


# One result is summarised in its row, its school aggregates and its group: the
# course is worked out once per subject, index and level.
@lru_cache(maxsize=65536)
def _course(
    subject: Subject, index: float, level: ReferenceLevel | None
) -> CourseForecast | None:
    return forecast_course(subject, index, level)


def _band_counts(indexes: list[float]) -> dict[str, int]:
    counts = dict.fromkeys(IV_BANDS, 0)
    for index in indexes:
        counts[iv_band(index)] += 1
    return counts
