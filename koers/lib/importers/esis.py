"""ESIS LVS test-results export: `;`-separated, quoted, one row per pupil and test.

The layout is the generic results table with fixed column names, plus two ESIS
habits: `BrinVest` glues the BRIN and the branch code together, and the export is
known to repeat rows, so duplicates on (BRIN, pupil, test, version, date) are
skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping

from koers.lib.importers._tables import (
    Columns,
    load_table,
    note_dropped_bsn,
    require_columns,
)
from koers.lib.importers.tabular import TEXT_FIELDS, ResultTableReader
from koers.lib.records import ParsedFile
from koers.lib.values import header_key

logger = logging.getLogger(__name__)

FORMAT = "esis-results"

ALIASES: Mapping[str, Collection[str]] = {
    "brin_branch": ("BrinVest",),
    "external_id": ("EsisIdentificatienummer",),
    "subject": ("Vormingsgebied",),
    "instrument": ("Toets",),
    "test_version": ("Toetsversie",),
    "school_year": ("Schooljaar",),
    "date": ("Afnamedatum",),
    "grade": ("Leerjaar",),
    "moment": ("Afnamemoment",),
    "didactic_age": ("DL",),
    "raw_score": ("Ruwescore",),
    "ability_score": ("Vaardigheidsscore",),
    "dle": ("DLE",),
    "level_ae": ("AE",),
    "level_iv": ("IV",),
    "norm": ("Norm",),
}

# ESIS always writes every column; a file without one of them is not a whole
# export (a later import could otherwise look as if the scores had gone).
REQUIRED = {field: next(iter(names)) for field, names in ALIASES.items()}

# The columns that together identify an ESIS results file.
SIGNATURE = frozenset(
    header_key(name) for name in ("EsisIdentificatienummer", "Vormingsgebied", "Toets")
)

BRIN_LENGTH = 4


class EsisReader(ResultTableReader):
    allow_nominal_dates = False
    text_fields = (*TEXT_FIELDS, "brin_branch")

    def key_columns(self) -> list[list[str]]:
        brins = [text[:BRIN_LENGTH].upper() for text in self.data.texts["brin_branch"]]
        return [brins, *super().key_columns()]


def known_header_keys() -> frozenset[str]:
    return frozenset(header_key(name) for names in ALIASES.values() for name in names)


def parse(file_name: str, data: bytes) -> ParsedFile:
    table = load_table(file_name, data, known_header_keys())
    columns = Columns(table, ALIASES)
    require_columns(file_name, table, columns, REQUIRED)

    parsed = ParsedFile(file_name=file_name, format=FORMAT)
    reader = EsisReader(file_name, table, columns, parsed)
    reader.read()
    brin_branches = set(reader.data.texts["brin_branch"])
    _set_school(parsed, {text.upper() for text in brin_branches})
    note_dropped_bsn(table, parsed)
    logger.info(
        "esis results: %d rows, %d results, %d skipped",
        parsed.rows_read,
        len(parsed.results),
        len(parsed.skipped),
    )
    return parsed


def _set_school(parsed: ParsedFile, brin_branches: set[str]) -> None:
    """Fill the BRIN and branch when the whole file is from one school location."""
    brin_branches.discard("")
    if len(brin_branches) == 1:
        (value,) = brin_branches
        parsed.brin = value[:BRIN_LENGTH]
        parsed.branch_code = value[BRIN_LENGTH:] or None
    elif brin_branches:
        parsed.notes.append(
            f"Het bestand bevat resultaten van {len(brin_branches)} schoollocaties "
            "(BrinVest)."
        )
