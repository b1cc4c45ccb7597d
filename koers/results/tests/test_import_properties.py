"""Property test at the database level: a mangled file is imported whole or not at
all, and importing the same bytes again changes nothing.

Each example runs inside a transaction that is rolled back at its end (by raising a
sentinel), so the examples do not see each other's rows.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koers.lib.records import ImportRejected
from koers.results.models import ImportBatch
from koers.results.services import import_file
from koers.tests.helpers import EDEXML_21, ESIS, dump_database, sample_bytes

pytestmark = pytest.mark.django_db


BATCH_TABLE = ImportBatch._meta.db_table


def without_batches(
    dump: dict[str, list[tuple[Any, ...]]],
) -> dict[str, list[tuple[Any, ...]]]:
    return {table: rows for table, rows in dump.items() if table != BATCH_TABLE}


class RollBack(Exception):
    """Raised at the end of each example to undo everything it wrote."""


@st.composite
def mangled(draw: st.DrawFn, original: bytes) -> bytes:
    """The original with a few byte flips, a truncation, or lines duplicated or
    removed."""
    data = bytearray(original)
    kind = draw(st.sampled_from(["flip", "truncate", "duplicate", "remove", "mixed"]))
    if kind in ("flip", "mixed"):
        for _ in range(draw(st.integers(1, 4))):
            position = draw(st.integers(0, len(data) - 1))
            data[position] = draw(st.integers(0, 255))
    if kind in ("truncate", "mixed"):
        data = data[: draw(st.integers(0, len(data)))]
    if kind in ("duplicate", "remove"):
        lines = bytes(data).splitlines(keepends=True)
        if lines:
            index = draw(st.integers(0, len(lines) - 1))
            if kind == "duplicate":
                lines.insert(index, lines[index])
            else:
                del lines[index]
        data = bytearray(b"".join(lines))
    return bytes(data)


def check_import(name: str, data: bytes) -> None:
    before = dump_database()
    try:
        with transaction.atomic():
            try:
                import_file(name, data)
            except ImportRejected:
                assert dump_database() == before
                raise RollBack from None

            after_first = dump_database()
            second = import_file(name, data)
            assert second.already_imported
            assert dump_database() == after_first

            # The same content once more, past the checksum (one more line end):
            # only the record of the import itself is new.
            third = import_file(f"kopie-{name}", data + b"\n")
            assert not third.already_imported
            assert third.counts["results_created"] == 0
            assert third.counts["results_updated"] == 0
            assert dump_database(exclude=[BATCH_TABLE]) == without_batches(after_first)
            raise RollBack
    except RollBack:
        pass
    assert dump_database() == before


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=mangled(sample_bytes(ESIS)))
def test_it_imports_a_mangled_esis_file_whole_or_not_at_all(data: bytes) -> None:
    check_import("esis.csv", data)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=mangled(sample_bytes(EDEXML_21)))
def test_it_imports_a_mangled_edexml_file_whole_or_not_at_all(data: bytes) -> None:
    check_import("edexml.xml", data)
