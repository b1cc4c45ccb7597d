"""Loading a norm table into the database."""

from __future__ import annotations

import logging
from typing import NamedTuple

from django.db import transaction

from koers.lib.analysis.norms import NormTableError, parse_norm_table
from koers.results.indexing import reindex_results
from koers.results.models import NormRow

logger = logging.getLogger(__name__)


def decode_table(data: bytes) -> str:
    # Norm tables are typed in by hand in a spreadsheet: accept its usual encodings.
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text or "\ufffd" in text:
        raise NormTableError(
            None, None, "het bestand is geen tekst (verwacht een CSV-bestand)"
        )
    return text


class NormLoad(NamedTuple):
    rows: int
    reindexed: int
    replaced: list[str]


def load_norm_table(data: bytes) -> NormLoad:
    """Store the rows (replacing rows with the same instrument, generation, moment
    and population) and recompute every index. `replaced` describes the stored
    rows that the table changed."""
    rows = parse_norm_table(decode_table(data))
    replaced = []

    with transaction.atomic():
        for row in rows:
            stored = NormRow.objects.filter(
                instrument=row.instrument,
                generation=row.generation,
                moment=row.moment,
                population=row.population,
            ).first()
            if stored is not None and (
                stored.norm_version,
                stored.national_mean,
                stored.national_sd,
            ) != (row.norm_version, row.national_mean, row.national_sd):
                replaced.append(
                    f"{row.instrument} {row.generation} {row.moment}: normversie "
                    f"'{stored.norm_version}' vervangen door '{row.norm_version}'"
                )
            NormRow.objects.update_or_create(
                instrument=row.instrument,
                generation=row.generation,
                moment=row.moment,
                population=row.population,
                defaults={
                    "norm_version": row.norm_version,
                    "national_mean": row.national_mean,
                    "national_sd": row.national_sd,
                    "sem": row.sem,
                    "source": row.source,
                },
            )
        changed = reindex_results()

    logger.info(
        "norm table loaded rows=%d reindexed=%d replaced=%d",
        len(rows),
        changed,
        len(replaced),
    )
    return NormLoad(len(rows), changed, replaced)
