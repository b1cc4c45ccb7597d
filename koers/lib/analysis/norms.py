"""Norm tables a school or board loads: national mean and SD per instrument and moment.

Koers ships no Cito numbers: the national means, SDs and level boundaries are printed
in the suppliers' manuals, not published. A school copies the numbers it needs into
a small CSV file with this header (column order is free):

    instrument;generation;norm_version;moment;population;national_mean;national_sd;sem;source

- Separator `;` or `,` (taken from the header line). With `,` as separator, a value
  written with a decimal comma must be quoted, as spreadsheets do on export.
- Numbers may use a decimal comma or a decimal point; no thousands separators.
- `moment`: B, M or E followed by the grade, e.g. `M5` or `E7`.
- `population`: `pupils` for the distribution of pupil scores, `group_means` for the
  distribution of group means.
- `national_sd` must be positive; `sem` (standard error of measurement, in score
  points) and `source` (manual and page) may be left empty or out.
- One row per instrument, generation, moment and population: a table holds a single
  norm version of each moment.

A table with one bad row is refused as a whole, with the row and column named, so a
half-loaded table never silently classifies some moments and not others.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

NORM_TABLE_COLUMNS: tuple[str, ...] = (
    "instrument",
    "generation",
    "norm_version",
    "moment",
    "population",
    "national_mean",
    "national_sd",
    "sem",
    "source",
)
OPTIONAL_COLUMNS = frozenset({"sem", "source"})
REQUIRED_COLUMNS = tuple(c for c in NORM_TABLE_COLUMNS if c not in OPTIONAL_COLUMNS)

_MOMENT = re.compile(r"^[BME][1-8]$")


class NormPopulation(StrEnum):
    PUPILS = "pupils"
    GROUP_MEANS = "group_means"


@dataclass(frozen=True, slots=True)
class NormRow:
    """One moment of one instrument; mean, SD and SEM are in ability-score points."""

    instrument: str
    generation: str
    norm_version: str
    moment: str
    population: str
    national_mean: float
    national_sd: float
    sem: float | None = None
    source: str = ""


class NormTableError(ValueError):
    """The table is refused; `row` is the 1-based line (the header is line 1)."""

    def __init__(self, row: int | None, column: str | None, message: str) -> None:
        self.row = row
        self.column = column
        self.message = message
        super().__init__(self.describe())

    def describe(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"rij {self.row}")
        if self.column:
            parts.append(f"kolom {self.column}")
        where = ", ".join(parts)
        return f"{where}: {self.message}" if where else self.message


def parse_norm_table(text: str) -> list[NormRow]:
    """Parse a whole norm table; raises NormTableError on the first bad row."""
    lines = text.lstrip("\ufeff").splitlines()
    if not any(line.strip() for line in lines):
        raise NormTableError(None, None, "Het bestand is leeg.")

    delimiter = ";" if ";" in lines[0] else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    _check_header(header)

    rows: list[NormRow] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for line_number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        row = _parse_row(line_number, header, values)
        _check_unique(row, line_number, seen)
        rows.append(row)

    if not rows:
        raise NormTableError(None, None, "Het bestand bevat geen normregels.")
    return rows


class NormLookup:
    """Pupil norm rows by (instrument, generation, moment), case-insensitive."""

    def __init__(self, rows: Iterable[NormRow]) -> None:
        self._pupils: dict[tuple[str, str, str], NormRow] = {}
        self._group_means: dict[tuple[str, str, str], NormRow] = {}
        for row in rows:
            key = _lookup_key(row.instrument, row.generation, row.moment)
            if row.population == NormPopulation.PUPILS:
                self._pupils[key] = row
            else:
                # Group means vary far less than pupil scores (their SD shrinks with
                # group size), so a pupil measured against them would look extreme.
                # They are kept for classifying group means, never used for pupils.
                self._group_means[key] = row

    def for_pupils(
        self, instrument: str, generation: str, moment: str
    ) -> NormRow | None:
        return self._pupils.get(_lookup_key(instrument, generation, moment))

    def for_group_means(
        self, instrument: str, generation: str, moment: str
    ) -> NormRow | None:
        return self._group_means.get(_lookup_key(instrument, generation, moment))


def _lookup_key(instrument: str, generation: str, moment: str) -> tuple[str, str, str]:
    return (
        instrument.strip().casefold(),
        generation.strip().casefold(),
        moment.strip().upper(),
    )


def _check_header(header: list[str]) -> None:
    unknown = [name for name in header if name not in NORM_TABLE_COLUMNS]
    if unknown:
        # An unknown column is most often a misspelt optional one ("sem " or "bron");
        # refusing it beats silently loading a table without its SEMs.
        raise NormTableError(
            1,
            unknown[0],
            f"Onbekende kolom; toegestaan zijn: {', '.join(NORM_TABLE_COLUMNS)}.",
        )

    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise NormTableError(1, missing[0], "Verplichte kolom ontbreekt.")

    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise NormTableError(1, duplicates[0], "Kolom komt meer dan eens voor.")


def _parse_row(line_number: int, header: list[str], values: list[str]) -> NormRow:
    if len(values) != len(header):
        raise NormTableError(
            line_number,
            None,
            f"Verwacht {len(header)} waarden, gevonden {len(values)}.",
        )
    cells = _Cells(line_number, dict(zip(header, values, strict=True)))

    national_sd = cells.number("national_sd")
    if national_sd <= 0:
        raise NormTableError(line_number, "national_sd", "Moet groter zijn dan 0.")

    sem = cells.optional_number("sem")
    if sem is not None and sem < 0:
        raise NormTableError(line_number, "sem", "Mag niet negatief zijn.")

    return NormRow(
        instrument=cells.text("instrument"),
        generation=cells.text("generation"),
        norm_version=cells.text("norm_version"),
        moment=_parse_moment(line_number, cells.text("moment")),
        population=_parse_population(line_number, cells.text("population")),
        national_mean=cells.number("national_mean"),
        national_sd=national_sd,
        sem=sem,
        source=cells.optional_text("source"),
    )


class _Cells:
    """The values of one row by column name, with errors that name row and column."""

    def __init__(self, line_number: int, values: dict[str, str]) -> None:
        self.line_number = line_number
        self.values = {name: value.strip() for name, value in values.items()}

    def optional_text(self, column: str) -> str:
        return self.values.get(column, "")

    def text(self, column: str) -> str:
        value = self.optional_text(column)
        if not value:
            raise NormTableError(self.line_number, column, "Waarde ontbreekt.")
        return value

    def optional_number(self, column: str) -> float | None:
        value = self.optional_text(column)
        return _parse_number(self.line_number, column, value) if value else None

    def number(self, column: str) -> float:
        return _parse_number(self.line_number, column, self.text(column))


def _parse_number(line_number: int, column: str, value: str) -> float:
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise NormTableError(
            line_number, column, f"Geen getal: '{value}' (gebruik bijv. 152,3)."
        )
    return float(number)


def _parse_moment(line_number: int, value: str) -> str:
    moment = value.upper()
    if not _MOMENT.match(moment):
        raise NormTableError(
            line_number,
            "moment",
            f"Onbekend moment '{value}'; verwacht B, M of E met een groep, bijv. M5.",
        )
    return moment


def _parse_population(line_number: int, value: str) -> str:
    try:
        return NormPopulation(value.lower()).value
    except ValueError:
        raise NormTableError(
            line_number,
            "population",
            f"Onbekende populatie '{value}'; verwacht 'pupils' of 'group_means'.",
        ) from None


def _check_unique(
    row: NormRow, line_number: int, seen: dict[tuple[str, str, str, str], int]
) -> None:
    key = (*_lookup_key(row.instrument, row.generation, row.moment), row.population)
    if key in seen:
        raise NormTableError(
            line_number,
            None,
            f"Dubbele regel: dit moment en deze populatie staan al in rij {seen[key]}.",
        )
    seen[key] = line_number
