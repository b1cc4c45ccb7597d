"""The demo's INVENTED test norms and the conversions built on them.

These means and standard deviations are NOT Cito's norms (those are not public).
They were made up so that ability scores rise over the grades with slowing growth,
on a scale that starts around 100 at the first moment of each instrument. Koers can
load them from `normen_demo.csv` and then derives percentiles and levels exactly as
the generator did.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Final

from koers.lib.records import Subject

# The LVS moments in school order. B-moments do not occur in the demo.
MOMENTS: Final = ("M3", "E3", "M4", "E4", "M5", "E5", "M6", "E6", "M7", "E7", "M8")

# Nominal didactic age (months of education since the start of grade 3) per moment.
NOMINAL_DL: Final[dict[str, int]] = {
    "M3": 5,
    "E3": 10,
    "M4": 15,
    "E4": 20,
    "M5": 25,
    "E5": 30,
    "M6": 35,
    "E6": 40,
    "M7": 45,
    "E7": 50,
    "M8": 55,
}

# A DLE never goes beyond the didactic age of the end of primary school.
MAX_DLE: Final = 60

NORM_GENERATION: Final = "3.0"
NORM_VERSION: Final = "demo"
NORM_POPULATION: Final = "pupils"
NORM_SOURCE: Final = "Koers demo (verzonnen normen, niet van Cito)"


@dataclass(frozen=True, slots=True)
class Instrument:
    """How one subject's test is named in the exchange formats."""

    subject: Subject
    esis_test: str  # ESIS column "Toets"; also the instrument name in the norm table
    esis_area: str  # ESIS column "Vormingsgebied"
    oso_area: str  # OSO "leergebied"
    oso_code: str  # prefix of the OSO "eldtoetscode" and the scale code
    oso_name: str  # OSO "toetsnaam"
    items: int | None  # number of items; None when the raw score is a word count


@dataclass(frozen=True, slots=True)
class NormPoint:
    """National mean, SD and typical standard error of measurement at one moment."""

    moment: str
    mean: float
    sd: float
    sem: float


INSTRUMENTS: Final[dict[Subject, Instrument]] = {
    Subject.MATH: Instrument(
        Subject.MATH,
        esis_test="Rekenen-Wiskunde",
        esis_area="Rekenen-Wiskunde",
        oso_area="rekenen",
        oso_code="RW3",
        oso_name="Rekenen-Wiskunde 3.0",
        items=48,
    ),
    Subject.READING_COMPREHENSION: Instrument(
        Subject.READING_COMPREHENSION,
        esis_test="Begrijpend lezen",
        esis_area="Begrijpend lezen",
        oso_area="begrijpend lezen",
        oso_code="BL3",
        oso_name="Begrijpend lezen 3.0",
        items=40,
    ),
    Subject.SPELLING: Instrument(
        Subject.SPELLING,
        esis_test="Spelling",
        esis_area="Spelling",
        oso_area="spelling",
        oso_code="SP3",
        oso_name="Spelling 3.0",
        items=40,
    ),
    Subject.TECHNICAL_READING: Instrument(
        Subject.TECHNICAL_READING,
        esis_test="DMT",
        esis_area="Technisch lezen",
        oso_area="technisch lezen",
        oso_code="DMT3",
        oso_name="DMT 3.0",
        items=None,
    ),
}


def _norm_table(
    moments: tuple[str, ...], means: tuple[float, ...], sds: tuple[float, ...]
) -> dict[str, NormPoint]:
    # The SEM is taken as 30 % of the SD: a reliability of about 0.9.
    return {
        moment: NormPoint(moment, mean, sd, round(0.3 * sd, 1))
        for moment, mean, sd in zip(moments, means, sds, strict=True)
    }


# INVENTED demo norms (see the module docstring). Growth per half year shrinks from
# about one SD in grade 3 to a third of an SD in grade 8, as on real LVS scales.
DEMO_NORMS: Final[dict[Subject, dict[str, NormPoint]]] = {
    Subject.MATH: _norm_table(
        MOMENTS,
        (100.0, 112.0, 122.0, 131.0, 139.0, 146.0, 152.5, 158.5, 164.0, 169.0, 173.0),
        (11.0, 11.5, 12.0, 12.5, 13.0, 13.5, 14.0, 14.0, 14.5, 14.5, 15.0),
    ),
    Subject.READING_COMPREHENSION: _norm_table(
        MOMENTS[2:],
        (100.0, 108.0, 115.0, 121.0, 126.5, 131.5, 136.0, 140.0, 143.5),
        (12.0, 12.0, 12.5, 12.5, 13.0, 13.0, 13.5, 13.5, 14.0),
    ),
    Subject.SPELLING: _norm_table(
        MOMENTS,
        (100.0, 110.0, 118.0, 125.0, 131.0, 136.5, 141.5, 146.0, 150.0, 153.5, 156.5),
        (10.0, 10.0, 10.5, 10.5, 11.0, 11.0, 11.5, 11.5, 12.0, 12.0, 12.0),
    ),
    Subject.TECHNICAL_READING: _norm_table(
        MOMENTS,
        (20.0, 35.0, 48.0, 58.0, 67.0, 74.0, 80.0, 85.0, 89.0, 93.0, 96.0),
        (10.0, 12.0, 13.0, 14.0, 14.5, 15.0, 15.5, 16.0, 16.0, 16.5, 16.5),
    ),
}

# Level systems as percentile lower bounds (inclusive), highest level first.
IV_BOUNDS: Final = (("I", 80.0), ("II", 60.0), ("III", 40.0), ("IV", 20.0))
AE_BOUNDS: Final = (("A", 75.0), ("B", 50.0), ("C", 25.0), ("D", 10.0))

_STANDARD_NORMAL: Final = NormalDist()


def has_moment(subject: Subject, moment: str) -> bool:
    """Whether the instrument exists at this moment (begrijpend lezen starts at M4)."""
    return moment in DEMO_NORMS[subject]


def ability_score(subject: Subject, moment: str, z: float) -> float:
    """The ability score of a pupil at national position `z`, to one decimal."""
    norm = DEMO_NORMS[subject][moment]
    return round(norm.mean + norm.sd * z, 1)


def national_percentile(subject: Subject, moment: str, score: float) -> float:
    """Percentage of the national norm group scoring below `score` (0-100)."""
    norm = DEMO_NORMS[subject][moment]
    return 100.0 * NormalDist(norm.mean, norm.sd).cdf(score)


def percentile_text(percentile: float) -> str:
    """A percentile as a whole number 1-99.

    Rounding down keeps the level bands intact: floor(p) >= 80 exactly when p >= 80.
    """
    return str(min(99, max(1, math.floor(percentile))))


def level_iv(percentile: float) -> str:
    return _level(percentile, IV_BOUNDS, lowest="V")


def level_ae(percentile: float) -> str:
    return _level(percentile, AE_BOUNDS, lowest="E")


def _level(
    percentile: float, bounds: tuple[tuple[str, float], ...], lowest: str
) -> str:
    for level, lower_bound in bounds:
        if percentile >= lower_bound:
            return level
    return lowest


def didactic_age_equivalent(subject: Subject, score: float) -> int:
    """The DL at which the national mean equals `score`.

    Linear interpolation between moments; beyond the first or last moment the
    nearest segment is extended. The result is clipped to 0..MAX_DLE.
    """
    points = [(NOMINAL_DL[m], n.mean) for m, n in DEMO_NORMS[subject].items()]
    segment = _segment_for(points, score)
    (dl_low, mean_low), (dl_high, mean_high) = segment
    dle = dl_low + (score - mean_low) * (dl_high - dl_low) / (mean_high - mean_low)
    return min(MAX_DLE, max(0, round(dle)))


def _segment_for(
    points: list[tuple[int, float]], score: float
) -> tuple[tuple[int, float], tuple[int, float]]:
    for low, high in itertools.pairwise(points):
        if score < high[1]:
            return low, high
    return points[-2], points[-1]


def raw_score(subject: Subject, moment: str, score: float) -> int:
    """A plausible raw score: items correct, or words read for DMT."""
    items = INSTRUMENTS[subject].items
    if items is None:
        return max(0, round(score))

    # An average pupil answers about 62 % of the items correctly.
    norm = DEMO_NORMS[subject][moment]
    z = (score - norm.mean) / norm.sd
    share_correct = 1.0 / (1.0 + math.exp(-(1.2 * z + 0.5)))
    return round(items * share_correct)


def standard_normal_quantile(share: float) -> float:
    """The z below which `share` of a standard normal population lies."""
    return _STANDARD_NORMAL.inv_cdf(share)
