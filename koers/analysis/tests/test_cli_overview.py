"""`koers overview school|group|pupil` on the small demo school, in the three output
formats."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from koers.conftest import SMALL_DEMO, LoadedDemo
from koers.results.models import TestResult as Result
from koers.schools.models import Enrolment, Group, Pupil

pytestmark = pytest.mark.django_db
BRIN = SMALL_DEMO.brin
IV_BANDS = ("I", "II", "III", "IV", "V")


def overview(*args: str, **options: Any) -> str:
    out = io.StringIO()
    call_command("overview", *args, stdout=out, **options)
    return out.getvalue()


def latest_group(name: str) -> Group:
    return Group.objects.filter(school__brin=BRIN, name=name).latest(
        "school_year__start_year"
    )


def test_it_shows_the_school_overview_as_json(loaded_demo: LoadedDemo) -> None:
    payload = json.loads(overview("school", BRIN, format="json"))

    # Two school years (2023-2024, 2024-2025): the latest is the default.
    assert payload["school"] == {"brin": BRIN, "branch": "00", "name": "OBS Klein Demo"}
    assert payload["school_year"] == SMALL_DEMO.first_school_year + 1
    assert payload["rows"]
    assert payload["aggregates"]
    for row in payload["rows"]:
        summary = row["summary"]
        # Every counted pupil is in exactly one I-V band.
        assert sum(summary["bands"].values()) == summary["n"]
        assert row["period"] in ("B", "M", "E")


def test_it_chooses_the_school_year_of_the_school_overview(
    loaded_demo: LoadedDemo,
) -> None:
    first = SMALL_DEMO.first_school_year
    payload = json.loads(
        overview("school", BRIN, "--year", f"{first}-{first + 1}", format="json")
    )

    assert payload["school_year"] == first


def test_it_shows_a_group_with_one_line_per_enrolled_pupil(
    loaded_demo: LoadedDemo,
) -> None:
    group = latest_group("6")
    enrolled = set(
        Enrolment.objects.filter(group=group).values_list("pupil__key", flat=True)
    )

    payload = json.loads(overview("group", BRIN, "6", format="json"))

    assert payload["group_id"] == group.pk
    assert payload["group_name"] == "6"
    listed: set[str] = set()
    for subject in payload["subjects"]:
        keys = [line["pupil_key"] for line in subject["pupils"]]
        # A pupil appears once per subject and moment, and only pupils of the group.
        assert len(keys) == len(set(keys))
        assert set(keys) <= enrolled
        assert subject["summary"]["n"] == len(keys)
        assert sum(subject["need_counts"].values()) == len(keys)
        listed |= set(keys)
    # Every pupil of the group who took a test this year is listed.
    tested = set(
        Result.objects.filter(
            pupil__key__in=enrolled,
            pupil__school__brin=BRIN,
            school_year=group.school_year,
            index_value__isnull=False,
        ).values_list("pupil__key", flat=True)
    )
    assert listed == tested
    assert len(enrolled) == group.enrolments.count()


def test_it_writes_the_group_overview_as_csv(loaded_demo: LoadedDemo) -> None:
    group = latest_group("6")

    text = overview("group", BRIN, "6", format="csv")

    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    header = text.splitlines()[0].split(";")
    assert header[:3] == ["wie", "vak", "moment"]
    group_rows = [row for row in rows if row["wie"] == "groep 6"]
    pupil_rows = [row for row in rows if row["wie"] != "groep 6"]
    assert group_rows
    names = {p.display_name for p in Pupil.objects.filter(enrolments__group=group)}
    assert {row["wie"] for row in pupil_rows} <= names
    for row in group_rows:
        # The band columns of a group row add up to its n.
        assert sum(int(row[band]) for band in IV_BANDS) == int(row["leerlingen"])
    for row in pupil_rows:
        assert row["niveau"] in IV_BANDS
        assert row["behoefte"] in ("ondersteuning", "basis", "uitdaging")


def test_it_writes_the_group_overview_as_a_table(loaded_demo: LoadedDemo) -> None:
    lines = overview("group", BRIN, "6").splitlines()

    # The first line names the school year of the group, then the table.
    assert lines[0].startswith("Schooljaar ")
    lines = lines[1:]
    assert lines[0].split()[:3] == ["wie", "vak", "moment"]
    assert any(line.startswith("groep 6 ") for line in lines[1:])
    # Numbers are written with a decimal comma.
    assert any("," in line for line in lines[1:])


def test_it_shows_a_pupil_by_key_in_every_format(loaded_demo: LoadedDemo) -> None:
    pupil = (
        Pupil.objects.filter(school__brin=BRIN, results__index_value__isnull=False)
        .order_by("key")
        .first()
    )
    assert pupil is not None and pupil.key
    results = Result.objects.filter(pupil=pupil, index_value__isnull=False)
    overview_subjects = {"rekenen", "begrijpend_lezen", "spelling", "technisch_lezen"}
    counted = results.filter(instrument__subject__in=overview_subjects).count()

    payload = json.loads(overview("pupil", BRIN, pupil.key, format="json"))
    text = overview("pupil", BRIN, pupil.key, format="csv")
    table = overview("pupil", BRIN, pupil.key)

    assert payload["pupil"] == {
        "key": pupil.key,
        "eck_id": pupil.eck_id,
        "name": pupil.display_name,
    }
    # Every indexed result of the pupil in an overview subject, once.
    shown = sum(len(subject["results"]) for subject in payload["subjects"])
    assert shown == counted
    csv_rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(csv_rows) == counted
    assert {row["bron"] for row in csv_rows} <= {
        "percentiel",
        "normtabel",
        "niveau (grof)",
    }
    # A header, a line per result, and a line per flag of the pupil.
    assert len(table.splitlines()) == counted + 1 + len(payload["flags"])


def test_it_refuses_an_unknown_group_or_pupil(loaded_demo: LoadedDemo) -> None:
    with pytest.raises(CommandError, match="Groep 'Z9'"):
        overview("group", BRIN, "Z9")
    with pytest.raises(CommandError, match="Leerling 'onbekend'"):
        overview("pupil", BRIN, "onbekend")
