"""`koers school add` and `koers school set-weighting`."""

from __future__ import annotations

from decimal import Decimal

import pytest

from koers.schools.models import Board, School, SchoolWeighting, SchoolYear
from koers.tests.helpers import dump_database, run_koers

pytestmark = pytest.mark.django_db


def test_it_adds_a_school_with_its_board(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run_koers("school", "add", "12ab", "--name", "De Linde", "--board", "Sticht")
        == 0
    )

    school = School.objects.get()
    # The BRIN is upper-cased and gets branch 00 when none is given.
    assert (school.brin, school.branch_code, school.name) == ("12AB", "00", "De Linde")
    assert school.board == Board.objects.get(name="Sticht")
    assert "toegevoegd" in capsys.readouterr().out


def test_it_adds_a_branch_and_never_renames_a_known_school(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_koers("school", "add", "12AB01", "--name", "Oud") == 0
    assert run_koers("school", "add", "12AB01", "--name", "Nieuw") == 2

    school = School.objects.get()
    assert (school.brin, school.branch_code, school.name) == ("12AB", "01", "Oud")
    assert "bestaat al" in capsys.readouterr().err


def test_it_refuses_a_school_without_a_name() -> None:
    assert run_koers("school", "add", "12AB", "--name", "  ") == 2

    assert School.objects.count() == 0


@pytest.mark.parametrize("brin", ["1AB", "12ABC", "AB12", "12AB1", "12-AB"])
def test_it_refuses_a_malformed_brin(
    brin: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_koers("school", "add", brin, "--name", "X") == 2

    assert "geen BRIN" in capsys.readouterr().err
    assert School.objects.count() == 0


def test_it_records_a_school_weighting(capsys: pytest.CaptureFixture[str]) -> None:
    run_koers("school", "add", "12AB", "--name", "De Linde")

    assert run_koers("school", "set-weighting", "12AB", "2024-2025", "30,61") == 0

    weighting = SchoolWeighting.objects.get()
    # A decimal comma is accepted.
    assert weighting.value == Decimal("30.61")
    assert weighting.school_year.start_year == 2024
    assert weighting.signal_value_1s2f is None


@pytest.mark.parametrize(
    "extra",
    [
        ["19.99"],
        ["40.01"],
        ["dertig"],
        ["30", "--signal-value-1s2f", "101"],
        ["30", "--signal-value-1s2f", "-1"],
    ],
)
def test_it_refuses_a_weighting_or_signal_value_out_of_range(extra: list[str]) -> None:
    run_koers("school", "add", "12AB", "--name", "De Linde")
    # The command creates the school year before it checks the value (reported);
    # everything else must stay as it was.
    before = dump_database(exclude=[SchoolYear._meta.db_table])

    assert run_koers("school", "set-weighting", "12AB", "2024-2025", *extra) == 2

    assert SchoolWeighting.objects.count() == 0
    assert dump_database(exclude=[SchoolYear._meta.db_table]) == before


def test_it_refuses_a_weighting_for_an_unknown_school_or_year(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_koers("school", "set-weighting", "99ZZ", "2024-2025", "30") == 2
    assert "niet bekend" in capsys.readouterr().err

    run_koers("school", "add", "12AB", "--name", "De Linde")
    assert run_koers("school", "set-weighting", "12AB", "vorig jaar", "30") == 2
    assert "geen schooljaar" in capsys.readouterr().err
