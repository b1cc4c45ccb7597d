from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from koers.lib.importers import parse_file
from koers.lib.records import ImportRejected, Period, Subject
from koers.lib.tests.files import sample

SAMPLE = "esis_lvs_toetsresultaten_export_SYNTHETIC.csv"
HEADER = (
    '"DatumExport";"BrinVest";"EsisIdentificatienummer";"Vormingsgebied";"Toets";'
    '"Toetsversie";"Schooljaar";"Afnamedatum";"Leerjaar";"Afnamemoment";"DL";'
    '"Ruwescore";"Vaardigheidsscore";"DLE";"AE";"IV";"Norm"'
)


def test_sample_rows() -> None:
    parsed = parse_file("export.csv", sample(SAMPLE))

    assert parsed.format == "esis-results"
    assert (parsed.brin, parsed.branch_code) == ("99XX", "00")
    assert parsed.rows_read == 5
    assert [
        (r.ref.key, r.instrument, r.subject, r.position.row) for r in parsed.results
    ] == [
        ("100234", "Rekenen-Wiskunde", Subject.MATH, 2),
        ("100234", "Spelling", Subject.SPELLING, 3),
        ("100235", "Begrijpend lezen", Subject.READING_COMPREHENSION, 4),
        ("100237", "Rekenen-Wiskunde", Subject.MATH, 6),
    ]
    # The AVI row (grade S) has no score of any kind.
    assert [(s.position.row, s.reason) for s in parsed.skipped] == [(5, "geen score")]


def test_full_row_values() -> None:
    first = parse_file("export.csv", sample(SAMPLE)).results[0]

    assert (first.supplier, first.generation, first.test_version) == (
        "Cito",
        "2.0",
        "2.0",
    )
    assert (first.administered_on, first.school_year) == (dt.date(2012, 1, 23), 2011)
    assert (first.period, first.moment_grade, first.grade_at_test) == (
        Period.MIDDLE,
        "5",
        "5",
    )
    assert (first.didactic_age, first.raw_score, first.ability_score, first.dle) == (
        25,
        Decimal(38),
        Decimal(62),
        24,
    )
    assert (first.level_ae, first.level_iv, first.norm_label) == ("B", "II", "")


def test_empty_school_year_comes_from_the_date() -> None:
    last = parse_file("export.csv", sample(SAMPLE)).results[-1]
    assert (last.administered_on, last.school_year) == (dt.date(2011, 6, 12), 2010)
    assert (last.grade_at_test, last.moment_grade, last.period) == (
        None,
        None,
        Period.END,
    )
    assert (last.ability_score, last.level_iv, last.didactic_age) == (
        Decimal(55),
        "IV",
        None,
    )


def _esis(*rows: str) -> bytes:
    return ("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1252")


ROW = (
    '"01-03-2024";"12AB01";"{id}";"Spelling";"Spelling";"3.0";"2023-2024";'
    '"{date}";"5";"M";"";"{raw}";"";"";"";"";""'
)


def test_incomplete_and_duplicate_rows_are_skipped() -> None:
    parsed = parse_file(
        "export.csv",
        _esis(
            ROW.format(id="1", date="12-01-2024", raw="20"),
            ROW.format(id="", date="12-01-2024", raw="20"),
            ROW.format(id="2", date="", raw="20"),
            ROW.format(id="1", date="12-01-2024", raw="21"),
        ),
    )
    assert [r.ref.key for r in parsed.results] == ["1"]
    assert [(s.position.row, s.position.column, s.reason) for s in parsed.skipped] == [
        (3, "EsisIdentificatienummer", "geen leerlingnummer"),
        (4, "Afnamedatum", "geen afnamedatum"),
        (5, None, "dubbele rij: zelfde leerling, toets, versie en datum als rij 2"),
    ]
    assert (parsed.brin, parsed.branch_code) == ("12AB", "01")


def test_wrong_dates_everywhere_reject_the_file_with_position() -> None:
    data = _esis(
        *(ROW.format(id=str(n), date="31-31-2020", raw="20") for n in range(6))
    )
    with pytest.raises(ImportRejected) as raised:
        parse_file("export.csv", data)
    assert raised.value.message == "verwacht een bestaande datum, gevonden '31-31-2020'"
    assert (raised.value.position.row, raised.value.position.column) == (
        2,
        "Afnamedatum",
    )


def test_one_bad_date_is_only_a_skipped_row() -> None:
    parsed = parse_file(
        "export.csv",
        _esis(
            ROW.format(id="1", date="12-01-2024", raw="20"),
            ROW.format(id="2", date="31-31-2020", raw="20"),
        ),
    )
    assert len(parsed.results) == 1
    assert parsed.skipped[0].position.column == "Afnamedatum"


def test_an_export_without_one_of_its_columns_is_rejected() -> None:
    lines = sample(SAMPLE).decode("utf-8").splitlines()
    # Drop the 13th column, Vaardigheidsscore, from every line.
    cut = "\n".join(
        ";".join(cell for i, cell in enumerate(line.split(";")) if i != 12)
        for line in lines
    )

    with pytest.raises(ImportRejected) as rejected:
        parse_file("export.csv", cut.encode("utf-8"))

    assert rejected.value.message == "kolom Vaardigheidsscore ontbreekt"
    assert rejected.value.position.row == 1
