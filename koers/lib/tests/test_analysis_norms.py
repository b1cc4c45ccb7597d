from __future__ import annotations

import pytest

from koers.lib.analysis.norms import (
    NORM_TABLE_COLUMNS,
    NormLookup,
    NormRow,
    NormTableError,
    parse_norm_table,
)

HEADER = ";".join(NORM_TABLE_COLUMNS)

GOOD_SEMICOLON = f"""\ufeff{HEADER}
Rekenen-Wiskunde;3.0;2022;M5;pupils;152,3;14,75;4,1;Handleiding p. 12
Rekenen-Wiskunde;3.0;2022;M5;group_means;152,3;6,2;;Handleiding p. 40

Begrijpend lezen;3.0;2022;e5;pupils;38;11;;
"""

GOOD_COMMA = (
    "moment,instrument,generation,norm_version,population,national_mean,national_sd\n"
    'M5,Spelling,3.0,2022,pupils,"120,5",9.5\n'
)


def row(**changes: str) -> str:
    values = {
        "instrument": "Spelling",
        "generation": "3.0",
        "norm_version": "2022",
        "moment": "M5",
        "population": "pupils",
        "national_mean": "120",
        "national_sd": "10",
        "sem": "",
        "source": "",
    }
    values.update(changes)
    return ";".join(values[column] for column in NORM_TABLE_COLUMNS)


def test_it_parses_a_semicolon_table_with_decimal_commas() -> None:
    rows = parse_norm_table(GOOD_SEMICOLON)

    assert rows[0] == NormRow(
        instrument="Rekenen-Wiskunde",
        generation="3.0",
        norm_version="2022",
        moment="M5",
        population="pupils",
        national_mean=152.3,
        national_sd=14.75,
        sem=4.1,
        source="Handleiding p. 12",
    )
    assert rows[1].population == "group_means"
    assert rows[1].sem is None
    assert rows[2].moment == "E5"
    assert len(rows) == 3


def test_it_parses_a_comma_table_without_optional_columns() -> None:
    rows = parse_norm_table(GOOD_COMMA)

    assert rows == [
        NormRow("Spelling", "3.0", "2022", "M5", "pupils", 120.5, 9.5, None, "")
    ]


@pytest.mark.parametrize(
    ("bad_row", "column", "fragment"),
    [
        (row(national_sd="abc"), "national_sd", "Geen getal"),
        (row(national_sd="0"), "national_sd", "groter zijn dan 0"),
        (row(national_mean=""), "national_mean", "ontbreekt"),
        (row(national_mean="NaN"), "national_mean", "Geen getal"),
        (row(sem="-1"), "sem", "negatief"),
        (row(moment="M9"), "moment", "Onbekend moment"),
        (row(population="leerlingen"), "population", "Onbekende populatie"),
        (row(instrument=" "), "instrument", "ontbreekt"),
    ],
)
def test_it_rejects_the_whole_table_naming_row_and_column(
    bad_row: str, column: str, fragment: str
) -> None:
    text = "\n".join([HEADER, row(), bad_row, row(moment="E5")])

    with pytest.raises(NormTableError) as error:
        parse_norm_table(text)

    # The header is line 1, so the bad second data row is line 3.
    assert error.value.row == 3
    assert error.value.column == column
    assert fragment in error.value.message
    assert str(error.value).startswith(f"rij 3, kolom {column}: ")


def test_it_rejects_a_row_with_the_wrong_number_of_values() -> None:
    with pytest.raises(NormTableError) as error:
        parse_norm_table(f"{HEADER}\nSpelling;3.0;2022;M5")

    assert (error.value.row, error.value.column) == (2, None)


def test_it_rejects_a_second_row_for_the_same_moment() -> None:
    text = "\n".join([HEADER, row(), row(norm_version="2024", instrument="SPELLING")])

    with pytest.raises(NormTableError, match="al in rij 2"):
        parse_norm_table(text)


@pytest.mark.parametrize(
    ("header", "column"),
    [
        (HEADER.replace("sem", "meetfout"), "meetfout"),
        (HEADER.replace("national_sd;", ""), "national_sd"),
        (HEADER + ";source", "source"),
    ],
)
def test_it_rejects_a_bad_header(header: str, column: str) -> None:
    with pytest.raises(NormTableError) as error:
        parse_norm_table(f"{header}\n{row()}")

    assert (error.value.row, error.value.column) == (1, column)


@pytest.mark.parametrize("text", ["", "\n \n", HEADER + "\n\n"])
def test_it_rejects_an_empty_table(text: str) -> None:
    with pytest.raises(NormTableError):
        parse_norm_table(text)


def test_it_looks_up_pupil_norms_case_insensitively() -> None:
    lookup = NormLookup(parse_norm_table(GOOD_SEMICOLON))

    found = lookup.for_pupils("rekenen-wiskunde", "3.0", "m5")

    assert found is not None
    assert found.national_sd == 14.75


def test_it_never_uses_group_mean_norms_for_pupils() -> None:
    rows = [r for r in parse_norm_table(GOOD_SEMICOLON) if r.population != "pupils"]
    lookup = NormLookup(rows)

    assert lookup.for_pupils("Rekenen-Wiskunde", "3.0", "M5") is None
    group_means = lookup.for_group_means("Rekenen-Wiskunde", "3.0", "M5")
    assert group_means is not None
    assert group_means.national_sd == 6.2
