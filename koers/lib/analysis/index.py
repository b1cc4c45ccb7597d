"""The supplier-neutral index: one national percentile per result.

Every result Koers shows is placed on a single scale, a national percentile from 1 to
99 with 50 the national average, whichever supplier delivered it. The index is
derived from the best information a result carries, in this order:

1. a percentile the supplier delivered (clamped to 1..99);
2. the ability score against a norm table the school loaded (normal approximation:
   Φ((score - national mean) / national SD) x 100, clamped to 1..99);
3. the level band the supplier delivered, at the middle of its percentile range.
   Such an index is *coarse*: a band only says the pupil is somewhere in a range of
   10 to 25 percentiles, so it is flagged wherever it is used.

Group statistics are never averages of percentiles: percentiles are bunched in the
middle of the distribution, so a mean of percentiles understates how far apart
pupils are. Koers averages normal scores (z) and shows the result as an index.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from statistics import NormalDist, fmean

from koers.lib.analysis.norms import NormRow

MIN_INDEX = 1.0
MAX_INDEX = 99.0

_STANDARD_NORMAL = NormalDist()

# Middle of each band's percentile range (norms.md §1.1). I+ and V- are the top and
# bottom tenth, refinements of I and V.
LEVEL_IV_MIDPOINTS: dict[str, float] = {
    "I+": 95.0,
    "I": 90.0,
    "II": 70.0,
    "III": 50.0,
    "IV": 30.0,
    "V": 10.0,
    "V-": 5.0,
}
LEVEL_AE_MIDPOINTS: dict[str, float] = {
    "A": 87.5,
    "B": 62.5,
    "C": 37.5,
    "D": 17.5,
    "E": 5.0,
}

# Lower bounds (inclusive) of the I-V bands in index points, highest first.
IV_BAND_LOWER_BOUNDS: tuple[tuple[str, float], ...] = (
    ("I", 80.0),
    ("II", 60.0),
    ("III", 40.0),
    ("IV", 20.0),
    ("V", 0.0),
)
IV_BANDS: tuple[str, ...] = tuple(band for band, _ in IV_BAND_LOWER_BOUNDS)


class IndexSource(StrEnum):
    PERCENTILE = "percentile"
    NORM_TABLE = "norm_table"
    LEVEL_BAND = "level_band"


@dataclass(frozen=True, slots=True)
class ResultIndex:
    """An index (1..99) and where it came from; `coarse` marks a band midpoint."""

    value: float
    source: IndexSource
    coarse: bool


def derive_index(
    percentile: Decimal | float | None,
    ability_score: Decimal | float | None,
    norm: NormRow | None,
    level_iv: str | None,
    level_ae: str | None,
) -> ResultIndex | None:
    """The index of one result, or None when the result carries nothing usable.

    `norm` must be the pupil norm row of the result's own instrument, generation and
    moment. An empty level string counts as absent; an unknown level is ignored.
    """
    from_percentile = _index_from_percentile(percentile)
    if from_percentile is not None:
        return ResultIndex(from_percentile, IndexSource.PERCENTILE, coarse=False)

    from_norm = _index_from_norm(ability_score, norm)
    if from_norm is not None:
        return ResultIndex(from_norm, IndexSource.NORM_TABLE, coarse=False)

    from_level = level_midpoint(level_iv, level_ae)
    if from_level is not None:
        return ResultIndex(from_level, IndexSource.LEVEL_BAND, coarse=True)

    return None


def level_midpoint(level_iv: str | None, level_ae: str | None) -> float | None:
    """The midpoint of a delivered band; I-V wins when both systems are present."""
    iv = _normalise_level(level_iv)
    if iv in LEVEL_IV_MIDPOINTS:
        return LEVEL_IV_MIDPOINTS[iv]

    ae = _normalise_level(level_ae)
    return LEVEL_AE_MIDPOINTS.get(ae)


def clamp_index(value: float) -> float:
    return min(MAX_INDEX, max(MIN_INDEX, value))


@lru_cache(maxsize=65536)
def normal_score(index: float) -> float:
    """z = Φ⁻¹(index / 100); the index must lie strictly between 0 and 100."""
    if not 0.0 < index < 100.0:
        raise ValueError(f"index must lie strictly between 0 and 100, got {index}")
    return _STANDARD_NORMAL.inv_cdf(index / 100.0)


def index_from_normal_score(z: float) -> float:
    """Φ(z) x 100, not clamped: group means of clamped indexes stay within 1..99."""
    return _STANDARD_NORMAL.cdf(z) * 100.0


def iv_band(index: float) -> str:
    """The I-V band of an index: I ≥ 80, II ≥ 60, III ≥ 40, IV ≥ 20, else V.

    Each lower bound is inclusive, so an index of exactly 80 is I and 79.99 is II.
    """
    for band, lower_bound in IV_BAND_LOWER_BOUNDS:
        if index >= lower_bound:
            return band
    return IV_BANDS[-1]


def mean_index(indexes: Iterable[float]) -> float:
    """The index of the mean normal score of `indexes` (which must not be empty)."""
    scores = [normal_score(index) for index in indexes]
    if not scores:
        raise ValueError("mean_index needs at least one index")
    return index_from_normal_score(fmean(scores))


def _index_from_percentile(percentile: Decimal | float | None) -> float | None:
    # A percentile outside 0..100 is not a percentile; fall through to the next source
    # rather than clamp a data error into an extreme index.
    value = _finite_float(percentile)
    if value is None or not 0.0 <= value <= 100.0:
        return None
    return clamp_index(value)


def _index_from_norm(
    ability_score: Decimal | float | None, norm: NormRow | None
) -> float | None:
    score = _finite_float(ability_score)
    if score is None or norm is None or norm.national_sd <= 0:
        return None

    z = (score - norm.national_mean) / norm.national_sd
    return clamp_index(index_from_normal_score(z))


def _finite_float(value: Decimal | float | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _normalise_level(level: str | None) -> str:
    # Exports write the minus of V- as a hyphen, an en dash or a true minus sign.
    text = (level or "").strip().upper()
    return text.replace("\u2212", "-").replace("\u2013", "-")
