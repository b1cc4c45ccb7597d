"""Formula injection on every spreadsheet export (security.md EXP-1, goal G7).

The exports: the school, group and pupil overviews as CSV and XLSX (six
downloads) and `koers overview ... --format csv`. Every text that reaches them
from an imported file (school name, group name, pupil number and names, test
name) is planted with each trigger; no cell may start with a trigger, and each
planted text must come back whole behind one quote. The writers themselves get
generated tables: 600 examples of at least 10 texts each, 6,000 strings or
more per writer.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koers.analysis import exports
from koers.analysis.tests.test_exports import school_with_growth
from koers.results.models import Instrument
from koers.tests.helpers import member_of, run_koers

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
# The texts planted in the database: not NUL, which the importers drop from every
# text (koers.lib.values) and PostgreSQL cannot store. The writers are fuzzed
# with NUL below.
STORED_TRIGGERS = tuple(trigger for trigger in TRIGGERS if trigger != "\0")
WRITER_EXAMPLES = 600
PLANTED_FIELDS = ("school", "group", "key", "surname", "prefix", "name", "test")


def planted(trigger: str, field: str) -> str:
    return f'{trigger}HYPERLINK("http://x/{field}")'


def plant(data: dict[str, Any], trigger: str) -> dict[str, str]:
    """Every imported text of `school_with_growth` starts with the trigger."""
    texts = {field: planted(trigger, field) for field in PLANTED_FIELDS}
    data["school"].name = texts["school"]
    data["school"].save()
    data["group"].name = texts["group"]
    data["group"].save()
    for number, pupil in enumerate([data["anna"], data["bram"]]):
        pupil.key = f"{texts['key']}{number}"
        pupil.surname = texts["surname"]
        pupil.prefix = texts["prefix"]
        pupil.preferred_name = texts["name"]
        pupil.save()
    Instrument.objects.update(name=texts["test"])
    return texts


def csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [
        cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row
    ]


# XlsxWriter stores a control character as `_x000D_`, which Excel shows as the
# character itself; openpyxl leaves the escape as it is.
XML_ESCAPE = re.compile(r"_x([0-9A-F]{4})_")


def as_shown(value: Any) -> Any:
    """A cell's value as Excel shows it."""
    if not isinstance(value, str):
        return value
    return XML_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), value)


def xlsx_cells(content: bytes) -> list[Any]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                cells.append(as_shown(cell.value))
    return cells


def is_number(cell: str) -> bool:
    """A CSV number: Dutch decimal comma, perhaps negative."""
    return cell.lstrip("-").replace(",", "", 1).isdigit()


def assert_safe(cells: list[Any], texts: dict[str, str], *, kind: str) -> None:
    text_cells = [cell for cell in cells if isinstance(cell, str)]
    for cell in text_cells:
        assert not cell.startswith(TRIGGERS) or (kind == "csv" and is_number(cell))
    joined = "\n".join(text_cells)
    # Content is kept: the planted text, whole, behind one quote.
    assert any(f"'{text}" in joined for text in texts.values())


def export_urls(data: dict[str, Any], fmt: str) -> dict[str, str]:
    return {
        "school": reverse("analysis:school-export", args=[data["school"].pk, fmt]),
        "group": reverse("analysis:group-export", args=[data["group"].pk, fmt]),
        "pupil": reverse("analysis:pupil-export", args=[data["anna"].pk, fmt]),
    }


# Which planted texts each download shows.
SHOWN = {
    "school": {"group"},
    "group": {"group", "key", "surname", "prefix", "name"},
    "pupil": {"school", "group", "key", "surname", "prefix", "name"},
}


@pytest.mark.parametrize("trigger", STORED_TRIGGERS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_neutralises_every_imported_text_in_every_download(
    trigger: str, fmt: str
) -> None:
    data = school_with_growth()
    texts = plant(data, trigger)
    client = member_of(data["school"])

    for kind, url in export_urls(data, fmt).items():
        response = client.get(url)
        assert response.status_code == 200
        cells = (csv_cells if fmt == "csv" else xlsx_cells)(response.content)

        assert_safe(cells, texts, kind=fmt)
        joined = "\n".join(cell for cell in cells if isinstance(cell, str))
        for field in SHOWN[kind]:
            assert f"'{texts[field]}" in joined, (kind, field)


@pytest.mark.parametrize("trigger", STORED_TRIGGERS)
def test_it_neutralises_imported_texts_in_the_cli_csv(
    trigger: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = school_with_growth()
    texts = plant(data, trigger)
    # The command finds a group by its stripped name; the group's own name
    # reaches its CSV only behind the word "groep".
    data["group"].name = "5A"
    data["group"].save()

    assert run_koers("overview", "group", "11AA", "5A", "--format", "csv") == 0
    assert run_koers("overview", "school", "11AA", "--format", "csv") == 0
    # Found by ECK-iD: a pupil number starting with "-" reads as an option.
    data["anna"].eck_id = "eck-anna"
    data["anna"].save()
    assert run_koers("overview", "pupil", "11AA", "eck-anna", "--format", "csv") == 0
    output = capsys.readouterr().out

    cells = [
        cell for row in csv.reader(io.StringIO(output), delimiter=";") for cell in row
    ]
    assert_safe(cells, texts, kind="csv")
    # A pupil's row starts with the pupil's name: the roepnaam comes first.
    assert any(cell.startswith(f"'{texts['name']} ") for cell in cells)


# --- the writers, on generated tables ------------------------------------------------

texts = st.tuples(st.sampled_from((*TRIGGERS, "", "'", "a")), st.text(max_size=12)).map(
    "".join
)
cells: st.SearchStrategy[exports.Cell] = st.one_of(
    texts, st.integers(-1000, 1000), st.none()
)
titles = st.tuples(
    st.sampled_from((*TRIGGERS[:4], "", "a")),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12),
).map("".join)


@st.composite
def tables(draw: st.DrawFn) -> exports.Table:
    width = draw(st.integers(min_value=2, max_value=4))
    headers = draw(st.lists(texts, min_size=width, max_size=width))
    rows = draw(
        st.lists(
            st.lists(cells, min_size=width, max_size=width), min_size=2, max_size=4
        )
    )
    # At least 10 texts per example: the title, the headers and the first rows.
    for row in rows[:2]:
        row[:2] = draw(st.lists(texts, min_size=2, max_size=2))
    # Titles are Koers's own words (sheet names), never imported text.
    return exports.Table(draw(titles), headers, rows)


WRITERS = settings(
    max_examples=WRITER_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def expected_texts(table: exports.Table) -> list[str]:
    values = [table.title, *table.headers]
    values += [cell for row in table.rows for cell in row if isinstance(cell, str)]
    return [exports.neutralise(value) for value in values]


@WRITERS
@given(tables())
def test_the_csv_writer_neutralises_and_keeps_every_text(table: exports.Table) -> None:
    content = exports.csv_bytes([table])

    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))

    assert rows[0] == [exports.neutralise(table.title)]
    assert rows[1] == [exports.neutralise(header) for header in table.headers]
    for written, row in zip(rows[2:], table.rows, strict=True):
        assert written == [exports.csv_text(cell) for cell in row]
        for cell, value in zip(written, row, strict=True):
            if isinstance(value, str):
                assert not cell.startswith(TRIGGERS)
                assert cell in (value, f"'{value}")


@WRITERS
@given(tables())
def test_the_xlsx_writer_neutralises_and_keeps_every_text(
    table: exports.Table,
) -> None:
    content = exports.xlsx_bytes([table])

    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    written = [[as_shown(cell.value) for cell in row] for row in sheet.iter_rows()]

    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    header = written[0][: len(table.headers)]
    assert header == [exports.neutralise(text) for text in table.headers]
    # openpyxl leaves out trailing rows that hold no cell at all.
    padded = written[1:] + [[None] * len(table.headers)] * len(table.rows)
    for values, row in zip(padded, table.rows, strict=False):
        for cell, value in zip(values, row, strict=True):
            if isinstance(value, str) and value:
                assert isinstance(cell, str)
                assert not cell.startswith(TRIGGERS)
                assert cell == exports.neutralise(value)
            elif isinstance(value, int):
                assert cell == value
