"""Shared machinery for importers that read a `Table` (CSV or spreadsheet)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from koers.lib.importers._archive import check_archive
from koers.lib.records import ImportRejected, ParsedFile, SkippedRow, SourcePosition
from koers.lib.textfile import (
    Row,
    Table,
    UnclosedQuote,
    UnreadableSpreadsheet,
    UnreadableText,
    read_table,
)
from koers.lib.values import (
    ValueFormatError,
    clean,
    dropped_bsn_note,
    header_key,
    is_bsn_field,
    is_missing,
)


class RowError(Exception):
    """This row (or XML element) cannot be used; the reason is Dutch, for the user.

    `malformed` marks a value that is not of the expected kind (as opposed to a row
    that is merely incomplete): when every row is malformed the file has the wrong
    shape and is rejected as a whole.
    """

    def __init__(
        self, message: str, column: str | None = None, *, malformed: bool
    ) -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.malformed = malformed


def incomplete(message: str, column: str | None = None) -> RowError:
    return RowError(message, column, malformed=False)


@dataclass(frozen=True, slots=True)
class Column:
    index: int
    name: str


class RowValues(dict[str, str]):
    """The cleaned text per field of one row; a field without a column reads ""."""

    def __missing__(self, field: str) -> str:
        return ""


class Columns:
    """The columns of a table found by alias, per canonical field name."""

    def __init__(self, table: Table, aliases: Mapping[str, Collection[str]]) -> None:
        self._found: dict[str, Column] = {}
        keys = table.header_keys
        for field, names in aliases.items():
            wanted = {header_key(name) for name in names}
            for index, key in enumerate(keys):
                if key in wanted:
                    self._found[field] = Column(index, table.header[index])
                    break
        self._indexes = tuple((field, c.index) for field, c in self._found.items())

    def has(self, field: str) -> bool:
        return field in self._found

    def index(self, field: str) -> int | None:
        column = self._found.get(field)
        return column.index if column else None

    def name(self, field: str) -> str | None:
        column = self._found.get(field)
        return column.name if column else None

    def values(self, row: Row) -> RowValues:
        # Every row of a file of 100,000 rows passes here: one comprehension over
        # the found columns with the cached `clean`, instead of a call per field.
        cells = row.cells
        width = len(cells)
        return RowValues(
            {
                field: clean(cells[index])
                for field, index in self._indexes
                if index < width
            }
        )

    def parse[T](self, values: RowValues, field: str, parser: Callable[[str], T]) -> T:
        """Parse a field's text; a format error becomes a malformed `RowError`."""
        try:
            return parser(values[field])
        except ValueFormatError as error:
            raise RowError(error.message, self.name(field), malformed=True) from error


def load_table(file_name: str, data: bytes, known_headers: Collection[str]) -> Table:
    """Read the table or reject the file; a table without data rows is rejected too."""
    # xlsx and ods are zip archives: measured before calamine inflates them.
    if data.startswith(b"PK"):
        check_archive(file_name, data)

    try:
        table = read_table(data, known_headers)
    except UnreadableSpreadsheet as error:
        raise ImportRejected(
            file_name,
            "het spreadsheet kan niet worden geopend (verwacht xlsx, xls of ods)",
        ) from error
    except UnclosedQuote as error:
        raise ImportRejected(
            file_name,
            'een aanhalingsteken (") wordt niet gesloten: de rest van het bestand '
            "zou in één cel belanden",
            SourcePosition(row=error.line),
        ) from error
    except UnreadableText as error:
        raise ImportRejected(
            file_name,
            "de tekst kan niet worden gelezen (verwacht UTF-8 of Windows-1252)",
        ) from error

    if not table.header:
        raise ImportRejected(file_name, "het bestand is leeg")
    if not table.rows:
        raise ImportRejected(
            file_name,
            "het bestand bevat alleen een kopregel en geen gegevens",
            SourcePosition(row=table.header_row),
        )
    return table


def require_columns(
    file_name: str, table: Table, columns: Columns, required: Mapping[str, str]
) -> None:
    """Reject when a required field has no column (`required`: field → Dutch name)."""
    for field, description in required.items():
        if not columns.has(field):
            raise ImportRejected(
                file_name,
                f"kolom {description} ontbreekt",
                SourcePosition(row=table.header_row),
            )


@dataclass(frozen=True, slots=True)
class ColumnData:
    """A table read a column at a time: per field one entry for each data row.

    `texts` holds the cleaned text of the text fields and `values` the parsed
    values of the typed fields; a field without a column reads "" or what its parser
    makes of "". `errors` holds, per row position, the first malformed value.
    """

    texts: dict[str, list[str]]
    values: dict[str, list[Any]]
    errors: dict[int, RowError]


def read_columns(
    table: Table,
    columns: Columns,
    text_fields: Collection[str],
    parsers: Mapping[str, Callable[[str], Any]],
) -> ColumnData:
    """Clean and parse the fields of every row, one column at a time.

    The parsers are cached per text, and a column is mapped in one pass: a file
    with 100,000 rows then costs a few lookups per cell instead of a chain of
    calls. A column with a malformed cell is parsed again cell by cell, so that
    each row learns its own error, the first one in the order of `parsers`.
    """
    count = len(table.rows)
    width = len(table.header)
    # Rows shorter than the header (a trailing empty cell left out) are padded,
    # so that every column can be read with one index.
    cells = [
        row.cells if len(row.cells) >= width else (*row.cells, *[""] * width)
        for row in table.rows
    ]

    def column(index: int) -> list[str]:
        return list(map(itemgetter(index), cells))

    texts: dict[str, list[str]] = {}
    for field in text_fields:
        index = columns.index(field)
        texts[field] = (
            [""] * count if index is None else list(map(clean, column(index)))
        )

    # The parsers clean their input themselves, and cache per text.
    values: dict[str, list[Any]] = {}
    errors: dict[int, RowError] = {}
    for field, parser in parsers.items():
        index = columns.index(field)
        if index is None:
            values[field] = [parser("")] * count
            continue
        raw = column(index)
        try:
            values[field] = list(map(parser, raw))
        except ValueFormatError:
            values[field] = _parse_each(raw, parser, columns.name(field), errors)
    return ColumnData(texts, values, errors)


def _parse_each(
    texts: list[str],
    parser: Callable[[str], Any],
    column: str | None,
    errors: dict[int, RowError],
) -> list[Any]:
    parsed: list[Any] = []
    for position, text in enumerate(texts):
        try:
            parsed.append(parser(text))
        except ValueFormatError as error:
            parsed.append(None)
            errors.setdefault(position, RowError(error.message, column, malformed=True))
    return parsed


def read_rows(
    file_name: str,
    table: Table,
    parsed: ParsedFile,
    handle_row: Callable[[int, Row], bool],
) -> None:
    """Feed each data row, with its position in `table.rows`, to `handle_row`; a
    `RowError` becomes a `SkippedRow`.

    `handle_row` returns whether the row produced a record. When no row did and at
    least one was malformed, the file is rejected with the first malformed value.
    """
    first_malformed: RowError | None = None
    first_malformed_row = 0
    produced = 0

    width = len(table.header)
    for position, row in enumerate(table.rows):
        parsed.rows_read += 1
        try:
            if len(row.cells) > width:
                _check_width(table, row)
            produced += handle_row(position, row)
        except RowError as error:
            where = SourcePosition(row=row.number, column=error.column)
            parsed.skipped.append(SkippedRow(where, error.message))
            if error.malformed and first_malformed is None:
                first_malformed, first_malformed_row = error, row.number

    if produced == 0 and first_malformed is not None:
        raise ImportRejected(
            file_name,
            first_malformed.message,
            SourcePosition(row=first_malformed_row, column=first_malformed.column),
        )


def _check_width(table: Table, row: Row) -> None:
    extra = [cell for cell in row.cells[len(table.header) :] if cell.strip()]
    if extra:
        raise RowError(
            f"rij heeft {len(row.cells)} velden, de kopregel {len(table.header)}",
            malformed=True,
        )


def note_dropped_bsn(table: Table, parsed: ParsedFile) -> None:
    """BSN columns are never read; tell the user how many values were left behind."""
    indexes = [index for index, name in enumerate(table.header) if is_bsn_field(name)]
    if not indexes:
        return
    dropped = sum(
        1 for row in table.rows for index in indexes if not is_missing(row.get(index))
    )
    if dropped:
        parsed.notes.append(dropped_bsn_note(dropped))
