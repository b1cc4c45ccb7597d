"""Generic results tables (CSV or spreadsheet): one row per pupil and test.

Suppliers publish no column layouts for their result exports, so columns are found
by tolerant aliases (formats.md §7.4) and by the names of the Koers fallback
template (§7.5). Columns that match no alias are left out.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

from koers.lib.importers._tables import (
    Columns,
    incomplete,
    load_table,
    note_dropped_bsn,
    read_rows,
)
from koers.lib.records import (
    ImportRejected,
    ParsedFile,
    Period,
    PupilRef,
    ReferenceLevel,
    ResultRecord,
    SourcePosition,
)
from koers.lib.textfile import Row, Table
from koers.lib.values import (
    ValueFormatError,
    header_key,
    parse_bounded_int,
    parse_date,
    parse_decimal,
    parse_grade,
    parse_level_ae,
    parse_level_iv,
    parse_moment,
    parse_percentile,
    parse_reference_level,
    parse_school_year,
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
SCORE_FIELDS = (
    "raw_score",
    "ability_score",
    "dle",
    "level_iv",
    "level_ae",
    "level_band",
)

# A nominal date per moment, used only when a file gives a school year and a moment
# but no test date: (month, day, years after the start year).
_NOMINAL_DATES = {
    Period.BEGIN: (10, 1, 0),
    Period.MIDDLE: (2, 1, 1),
    Period.END: (6, 1, 1),
}

_PRIMARY_GRADES = frozenset("12345678")


@dataclass(slots=True)
class _Scores:
    raw: Decimal | None
    ability: Decimal | None
    dle: int | None
    level_iv: str
    level_ae: str
    percentile: Decimal | None
    reference_level: ReferenceLevel | None

    def is_empty(self) -> bool:
        # A delivered percentile or reference level is a result on its own: the
        # percentile is even the best source of the index.
        return (
            self.raw is None
            and self.ability is None
            and self.dle is None
            and not self.level_iv
            and not self.level_ae
            and self.percentile is None
            and self.reference_level is None
        )


class ResultTableReader:
    """Turns the rows of a results table into `ResultRecord`s.

    Used for the generic layout and, with its own aliases, for the ESIS export.
    """

    # Whether a row without a date may get a nominal one from school year + moment.
    allow_nominal_dates = True

    def __init__(
        self, file_name: str, table: Table, columns: Columns, parsed: ParsedFile
    ) -> None:
        self.file_name = file_name
        self.table = table
        self.columns = columns
        self.parsed = parsed
        self.seen: dict[tuple[str, ...], int] = {}
        self.nominal_dates = 0

    def read(self) -> None:
        read_rows(self.file_name, self.table, self.parsed, self.handle_row)
        if self.nominal_dates:
            self.parsed.notes.append(
                f"Resultaten zonder afnamedatum: {self.nominal_dates}; de datum "
                "is afgeleid van schooljaar en toetsmoment."
            )

    def handle_row(self, row: Row) -> bool:
        record = self.result_of(row)
        key = self.duplicate_key(row, record)
        if key in self.seen:
            raise incomplete(
                "dubbele rij: zelfde leerling, toets, versie en datum als "
                f"rij {self.seen[key]}"
            )
        self.seen[key] = row.number
        self.parsed.results.append(record)
        return True

    def duplicate_key(self, row: Row, record: ResultRecord) -> tuple[str, ...]:
        ref = record.ref
        return (
            ref.eck_id or "",
            ref.key or "",
            record.instrument.lower(),
            record.test_version.lower(),
            record.administered_on.isoformat(),
        )

    def result_of(self, row: Row) -> ResultRecord:
        ref = self.pupil_ref(row)
        instrument = self.instrument(row)
        subject_text = self.columns.text(row, "subject")

        scores = self.scores(row)
        grade = self.columns.parse(row, "grade", parse_grade)
        period, moment_grade = self.moment(row, grade)
        school_year = self.columns.parse(row, "school_year", parse_school_year)
        administered_on = self.date(row, school_year, period)
        if scores.is_empty():
            raise incomplete("geen score")

        version = self.columns.text(row, "test_version")
        supplier = self.columns.text(row, "supplier") or supplier_of(instrument)
        return ResultRecord(
            ref=ref,
            supplier=supplier,
            subject=subject_of(subject_text, instrument),
            instrument=instrument,
            generation=self.columns.text(row, "generation") or version,
            administered_on=administered_on,
            school_year=school_year
            if school_year is not None
            else school_year_of(administered_on),
            period=period,
            moment_grade=moment_grade,
            grade_at_test=grade,
            test_version=version,
            raw_score=scores.raw,
            ability_score=scores.ability,
            scale=self.columns.text(row, "scale"),
            level_iv=scores.level_iv,
            level_ae=scores.level_ae,
            percentile=scores.percentile,
            dle=scores.dle,
            didactic_age=self.columns.parse(row, "didactic_age", parse_bounded_int),
            functioning_level=self.columns.text(row, "functioning_level"),
            reference_level=scores.reference_level,
            norm_label=self.columns.text(row, "norm"),
            position=SourcePosition(row=row.number),
        )

    def pupil_ref(self, row: Row) -> PupilRef:
        surname = self.columns.text(row, "surname")
        if not surname and self.columns.has("full_name"):
            surname = split_combined_name(self.columns.text(row, "full_name")).surname
        ref = PupilRef(
            eck_id=self.columns.text(row, "eck_id") or None,
            key=self.columns.text(row, "external_id") or None,
            surname=surname or None,
            birth_date=self.columns.parse(row, "birth_date", parse_date),
        )
        if not (ref.eck_id or ref.key):
            raise incomplete("geen leerlingnummer", self.columns.name("external_id"))
        return ref

    def instrument(self, row: Row) -> str:
        for field in INSTRUMENT_FIELDS:
            if text := self.columns.text(row, field):
                return text
        raise incomplete("geen toets", self.columns.name("instrument"))

    def scores(self, row: Row) -> _Scores:
        level_iv = self.columns.parse(row, "level_iv", parse_level_iv) or ""
        level_ae = self.columns.parse(row, "level_ae", parse_level_ae) or ""
        band_iv, band_ae = self.level_band(row)
        return _Scores(
            raw=self.columns.parse(row, "raw_score", parse_decimal),
            ability=self.columns.parse(row, "ability_score", parse_decimal),
            dle=self.columns.parse(row, "dle", parse_bounded_int),
            level_iv=level_iv or band_iv,
            level_ae=level_ae or band_ae,
            percentile=self.columns.parse(row, "percentile", parse_percentile),
            reference_level=self.columns.parse(
                row, "reference_level", parse_reference_level
            ),
        )

    def level_band(self, row: Row) -> tuple[str, str]:
        """A single `niveau` column holds either an I-V or an A-E level."""
        text = self.columns.text(row, "level_band")
        try:
            return parse_level_iv(text) or "", ""
        except ValueFormatError:
            pass
        return "", self.columns.parse(row, "level_band", parse_level_ae) or ""

    def moment(self, row: Row, grade: str | None) -> tuple[Period | None, str | None]:
        moment = self.columns.parse(row, "moment", parse_moment)
        test_level = self.columns.parse(row, "test_level", parse_grade)
        if moment is None:
            return None, test_level

        period, moment_grade = moment
        if test_level is not None:
            moment_grade = test_level
        elif moment_grade is None and grade in _PRIMARY_GRADES:
            # A bare `M` next to a grade means the regular test of that grade.
            moment_grade = grade
        return period, moment_grade

    def date(self, row: Row, school_year: int | None, period: Period | None) -> dt.date:
        administered_on = self.columns.parse(row, "date", parse_date)
        if administered_on is not None:
            return administered_on

        if not self.allow_nominal_dates or school_year is None or period is None:
            raise incomplete("geen afnamedatum", self.columns.name("date"))
        month, day, offset = _NOMINAL_DATES[period]
        self.nominal_dates += 1
        return dt.date(school_year + offset, month, day)


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
