"""ESIS LVS results export per school year (formats.md section 3).

`;`-separated, every field quoted, CRLF line ends, UTF-8 without BOM, dates
dd-mm-yyyy, decimal comma. Like real exports the rows are not sorted, and the
first year's file repeats two rows exactly so importers must de-duplicate.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from koers.lib.demo import params, schoolyear
from koers.lib.demo.norms import INSTRUMENTS, NORM_GENERATION
from koers.lib.demo.scores import Measurement
from koers.lib.demo.spec import DemoSpec

HEADER = (
    "DatumExport",
    "BrinVest",
    "EsisIdentificatienummer",
    "Vormingsgebied",
    "Toets",
    "Toetsversie",
    "Schooljaar",
    "Afnamedatum",
    "Leerjaar",
    "Afnamemoment",
    "DL",
    "Ruwescore",
    "Vaardigheidsscore",
    "DLE",
    "AE",
    "IV",
    "Norm",
)


def dutch_date(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def dutch_number(value: float) -> str:
    """`145.0` -> `145`, `145.5` -> `145,5`."""
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}".replace(".", ",")


def esis_rows(
    spec: DemoSpec, year: int, measurements: list[Measurement], rng: random.Random
) -> list[list[str]]:
    """The data rows of one year's file, in export order."""
    exported = dutch_date(schoolyear.export_date(year))
    rows = [
        _row(spec, exported, m)
        for m in measurements
        if m.at_school and m.tick.year == year and m.subject in spec.subjects
    ]
    rng.shuffle(rows)
    if year == spec.first_school_year:
        _duplicate_some(rows, rng)
    return rows


def _row(spec: DemoSpec, exported: str, m: Measurement) -> list[str]:
    instrument = INSTRUMENTS[m.subject]
    return [
        exported,
        spec.brin + spec.branch,
        m.pupil.key,
        instrument.esis_area,
        instrument.esis_test,
        NORM_GENERATION,
        schoolyear.label(m.tick.year),
        dutch_date(m.date),
        str(m.tick.grade),
        m.tick.period,
        str(m.didactic_age),
        str(m.raw),
        dutch_number(m.score),
        str(m.dle),
        m.level_ae,
        m.level_iv,
        "",
    ]


def _duplicate_some(rows: list[list[str]], rng: random.Random) -> None:
    originals = rng.sample(rows, min(params.DUPLICATE_ROWS, len(rows)))
    for row in originals:
        rows.insert(rng.randrange(len(rows) + 1), list(row))


def write_esis(rows: list[list[str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(
            handle, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n"
        )
        writer.writerow(HEADER)
        writer.writerows(rows)
