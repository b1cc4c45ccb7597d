"""Is a pupil on course to 1F, and to the target level (1S rekenen, 2F lezen/taal)?

A reference level the supplier delivered (Cito from E6, IEP from groep 6) is used
as it is. Otherwise the pupil's index is read against the national distribution of
groep-8 results (shipped in `data/national_reference_levels.csv`): in 2022/23, 7 %
of pupils ended below 1F in rekenen and 45 % reached 1S. A pupil at national
percentile p is therefore on course to

- 1F when p lies above the share that ends below 1F (p > 7 for rekenen);
- the target level when p lies above the share that does not reach it
  (p > 100 - 45 = 55 for rekenen).

This assumes the pupil keeps the same national percentile until groep 8. It is an
orientation, not a prediction: percentiles drift, and an extreme score tends to
move back towards the mean (norms.md §7), so forecasts far from the cut-offs are
more certain than they look near them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType

from koers.lib.analysis.levels import domain_of, reaches_1f, reaches_target
from koers.lib.records import Domain, ReferenceLevel, Subject

DATA_FILE = "national_reference_levels.csv"


class ForecastBasis(StrEnum):
    DELIVERED = "delivered"
    FORECAST = "forecast"


@dataclass(frozen=True, slots=True)
class NationalShares:
    """Shares (%) of groep-8 pupils per level in one year, exemptions excluded."""

    school_year: str
    domain: Domain
    pct_below_1f: float
    pct_target_level: float
    source: str

    @property
    def cut_1f(self) -> float:
        """The percentile a pupil must exceed to be on course to 1F."""
        return self.pct_below_1f

    @property
    def cut_target(self) -> float:
        """The percentile a pupil must exceed to be on course to the target level."""
        return 100.0 - self.pct_target_level


@dataclass(frozen=True, slots=True)
class CourseForecast:
    domain: Domain
    on_course_1f: bool
    on_course_target: bool
    basis: ForecastBasis
    delivered_level: ReferenceLevel | None


@cache
def national_shares(school_year: str | None = None) -> Mapping[Domain, NationalShares]:
    """The shipped national shares of one year (default: the latest year shipped)."""
    rows = _load_rows()
    year = school_year or max(row.school_year for row in rows)
    shares = {row.domain: row for row in rows if row.school_year == year}
    if set(shares) != set(Domain):
        raise ValueError(f"no national shares for every domain in {year}")
    return MappingProxyType(shares)


def forecast_course(
    subject: Subject,
    index: float | None,
    delivered_level: ReferenceLevel | None,
    shares: Mapping[Domain, NationalShares] | None = None,
) -> CourseForecast | None:
    """The course of one result, or None for a subject without a reference level or
    a result with neither a delivered level nor an index."""
    domain = domain_of(subject)
    if domain is None:
        return None

    if delivered_level is not None:
        return CourseForecast(
            domain=domain,
            on_course_1f=reaches_1f(delivered_level),
            on_course_target=reaches_target(domain, delivered_level),
            basis=ForecastBasis.DELIVERED,
            delivered_level=delivered_level,
        )

    if index is None:
        return None

    national = (shares or national_shares())[domain]
    return CourseForecast(
        domain=domain,
        on_course_1f=index > national.cut_1f,
        on_course_target=index > national.cut_target,
        basis=ForecastBasis.FORECAST,
        delivered_level=None,
    )


def _load_rows() -> list[NationalShares]:
    text = resources.files("koers.lib.analysis").joinpath("data", DATA_FILE)
    reader = csv.DictReader(io.StringIO(text.read_text(encoding="utf-8")))
    return [
        NationalShares(
            school_year=row["school_year"],
            domain=Domain(row["domain"]),
            pct_below_1f=float(row["pct_below_1f"]),
            pct_target_level=float(row["pct_target_level"]),
            source=row["source"],
        )
        for row in reader
    ]
