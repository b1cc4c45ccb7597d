"""The FLOOR for an import: the same files parsed with the standard library only
(`csv`, `xml.etree`) and the same rows written with ONE `executemany` into the same
`results_testresult` table of the same SQLite file.

Pupil, instrument and school-year ids are resolved beforehand (`Lookups`, built
outside the timed part), so the floor does no matching, no de-duplication, no
index computation and no checks: it is the least work that stores the rows.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

from benchmarks.inputs import OSO_NAMESPACE

COLUMNS = (
    "pupil_id",
    "instrument_id",
    "school_year_id",
    "period",
    "moment_grade",
    "grade_at_test",
    "test_version",
    "administered_on",
    "raw_score",
    "ability_score",
    "scale",
    "level_iv",
    "level_ae",
    "percentile",
    "dle",
    "didactic_age",
    "functioning_level",
    "reference_level",
    "norm_label",
    "derived",
    "index_value",
    "index_source",
    "index_coarse",
    "import_batch_id",
)
# Built from the constant column names above only; the values are parameters.
INSERT = (
    f"INSERT INTO results_testresult ({', '.join(COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in COLUMNS)})"
)
Row = tuple[object, ...]


@dataclass
class Lookups:
    """Ids resolved before timing: pupils by LAS key and by ECK-iD, instruments by
    (name, generation), school years by start year."""

    pupils_by_key: dict[str, int]
    pupils_by_eck_id: dict[str, int]
    instruments: dict[tuple[str, str], int]
    school_years: dict[int, int]

    @classmethod
    def load(cls, connection: sqlite3.Connection, school_id: int) -> Lookups:
        by_key: dict[str, int] = {}
        by_eck_id: dict[str, int] = {}
        rows = connection.execute(
            "SELECT id, key, eck_id FROM schools_pupil WHERE school_id = ?",
            (school_id,),
        )
        for pk, key, eck_id in rows:
            if key:
                by_key[key] = pk
            if eck_id:
                by_eck_id[eck_id] = pk
        instruments = {
            (name, generation): pk
            for pk, name, generation in connection.execute(
                "SELECT id, name, generation FROM results_instrument"
            )
        }
        years = dict(
            connection.execute("SELECT start_year, id FROM schools_schoolyear")
        )
        return cls(by_key, by_eck_id, instruments, years)


def prepare(
    connection: sqlite3.Connection,
    lookups: Lookups,
    instruments: Iterable[tuple[str, str, str]],
    years: Iterable[int],
) -> None:
    """Create the instruments (name, generation, subject) and school years the
    input needs, so that the timed part only looks ids up."""
    for name, generation, subject in instruments:
        if (name, generation) not in lookups.instruments:
            cursor = connection.execute(
                "INSERT INTO results_instrument (supplier, subject, name, generation)"
                " VALUES ('Cito', ?, ?, ?)",
                (subject, name, generation),
            )
            assert cursor.lastrowid is not None
            lookups.instruments[(name, generation)] = cursor.lastrowid
    for year in years:
        if year not in lookups.school_years:
            cursor = connection.execute(
                "INSERT INTO schools_schoolyear (start_year) VALUES (?)", (year,)
            )
            assert cursor.lastrowid is not None
            lookups.school_years[year] = cursor.lastrowid
    connection.commit()


def _number(text: str) -> str | None:
    return text.replace(",", ".") if text else None


def _integer(text: str) -> int | None:
    return int(text) if text else None


def _dutch_date(text: str) -> str:
    return f"{text[6:10]}-{text[3:5]}-{text[0:2]}"


def esis_rows(data: bytes, lookups: Lookups) -> Iterator[Row]:
    reader = csv.reader(io.StringIO(data.decode("utf-8")), delimiter=";")
    header = next(reader)
    at = {name: index for index, name in enumerate(header)}
    (
        i_key,
        i_test,
        i_version,
        i_year,
        i_date,
        i_grade,
        i_moment,
        i_dl,
        i_raw,
        i_ability,
        i_dle,
        i_ae,
        i_iv,
        i_norm,
    ) = (
        at[name]
        for name in (
            "EsisIdentificatienummer",
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
    )
    pupils = lookups.pupils_by_key
    instruments = lookups.instruments
    years = lookups.school_years
    for row in reader:
        yield (
            pupils[row[i_key]],
            instruments[(row[i_test], row[i_version])],
            years[int(row[i_year][:4])],
            row[i_moment],
            row[i_grade],
            row[i_grade],
            row[i_version],
            _dutch_date(row[i_date]),
            _number(row[i_raw]),
            _number(row[i_ability]),
            "",
            row[i_iv],
            row[i_ae],
            None,
            _integer(row[i_dle]),
            _integer(row[i_dl]),
            "",
            "",
            row[i_norm],
            "[]",
            None,
            "",
            False,
            None,
        )


def _text(element: ET.Element | None, path: str) -> str:
    if element is None:
        return ""
    return (element.findtext(path, "", NS) or "").strip()


NS = {"o": OSO_NAMESPACE}


def oso_rows(data: bytes, lookups: Lookups) -> Iterator[Row]:
    root = ET.fromstring(data)  # noqa: S314 - our own benchmark input
    pupil = root.find("o:huidigeschool/o:leerling", NS)
    assert pupil is not None
    pupil_id = lookups.pupils_by_eck_id[_text(pupil, "o:eckid")]
    instruments = lookups.instruments
    years = lookups.school_years
    for test in pupil.iterfind("o:toetslijst/o:toets", NS):
        identification = test.find("o:toetsidentificatie", NS)
        afname = test.find("o:afname", NS)
        result = test.find("o:resultaat", NS)
        score = None if result is None else result.find("o:toetsscore", NS)
        derived = {
            _text(item, "o:codereferentiescore"): (
                _text(item, "o:waarde"),
                _text(item, "o:codevergelijkingsgroep"),
            )
            for item in (
                [] if result is None else result.iterfind("o:referentiescore", NS)
            )
        }
        day = _text(afname, "o:afnamedatum")
        year = int(day[:4]) if day[5:7] >= "08" else int(day[:4]) - 1
        version = _text(identification, "o:toetsversie")
        yield (
            pupil_id,
            instruments[
                (
                    _text(identification, "o:toetsnaam"),
                    _text(identification, "o:eldtoetscode"),
                )
            ],
            years[year],
            version[:1],
            version[1:2],
            _text(afname, "o:jaargroep"),
            version,
            day,
            _number(_text(score, "o:aantalgoed")),
            _number(_text(score, "o:vaardigheidsscore")),
            _text(score, "o:codevaardigheidsschaal"),
            derived.get("IV", ("", ""))[0],
            derived.get("AE", ("", ""))[0],
            _number(derived.get("Percentiel", ("", ""))[0]),
            _integer(derived.get("DLE", ("", ""))[0]),
            _integer(_text(afname, "o:dl")),
            "",
            "",
            "",
            json.dumps(
                [
                    {"code": code, "value": value, "group": group}
                    for code, (value, group) in derived.items()
                ]
            ),
            None,
            "",
            False,
            None,
        )


def insert(connection: sqlite3.Connection, rows: list[Row]) -> int:
    """ONE executemany in one transaction."""
    with connection:
        connection.executemany(INSERT, rows)
    return len(rows)


def import_esis(path: Path, connection: sqlite3.Connection, lookups: Lookups) -> int:
    return insert(connection, list(esis_rows(path.read_bytes(), lookups)))


def import_oso(
    paths: list[Path], connection: sqlite3.Connection, lookups: Lookups
) -> int:
    rows: list[Row] = []
    for path in paths:
        rows.extend(oso_rows(path.read_bytes(), lookups))
    return insert(connection, rows)
