"""Loading a norm table into the database."""

from __future__ import annotations

import logging

from django.db import transaction

from koers.lib.analysis.norms import parse_norm_table
from koers.results.indexing import reindex_results
from koers.results.models import NormRow

logger = logging.getLogger(__name__)


def decode_table(data: bytes) -> str:
    # Norm tables are typed in by hand in a spreadsheet: accept its usual encodings.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def load_norm_table(data: bytes) -> tuple[int, int]:
    """Store the rows (replacing rows with the same instrument, generation, moment
    and population) and recompute every index. Returns (rows, indexes changed)."""
    rows = parse_norm_table(decode_table(data))

    with transaction.atomic():
        for row in rows:
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

    logger.info("norm table loaded rows=%d reindexed=%d", len(rows), changed)
    return len(rows), changed
