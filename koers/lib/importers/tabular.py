"""Generic results tables (CSV or spreadsheet): one row per pupil and test.

Suppliers publish no column layouts for their result exports, so columns are found
by tolerant aliases (formats.md §7.4) and by the names of the Koers fallback
template (§7.5). Columns that match no alias are left out.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Mapping
from functools import lru_cache
from typing import Any

from koers.lib.importers._tables import (
    Columns,
    incomplete,
    load_table,
    note_dropped_bsn,
    read_columns,
    read_rows,
)
from koers.lib.records import (
    ImportRejected,
    ParsedFile,
    Period,
    PupilRef,
    ResultRecord,
    SourcePosition,
)
from koers.lib.textfile import Row, Table
from koers.lib.values import (
    CACHE_SIZE,
    ValueFormatError,
    header_key,
    parse_bounded_int,
    parse_date,
    parse_grade,
    parse_level_ae,
    parse_level_iv,
    parse_moment,
    parse_percentile,
    parse_reference_level,
    parse_school_year,
    parse_score,
    school_year_of,
    split_combined_name,
    subject_of,
    supplier_of,
)

logger = logging.getLogger(__name__)

FORMAT = "tabular-results"

# Some fields (names, group) are not copied into results; they are listed so the
# header row is recognised and the pupil can be named in a reference.
ALIASES: Mapping[str, Collection[str]] = {
    "eck_id": ("eckid", "eck-id", "eck id"),
    "external_id": (
        "external_id",
        "leerlingnummer",
        "leerling nummer",
        "leerlingnr",
        "lln nr",
        "llnr",
        "leerling id",
        "leerlingid",
        "id",
        "esisidentificatienummer",
        "studentnummer",
    ),
    "surname": ("achternaam",),
    "prefix": ("tussenvoegsel", "tussenvoegsels", "voorvoegsel"),
    "full_name": ("naam", "leerlingnaam", "leerling naam"),
    "birth_date": ("geboortedatum",),
    "group": ("group", "groep", "groepsnaam", "klas", "huidige groep"),
    "grade": ("grade", "jaargroep", "leerjaar"),
    "supplier": ("supplier", "leverancier", "uitgever"),
    "subject": ("vak", "vakgebied", "leergebied", "vormingsgebied", "domein"),
    "instrument": ("instrument", "toets", "toetsnaam", "test"),
    "test_version": ("test_version", "toetsversie", "versie"),
    "generation": ("generatie", "generation"),
    "test_level": ("test_level_taken", "toetsniveau", "niveau toets"),
    "moment": ("test_moment", "toetsmoment", "afnamemoment", "moment"),
    "date": ("administered_on", "afnamedatum", "datum", "toetsdatum", "afname datum"),
    "school_year": ("schooljaar", "school_year"),
    "raw_score": ("raw_score", "ruwe score", "ruwescore", "score", "aantal goed"),
    "ability_score": ("ability_score", "vaardigheidsscore", "ontwikkelscore"),
    "scale": ("schaal", "vaardigheidsschaal"),
    "level_band": ("level_band", "niveau"),
    "level_iv": ("I-V", "niveau I-V", "IV"),
    "level_ae": ("A-E", "niveau A-E", "AE"),
    "percentile": ("percentile", "percentiel", "percentielscore"),
    "functioning_level": ("functioning_level", "functioneringsniveau", "FN"),
    "dle": ("dle",),
    "didactic_age": ("dl", "didactische leeftijd"),
    "reference_level": ("reference_level", "referentieniveau", "RNTRM"),
    "norm": ("norm", "normering"),
}

INSTRUMENT_FIELDS = ("instrument", "subject")
ID_FIELDS = ("external_id", "eck_id")

# A nominal date per moment, used only when a file gives a school year and a moment
# but no test date: (month, day, years after the start year).
_NOMINAL_DATES = {
    Period.BEGIN: (10, 1, 0),
    Period.MIDDLE: (2, 1, 1),
    Period.END: (6, 1, 1),
}

_PRIMARY_GRADES = frozenset("12345678")


def parse_level_band(text: str) -> tuple[str, str]:
    """A single `niveau` column holds either an I-V or an A-E level."""
    try:
        return parse_level_iv(text) or "", ""
    except ValueFormatError:
        pass
    return "", parse_level_ae(text) or ""


# The typed fields and their parsers. A row with more than one malformed value is
# skipped with the first of them in this order.
PARSERS: Mapping[str, Callable[[str], Any]] = {
    "birth_date": parse_date,
    "level_iv": parse_level_iv,
    "level_ae": parse_level_ae,
    "level_band": parse_level_band,
    "raw_score": parse_score,
    "ability_score": parse_score,
    "dle": parse_bounded_int,
    "percentile": parse_percentile,
    "reference_level": parse_reference_level,
    "grade": parse_grade,
    "moment": parse_moment,
    "test_level": parse_grade,
    "school_year": parse_school_year,
    "date": parse_date,
    "didactic_age": parse_bounded_int,
}
TEXT_FIELDS = (
    "eck_id",
    "external_id",
    "surname",
    "full_name",
    "instrument",
    "subject",
    "test_version",
    "supplier",
    "generation",
    "scale",
    "functioning_level",
    "norm",
)


class ResultTableReader:
    """Turns the rows of a results table into `ResultRecord`s.

    Used for the generic layout and, with its own aliases, for the ESIS export.
    The cells are cleaned and parsed a column at a time (`read_columns`), and what
    follows from several cells (the pupil reference, the test moment) is derived
    per column too: a board's export has 100,000 rows, and a chain of calls per
    cell would cost more than the database write. Each row is then put together
    from its values.
    """

    # Whether a row without a date may get a nominal one from school year + moment.
    allow_nominal_dates = True
    text_fields: tuple[str, ...] = TEXT_FIELDS

    def __init__(
        self, file_name: str, table: Table, columns: Columns, parsed: ParsedFile
    ) -> None:
        self.file_name = file_name
        self.table = table
        self.columns = columns
        self.parsed = parsed
        self.seen: dict[tuple[object, ...], int] = {}
        self.nominal_dates = 0
        self.data = read_columns(table, columns, self.text_fields, PARSERS)

        texts, values = self.data.texts, self.data.values
        surnames = texts["surname"]
        if columns.has("full_name"):
            surnames = [
                surname or split_combined_name(full_name).surname
                for surname, full_name in zip(surnames, texts["full_name"], strict=True)
            ]
        self.refs = list(
            map(
                _pupil_ref,
                texts["eck_id"],
                texts["external_id"],
                surnames,
                values["birth_date"],
            )
        )
        self.instruments = [
            instrument or subject
            for instrument, subject in zip(
                texts["instrument"], texts["subject"], strict=True
            )
        ]
        self.moments = list(
            map(_moment, values["moment"], values["test_level"], values["grade"])
        )
        # Rows with the same pupil, test, version and date are one result: the
        # first is kept. A row without a date gets its nominal date in `result_of`.
        self.keys = list(
            zip(
                *self.key_columns(),
                map(str.lower, self.instruments),
                map(str.lower, texts["test_version"]),
                values["date"],
                strict=True,
            )
        )
        # The values of each row in the order `result_of` unpacks them.
        self.rows = list(
            zip(
                values["grade"],
                values["school_year"],
                values["date"],
                values["level_iv"],
                values["level_ae"],
                values["level_band"],
                values["raw_score"],
                values["ability_score"],
                values["dle"],
                values["percentile"],
                values["reference_level"],
                values["didactic_age"],
                texts["test_version"],
                texts["supplier"],
                texts["subject"],
                texts["generation"],
                texts["scale"],
                texts["functioning_level"],
                texts["norm"],
                strict=True,
            )
        )

    def read(self) -> None:
        read_rows(self.file_name, self.table, self.parsed, self.handle_row)
        if self.nominal_dates:
            self.parsed.notes.append(
                f"Resultaten zonder afnamedatum: {self.nominal_dates}; de datum "
                "is afgeleid van schooljaar en toetsmoment."
            )

    def key_columns(self) -> list[list[str]]:
        """The columns besides test, version and date that identify a result."""
        texts = self.data.texts
        return [texts["eck_id"], texts["external_id"]]

    def handle_row(self, position: int, row: Row) -> bool:
        record = self.result_of(position, row.number)
        key = self.keys[position]
        if key[-1] is None:
            key = (*key[:-1], record.administered_on)
        if key in self.seen:
            raise incomplete(
                "dubbele rij: zelfde leerling, toets, versie en datum als "
                f"rij {self.seen[key]}"
            )
        self.seen[key] = row.number
        self.parsed.results.append(record)
        return True

    def result_of(self, position: int, number: int) -> ResultRecord:
        ref = self.refs[position]
        if ref is None:
            raise incomplete("geen leerlingnummer", self.columns.name("external_id"))
        instrument = self.instruments[position]
        if not instrument:
            raise incomplete("geen toets", self.columns.name("instrument"))
        error = self.data.errors.get(position)
        if error is not None:
            raise error

        (
            grade,
            school_year,
            administered_on,
            level_iv,
            level_ae,
            (band_iv, band_ae),
            raw_score,
            ability_score,
            dle,
            percentile,
            reference_level,
            didactic_age,
            version,
            supplier,
            subject,
            generation,
            scale,
            functioning_level,
            norm_label,
        ) = self.rows[position]
        period, moment_grade = self.moments[position]
        if administered_on is None:
            administered_on = self.nominal_date(school_year, period)
        level_iv = level_iv or band_iv
        level_ae = level_ae or band_ae
        # A delivered percentile or reference level is a result on its own: the
        # percentile is even the best source of the index.
        if (
            raw_score is None
            and ability_score is None
            and dle is None
            and not level_iv
            and not level_ae
            and percentile is None
            and reference_level is None
        ):
            raise incomplete("geen score")

        return ResultRecord(
            ref=ref,
            supplier=supplier or supplier_of(instrument),
            subject=subject_of(subject, instrument),
            instrument=instrument,
            generation=generation or version,
            administered_on=administered_on,
            school_year=school_year
            if school_year is not None
            else school_year_of(administered_on),
            period=period,
            moment_grade=moment_grade,
            grade_at_test=grade,
            test_version=version,
            raw_score=raw_score,
            ability_score=ability_score,
            scale=scale,
            level_iv=level_iv,
            level_ae=level_ae,
            percentile=percentile,
            dle=dle,
            didactic_age=didactic_age,
            functioning_level=functioning_level,
            reference_level=reference_level,
            norm_label=norm_label,
            position=SourcePosition(row=number),
        )

    def nominal_date(self, school_year: int | None, period: Period | None) -> dt.date:
        """The date of a result whose file gives only school year and moment."""
        if not self.allow_nominal_dates or school_year is None or period is None:
            raise incomplete("geen afnamedatum", self.columns.name("date"))
        month, day, offset = _NOMINAL_DATES[period]
        self.nominal_dates += 1
        return dt.date(school_year + offset, month, day)


@lru_cache(maxsize=CACHE_SIZE)
def _pupil_ref(
    eck_id: str, key: str, surname: str, birth_date: dt.date | None
) -> PupilRef | None:
    """The reference of a row's pupil, None without a pupil number or ECK-iD; one
    object per pupil, however many rows the pupil has."""
    if not (eck_id or key):
        return None
    return PupilRef(
        eck_id=eck_id or None,
        key=key or None,
        surname=surname or None,
        birth_date=birth_date,
    )


@lru_cache(maxsize=CACHE_SIZE)
def _moment(
    moment: tuple[Period, str | None] | None,
    test_level: str | None,
    grade: str | None,
) -> tuple[Period | None, str | None]:
    """The period and the grade of the test version taken."""
    if moment is None:
        return None, test_level

    period, moment_grade = moment
    if test_level is not None:
        moment_grade = test_level
    elif moment_grade is None and grade in _PRIMARY_GRADES:
        # A bare `M` next to a grade means the regular test of that grade.
        moment_grade = grade
    return period, moment_grade


def parse(file_name: str, data: bytes) -> ParsedFile:
    table = load_table(file_name, data, known_header_keys())
    columns = Columns(table, ALIASES)
    _check_columns(file_name, table, columns)

    parsed = ParsedFile(file_name=file_name, format=FORMAT)
    ResultTableReader(file_name, table, columns, parsed).read()
    note_dropped_bsn(table, parsed)
    logger.info(
        "tabular results: %d rows, %d results, %d skipped",
        parsed.rows_read,
        len(parsed.results),
        len(parsed.skipped),
    )
    return parsed


def _check_columns(file_name: str, table: Table, columns: Columns) -> None:
    position = SourcePosition(row=table.header_row)
    if not any(columns.has(field) for field in ID_FIELDS):
        raise ImportRejected(
            file_name,
            "resultaten zonder leerlingnummer: verwacht een kolom Leerlingnummer "
            "(of ECK-iD) om de resultaten aan leerlingen te koppelen",
            position,
        )
    if not any(columns.has(field) for field in INSTRUMENT_FIELDS):
        raise ImportRejected(
            file_name, "verwacht een kolom Toets (toetsnaam)", position
        )
    if not columns.has("date") and not (
        columns.has("school_year") and columns.has("moment")
    ):
        raise ImportRejected(
            file_name,
            "verwacht een kolom Afnamedatum, of de kolommen Schooljaar en Toetsmoment",
            position,
        )


def known_header_keys() -> frozenset[str]:
    return frozenset(header_key(name) for names in ALIASES.values() for name in names)
