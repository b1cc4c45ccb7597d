"""Helpers shared by the Django-layer tests: database dumps, sample files, fixtures
built by hand with numbers a reader can check."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db import connection
from django.test import Client

from koers.lib.tests.files import SAMPLES_DIR
from koers.results.models import ImportBatch, Instrument, TestResult
from koers.schools.models import (
    Board,
    BoardMembership,
    Enrolment,
    Group,
    Pupil,
    Role,
    School,
    SchoolYear,
)
from koers.tests.accounts import make_user, sign_in

EDEXML_21 = "edexml_2.1_edustandaard-voorbeeld_anon.xml"
EDEXML_103 = "edexml_1.03_cito-lvs-export_synthetic.xml"
OSO = "oso_2019_povo_toetslijst_excerpt.xml"
ESIS = "esis_lvs_toetsresultaten_export_SYNTHETIC.csv"
DOORSTROOMTOETS = "doorstroomtoets_leerlingresultaat_example.json"
PARNASSYS_PUPILS = "parnassys_leerlingenlijst_export_SYNTHETIC.csv"
PARNASSYS_STAFF = "parnassys_medewerkerslijst_export_SYNTHETIC.csv"

# Tables whose rows belong to the framework, not to Koers's data. The session and
# migration tables change on their own (logins, the test database set-up).
IGNORED_TABLES = frozenset({"django_session", "django_migrations"})


def sample_path(name: str) -> Path:
    return SAMPLES_DIR / name


def sample_bytes(name: str) -> bytes:
    return sample_path(name).read_bytes()


def table_names() -> list[str]:
    return sorted(
        name
        for name in connection.introspection.table_names()
        if name not in IGNORED_TABLES
    )


def dump_database(exclude: Iterable[str] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: two equal dumps mean the
    database did not change at all."""
    skipped = set(exclude)
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for table in table_names():
            if table in skipped:
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")  # noqa: S608
            dump[table] = [tuple(row) for row in cursor.fetchall()]
    return dump


def dumpdata_text() -> str:
    """Django's own serialisation of the Koers apps and the accounts."""
    out = io.StringIO()
    call_command("dumpdata", "schools", "results", "analysis", "auth", stdout=out)
    return out.getvalue()


def all_text(dump: dict[str, list[tuple[Any, ...]]]) -> str:
    """Every value of a dump as text, one per line, for searching."""
    return "\n".join(
        json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)
        for rows in dump.values()
        for row in rows
        for value in row
    )


def row_count(model: type[Any]) -> int:
    return int(model.objects.count())


def make_school(brin: str = "11AA", name: str = "OBS De Proef") -> School:
    return School.objects.create(brin=brin, branch_code="00", name=name)


def add_result(
    pupil: Pupil,
    instrument: Instrument,
    year: SchoolYear,
    administered_on: dt.date,
    index: float,
    period: str = "M",
    grade: str = "5",
) -> TestResult:
    """A result whose index is a delivered percentile (source `percentile`)."""
    return TestResult.objects.create(
        pupil=pupil,
        instrument=instrument,
        school_year=year,
        period=period,
        moment_grade=grade,
        grade_at_test=grade,
        administered_on=administered_on,
        percentile=Decimal(str(index)),
        index_value=index,
        index_source="percentile",
    )


def small_school(brin: str = "11AA", name: str = "OBS De Proef") -> dict[str, Any]:
    """A school made by hand: one group `5A` in 2024-2025 with two pupils.

    Pupil Anna Appel has three math results with index 5, 6 and 7 (so the default
    rule `persistently_low` fires: all below 10, a rise of only 2 points); pupil
    Bram Boom has one math result with index 60.
    """
    school = make_school(brin, name)
    year, _ = SchoolYear.objects.get_or_create(start_year=2024)
    earlier, _ = SchoolYear.objects.get_or_create(start_year=2023)
    group = Group.objects.create(school=school, school_year=year, name="5A")
    previous = Group.objects.create(school=school, school_year=earlier, name="4A")
    anna = Pupil.objects.create(
        school=school,
        key=f"{brin}-1",
        surname="Appel",
        preferred_name="Anna",
        birth_date=dt.date(2015, 3, 1),
    )
    bram = Pupil.objects.create(
        school=school, key=f"{brin}-2", surname="Boom", preferred_name="Bram"
    )
    Enrolment.objects.create(pupil=anna, group=group, grade="5")
    Enrolment.objects.create(pupil=bram, group=group, grade="5")
    Enrolment.objects.create(pupil=anna, group=previous, grade="4")
    math, _ = Instrument.objects.get_or_create(
        supplier="Cito", name="Rekenen-Wiskunde", generation="3.0", subject="rekenen"
    )
    add_result(anna, math, earlier, dt.date(2024, 1, 20), 5.0, "M", "4")
    add_result(anna, math, earlier, dt.date(2024, 6, 10), 6.0, "E", "4")
    add_result(anna, math, year, dt.date(2025, 1, 20), 7.0, "M", "5")
    add_result(bram, math, year, dt.date(2025, 1, 21), 60.0, "M", "5")
    return {
        "school": school,
        "year": year,
        "group": group,
        "previous_group": previous,
        "anna": anna,
        "bram": bram,
    }


def board_member(board: Board, username: str = "bestuur") -> Client:
    """A signed-in member of a board's staff."""
    user = make_user(username)
    BoardMembership.objects.create(user=user, board=board)
    return sign_in(user)


def member_of(
    *schools: School,
    username: str = "ib-er",
    csrf: bool = False,
    role: Role = Role.SUPPORT,
) -> Client:
    """A signed-in staff member of the schools given, an intern begeleider unless
    another role is given (CSRF checked when asked)."""
    user = make_user(username, *schools, role=role)
    return sign_in(user, Client(enforce_csrf_checks=csrf))


__all__ = [
    "DOORSTROOMTOETS",
    "EDEXML_21",
    "EDEXML_103",
    "ESIS",
    "OSO",
    "PARNASSYS_PUPILS",
    "PARNASSYS_STAFF",
    "ImportBatch",
    "add_result",
    "all_text",
    "board_member",
    "dump_database",
    "dumpdata_text",
    "make_school",
    "member_of",
    "row_count",
    "run_koers",
    "sample_bytes",
    "sample_path",
    "small_school",
    "table_names",
]


def run_koers(*argv: str) -> int:
    """Run the `koers` console command; its exit code (0 when it just returns)."""
    from koers.cli import main

    try:
        main(list(argv))
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
