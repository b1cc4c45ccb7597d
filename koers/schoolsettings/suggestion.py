"""A suggested ambition profile, from national reference numbers and the school's
schoolweging.

No published source maps a schoolweging to p80/p20 targets: Focus PO's
ambitieprofielen are not public, and the Inspectie's averages per schoolweging band
were never read (norms.md §3.5 and §6). So the suggestion is the national middle,
what a school whose pupils are spread exactly like the country's would reach:

- p80 = index 20 and p20 = index 80, for every subject: the index is the national
  percentile, so 80 % of such a school's pupils reach the 20th percentile and its
  strongest 20 % reach the 80th;
- % on course to 1F and to 1S/2F per subject with a reference level: the national
  shares of groep-8 pupils that Koers ships (OCW in cijfers, latest year), which
  are also the cut-offs of Koers's forecast, so such a school scores exactly them;
- the end-of-school % 1F and % 1S/2F: the same national shares pooled over
  rekenen, lezen and taalverzorging, as the Inspectie pools them.

The schoolweging enters in one place only, where a published number depends on it:
an end-of-school 1S/2F ambition below the school's 1S/2F signaleringswaarde would
aim at a result the Inspectie signals, so that target is raised to the
signaleringswaarde (the school's own value, else the band value Koers ships).
A higher schoolweging thus never gives a higher suggestion. Targets are rounded
half up to one decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from koers.analysis.services import OVERVIEW_SUBJECTS
from koers.lib.analysis.ambitions import AmbitionMetric, Population
from koers.lib.analysis.forecast import national_shares
from koers.lib.analysis.levels import SUBJECT_DOMAIN
from koers.lib.analysis.outcomes import shipped_signal_values, weighting_band
from koers.lib.records import Domain

NATIONAL_P80 = Decimal(20)
NATIONAL_P20 = Decimal(80)
SUGGESTED_POPULATIONS = (Population.SCHOOL_3_8, Population.SCHOOL_6_8)
# A suggestion for every subject the overviews show.
SUGGESTED_SUBJECTS = OVERVIEW_SUBJECTS
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class SuggestedTarget:
    """One suggested ambition; `subject` is empty for the end-of-school metrics."""

    subject: str
    metric: AmbitionMetric
    population: Population
    target: Decimal


@dataclass(frozen=True, slots=True)
class SuggestedProfile:
    targets: tuple[SuggestedTarget, ...]
    weighting: Decimal | None
    band: tuple[int, int] | None
    signal_value_1s2f: Decimal | None
    signal_is_own: bool
    raised_to_signal_value: bool
    national_year: str


def suggested_profile(
    weighting: Decimal | None, own_signal_value_1s2f: Decimal | None = None
) -> SuggestedProfile:
    """The suggestion for a school with this schoolweging (None: not recorded)."""
    shares = national_shares()
    band = weighting_band(weighting) if weighting is not None else None
    signal = own_signal_value_1s2f
    if signal is None and band is not None:
        signal = next(
            (s.value for s in shipped_signal_values() if s.band_from == band[0]), None
        )

    targets = [*_reach_targets(), *_course_targets()]

    pooled_1f = sum(
        (Decimal(100) - _share(shares[d].pct_below_1f) for d in Domain), Decimal(0)
    )
    pooled_1s2f = sum((_share(shares[d].pct_target_level) for d in Domain), Decimal(0))
    end_1f = _rounded(pooled_1f / len(Domain))
    end_1s2f = _rounded(pooled_1s2f / len(Domain))
    raised = signal is not None and signal > end_1s2f
    if raised and signal is not None:
        end_1s2f = signal
    targets.append(_end_target(AmbitionMetric.END_PCT_1F, end_1f))
    targets.append(_end_target(AmbitionMetric.END_PCT_1S2F, end_1s2f))

    return SuggestedProfile(
        targets=tuple(targets),
        weighting=weighting,
        band=band,
        signal_value_1s2f=signal,
        signal_is_own=own_signal_value_1s2f is not None,
        raised_to_signal_value=raised,
        national_year=next(iter(shares.values())).school_year,
    )


def _reach_targets() -> list[SuggestedTarget]:
    return [
        SuggestedTarget(subject.value, metric, population, value)
        for population in SUGGESTED_POPULATIONS
        for subject in SUGGESTED_SUBJECTS
        for metric, value in (
            (AmbitionMetric.P80, NATIONAL_P80),
            (AmbitionMetric.P20, NATIONAL_P20),
        )
    ]


def _course_targets() -> list[SuggestedTarget]:
    shares = national_shares()
    targets = []
    for population in SUGGESTED_POPULATIONS:
        for subject in SUGGESTED_SUBJECTS:
            domain = SUBJECT_DOMAIN.get(subject)
            if domain is None:
                continue
            national = shares[domain]
            on_course_1f = _rounded(Decimal(100) - _share(national.pct_below_1f))
            on_course_target = _rounded(_share(national.pct_target_level))
            targets.append(
                SuggestedTarget(
                    subject.value, AmbitionMetric.PCT_1F, population, on_course_1f
                )
            )
            targets.append(
                SuggestedTarget(
                    subject.value, AmbitionMetric.PCT_1S2F, population, on_course_target
                )
            )
    return targets


def _end_target(metric: AmbitionMetric, value: Decimal) -> SuggestedTarget:
    # The end-of-school ambitions pool the three domains: they have no subject,
    # and Koers reads them whatever their population.
    return SuggestedTarget("", metric, Population.SCHOOL_3_8, value)


def _share(value: float) -> Decimal:
    # Through str(): the shipped shares are whole percentages written as floats.
    return Decimal(str(value))


def _rounded(value: Decimal) -> Decimal:
    return value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
