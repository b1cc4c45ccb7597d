from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from koers.lib.textfile import (
    UnreadableSpreadsheet,
    UnreadableText,
    cell_to_text,
    decode_text,
    detect_delimiter,
    read_delimited,
    read_spreadsheet,
    read_table,
)

KNOWN = frozenset({"leerlingnummer", "toets", "afnamedatum", "naam"})


def test_decode_utf8_with_bom_and_line_ends() -> None:
    data = "\ufeffNaam;Toets\r\nZoë;AVI\rIsmaël;DMT\n".encode()
    assert decode_text(data) == "Naam;Toets\nZoë;AVI\nIsmaël;DMT\n"


def test_decode_falls_back_to_windows_1252() -> None:
    assert decode_text("Zoë;Ismaël;€".encode("cp1252")) == "Zoë;Ismaël;€"


def test_decode_utf16_only_with_bom() -> None:
    assert decode_text("Naam\tToets\n".encode("utf-16")) == "Naam\tToets\n"


def test_decode_rejects_bytes_that_are_no_text() -> None:
    # 0x81 is undefined in windows-1252 and invalid as UTF-8.
    with pytest.raises(UnreadableText):
        decode_text(b"abc\x81def")


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("a;b;c\n1;2;3\n", ";"),
        ("a,b,c\n1,2,3\n", ","),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ('"a";"b,c";"d"\n"1";"2,5";"3"\n', ";"),
        ("single-column\n", ";"),
    ],
)
def test_detect_delimiter(text: str, delimiter: str) -> None:
    assert detect_delimiter(text) == delimiter


def test_quotes_with_doubled_quotes() -> None:
    table = read_delimited('Naam;Toets\n"Berg, Daan ""DJ"" van der";"AVI"\n', KNOWN)
    assert table.rows[0].cells == ('Berg, Daan "DJ" van der', "AVI")


def test_header_row_found_below_title_and_total_row_dropped() -> None:
    text = "Overzicht toetsen\n\nLeerlingnummer;Toets\n1;AVI\n;\n2;DMT\nTotaal;2\n"
    table = read_delimited(text, KNOWN)
    assert table.header == ("Leerlingnummer", "Toets")
    assert table.header_row == 3
    assert [(row.number, row.cells) for row in table.rows] == [
        (4, ("1", "AVI")),
        (6, ("2", "DMT")),
    ]


def test_row_numbers_follow_physical_lines_with_multiline_cells() -> None:
    table = read_delimited('Leerlingnummer;Toets\n1;"AVI\nplus"\n2;DMT\n', KNOWN)
    assert [row.number for row in table.rows] == [2, 4]


def test_unknown_header_falls_back_to_first_row() -> None:
    table = read_delimited("a;b\n1;2\n", KNOWN)
    assert table.header == ("a", "b")


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_spreadsheet_cells_become_parser_friendly_text() -> None:
    data = _xlsx(
        [
            ["Titel"],
            [],
            ["Leerlingnummer", "Toets", "Afnamedatum", "Score"],
            [10482, "AVI", dt.date(2024, 1, 23), 12.5],
            [10483.0, "DMT", 45000, 31.0],
        ]
    )
    table = read_table(data, KNOWN)
    assert table.header_row == 3
    assert [row.cells for row in table.rows] == [
        ("10482", "AVI", "2024-01-23", "12.5"),
        ("10483", "DMT", "45000", "31"),
    ]
    assert [row.number for row in table.rows] == [4, 5]


def test_cell_to_text() -> None:
    assert cell_to_text(3.0) == "3"
    assert cell_to_text(0.1) == "0.1"
    assert cell_to_text(True) == "1"
    assert cell_to_text(dt.datetime(2024, 1, 2, 0, 0)) == "2024-01-02"
    assert cell_to_text(dt.datetime(2024, 1, 2, 9, 30)) == "2024-01-02T09:30:00"


def test_damaged_spreadsheet_is_unreadable() -> None:
    with pytest.raises(UnreadableSpreadsheet):
        read_spreadsheet(b"PK\x03\x04 not really a zip", KNOWN)
