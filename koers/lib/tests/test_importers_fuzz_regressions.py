"""What the importer fuzzing found, and the malicious files of IMP-4, one by one."""

from __future__ import annotations

import contextlib
import io
import struct
import time
import zipfile

import pytest

from koers.lib.importers import _archive, parse_file
from koers.lib.records import ImportRejected
from koers.lib.tests.test_importers_fuzz import SAMPLE_XLSX
from koers.lib.values import (
    ValueFormatError,
    parse_bounded_int,
    parse_grade,
    parse_school_year,
)

HEADER = b"Leerlingnummer;Toets;Afnamedatum;Vaardigheidsscore\n"
TOO_LARGE = "uitgepakt groter dan 256 MB of bevat meer dan 1000"


def zipped(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return output.getvalue()


# --- zip bombs (IMP-4) ------------------------------------------------------------


def test_it_refuses_a_spreadsheet_with_too_many_members() -> None:
    data = zipped({f"xl/{number}.xml": b"" for number in range(1001)})

    with pytest.raises(ImportRejected, match=TOO_LARGE):
        parse_file("bom.xlsx", data)


def test_it_refuses_a_spreadsheet_that_unpacks_too_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_archive, "MAX_UNPACKED_BYTES", 1024 * 1024)
    data = zipped({"xl/worksheets/sheet1.xml": b"\0" * (2 * 1024 * 1024)})

    with pytest.raises(ImportRejected, match=TOO_LARGE):
        parse_file("bom.xlsx", data)


def test_it_counts_what_a_member_really_unpacks_to_not_what_it_claims(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_archive, "MAX_UNPACKED_BYTES", 1024 * 1024)
    data = bytearray(zipped({"xl/worksheets/sheet1.xml": b"\0" * (2 * 1024 * 1024)}))
    # The central directory entry's uncompressed size (offset 24) claims 100 bytes.
    entry = data.rindex(b"PK\x01\x02")
    data[entry + 24 : entry + 28] = struct.pack("<I", 100)

    with pytest.raises(ImportRejected, match=TOO_LARGE):
        parse_file("bom.xlsx", bytes(data))


def test_it_refuses_a_real_zip_bomb_quickly() -> None:
    # 300 MB of zeros packs into about 300 KB.
    data = zipped({"xl/worksheets/sheet1.xml": bytes(300 * 1024 * 1024)})
    assert len(data) < 1024 * 1024

    started = time.perf_counter()
    with pytest.raises(ImportRejected, match=TOO_LARGE):
        parse_file("bom.xlsx", data)

    assert time.perf_counter() - started < 2


def test_it_still_reads_an_ordinary_workbook() -> None:
    parsed = parse_file("resultaten.xlsx", SAMPLE_XLSX)

    assert [result.ref.key for result in parsed.results] == ["1", "2", "3"]


def test_it_refuses_a_damaged_zip_with_the_spreadsheet_message() -> None:
    with pytest.raises(ImportRejected, match="kan niet worden geopend"):
        parse_file("kapot.xlsx", b"PK\x03\x04" + b"\0" * 100)


# --- values the fuzzer broke --------------------------------------------------------


@pytest.mark.parametrize("text", ["²", "9" * 5000, "groep ³"])
def test_a_grade_of_odd_digits_is_a_format_error(text: str) -> None:
    with pytest.raises(ValueFormatError, match="jaargroep"):
        parse_grade(text)


@pytest.mark.parametrize("text", ["9999", "0000", "2100-2101", "1989-1990"])
def test_a_school_year_outside_1990_2100_is_a_format_error(text: str) -> None:
    with pytest.raises(ValueFormatError, match="schooljaar tussen 1990 en 2100"):
        parse_school_year(text)


def test_a_huge_whole_number_is_refused_at_once() -> None:
    started = time.perf_counter()
    with pytest.raises(ValueFormatError, match=r"kleiner dan 1\.000\.000"):
        parse_bounded_int("9" * 100_000)

    assert time.perf_counter() - started < 0.1


def test_a_results_file_with_school_year_9999_skips_the_row() -> None:
    data = (
        b"Leerlingnummer;Toets;Schooljaar;Toetsmoment;Vaardigheidsscore\n"
        b"1;Spelling;9999;E;12\n2;Spelling;2023;E;13\n"
    )

    parsed = parse_file("resultaten.csv", data)

    assert [result.ref.key for result in parsed.results] == ["2"]
    assert parsed.skipped[0].position.row == 2


# --- tables the fuzzer broke ----------------------------------------------------------


def test_a_line_of_quotes_does_not_hold_the_import() -> None:
    data = HEADER + b'1;"' + b'";"' * 30_000 + b"\n"

    started = time.perf_counter()
    with contextlib.suppress(ImportRejected):
        parse_file("resultaten.csv", data)

    assert time.perf_counter() - started < 2


def test_a_quote_that_is_never_closed_rejects_the_file() -> None:
    data = (
        HEADER
        + b"1;Spelling;01-02-2024;12\n"
        + b'2;"Spelling;01-02-2024;13\n'
        + b"3;Spelling;01-02-2024;14\n"
    )

    with pytest.raises(ImportRejected, match="niet gesloten") as caught:
        parse_file("resultaten.csv", data)

    assert caught.value.position.row == 3


def test_a_quoted_cell_over_two_lines_is_still_read() -> None:
    data = HEADER + b'1;"Spelling\nM5";01-02-2024;12\n'

    parsed = parse_file("resultaten.csv", data)

    assert parsed.results[0].instrument == "Spelling M5"


def test_a_first_row_longer_than_the_detection_head_is_found() -> None:
    header = HEADER.replace(b"\n", b";Opmerking\n")
    data = header + b"1;Spelling;01-02-2024;12;" + b"x" * 70_000 + b"\n"

    parsed = parse_file("resultaten.csv", data)

    assert [result.ref.key for result in parsed.results] == ["1"]
