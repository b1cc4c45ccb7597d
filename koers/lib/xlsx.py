"""A typed face for XlsxWriter, which ships without type hints.

Only the calls Koers makes. Text goes in through `write_text` alone, which never
lets Excel read a cell as a formula or a link.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any, NewType

import xlsxwriter  # type: ignore[import-untyped]

Style = NewType("Style", object)

# Off, so that a string is only ever a string: XlsxWriter's default `write()`
# turns "=..." into a formula and "http://..." into a link.
WORKBOOK_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class Sheet:
    def __init__(self, worksheet: Any) -> None:
        self._worksheet = worksheet

    def write_text(self, row: int, col: int, text: str, style: Style | None) -> None:
        self._worksheet.write_string(row, col, text, style)

    def write_number(
        self, row: int, col: int, value: float, style: Style | None
    ) -> None:
        self._worksheet.write_number(row, col, value, style)

    def write_date(self, row: int, col: int, value: dt.date, style: Style) -> None:
        self._worksheet.write_datetime(row, col, value, style)

    def set_width(self, col: int, width: float) -> None:
        self._worksheet.set_column(col, col, width)

    def freeze_rows(self, rows: int) -> None:
        self._worksheet.freeze_panes(rows, 0)


class Book:
    """A workbook written into `output` (a binary file) on `close()`."""

    def __init__(self, output: IO[bytes]) -> None:
        self._workbook = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)

    def add_style(self, **properties: Any) -> Style:
        return Style(self._workbook.add_format(properties))

    def add_sheet(self, name: str) -> Sheet:
        return Sheet(self._workbook.add_worksheet(name))

    def close(self) -> None:
        self._workbook.close()
