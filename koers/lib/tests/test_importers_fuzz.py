"""Importer fuzzing at the parser level (security.md IMP-5, goal G5).

Every generated file must give a `ParsedFile` whose records fit the database, or
an `ImportRejected`; any other exception is a bug. The generators cover every
format: the sample files mangled byte by byte, results tables in the layouts of
Cito, IEP, Boom, DIA and ESIS, ParnasSys pupil lists, xlsx workbooks and damaged
zips, EDEXML, UWLR and OSO documents changed element by element or carrying a
DTD, and doorstroomtoets JSON messages.

How many: `EXAMPLES` (the one number to change) per test, and 14 tests:
14 x 750 = 10,500 files per run at the parser level. The database level
(koers/results/tests/test_import_fuzz.py) adds 4 x `DB_EXAMPLES` = 4 x 200 =
800 imports, so a run tries 11,300 generated files in all. The generators are
cheap (cells are picked from small pools by a seeded `random.Random`, and large
cells are made by repetition): on the 2-core machine this module took 43 s
and the database level 19 s (measured with `--durations`).
"""

from __future__ import annotations

import codecs
import copy
import csv
import datetime as dt
import io
import json
import random
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import defusedxml.ElementTree as safe_et
import xlsxwriter  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koers.lib.importers import FORMATS, parse_file
from koers.lib.records import ImportRejected, ParsedFile
from koers.lib.tests.files import FILES_DIR, SAMPLES_DIR
from koers.lib.values import EARLIEST_DATE, LATEST_DATE, SCORE_LIMIT

EXAMPLES = 750
DB_EXAMPLES = 200
PARSER_TESTS = 14

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- what every parse must give ---------------------------------------------------


def survives(data: bytes, name: str = "fuzz") -> ParsedFile | None:
    """Parse; an `ImportRejected` is fine, anything else fails the test."""
    try:
        parsed = parse_file(name, data)
    except ImportRejected as rejection:
        assert rejection.message.strip()
        assert "Traceback" not in rejection.describe()
        return None

    check_parsed(parsed)
    return parsed


def check_parsed(parsed: ParsedFile) -> None:
    """What the database layer relies on: typed values within the column bounds."""
    assert parsed.format in FORMATS
    assert all(skipped.reason for skipped in parsed.skipped)
    for result in parsed.results:
        assert not result.ref.is_empty()
        assert result.instrument
        assert EARLIEST_DATE <= result.administered_on <= LATEST_DATE
        assert EARLIEST_DATE.year - 1 <= result.school_year <= LATEST_DATE.year
        for score in (result.raw_score, result.ability_score):
            assert score is None or -SCORE_LIMIT < score < SCORE_LIMIT
        assert result.percentile is None or 0 <= result.percentile <= 100
    for pupil in parsed.pupils:
        assert not pupil.ref.is_empty() or pupil.ref.surname
        for date in (pupil.birth_date, pupil.entry_date, pupil.exit_date):
            assert date is None or isinstance(date, dt.date)
    for transition in parsed.transition_results:
        score = transition.standard_score
        assert score is None or isinstance(score, Decimal)


# --- the sample files, mangled byte by byte ---------------------------------------


def _workbook(rows: Sequence[Sequence[object]]) -> bytes:
    """An xlsx written by XlsxWriter (fast, and what Koers itself writes)."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "nan_inf_to_errors": True})
    sheet = book.add_worksheet()
    for row_number, row in enumerate(rows):
        for col, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(row_number, col, value)
            elif value is not None:
                sheet.write(row_number, col, value)
    book.close()
    return output.getvalue()


SAMPLE_XLSX = _workbook(
    [
        ["Leerlingnummer", "Toets", "Afnamedatum", "Vaardigheidsscore", "Niveau"],
        [1, "Spelling", 45315, 130.5, "III"],
        [2, "AVI", "24-01-2024", "?", "V"],
        [3, "Rekenen-Wiskunde", "2024-01-26", 55, "I"],
    ]
)


def _files(folder: Path) -> list[Path]:
    return [
        path
        for path in sorted(folder.iterdir())
        if path.is_file() and path.suffix not in (".py", ".md")
    ]


SAMPLES = [path.read_bytes() for path in _files(SAMPLES_DIR) + _files(FILES_DIR)]
INPUTS = [*SAMPLES, SAMPLE_XLSX]
inputs = st.sampled_from(INPUTS)


@given(inputs, st.integers(min_value=0, max_value=1 << 16))
@FUZZ
def test_truncated(data: bytes, cut: int) -> None:
    survives(data[: cut % (len(data) + 1)])


@st.composite
def flipped(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(inputs))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        position = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "insert", "delete", "copy"]))
        if action == "insert" or not data:
            data.insert(position, draw(st.integers(min_value=0, max_value=255)))
        elif action == "flip":
            data[position] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif action == "delete":
            del data[position]
        else:
            length = draw(st.integers(min_value=1, max_value=64))
            data[position:position] = data[position : position + length]
    return bytes(data)


@given(flipped())
@FUZZ
def test_bytes_flipped_inserted_deleted_or_copied(data: bytes) -> None:
    survives(data)


@st.composite
def reshaped(draw: st.DrawFn) -> bytes:
    """Delimiters swapped, a column dropped or lines repeated and removed."""
    data = draw(inputs)
    old = draw(st.sampled_from([b";", b",", b"\t", b'"', b"\n", b"<", b">"]))
    new = draw(st.sampled_from([b";", b",", b"\t", b'"', b"", b"\r", b"\r\n"]))
    if draw(st.booleans()):
        data = data.replace(old, new, draw(st.integers(min_value=-1, max_value=5)))
    lines = data.split(b"\n")
    column = draw(st.integers(min_value=0, max_value=20))
    delimiter = draw(st.sampled_from([b";", b",", b"\t"]))
    for index, line in enumerate(lines):
        cells = line.split(delimiter)
        if column < len(cells) and draw(st.booleans()):
            del cells[column]
        lines[index] = delimiter.join(cells)
    repeat_a_line = draw(st.booleans())
    if repeat_a_line and lines:
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        lines.insert(index, lines[index] * draw(st.integers(min_value=0, max_value=3)))
    return b"\n".join(lines)


@given(reshaped())
@FUZZ
def test_delimiters_columns_and_lines_reshaped(data: bytes) -> None:
    survives(data)


@given(st.binary(max_size=2000))
@FUZZ
def test_random_bytes(data: bytes) -> None:
    survives(data)


# --- tables: a real header, random cells --------------------------------------------

# Values per kind of column: well-formed, borderline and wrong. A generated cell
# is one of these, a short random text, or a huge one.
# fmt: off
POOLS: dict[str, list[str]] = {
    "id": ["100234", "000017", "1", "ECK-123", "https://id.school/pid/1", "", "?"],
    "name": ["Jansen", "van der Berg", "de Vries-Bakker", "Ölçer", "", "Bram"],
    "date": [
        "23-01-2012", "2012-01-23", "1-2-2020", "31-02-2024", "29-02-2023",
        "45315", "45315,5", "0", "60", "2958466", "1989-12-31", "2101-01-01",
        "2024-01-26T10:00:00Z", "2024-01-26 23:30:00+01:00", "2024-13-01",
        "\u0662\u0660\u0662\u0664-\u0660\u0661-\u0662\u0666", "12-31-2024",
        "", "n.v.t.",
    ],
    "score": [
        "62", "12,5", "-3", "+4", ",5", "5,", "1.234,5", "999999,999", "1000000",
        "1e5", "nan", "inf", "\u0663\u0664", "\u0661\u0662\u0663,\u0664", "0", "",
        "-", "12 5", "9" * 30,
    ],
    "iv": ["I", "II", "III", "IV", "V", "Va", "I+", "V-", "3", "VI", "0", "i"],
    "ae": ["A", "B", "C", "D", "E", "F", "a", "A+", "AB"],
    "percentile": ["0", "50", "100", "100,1", "-1", "99,99", "abc"],
    "moment": [
        "M", "E", "B", "M8", "e7", "midden", "eind groep 6", "M12", "X",
        "B 99", "M\u0665", "M²", "",
    ],
    "grade": [
        "1", "5", "8", "05", "groep 5", "S", "C", "9", "4/5", "²", "\u0665", "0", "16",
        "",
    ],
    "year": [
        "2011-2012", "2011/2012", "20-21", "2024", "0000", "9999", "9999-10000",
        "1989-1990", "2099-2100", "2100-2101", "2014-2016", "",
    ],
    "level": ["1F", "2F", "1S", "<1F", "2S", "3F", "4F", "1f", "F1", ""],
    "int": ["24", ">60", "<5", "≥3", "1,5", "-2", "9" * 5000, ""],
    "text": ["Rekenen-Wiskunde", "Spelling 3.0", "2.0", "", "?", "Groep 4/5"],
    "brin": ["99XX00", "99XX", "12ab01", "ABCD00", "", "99XX0"],
    "bsn": ["123456782", "", "000000000"],
}
# fmt: on

INSTRUMENTS = [
    "Rekenen-Wiskunde",
    "Spelling 3.0",
    "Begrijpend lezen",
    "DMT",
    "AVI",
    "IEP Rekenen",
    "IEP Lezen",
    "Boom Spelling",
    "Boom Rekenen-Wiskunde",
    "DIA-tekst",
    "DIA-cijfer",
    "Woordenschat 3.0",
    "",
]

# Columns of each layout with the kind of value they hold.
LAYOUTS: dict[str, list[tuple[str, str]]] = {
    "cito": [
        ("Leerlingnummer", "id"),
        ("Achternaam", "name"),
        ("Geboortedatum", "date"),
        ("Groep", "text"),
        ("Toets", "instrument"),
        ("Toetsversie", "text"),
        ("Afnamedatum", "date"),
        ("Toetsmoment", "moment"),
        ("Vaardigheidsscore", "score"),
        ("Niveau I-V", "iv"),
        ("Percentiel", "percentile"),
        ("DLE", "int"),
        ("Referentieniveau", "level"),
        ("BSN", "bsn"),
    ],
    "iep": [
        ("Leerling ID", "id"),
        ("Naam", "name"),
        ("Leverancier", "text"),
        ("Toetsnaam", "instrument"),
        ("Schooljaar", "year"),
        ("Afnamemoment", "moment"),
        ("Jaargroep", "grade"),
        ("Ontwikkelscore", "score"),
        ("Referentieniveau", "level"),
        ("Niveau", "iv"),
    ],
    "boom_dia": [
        ("ECK-iD", "id"),
        ("Leerlingnr", "id"),
        ("Test", "instrument"),
        ("Vak", "text"),
        ("Datum", "date"),
        ("Ruwe score", "score"),
        ("A-E", "ae"),
        ("Functioneringsniveau", "text"),
        ("DL", "int"),
        ("Normering", "text"),
        ("Toetsniveau", "grade"),
    ],
    "esis": [
        ("DatumExport", "date"),
        ("BrinVest", "brin"),
        ("EsisIdentificatienummer", "id"),
        ("Vormingsgebied", "text"),
        ("Toets", "instrument"),
        ("Toetsversie", "text"),
        ("Schooljaar", "year"),
        ("Afnamedatum", "date"),
        ("Leerjaar", "grade"),
        ("Afnamemoment", "moment"),
        ("DL", "int"),
        ("Ruwescore", "score"),
        ("Vaardigheidsscore", "score"),
        ("DLE", "int"),
        ("AE", "ae"),
        ("IV", "iv"),
        ("Norm", "text"),
    ],
    "parnassys": [
        ("Leerlingnummer", "id"),
        ("Huidige groep", "text"),
        ("Jaargroep", "grade"),
        ("Roepnaam", "name"),
        ("Voorvoegsel", "name"),
        ("Achternaam", "name"),
        ("Huidige status", "text"),
        ("Geboortedatum", "date"),
    ],
}
POOLS["instrument"] = INSTRUMENTS

GARBAGE = st.text(max_size=6)
HUGE = st.sampled_from(["x", "9", '"', ";", "\n", "é"]).map(lambda c: c * 100_000)
GARBAGE_CHARS = "aZ09 ;,\t\"'\n\r=+-@\x00é€\ufeff\u2028"


def random_cell(rng: random.Random, kind: str) -> str:
    """A cell of a column of this kind: mostly from its pool, at times garbage.

    Cells come from a seeded `random.Random`, not from a strategy per cell:
    drawing every cell through hypothesis made generating a table cost ten
    times more than parsing it.
    """
    choice = rng.randrange(1000)
    if choice < 800:
        return rng.choice(POOLS[kind])
    if choice < 997:
        return "".join(rng.choices(GARBAGE_CHARS, k=rng.randrange(7)))
    return rng.choice(GARBAGE_CHARS) * rng.choice([4096, 100_000])


@st.composite
def table_rows(draw: st.DrawFn, layout: str) -> list[list[str]]:
    """A header of the layout's columns (some left out, in any order) and rows."""
    columns = LAYOUTS[layout]
    header = draw(st.permutations(columns))[: draw(st.integers(3, len(columns)))]
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32)))
    rows = [[name for name, _ in header]]
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        rows.append([random_cell(rng, kind) for _, kind in header])
    if draw(st.booleans()):
        # A ragged row: a cell left out or one too many.
        index = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        rows[index] = rows[index][:-1] if draw(st.booleans()) else [*rows[index], "x"]
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        rows.insert(0, ["Toetsresultaten, export van 01-02-2024"])
    return rows


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"]


@st.composite
def delimited(draw: st.DrawFn, layout: str) -> bytes:
    """The rows as text: any delimiter, quoting, line end, encoding and BOM."""
    rows = draw(table_rows(layout))
    delimiter = draw(st.sampled_from([";", ",", "\t", "|"]))
    line_end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        output = io.StringIO()
        if draw(st.booleans()):
            writer = csv.writer(output, delimiter=delimiter, quoting=csv.QUOTE_ALL)
        else:
            writer = csv.writer(output, delimiter=delimiter)
        writer.writerows(rows)
        text = output.getvalue().replace("\r\n", line_end)
    else:
        # Joined by hand: a quote or delimiter inside a cell breaks the row.
        text = line_end.join(delimiter.join(row) for row in rows)
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(min_value=0, max_value=9)) == 0:
        data = codecs.BOM_UTF8 + data
    return data


@given(delimited("cito"))
@FUZZ
def test_cito_results_tables(data: bytes) -> None:
    survives(data)


@given(st.sampled_from(["iep", "boom_dia"]).flatmap(delimited))
@FUZZ
def test_iep_boom_and_dia_results_tables(data: bytes) -> None:
    survives(data)


@given(delimited("esis"))
@FUZZ
def test_esis_exports(data: bytes) -> None:
    survives(data)


@given(delimited("parnassys"))
@FUZZ
def test_parnassys_pupil_lists(data: bytes) -> None:
    survives(data)


@st.composite
def large_tables(draw: st.DrawFn) -> bytes:
    """Many rows or many columns: a generated row repeated, a header widened."""
    layout = draw(st.sampled_from(list(LAYOUTS)))
    header, *rows = draw(table_rows(layout))
    # Wide or long, never both: a table of 300 columns by 2,000 rows costs a
    # second to parse, and the point is each shape, not their product.
    widen, repeat = draw(st.sampled_from([(0, 1), (1, 10), (300, 1), (0, 200)]))
    header = header + [f"Kolom {index}" for index in range(widen)]
    body = [row + [""] * widen for row in rows] * repeat
    text = "\n".join(";".join(row) for row in [header, *body])
    return text.encode("utf-8")


@given(large_tables())
@FUZZ
def test_tables_with_many_rows_or_columns(data: bytes) -> None:
    survives(data)


# --- spreadsheets and zips ----------------------------------------------------------


@st.composite
def workbooks(draw: st.DrawFn) -> bytes:
    layout = draw(st.sampled_from(list(LAYOUTS)))
    rows: list[list[object]] = [list(row) for row in draw(table_rows(layout))]
    numbers = st.one_of(
        st.integers(min_value=-(10**12), max_value=10**12),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.datetimes(min_value=dt.datetime(1900, 3, 1)),
    )
    # Spreadsheets deliver numbers, dates and booleans where a CSV has text.
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        if len(rows) > 1:
            row = draw(st.integers(min_value=1, max_value=len(rows) - 1))
            col = draw(st.integers(min_value=0, max_value=len(rows[row]) - 1))
            rows[row][col] = draw(numbers)
    return _workbook(rows)


@given(workbooks())
@FUZZ
def test_xlsx_workbooks(data: bytes) -> None:
    survives(data, "resultaten.xlsx")


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


XLSX_MEMBERS = _members(SAMPLE_XLSX)


@st.composite
def damaged_zips(draw: st.DrawFn) -> bytes:
    """The sample workbook rezipped with members dropped, changed or added."""
    members = dict(XLSX_MEMBERS)
    names = sorted(members)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        name = draw(st.sampled_from(names))
        action = draw(st.sampled_from(["drop", "cut", "junk", "swap", "extra"]))
        if action == "drop":
            members.pop(name, None)
        elif action == "cut":
            content = members.get(name, b"")
            members[name] = content[: draw(st.integers(0, max(len(content), 0)))]
        elif action == "junk":
            members[name] = draw(st.binary(max_size=200))
        elif action == "swap":
            members[name] = members.get(draw(st.sampled_from(names)), b"")
        else:
            members[f"xl/extra{len(members)}.xml"] = draw(st.binary(max_size=50))
    method = draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return output.getvalue()


@given(damaged_zips())
@FUZZ
def test_damaged_xlsx_archives(data: bytes) -> None:
    survives(data, "resultaten.xlsx")


# --- XML: changed element by element, or with a DTD ---------------------------------

XML_SAMPLES = [
    path.read_bytes()
    for path in _files(SAMPLES_DIR)
    if path.suffix == ".xml" and "verzoek" not in path.name
]
# The samples carry no DTD: defusedxml reads them into ordinary elements.
XML_TREES = [safe_et.fromstring(data) for data in XML_SAMPLES]

XML_TEXTS = [
    value
    for kind in ("id", "name", "date", "score", "grade", "year")
    for value in POOLS[kind]
]


def _mutate_tree(root: ElementTree.Element, draw: st.DrawFn) -> None:
    parents = {child: parent for parent in root.iter() for child in parent}
    elements = list(parents)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        element = draw(st.sampled_from(elements))
        parent = parents[element]
        action = draw(st.integers(min_value=0, max_value=5))
        if action == 0:
            element.text = draw(st.sampled_from(XML_TEXTS) | GARBAGE)
        elif action == 1 and element in list(parent):
            parent.remove(element)
        elif action == 2:
            parent.append(copy.deepcopy(element))
        elif action == 3:
            element.tag = draw(st.sampled_from([e.tag for e in elements]))
        elif action == 4:
            element.text = draw(HUGE)
        else:
            element.set("xsi:nil", draw(st.sampled_from(["true", "1", "nee"])))


XML_DECLARATIONS = [
    b"",
    b'<?xml version="1.0" encoding="UTF-8"?>\n',
    b'<?xml version="1.0" encoding="ISO-8859-1"?>\n',
    b'<?xml version="1.0" encoding="UTF-16"?>\n',
    b'<?xml version="1.0" encoding="x-onbekend"?>\n',
    b'<?xml version="1.1"?>\n',
]


@st.composite
def xml_documents(draw: st.DrawFn) -> bytes:
    root = copy.deepcopy(draw(st.sampled_from(XML_TREES)))
    _mutate_tree(root, draw)
    body = ElementTree.tostring(root, encoding="unicode")
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1252"]))
    data = body.encode(encoding, errors="replace")
    return draw(st.sampled_from(XML_DECLARATIONS)) + data


@given(xml_documents())
@FUZZ
def test_xml_documents_changed_element_by_element(data: bytes) -> None:
    survives(data)


# Each is refused by defusedxml (forbid_dtd): expansion bombs, external entities
# and external DTDs never reach the importer.
DTDS = [
    b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>',
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://example.invalid/p.dtd"> %p;]>',
    b'<!DOCTYPE r SYSTEM "http://example.invalid/r.dtd">',
    b'<!DOCTYPE r PUBLIC "-//X//Y" "file:///dev/random">',
    b"<!DOCTYPE r []>",
]
ENTITY_REFERENCES = [b"&a;", b"&d;", b"&x;", b"&p;", b"&lt;", b"&#0;", b"&#x110000;"]


@st.composite
def xml_with_dtds(draw: st.DrawFn) -> bytes:
    """A sample with a DTD in front and entity references inside its elements."""
    data = draw(st.sampled_from(XML_SAMPLES))
    if data.startswith(b"<?xml"):
        data = data[data.index(b"?>") + 2 :]
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        closing = [i for i in range(len(data)) if data.startswith(b"</", i)][:200]
        if closing:
            at = draw(st.sampled_from(closing))
            data = data[:at] + draw(st.sampled_from(ENTITY_REFERENCES)) + data[at:]
    dtd = draw(st.sampled_from(DTDS))
    declaration = draw(st.sampled_from(XML_DECLARATIONS[:3]))
    return declaration + dtd + data


@given(xml_with_dtds())
@FUZZ
def test_xml_documents_with_a_dtd_or_entities(data: bytes) -> None:
    try:
        parse_file("dossier.xml", data)
    except ImportRejected as rejection:
        assert "passwd" not in rejection.describe()
        return
    # Only a document whose DTD never got read can parse: none of these.
    raise AssertionError("a document with a DTD was parsed")


# --- doorstroomtoets JSON -------------------------------------------------------------

DOORSTROOMTOETS = [
    json.loads(path.read_bytes())
    for path in _files(SAMPLES_DIR) + _files(FILES_DIR)
    if path.suffix == ".json"
]
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.sampled_from(XML_TEXTS + POOLS["level"] + ["ICE", "ROUTE_8", "eck-id"]),
    st.lists(st.none() | st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["label", "waarde", "x"]), GARBAGE, max_size=2),
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    changed = copy.copy(value)
    changed[head] = _replace(value[head], tuple(rest), new)
    return changed


@st.composite
def doorstroomtoets_messages(draw: st.DrawFn) -> bytes:
    message = draw(st.sampled_from(DOORSTROOMTOETS))
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        path = draw(st.sampled_from(_paths(message)))
        message = _replace(message, path, draw(JSON_VALUES))
    text = json.dumps(message, ensure_ascii=draw(st.booleans()))
    depth = draw(st.sampled_from([0, 0, 0, 10, 100_000]))
    text = "[" * depth + text + "]" * depth
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])))


@given(doorstroomtoets_messages())
@FUZZ
def test_doorstroomtoets_messages(data: bytes) -> None:
    survives(data, "doorstroomtoets.json")


# --- the number of examples --------------------------------------------------------


def _fuzz_tests() -> list[Callable[..., None]]:
    return [
        value
        for name, value in globals().items()
        if name.startswith("test_") and hasattr(value, "hypothesis")
    ]


def test_it_runs_at_least_ten_thousand_generated_files() -> None:
    tests = _fuzz_tests()

    assert len(tests) == PARSER_TESTS
    assert len(tests) * EXAMPLES + 4 * DB_EXAMPLES >= 10_000
