from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from koers.lib.importers import parse_file
from koers.lib.records import ImportRejected, Period, ReferenceLevel, Subject
from koers.lib.tests.files import own_file


def test_windows_1252_csv_with_decimal_comma_and_missing_markers() -> None:
    parsed = parse_file("resultaten.csv", own_file("results_cp1252.csv"))

    assert parsed.format == "tabular-results"
    assert [(r.ref.key, r.ref.surname, r.position.row) for r in parsed.results] == [
        ("2001", "Vries", 2),
        ("2002", "Amrani", 3),
        ("2004", "Berg", 5),
    ]
    first, second, third = parsed.results
    assert (first.ability_score, first.level_iv, first.dle) == (
        Decimal("182.5"),
        "III",
        24,
    )
    assert (first.period, first.moment_grade, first.grade_at_test) == (
        Period.MIDDLE,
        "5",
        "5",
    )
    assert (first.supplier, first.generation, first.school_year) == (
        "Cito",
        "3.0",
        2023,
    )
    assert (second.ability_score, second.level_iv, second.dle) == (None, "IV", None)
    assert second.administered_on == dt.date(2024, 1, 24)
    assert (third.ability_score, third.level_ae, third.subject) == (
        Decimal("31.5"),
        "B",
        Subject.TECHNICAL_READING,
    )
    assert [(s.position.row, s.reason) for s in parsed.skipped] == [(4, "geen score")]


def test_utf8_bom_comma_delimiter_and_duplicates() -> None:
    data = (
        "\ufeffexternal_id,supplier,instrument,test_version,test_moment,administered_on,"
        "ability_score,reference_level,percentile\r\n"
        '0042,Boom,Boom Rekenen,2022,M6,2024-02-01,"201,5",1F,73\r\n'
        "0042,Boom,Boom Rekenen,2022,M6,2024-02-01,202,1F,74\r\n"
    ).encode()
    parsed = parse_file("template.csv", data)

    (result,) = parsed.results
    assert (result.ref.key, result.supplier, result.subject) == (
        "0042",
        "Boom",
        Subject.MATH,
    )
    assert (result.ability_score, result.percentile) == (Decimal("201.5"), Decimal(73))
    assert result.reference_level == ReferenceLevel.F1
    assert [(s.position.row, s.reason) for s in parsed.skipped] == [
        (3, "dubbele rij: zelfde leerling, toets, versie en datum als rij 2")
    ]


def test_tab_delimited_with_title_rows_and_total_row() -> None:
    parsed = parse_file("export.txt", own_file("results_title_rows.tsv"))
    assert [(r.ref.key, r.position.row) for r in parsed.results] == [
        ("3001", 4),
        ("3002", 5),
    ]
    assert parsed.rows_read == 2


def test_school_year_and_moment_without_date_get_a_nominal_date() -> None:
    data = (
        b"Leerlingnr;Toets;Schooljaar;Toetsmoment;Score\n7;Diatekst;2023-2024;eind;31\n"
    )
    parsed = parse_file("dia.csv", data)

    (result,) = parsed.results
    assert (result.supplier, result.subject) == ("DIA", Subject.READING_COMPREHENSION)
    assert (result.school_year, result.period, result.administered_on) == (
        2023,
        Period.END,
        dt.date(2024, 6, 1),
    )
    assert len(parsed.notes) == 1


def test_excel_serial_and_real_dates_in_xlsx() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Leerlingnummer", "Toets", "Afnamedatum", "Vaardigheidsscore", "I-V"])
    sheet.append(["1", "Spelling", 45315, 130.5, "II"])
    sheet.append(["2", "Spelling", dt.datetime(2024, 1, 24), 128, "3"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    parsed = parse_file("resultaten.xlsx", buffer.getvalue())

    assert [
        (r.administered_on, r.ability_score, r.level_iv) for r in parsed.results
    ] == [
        (dt.date(2024, 1, 24), Decimal("130.5"), "II"),
        (dt.date(2024, 1, 24), Decimal(128), "III"),
    ]


def test_results_without_pupil_id_are_rejected() -> None:
    data = b"Naam;Toets;Afnamedatum;Score\nBerg, Daan;AVI;01-02-2024;3\n"
    with pytest.raises(ImportRejected, match="zonder leerlingnummer"):
        parse_file("x.csv", data)


def test_missing_date_column_is_rejected() -> None:
    with pytest.raises(ImportRejected, match="Afnamedatum") as raised:
        parse_file("x.csv", b"Leerlingnummer;Toets;Score\n1;AVI;3\n")
    assert raised.value.position.row == 1


def test_wrong_shape_rows_reject_with_row_and_column() -> None:
    data = (
        b"Leerlingnummer;Toets;Afnamedatum;Score\n"
        b"1;AVI;01-02-2024;veel\n2;AVI;01-02-2024;weinig\n"
    )
    with pytest.raises(ImportRejected) as raised:
        parse_file("x.csv", data)
    assert (
        raised.value.message
        == "verwacht een getal (bijvoorbeeld 12,5), gevonden 'veel'"
    )
    assert (raised.value.position.row, raised.value.position.column) == (2, "Score")


def test_rows_longer_than_the_header_are_skipped() -> None:
    data = (
        b"Leerlingnummer;Toets;Afnamedatum;Score\n"
        b"1;AVI;01-02-2024;3\n2;AVI;01-02-2024;3;4\n"
    )
    parsed = parse_file("x.csv", data)
    assert len(parsed.results) == 1
    assert parsed.skipped[0].reason == "rij heeft 5 velden, de kopregel 4"


def test_a_percentile_outside_0_to_100_skips_the_row() -> None:
    data = (
        b"Leerlingnummer;Toets;Afnamedatum;Percentiel\n"
        b"3001;Rekenen-Wiskunde;24-01-2024;73\n"
        b"3002;Rekenen-Wiskunde;24-01-2024;250\n"
    )

    parsed = parse_file("percentielen.csv", data)

    # Row 2 is a whole result (a percentile alone is a score); row 3 is not.
    assert [r.percentile for r in parsed.results] == [Decimal(73)]
    (skipped,) = parsed.skipped
    assert (skipped.position.row, skipped.position.column) == (3, "Percentiel")
    assert skipped.reason == "verwacht een percentiel van 0 tot 100, gevonden '250'"
