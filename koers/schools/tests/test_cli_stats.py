"""`koers stats`: counts of what Koers holds."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from koers.results.services import import_file
from koers.tests.helpers import EDEXML_21, ESIS, sample_bytes

pytestmark = pytest.mark.django_db


def stats_json() -> dict[str, int]:
    out = io.StringIO()
    call_command("stats", format="json", stdout=out)
    result: dict[str, int] = json.loads(out.getvalue())
    return result


def test_it_counts_an_empty_database() -> None:
    assert stats_json() == {
        "boards": 0,
        "schools": 0,
        "groups": 0,
        "pupils": 0,
        "results": 0,
        "transition_results": 0,
    }


def test_it_counts_what_the_imports_wrote() -> None:
    import_file(EDEXML_21, sample_bytes(EDEXML_21))
    import_file(ESIS, sample_bytes(ESIS))

    # EDEXML 2.1: school 99ZZ00, 5 groups, 3 pupils. ESIS: school 99XX00, 3 pupils,
    # 4 results (the AVI row has no score).
    assert stats_json() == {
        "boards": 0,
        "schools": 2,
        "groups": 5,
        "pupils": 6,
        "results": 4,
        "transition_results": 0,
    }


def test_it_prints_a_table_by_default() -> None:
    import_file(ESIS, sample_bytes(ESIS))
    out = io.StringIO()

    call_command("stats", stdout=out)

    lines = dict(line.split() for line in out.getvalue().splitlines())
    assert lines["results"] == "4"
    assert lines["pupils"] == "3"
