"""Writing test results in bulk.

A board's export holds hundreds of thousands of rows, so results bypass model
instances: each record becomes one tuple of column values, new rows go to the
database in one `executemany` per chunk, and existing rows are compared as
tuples. The values are adapted through the connection's own operations, so the
same code runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection

from koers.lib.analysis.index import IndexSource, ResultIndex
from koers.lib.records import DerivedScore, Period, ReferenceLevel, ResultRecord
from koers.results.models import TestResult

# The columns Koers compares and overwrites when a result is delivered again; the
# natural key (pupil, instrument, version, date) and the batch are not among them.
VALUE_FIELDS = (
    "school_year_id",
    "period",
    "moment_grade",
    "grade_at_test",
    "raw_score",
    "ability_score",
    "scale",
    "level_iv",
    "level_ae",
    "percentile",
    "dle",
    "didactic_age",
    "functioning_level",
    "reference_level",
    "norm_label",
    "derived",
    "index_value",
    "index_source",
    "index_coarse",
)
KEY_FIELDS = ("pupil_id", "instrument_id", "test_version", "administered_on")
INDEX_FIELDS = ("index_value", "index_source", "index_coarse")


# The natural key as a plain tuple, in `KEY_FIELDS` order: an import makes one per
# row, and a tuple costs a fraction of a named one.
ResultKey = tuple[int, int, str, dt.date]


# Enum members by their stored text, looked up once instead of through the enum's
# `value` descriptor for each of 100,000 rows.
_TEXT: dict[object, str] = {
    member: member.value
    for enum in (Period, ReferenceLevel, IndexSource)
    for member in enum
}
_TEXT[None] = ""


def result_values(
    record: ResultRecord, school_year_id: int, index: ResultIndex | None
) -> tuple[Any, ...]:
    """The value columns of one record, in `VALUE_FIELDS` order, cut to the
    columns' lengths."""
    return (
        school_year_id,
        _TEXT[record.period],
        (record.moment_grade or "")[:2],
        (record.grade_at_test or "")[:2],
        record.raw_score,
        record.ability_score,
        record.scale[:40],
        record.level_iv[:4],
        record.level_ae[:2],
        record.percentile,
        record.dle,
        record.didactic_age,
        record.functioning_level[:10],
        _TEXT[record.reference_level],
        record.norm_label[:100],
        derived_list(record.derived),
        None if index is None else index.value,
        "" if index is None else _TEXT[index.source],
        False if index is None else index.coarse,
    )


def values_by_name(values: tuple[Any, ...]) -> dict[str, Any]:
    return dict(zip(VALUE_FIELDS, values, strict=True))


def derived_list(scores: Sequence[DerivedScore]) -> list[dict[str, str]]:
    if not scores:
        return []
    return [
        {"code": s.code, "value": s.value, "group": s.comparison_group} for s in scores
    ]


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == []


def merged_values(
    stored: dict[str, Any], delivered: dict[str, Any]
) -> dict[str, Any] | None:
    """What changes when a stored result is delivered again, or None.

    A value the new file leaves empty never erases a stored one: an export with
    a column left out must not wipe the scores an earlier export delivered.
    """
    changes = {
        name: value
        for name, value in delivered.items()
        if name not in INDEX_FIELDS
        and not is_empty(value)
        and not same(stored[name], value)
    }
    return changes or None


def same(stored: object, delivered: object) -> bool:
    # Decimals come back with the column's scale (12.500 for 12.5); they still
    # compare equal as numbers.
    if isinstance(stored, Decimal | int | float) and isinstance(
        delivered, Decimal | int | float
    ):
        return Decimal(str(stored)) == Decimal(str(delivered))
    return stored == delivered


def column_adapter(field: Any) -> Callable[[Any], Any] | None:
    """What Django's own save does to a value of this column, for this database;
    None when it sends the value as it is."""
    operations = connection.ops
    kind = field.get_internal_type()
    if connection.vendor == "sqlite" and kind in SQLITE_ADAPTERS:
        return SQLITE_ADAPTERS[kind]
    if kind == "DateField":
        return lambda value: operations.adapt_datefield_value(value)
    if kind == "DecimalField":
        digits, places = field.max_digits, field.decimal_places
        return lambda value: (
            None
            if value is None
            else operations.adapt_decimalfield_value(value, digits, places)
        )
    if kind == "JSONField":
        return lambda value: operations.adapt_json_value(value, None)
    return None


def _json_text(value: Any) -> str:
    # Most results carry no derived scores: skip the encoder for the empty list.
    return "[]" if value == [] else json.dumps(value)


# On SQLite Django formats every decimal as text to the column's scale, which
# costs as much as the insert itself; the column has numeric affinity, so the
# Decimal that Django's registered adapter sends is stored as the same number.
# Dates need nothing either: Django registers an adapter that sends ISO text.
# JSON goes as its text, as Django's SQLite backend sends it.
SQLITE_ADAPTERS: dict[str, Callable[[Any], Any] | None] = {
    "DateField": None,
    "DecimalField": None,
    "JSONField": _json_text,
}


class ResultTable:
    """Raw reads and writes of the results table for one import."""

    def __init__(self) -> None:
        meta = TestResult._meta
        self.table = meta.db_table
        self.fields = {field.attname: field for field in meta.concrete_fields}
        self.insert_columns = [*KEY_FIELDS, *VALUE_FIELDS, "import_batch_id"]

    def existing(self, keys: Sequence[ResultKey]) -> dict[ResultKey, dict[str, Any]]:
        """The stored value columns of the results with these keys."""
        if not keys:
            return {}
        rows = TestResult.objects.filter(
            pupil_id__in={key[0] for key in keys},
            instrument_id__in={key[1] for key in keys},
            administered_on__in={key[3] for key in keys},
        ).values("pk", *KEY_FIELDS, *VALUE_FIELDS)
        wanted = set(keys)
        found = {}
        for row in rows:
            key: ResultKey = (
                row["pupil_id"],
                row["instrument_id"],
                row["test_version"],
                row["administered_on"],
            )
            if key in wanted:
                found[key] = row
        return found

    def insert(
        self, rows: Sequence[tuple[ResultKey, tuple[Any, ...]]], batch: int
    ) -> None:
        if not rows:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(
            quote(self.fields[name].column or name) for name in self.insert_columns
        )
        placeholders = ", ".join(["%s"] * len(self.insert_columns))
        statement = (
            f"INSERT INTO {quote(self.table)} "  # noqa: S608
            f"({columns}) VALUES ({placeholders})"
        )
        # Only dates, decimals and JSON need adapting; most columns pass as they are.
        adapters = [
            (position, adapter)
            for position, name in enumerate(self.insert_columns)
            if (adapter := column_adapter(self.fields[name])) is not None
        ]
        parameters = []
        for key, values in rows:
            row = [*key, *values, batch]
            for position, adapt in adapters:
                row[position] = adapt(row[position])
            parameters.append(row)
        with connection.cursor() as cursor:
            cursor.executemany(statement, parameters)

    def update(self, pk: int, changes: dict[str, Any]) -> None:
        TestResult.objects.filter(pk=pk).update(**changes)
