"""Downloads of the overviews as CSV and XLSX: access, the figures, the filters and
formula injection. The expected numbers are worked out by hand from `school`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from koers.analysis import exports
from koers.analysis.models import Ambition
from koers.results.models import Instrument, TransitionTestResult
from koers.schools.models import Enrolment, Pupil
from koers.tests.helpers import add_result, member_of, small_school

pytestmark = pytest.mark.django_db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
CSV_NUMBER = re.compile(r"^-?\d+(,\d+)?$")


def school_with_growth(
    brin: str = "11AA", name: str = "OBS De Proef"
) -> dict[str, Any]:
    """`small_school` plus a p80 target and a fall for Bram.

    In 2024-2025 at M, rekenen: Anna index 7 (growth 7 - 6 = +1), Bram index 60
    (growth 60 - 70 = -10, after a B result of 70). So n = 2, bands II 1 and V 1,
    mean index Φ((Φ⁻¹(0,07) + Φ⁻¹(0,60)) / 2) = 27,05 → 27,1, p80 the 2nd highest
    of 2 (⌈0,8·2⌉ = 2) = 7, p20 the highest (⌈0,2·2⌉ = 1) = 60, mean growth
    (1 - 10) / 2 = -4,5; against the p80 target 10: not met, margin -3.
    """
    data = small_school(brin, name)
    math = Instrument.objects.get(name="Rekenen-Wiskunde")
    add_result(data["bram"], math, data["year"], dt.date(2024, 10, 1), 70.0, "B")
    Ambition.objects.create(
        school=data["school"],
        subject="rekenen",
        metric="p80",
        population="school_3_8",
        target=Decimal(10),
    )
    return data


def export_urls(data: dict[str, Any], fmt: str) -> list[str]:
    return [
        reverse("analysis:school-export", args=[data["school"].pk, fmt]),
        reverse("analysis:group-export", args=[data["group"].pk, fmt]),
        reverse("analysis:pupil-export", args=[data["anna"].pk, fmt]),
    ]


def csv_tables(content: bytes) -> dict[str, list[list[str]]]:
    """The CSV's tables by title: header row first, then the rows."""
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    tables: dict[str, list[list[str]]] = {}
    block: list[list[str]] = []
    for row in [*rows, []]:
        if row:
            block.append(row)
            continue
        tables[block[0][0]] = block[1:]
        block = []
    return tables


def csv_records(content: bytes, title: str) -> list[dict[str, str]]:
    header, *rows = csv_tables(content)[title]
    return [dict(zip(header, row, strict=True)) for row in rows]


def xlsx_records(content: bytes, title: str) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))[title]
    header, *rows = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_it_sends_an_anonymous_visitor_to_the_login_page() -> None:
    data = small_school()

    for url in export_urls(data, "csv") + export_urls(data, "xlsx"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_it_answers_404_for_the_exports_of_another_school() -> None:
    mine = small_school("11AA", "Mijn school")
    theirs = small_school("22BB", "Andere school")
    client = member_of(mine["school"])

    for fmt in ("csv", "xlsx"):
        for url in export_urls(theirs, fmt):
            assert client.get(url).status_code == 404
        for url in export_urls(mine, fmt):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("fmt", ["pdf", "XLSX", "xls", "csv.exe", "json"])
def test_it_answers_404_for_an_unknown_format(fmt: str) -> None:
    data = small_school()
    client = member_of(data["school"])

    for url in export_urls(data, fmt):
        assert client.get(url).status_code == 404


def test_it_serves_the_file_as_an_uncached_attachment() -> None:
    data = small_school()
    client = member_of(data["school"])

    as_csv = client.get(export_urls(data, "csv")[0])
    as_xlsx = client.get(export_urls(data, "xlsx")[1])

    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv["Content-Disposition"] == (
        'attachment; filename="schooloverzicht-11AA-2024-2025-M.csv"'
    )
    assert as_csv["Cache-Control"] == "no-store"
    assert as_xlsx["Content-Type"] == XLSX_TYPE
    assert as_xlsx["Content-Disposition"] == (
        'attachment; filename="groepsoverzicht-11AA-2024-2025-5A-M.xlsx"'
    )
    assert as_xlsx["Cache-Control"] == "no-store"


def test_it_exports_the_school_overview_as_csv() -> None:
    data = school_with_growth()

    response = member_of(data["school"]).get(export_urls(data, "csv")[0])

    rows = {row["Wie"]: row for row in csv_records(response.content, "Schooloverzicht")}
    assert list(rows) == ["School, groep 3-8", "School, groep 6-8", "Groep 5"]
    school = rows["School, groep 3-8"]
    assert (school["Vak"], school["Moment"]) == ("Rekenen", "M")
    assert (school["Leerlingen"], school["Waarvan grove index"]) == ("2", "0")
    assert [school[band] for band in ("I", "II", "III", "IV", "V")] == [
        "0",
        "1",
        "0",
        "0",
        "1",
    ]
    assert (school["Index"], school["p80"], school["p20"]) == ("27,1", "7,0", "60,0")
    assert (school["Groei"], school["Leerlingen met groei"]) == ("-4,5", "2")
    assert (school["Ambitie p80"], school["p80 gehaald"]) == ("10,0", "nee")
    assert school["Verschil p80"] == "-3,0"
    assert school["Ambitie p20"] == school["p20 gehaald"] == ""
    # Grade 5 is the same two pupils, judged against the same school target; Anna
    # was in grade 4 the year before, so the trend is empty.
    assert rows["Groep 5"]["Index"] == "27,1"
    assert rows["Groep 5"]["p80 gehaald"] == "nee"
    assert rows["Groep 5"]["Index 2023-2024"] == ""
    assert rows["School, groep 6-8"]["Leerlingen"] == "0"
    assert rows["School, groep 6-8"]["Index"] == ""
    assert csv_records(response.content, "Groepen") == [
        {"Groep": "5A", "Leerlingen": "2"}
    ]
    assert csv_records(response.content, "Eindresultaten") == []


def test_it_exports_the_school_overview_as_xlsx_with_numbers() -> None:
    data = school_with_growth()

    response = member_of(data["school"]).get(export_urls(data, "xlsx")[0])

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Schooloverzicht", "Groepen", "Eindresultaten"]
    sheet = workbook["Schooloverzicht"]
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    school = xlsx_records(response.content, "Schooloverzicht")[0]
    assert school["Wie"] == "School, groep 3-8"
    assert school["Leerlingen"] == 2
    assert school["Index"] == 27.1
    assert school["Groei"] == -4.5
    assert school["Verschil p80"] == -3.0
    assert school["Ambitie p20"] is None
    assert sheet["L2"].number_format == "#,##0.0"
    assert sheet.column_dimensions["C"].width > 15


def test_it_exports_the_year_and_moment_asked_for() -> None:
    data = school_with_growth()
    url = export_urls(data, "csv")[0]

    response = member_of(data["school"]).get(url, {"jaar": "2023-2024", "moment": "e"})

    # 2023-2024 at E: only Anna, in grade 4, with index 6 (growth 6 - 5 = +1).
    assert "2023-2024-E.csv" in response["Content-Disposition"]
    rows = {row["Wie"]: row for row in csv_records(response.content, "Schooloverzicht")}
    assert rows["Groep 4"]["Moment"] == "E"
    assert rows["Groep 4"]["Leerlingen"] == "1"
    assert rows["Groep 4"]["Index"] == "6,0"
    assert rows["Groep 4"]["Groei"] == "1,0"
    assert csv_records(response.content, "Groepen")[0]["Groep"] == "4A"


def test_it_exports_the_group_overview_with_its_pupils() -> None:
    data = school_with_growth()
    absent = Pupil.objects.create(
        school=data["school"], key="11AA-3", surname="Claes", preferred_name="Cas"
    )
    Enrolment.objects.create(pupil=absent, group=data["group"], grade="5")

    response = member_of(data["school"]).get(export_urls(data, "csv")[1])

    group = csv_records(response.content, "Groepsoverzicht")
    assert len(group) == 1
    assert (group[0]["Groep"], group[0]["Index"], group[0]["Groei"]) == (
        "5A",
        "27,1",
        "-4,5",
    )
    # Support below the p80 target 10, challenge from Koers's default 75 (no p20
    # target): Anna (7) needs support, Bram (60) the basis.
    assert [group[0][need] for need in ("Ondersteuning", "Basis", "Uitdaging")] == [
        "1",
        "1",
        "0",
    ]
    assert group[0]["Ondersteuning onder index"] == "10,0"
    assert group[0]["Grenzen uit ambities"] == "nee"
    pupils = csv_records(response.content, "Leerlingen")
    assert [(p["Achternaam"], p["Roepnaam"]) for p in pupils] == [
        ("Appel", "Anna"),
        ("Boom", "Bram"),
    ]
    anna, bram = pupils
    assert (anna["Leerlingnummer"], anna["Index"], anna["Niveau"]) == (
        "11AA-1",
        "7,0",
        "V",
    )
    assert (anna["Groei"], anna["Onderwijsbehoefte"]) == ("1,0", "ondersteuning")
    assert anna["Signalen"] == "Blijvend laag"
    assert (bram["Index"], bram["Niveau"], bram["Groei"]) == ("60,0", "II", "-10,0")
    assert (bram["Onderwijsbehoefte"], bram["Signalen"]) == ("basis", "")
    without = csv_records(response.content, "Zonder resultaat")
    assert [(p["Achternaam"], p["Leerlingnummer"]) for p in without] == [
        ("Claes", "11AA-3")
    ]


def test_it_exports_the_group_overview_of_the_moment_asked_for() -> None:
    data = school_with_growth()
    url = reverse("analysis:group-export", args=[data["group"].pk, "xlsx"])

    response = member_of(data["school"]).get(url, {"moment": "B"})

    # At B only Bram was tested: index 70, no earlier result so no growth.
    assert response["Content-Disposition"].endswith('-5A-B.xlsx"')
    pupils = xlsx_records(response.content, "Leerlingen")
    assert [(p["Achternaam"], p["Index"], p["Groei"]) for p in pupils] == [
        ("Boom", 70.0, None)
    ]


def test_it_exports_every_result_of_a_pupil() -> None:
    data = school_with_growth()

    response = member_of(data["school"]).get(export_urls(data, "xlsx")[2])

    # Koers's own number for the pupil, never the pupil number or the name.
    assert response["Content-Disposition"] == (
        f'attachment; filename="leerlingoverzicht-11AA-{data["anna"].pk}.xlsx"'
    )
    assert xlsx_records(response.content, "Leerling")[0]["Achternaam"] == "Appel"
    results = xlsx_records(response.content, "Resultaten")
    assert [
        (r["Datum"].date(), r["Moment"], r["Index"], r["Groei"], r["Niveau"])
        for r in results
    ] == [
        (dt.date(2024, 1, 20), "M4", 5.0, None, "V"),
        (dt.date(2024, 6, 10), "E4", 6.0, 1.0, "V"),
        (dt.date(2025, 1, 20), "M5", 7.0, 1.0, "V"),
    ]
    assert {r["Bron index"] for r in results} == {"percentiel"}
    flags = xlsx_records(response.content, "Signalen")
    assert [(f["Vak"], f["Signaal"]) for f in flags] == [("Rekenen", "Blijvend laag")]
    places = xlsx_records(response.content, "Groepen")
    assert [(p["Schooljaar"], p["Groep"]) for p in places] == [
        ("2023-2024", "4A"),
        ("2024-2025", "5A"),
    ]


def test_it_exports_the_end_of_school_results() -> None:
    data = school_with_growth()
    for pupil, (reading, language, math) in [
        (data["anna"], ("2F", "2F", "1S")),
        (data["bram"], ("1F", "1F", "1F")),
    ]:
        TransitionTestResult.objects.create(
            pupil=pupil,
            school_year=data["year"],
            supplier="Cito",
            level_reading=reading,
            level_language=language,
            level_math=math,
        )

    response = member_of(data["school"]).get(export_urls(data, "xlsx")[0])

    # 2 pupils, 6 pupil-domain results: all 6 at 1F (100 %), Anna's 3 at 1S/2F
    # (50 %). 100 is above the 1F signaleringswaarde 85; without a schoolweging
    # there is no 1S/2F value, so no verdict.
    rows = xlsx_records(response.content, "Eindresultaten")
    assert [tuple(row.values()) for row in rows] == [
        ("2024-2025", 2, 100.0, 50.0),
        ("Drie jaar samen", 2, 100.0, 50.0),
        ("Signaleringswaarde", None, 85.0, None),
        ("Oordeel", None, "erboven", None),
    ]


def test_it_writes_dates_and_negative_numbers_the_dutch_way_in_csv() -> None:
    data = school_with_growth()
    client = member_of(data["school"])

    pupil = client.get(export_urls(data, "csv")[2])
    group = client.get(export_urls(data, "csv")[1])

    assert csv_records(pupil.content, "Resultaten")[0]["Datum"] == "20-01-2024"
    # A negative number is a number: no quote in front of it.
    assert csv_records(group.content, "Leerlingen")[1]["Groei"] == "-10,0"


def hostile_school() -> dict[str, Any]:
    """Names a spreadsheet would run as formulas, from an imported roster."""
    data = school_with_growth()
    data["group"].name = '=HYPERLINK("http://x")'
    data["group"].save()
    data["anna"].surname, data["anna"].preferred_name = "@SUM(A1)", ""
    data["anna"].save()
    data["bram"].surname, data["bram"].preferred_name = "-1", "+31"
    data["bram"].save()
    absent = Pupil.objects.create(
        school=data["school"], key="\tcmd", surname="+31 6 1234", preferred_name="=1+1"
    )
    Enrolment.objects.create(pupil=absent, group=data["group"], grade="5")
    return data


def test_it_neutralises_formulas_in_csv() -> None:
    data = hostile_school()
    client = member_of(data["school"])

    contents = [client.get(url).content for url in export_urls(data, "csv")]

    school = csv_records(contents[0], "Groepen")
    assert school[0]["Groep"] == '\'=HYPERLINK("http://x")'
    pupils = csv_records(contents[1], "Leerlingen")
    assert [(p["Achternaam"], p["Roepnaam"]) for p in pupils] == [
        ("'-1", "'+31"),
        ("'@SUM(A1)", ""),
    ]
    absent = csv_records(contents[1], "Zonder resultaat")[0]
    assert (absent["Leerlingnummer"], absent["Achternaam"]) == ("'\tcmd", "'+31 6 1234")
    assert absent["Roepnaam"] == "'=1+1"
    for content in contents:
        for rows in csv_tables(content).values():
            for cell in (cell for row in rows for cell in row):
                assert not cell.startswith(TRIGGERS) or CSV_NUMBER.match(cell)


def test_it_neutralises_formulas_in_xlsx_and_keeps_numbers_numeric() -> None:
    data = hostile_school()
    client = member_of(data["school"])

    contents = [client.get(url).content for url in export_urls(data, "xlsx")]

    group = xlsx_records(contents[1], "Groepsoverzicht")[0]
    assert group["Groep"] == '\'=HYPERLINK("http://x")'
    pupils = xlsx_records(contents[1], "Leerlingen")
    assert [(p["Achternaam"], p["Roepnaam"], p["Groei"]) for p in pupils] == [
        ("'-1", "'+31", -10.0),
        ("'@SUM(A1)", None, 1.0),
    ]
    for content in contents:
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        for sheet in workbook.worksheets:
            for cell in (cell for row in sheet.iter_rows() for cell in row):
                assert cell.data_type != "f"
                if cell.data_type == "s":
                    assert not str(cell.value).startswith(TRIGGERS)
    pupil_sheet = openpyxl.load_workbook(io.BytesIO(contents[1]))["Leerlingen"]
    assert pupil_sheet["K1"].value == "Groei"
    assert [cell.data_type for cell in pupil_sheet["K"][1:]] == ["n", "n"]
    assert pupil_sheet["K2"].value == -10


def test_it_logs_an_export_with_ids_and_no_names(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = school_with_growth()
    client = member_of(data["school"])

    with caplog.at_level(logging.INFO, logger="koers"):
        client.get(export_urls(data, "xlsx")[1])

    exported = [r.getMessage() for r in caplog.records if "exported" in r.msg]
    assert exported == [
        f"overview exported kind=group id={data['group'].pk} "
        f"user={User.objects.get().pk} format=xlsx rows=3"
    ]
    assert "Appel" not in caplog.text and "Boom" not in caplog.text


def test_it_renders_download_links_with_the_query_string() -> None:
    data = small_school()
    request = RequestFactory().get("/", {"jaar": "2023", "moment": "E"})

    html = render_to_string(
        "analysis/_downloads.html",
        {"export_view": "analysis:school-export", "export_id": data["school"].pk},
        request=request,
    )

    xlsx = reverse("analysis:school-export", args=[data["school"].pk, "xlsx"])
    csv_url = reverse("analysis:school-export", args=[data["school"].pk, "csv"])
    assert f'href="{xlsx}?jaar=2023&amp;moment=E"' in html
    assert f'href="{csv_url}?jaar=2023&amp;moment=E"' in html
    assert "Download als Excel (xlsx)" in html
    assert "Download als CSV" in html


def test_it_renders_download_links_without_a_query_string() -> None:
    data = small_school()

    html = render_to_string(
        "analysis/_downloads.html",
        {"export_view": "analysis:pupil-export", "export_id": data["anna"].pk},
        request=RequestFactory().get("/"),
    )

    url = reverse("analysis:pupil-export", args=[data["anna"].pk, "csv"])
    assert f'href="{url}"' in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+31", "'+31"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\0x", "'\0x"),
        ("Anna", "Anna"),
        ("5A", "5A"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_it_neutralises_text_that_starts_a_formula(text: str, expected: str) -> None:
    assert exports.neutralise(text) == expected


@settings(max_examples=5000, deadline=None)
@given(st.text())
def test_it_neutralises_every_text_and_keeps_its_content(text: str) -> None:
    safe = exports.neutralise(text)

    assert not safe.startswith(TRIGGERS)
    assert safe in (text, f"'{text}")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.text(), min_size=3, max_size=3),
        max_size=5,
    )
)
def test_it_reads_back_every_csv_text_as_written(rows: list[list[str]]) -> None:
    table = exports.Table("Blad", ["a", "b", "c"], [list(row) for row in rows])

    content = exports.csv_bytes([table])

    parsed = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    expected = [[exports.neutralise(cell) for cell in row] for row in rows]
    # csv writes an empty row for a row of three empty cells as ";;", which reads
    # back as three empty strings: the round trip is exact.
    assert parsed == [["Blad"], ["a", "b", "c"], *expected]


@pytest.mark.parametrize(
    ("titles", "names"),
    [
        (["Leerlingen", "leerlingen"], ["Leerlingen", "leerlingen (2)"]),
        (["a/b:c*d?e[f]g\\h"], ["a-b-c-d-e-f-g-h"]),
        (["x" * 40, "x" * 40], ["x" * 31, "x" * 27 + " (2)"]),
        (["'Quote'", "", "History"], ["Quote", "Blad", "History (2)"]),
    ],
)
def test_it_makes_valid_unique_sheet_names(titles: list[str], names: list[str]) -> None:
    assert exports.sheet_names(titles) == names


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (0.25, 1, 0.3),
        (-0.04, 1, 0.0),
        (27.05263, 1, 27.1),
        (66.665, 2, 66.67),
        (None, 1, None),
        (float("nan"), 1, None),
    ],
)
def test_it_rounds_half_up(value: float | None, places: int, expected: float) -> None:
    result = exports.rounded(value, places)

    assert result == expected
    assert str(result) != "-0.0"


def test_it_makes_ascii_file_names() -> None:
    assert exports.file_name("groepsoverzicht", "99KW", "2026-2027", "1/2a") == (
        "groepsoverzicht-99KW-2026-2027-1-2a"
    )
    assert exports.file_name("x", 'Één "groep"; rm -rf', "") == "x-Een-groep-rm-rf"
