from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koers.lib.records import Period, ReferenceLevel, Subject
from koers.lib.values import (
    ValueFormatError,
    clean,
    date_to_excel_serial,
    excel_serial_to_date,
    header_key,
    is_bsn_field,
    is_missing,
    moment_from_test_version,
    parse_bounded_int,
    parse_date,
    parse_decimal,
    parse_grade,
    parse_int,
    parse_level_ae,
    parse_level_iv,
    parse_moment,
    parse_reference_level,
    parse_school_year,
    parse_score,
    school_year_of,
    split_combined_name,
    subject_of,
    supplier_of,
)


@pytest.mark.parametrize(
    "text", ["", "  ", "?", "-", "n.v.t.", "NVT", "x", "X", "Geen"]
)
def test_missing_markers_are_none(text: str) -> None:
    assert is_missing(text)
    assert parse_decimal(text) is None
    assert parse_date(text) is None
    assert parse_grade(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", Decimal("12")),
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        (" -3,25 ", Decimal("-3.25")),
        (",5", Decimal("0.5")),
        ("7,", Decimal("7.0")),
        ("1.234", Decimal("1.234")),  # a point is always a decimal point
    ],
)
def test_parse_decimal(text: str, expected: Decimal) -> None:
    assert parse_decimal(text) == expected


@pytest.mark.parametrize(
    "text", ["1.234,5", "1,234.5", "12a", "1e5", "nan", "inf", "--1"]
)
def test_parse_decimal_rejects_other_text(text: str) -> None:
    with pytest.raises(ValueFormatError, match="verwacht een getal"):
        parse_decimal(text)


def test_parse_int_and_bounded_int() -> None:
    assert parse_int("24") == 24
    assert parse_int("24,0") == 24
    assert parse_bounded_int(">60") == 60
    assert parse_bounded_int("<10") == 10
    with pytest.raises(ValueFormatError, match="geheel getal"):
        parse_int("24,5")


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, min_value=-(10**9), max_value=10**9
    ),
    st.sampled_from([".", ","]),
)
@settings(max_examples=300, deadline=None)
def test_decimal_round_trips_with_comma_or_point(
    number: Decimal, separator: str
) -> None:
    text = format(number, "f").replace(".", separator)
    assert parse_decimal(text) == number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("23-01-2012", dt.date(2012, 1, 23)),
        ("3-1-2012", dt.date(2012, 1, 3)),
        ("23/01/2012", dt.date(2012, 1, 23)),
        ("2012-01-23", dt.date(2012, 1, 23)),
        ("2014-11-25T14:33:33", dt.date(2014, 11, 25)),
        ("2023-04-28T11:44:00Z", dt.date(2023, 4, 28)),
        # 23:30 UTC in winter is already the next day in the Netherlands.
        ("2024-02-06T23:30:00Z", dt.date(2024, 2, 7)),
        ("2024-02-01T10:00:00+01:00", dt.date(2024, 2, 1)),
        ("45000", dt.date(2023, 3, 15)),
        ("45000,5", dt.date(2023, 3, 15)),
        ("32874", dt.date(1990, 1, 1)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31-31-2020", "een bestaande datum"),
        ("29-02-2023", "een bestaande datum"),
        ("31-02-2024", "een bestaande datum"),
        ("2020-13-01", "een bestaande datum"),
        ("60", "een bestaande datum"),  # Excel's phantom 29 February 1900
        ("0", "een bestaande datum"),
        ("morgen", "een datum als dd-mm-jjjj"),
        # Real dates, but no pupil of today's schools was born or tested then.
        ("99999", "een datum tussen 1990 en 2100"),  # Excel serial: 13-10-2173
        ("01-01-1850", "een datum tussen 1990 en 2100"),
        ("61", "een datum tussen 1990 en 2100"),  # Excel serial: 1-3-1900
        ("31-12-1989", "een datum tussen 1990 en 2100"),
    ],
)
def test_parse_date_rejects_impossible_dates(text: str, expected: str) -> None:
    with pytest.raises(ValueFormatError) as raised:
        parse_date(text)
    assert raised.value.message == f"verwacht {expected}, gevonden '{text}'"


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
@settings(max_examples=300, deadline=None)
def test_day_first_dates_round_trip(date: dt.date) -> None:
    assert parse_date(date.strftime("%d-%m-") + f"{date.year:04d}") == date
    assert parse_date(date.isoformat()) == date


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
@settings(max_examples=300, deadline=None)
def test_excel_serial_round_trips(date: dt.date) -> None:
    serial = date_to_excel_serial(date)
    assert excel_serial_to_date(serial) == date
    assert parse_date(str(serial)) == date


def test_excel_serial_phantom_leap_day() -> None:
    assert date_to_excel_serial(dt.date(1900, 2, 28)) == 59
    assert date_to_excel_serial(dt.date(1900, 3, 1)) == 61
    with pytest.raises(ValueError):
        excel_serial_to_date(60)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2014-2015", 2014),
        ("2014/2015", 2014),
        ("2020 / 2021", 2020),
        ("20-21", 2020),
        ("2024", 2024),
        ("", None),
    ],
)
def test_parse_school_year(text: str, expected: int | None) -> None:
    assert parse_school_year(text) == expected


@pytest.mark.parametrize("text", ["2014-2016", "schooljaar", "2014-15"])
def test_parse_school_year_rejects(text: str) -> None:
    with pytest.raises(ValueFormatError, match="schooljaar"):
        parse_school_year(text)


def test_school_year_starts_on_1_august() -> None:
    assert school_year_of(dt.date(2024, 7, 31)) == 2023
    assert school_year_of(dt.date(2024, 8, 1)) == 2024


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", "5"),
        ("05", "5"),
        ("0", "0"),
        ("s", "S"),
        ("H", "H"),
        ("14", "14"),
        ("Groep 7", "7"),
    ],
)
def test_parse_grade(text: str, expected: str) -> None:
    assert parse_grade(text) == expected


@pytest.mark.parametrize("text", ["4/5", "9", "1A", "17"])
def test_parse_grade_rejects_group_names(text: str) -> None:
    with pytest.raises(ValueFormatError, match="jaargroep"):
        parse_grade(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M5", (Period.MIDDLE, "5")),
        ("e7", (Period.END, "7")),
        ("B8", (Period.BEGIN, "8")),
        ("M", (Period.MIDDLE, None)),
        ("midden", (Period.MIDDLE, None)),
        ("Eind", (Period.END, None)),
        ("begin groep 3", (Period.BEGIN, "3")),
    ],
)
def test_parse_moment(text: str, expected: tuple[Period, str | None]) -> None:
    assert parse_moment(text) == expected


def test_parse_moment_rejects() -> None:
    with pytest.raises(ValueFormatError, match="toetsmoment"):
        parse_moment("januari")


def test_moment_from_test_version() -> None:
    assert moment_from_test_version("M8-digi S(B)O") == (Period.MIDDLE, "8")
    assert moment_from_test_version("B8-digi S(B)O") == (Period.BEGIN, "8")
    assert moment_from_test_version("3.0") is None
    assert moment_from_test_version("") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1F", ReferenceLevel.F1),
        ("1s", ReferenceLevel.S1),
        ("2F", ReferenceLevel.F2),
        ("2S", ReferenceLevel.S2),
        ("3F", ReferenceLevel.F3),
        ("<1F", ReferenceLevel.BELOW_1F),
        ("L1F", ReferenceLevel.BELOW_1F),
        ("onder 1F", ReferenceLevel.BELOW_1F),
        ("01", ReferenceLevel.BELOW_1F),
        ("02", ReferenceLevel.F1),
        ("03", ReferenceLevel.S1),
        ("04", ReferenceLevel.F2),
    ],
)
def test_parse_reference_level(text: str, expected: ReferenceLevel) -> None:
    assert parse_reference_level(text) == expected


def test_parse_levels() -> None:
    assert parse_level_iv("III") == "III"
    assert parse_level_iv("i+") == "I+"
    assert parse_level_iv("V-") == "V-"
    assert parse_level_iv("4") == "IV"
    assert parse_level_ae("c") == "C"
    with pytest.raises(ValueFormatError):
        parse_level_iv("VI")
    with pytest.raises(ValueFormatError):
        parse_level_ae("F")


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (("Rekenen-Wiskunde",), Subject.MATH),
        (("rekenen wiskunde",), Subject.MATH),
        (("Diacijfer",), Subject.MATH),
        (("Begrijpend lezen",), Subject.READING_COMPREHENSION),
        (("Lezen (begrijpend)",), Subject.READING_COMPREHENSION),
        (("Diatekst",), Subject.READING_COMPREHENSION),
        (("Spelling",), Subject.SPELLING),
        (("Diaspel",), Subject.LANGUAGE),
        (("Taalverzorging",), Subject.LANGUAGE),
        (("DMT",), Subject.TECHNICAL_READING),
        (("AVI",), Subject.TECHNICAL_READING),
        (("Drempelonderzoek technisch lezen",), Subject.TECHNICAL_READING),
        (("Woordenschat",), Subject.VOCABULARY),
        (("Diawoord",), Subject.VOCABULARY),
        (("NIO",), Subject.OTHER),
        (("", "Spelling"), Subject.SPELLING),
    ],
)
def test_subject_of(names: tuple[str, ...], expected: Subject) -> None:
    assert subject_of(*names) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Rekenen-Wiskunde 3.0", "Cito"),
        ("Leerling in beeld Begrijpend lezen", "Cito"),
        ("DMT", "Cito"),
        ("IEP Rekenen", "IEP"),
        ("Diatekst", "DIA"),
        ("Boom Rekenen", "Boom"),
        ("Drempelonderzoek", "onbekend"),
    ],
)
def test_supplier_of(name: str, expected: str) -> None:
    assert supplier_of(name) == expected


def test_split_combined_name() -> None:
    parts = split_combined_name("Berg, Daan van der")
    assert (parts.surname, parts.prefix, parts.preferred_name) == (
        "Berg",
        "van der",
        "Daan",
    )

    parts = split_combined_name("Hof, Fleur van 't")
    assert (parts.surname, parts.prefix, parts.preferred_name) == (
        "Hof",
        "van 't",
        "Fleur",
    )

    parts = split_combined_name("Zoë de Vries")
    assert (parts.surname, parts.prefix, parts.preferred_name) == ("Vries", "de", "Zoë")


@pytest.mark.parametrize(
    "name",
    [
        "bsn",
        "BSN",
        "sofinummer",
        "Burgerservicenummer",
        "onderwijsnummer",
        "bsn_ondwnr-4",
    ],
)
def test_bsn_fields(name: str) -> None:
    assert is_bsn_field(name)


def test_header_key() -> None:
    assert header_key(" Leerling nr. ") == "leerlingnr"
    assert header_key("I-V") == "iv"
    assert not is_bsn_field("Leerlingnummer")


def test_clean_drops_control_characters() -> None:
    # A NUL (which PostgreSQL refuses in text) and other controls go; tab and
    # line ends are whitespace and collapse into one space.
    assert clean("\x00Jan\x01sen\x7f") == "Jansen"
    assert clean(" van\tden\r\nBerg ") == "van den Berg"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("999999,999", Decimal("999999.999")), ("-12,5", Decimal("-12.5")), ("", None)],
)
def test_parse_score(text: str, expected: Decimal | None) -> None:
    assert parse_score(text) == expected


@pytest.mark.parametrize("text", ["1000000", "-1000000", "999999999999999999999999"])
def test_parse_score_refuses_what_no_test_scores(text: str) -> None:
    with pytest.raises(ValueFormatError) as raised:
        parse_score(text)
    assert raised.value.message == (
        f"verwacht een score kleiner dan 1.000.000, gevonden '{text}'"
    )
