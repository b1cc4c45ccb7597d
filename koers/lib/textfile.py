"""Read delimited text and spreadsheets into one simple `Table` of strings.

Nothing here knows about a particular format: callers pass the header names they
recognise, which is how the header row is found when a file starts with a title
or an empty line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from python_calamine import CalamineWorkbook

from koers.lib.values import header_key

logger = logging.getLogger(__name__)

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
DELIMITERS = ";,\t"
SNIFF_CHARS = 4096
HEADER_SEARCH_ROWS = 10
MIN_HEADER_MATCHES = 2

_TOTAL_ROW_WORDS = ("totaal", "total", "gemiddeld", "gemiddelde", "aantal")

CellValue = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


class UnreadableText(ValueError):
    """The bytes are not text in one of the encodings Koers accepts."""


class UnclosedQuote(UnreadableText):
    """A quoted cell runs to the end of the file; `line` is where its row starts."""

    def __init__(self, line: int) -> None:
        super().__init__(f"unclosed quote on line {line}")
        self.line = line


class UnreadableSpreadsheet(ValueError):
    """The bytes look like a spreadsheet but could not be opened."""


class Row(NamedTuple):
    # A tuple, not a dataclass: a results export makes 100,000 of them.
    number: int  # 1-based line (text) or row (spreadsheet) in the source file
    cells: tuple[str, ...]

    def get(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    header_row: int
    rows: tuple[Row, ...]
    delimiter: str | None = None

    @property
    def header_keys(self) -> tuple[str, ...]:
        return tuple(header_key(name) for name in self.header)


# --- decoding ---------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """Decode in a fixed order: UTF-8 with BOM, strict UTF-8, then windows-1252.

    UTF-16 is only accepted with its BOM (Excel's "Unicode text" export). The result
    has no U+FEFF and only `\\n` line ends.
    """
    text = _decode(data)
    text = text.replace("\ufeff", "")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(data: bytes) -> str:
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise UnreadableText("utf-16") from error

    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass

    try:
        return data.decode("windows-1252")
    except UnicodeDecodeError as error:
        raise UnreadableText("windows-1252") from error


# --- delimited text ---------------------------------------------------------------


def detect_delimiter(text: str) -> str:
    """`;`, `,` or tab: the csv sniffer first, else the most frequent one in line 1."""
    sample = _sniff_sample(text)
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass

    first_line = next((line for line in text.split("\n") if line.strip()), "")
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ";"


def _sniff_sample(text: str) -> str:
    """The first 20 whole lines, within 4 KB when the first line is shorter."""
    # The sniffer's quote regex takes quadratic time: a line of 100,000 quotes
    # would hold the import for a minute, 4 KB costs at most a tenth of a second.
    sample = "\n".join(text.split("\n", 20)[:20])[:SNIFF_CHARS]
    last_line_end = sample.rfind("\n")
    return sample[:last_line_end] if last_line_end > 0 else sample


def read_delimited(text: str, known_headers: Collection[str]) -> Table:
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, doublequote=True)
    try:
        # The reader's line count after a record is that record's last line; a
        # quoted cell may span lines, so a record starts after the previous one.
        records = [(reader.line_num, cells) for cells in reader]
    except csv.Error as error:
        raise UnreadableText(f"csv: {error}") from error

    # Cells keep their spaces: every reader cleans the cells it uses, and a
    # second pass over 100,000 rows only to strip them costs a tenth of an import.
    rows = []
    line = 1
    for last_line, cells in records:
        rows.append(Row(line, tuple(cells)))
        line = last_line + 1
    if rows:
        _check_closed(text, rows[-1].number, delimiter)
    return _build_table(rows, known_headers, delimiter)


def _check_closed(text: str, first_line: int, delimiter: str) -> None:
    """Refuse a file whose last record is open: a quote is never closed.

    The lenient reader puts every row after such a quote into one cell, and
    those rows would vanish without a word in the report. Only the last record
    is read again, which costs next to nothing.
    """
    tail = text.split("\n", first_line - 1)[-1]
    try:
        for _ in csv.reader(io.StringIO(tail), delimiter=delimiter, strict=True):
            pass
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            raise UnclosedQuote(first_line) from error


# --- spreadsheets -----------------------------------------------------------------


def read_spreadsheet(data: bytes, known_headers: Collection[str]) -> Table:
    """The first sheet of an .xlsx, .xls or .ods file."""
    raw_rows = _first_sheet_rows(data)
    rows = [
        Row(index, tuple(cell_to_text(cell) for cell in cells))
        for index, cells in enumerate(raw_rows, start=1)
    ]
    return _build_table(rows, known_headers, None)


def _first_sheet_rows(data: bytes) -> list[list[CellValue]]:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            sheet = workbook.get_sheet_by_index(0)
            return sheet.to_python(skip_empty_area=False)
        finally:
            workbook.close()
    except BaseException as error:
        # calamine raises many unrelated types for damaged files, and a Rust panic
        # surfaces as pyo3's PanicException, which derives from BaseException.
        if (
            not isinstance(error, Exception)
            and type(error).__name__ != "PanicException"
        ):
            raise
        raise UnreadableSpreadsheet(type(error).__name__) from error


def cell_to_text(cell: CellValue) -> str:
    """Render a spreadsheet cell the way the value parsers expect it."""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat()
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell).strip()


# --- header row and body ----------------------------------------------------------


def _build_table(
    rows: Sequence[Row], known_headers: Collection[str], delimiter: str | None
) -> Table:
    filled = [row for row in rows if any(map(str.strip, row.cells))]
    if not filled:
        return Table(header=(), header_row=0, rows=(), delimiter=delimiter)

    header_index = _header_index(filled, known_headers)
    header = filled[header_index]
    body = [row for row in filled[header_index + 1 :] if not _is_total_row(row)]
    logger.debug(
        "table: header on row %d, %d data rows, %d total rows dropped",
        header.number,
        len(body),
        len(filled) - header_index - 1 - len(body),
    )
    return Table(
        header=tuple(cell.strip() for cell in header.cells),
        header_row=header.number,
        rows=tuple(body),
        delimiter=delimiter,
    )


def _header_index(rows: Sequence[Row], known_headers: Collection[str]) -> int:
    """The first of the first rows naming enough known columns; else the first row."""
    keys = frozenset(known_headers)
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        matches = sum(1 for cell in row.cells if header_key(cell) in keys)
        if matches >= MIN_HEADER_MATCHES:
            return index
    return 0


def _is_total_row(row: Row) -> bool:
    first = next(filter(None, map(str.strip, row.cells)), "")
    # Most rows start with a number: a total row starts with a word.
    if first[:1].isdigit():
        return False
    return header_key(first.split(" ")[0]) in _TOTAL_ROW_WORDS


def read_table(data: bytes, known_headers: Collection[str]) -> Table:
    """Read text or a spreadsheet, deciding by content, never by file name."""
    if looks_like_spreadsheet(data):
        return read_spreadsheet(data, known_headers)
    return read_delimited(decode_text(data), known_headers)


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def looks_like_spreadsheet(data: bytes) -> bool:
    """xlsx and ods are zip archives; legacy .xls is an OLE2 compound file."""
    return data.startswith((b"PK", _OLE2_MAGIC))
