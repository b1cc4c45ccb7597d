"""The supplier-neutral index of a result, computed with the loaded norm tables."""

from __future__ import annotations

from decimal import Decimal

from koers.lib.analysis.index import ResultIndex, derive_index
from koers.lib.analysis.norms import NormRow as NormEntry
from koers.results.models import NormRow, TestResult

PUPIL_POPULATION = "pupils"


class NormCache:
    """The pupil norm rows, by instrument name, generation and moment."""

    def __init__(self, rows: dict[tuple[str, str, str], NormEntry]) -> None:
        self.rows = rows
        self.found: dict[tuple[str, str, str], NormEntry | None] = {}

    @classmethod
    def load(cls) -> NormCache:
        rows = {
            (row.instrument.lower(), row.generation.lower(), row.moment.upper()): (
                to_entry(row)
            )
            for row in NormRow.objects.filter(population=PUPIL_POPULATION)
        }
        return cls(rows)

    def index_for(
        self,
        instrument: str,
        generation: str,
        moment: str,
        *,
        percentile: Decimal | None,
        ability_score: Decimal | None,
        level_iv: str,
        level_ae: str,
    ) -> ResultIndex | None:
        norm = self.norm_for(instrument, generation, moment)
        return derive_index(percentile, ability_score, norm, level_iv, level_ae)

    def norm_for(
        self, instrument: str, generation: str, moment: str
    ) -> NormEntry | None:
        key = (instrument, generation, moment)
        if key not in self.found:
            self.found[key] = self.rows.get(
                (instrument.lower(), generation.lower(), moment.upper())
            )
        return self.found[key]


def to_entry(row: NormRow) -> NormEntry:
    return NormEntry(
        instrument=row.instrument,
        generation=row.generation,
        norm_version=row.norm_version,
        moment=row.moment,
        population=row.population,
        national_mean=row.national_mean,
        national_sd=row.national_sd,
        sem=row.sem,
        source=row.source,
    )


def reindex_results() -> int:
    """Recompute every stored index, after a norm table was loaded or changed."""
    norms = NormCache.load()
    changed: list[TestResult] = []
    results = TestResult.objects.select_related("instrument").iterator(chunk_size=5000)
    for result in results:
        index = norms.index_for(
            result.instrument.name,
            result.instrument.generation,
            result.moment,
            percentile=result.percentile,
            ability_score=result.ability_score,
            level_iv=result.level_iv,
            level_ae=result.level_ae,
        )
        value = index.value if index else None
        source = index.source.value if index else ""
        coarse = index.coarse if index else False
        if (result.index_value, result.index_source, result.index_coarse) != (
            value,
            source,
            coarse,
        ):
            result.index_value = value
            result.index_source = source
            result.index_coarse = coarse
            changed.append(result)

    TestResult.objects.bulk_update(
        changed, ["index_value", "index_source", "index_coarse"], batch_size=2000
    )
    return len(changed)
