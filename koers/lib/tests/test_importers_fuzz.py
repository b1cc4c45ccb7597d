"""Mangled versions of every sample must give a ParsedFile or an ImportRejected."""

from __future__ import annotations

import io

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from koers.lib.importers import parse_file
from koers.lib.records import ImportRejected, ParsedFile
from koers.lib.tests.files import FILES_DIR, SAMPLES_DIR

FUZZ = settings(max_examples=300, deadline=None)


def _inputs() -> list[bytes]:
    samples = [path for path in SAMPLES_DIR.iterdir() if path.name != "README.md"]
    own = [
        path for path in FILES_DIR.iterdir() if path.suffix != ".py" and path.is_file()
    ]
    return [path.read_bytes() for path in sorted(samples + own)]


def _xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Leerlingnummer", "Toets", "Afnamedatum", "Vaardigheidsscore"])
    sheet.append([1, "Spelling", 45315, 130.5])
    sheet.append([2, "AVI", "24-01-2024", "?"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


INPUTS = [*_inputs(), _xlsx()]
inputs = st.sampled_from(INPUTS)


def _survives(data: bytes) -> None:
    try:
        result = parse_file("fuzz", data)
    except ImportRejected:
        return
    assert isinstance(result, ParsedFile)


@given(inputs, st.floats(min_value=0, max_value=1))
@FUZZ
def test_truncated(data: bytes, fraction: float) -> None:
    _survives(data[: int(len(data) * fraction)])


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(inputs))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        position = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        action = draw(st.sampled_from(["flip", "insert", "delete"]))
        if action == "insert" or not data:
            data.insert(position, draw(st.integers(min_value=0, max_value=255)))
        elif action == "flip":
            data[position] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        else:
            del data[position]
    return bytes(data)


@given(_mutated())
@FUZZ
def test_bytes_flipped_inserted_or_deleted(data: bytes) -> None:
    _survives(data)


@given(
    inputs,
    st.sampled_from([b";", b",", b"\t", b'"']),
    st.sampled_from([b";", b",", b"\t"]),
)
@FUZZ
def test_delimiters_swapped(data: bytes, old: bytes, new: bytes) -> None:
    _survives(data.replace(old, new))


@given(
    inputs, st.integers(min_value=0, max_value=20), st.sampled_from([b";", b",", b"\t"])
)
@FUZZ
def test_column_dropped(data: bytes, column: int, delimiter: bytes) -> None:
    lines = []
    for line in data.split(b"\n"):
        cells = line.split(delimiter)
        if column < len(cells):
            del cells[column]
        lines.append(delimiter.join(cells))
    _survives(b"\n".join(lines))


@given(st.binary(max_size=2000))
@FUZZ
def test_random_bytes(data: bytes) -> None:
    _survives(data)
