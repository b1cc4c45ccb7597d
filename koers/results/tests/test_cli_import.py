"""`koers import`: exit codes, one transaction over all files, --dry-run, --school."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from koers.lib.tests.files import own_file
from koers.results.models import TestResult as Result
from koers.schools.models import Pupil, School
from koers.tests.helpers import (
    DOORSTROOMTOETS,
    EDEXML_21,
    EDEXML_103,
    ESIS,
    OSO,
    PARNASSYS_STAFF,
    dump_database,
    make_school,
    run_koers,
    sample_path,
)

pytestmark = pytest.mark.django_db


def test_it_imports_files_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code = run_koers("import", str(sample_path(ESIS)))

    assert code == 0
    out = capsys.readouterr().out
    # Four results of three pupils (see test_import_service).
    assert "4 nieuwe resultaten" in out
    assert "3 nieuwe leerlingen" in out
    assert "Overgeslagen: 1" in out
    assert Result.objects.count() == 4


def test_it_writes_nothing_when_the_second_file_is_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "kapot.xml"
    bad.write_bytes(own_file("not_well_formed.xml"))
    before = dump_database()

    code = run_koers("import", str(sample_path(ESIS)), str(bad))

    assert code == 1
    assert "Afgewezen, er is niets opgeslagen" in capsys.readouterr().err
    assert dump_database() == before


def test_it_rejects_a_staff_list_with_exit_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_school("11AA")
    before = dump_database()

    assert run_koers("import", str(sample_path(PARNASSYS_STAFF))) == 1

    assert "medewerkerslijst" in capsys.readouterr().err
    assert dump_database() == before


def test_it_exits_2_on_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    # No path at all (argparse), a path that does not exist, an unknown school.
    assert run_koers("import") == 2
    assert run_koers("import", "/bestaat/niet.csv") == 2
    assert "bestaat niet" in capsys.readouterr().err
    assert run_koers("import", "--school", "99QQ", str(sample_path(ESIS))) == 2
    assert "99QQ is niet bekend" in capsys.readouterr().err
    assert School.objects.count() == 0


def test_it_imports_a_folder_and_skips_read_me_files(tmp_path: Path) -> None:
    shutil.copy(sample_path(EDEXML_103), tmp_path / "roster.xml")
    (tmp_path / "README.txt").write_text("Lees mij", encoding="utf-8")

    assert run_koers("import", str(tmp_path)) == 0

    # EDEXML 1.03: four pupils; the read-me is not offered to the importers.
    assert Pupil.objects.count() == 4


def test_it_reports_a_dry_run_without_writing() -> None:
    before = dump_database()
    out = io.StringIO()

    call_command(
        "import_files", str(sample_path(ESIS)), dry_run=True, json=True, stdout=out
    )

    (summary,) = json.loads(out.getvalue())
    assert summary["dry_run"] is True
    assert summary["counts"]["results_created"] == 4
    assert summary["counts"]["pupils_created"] == 3
    assert dump_database() == before


def test_it_imports_an_oso_dossier_into_the_named_school() -> None:
    school = make_school("11AA")
    make_school("22BB", "Tweede school")

    assert run_koers("import", "--school", "11AA", str(sample_path(OSO))) == 0

    # The dossier's own BRIN (00YY) is the sending school.
    assert not School.objects.filter(brin="00YY").exists()
    assert Result.objects.filter(pupil__school=school).count() == 5


def test_it_rejects_a_results_file_of_another_school(
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_school("11AA")
    before = dump_database()

    assert run_koers("import", "--school", "11AA", str(sample_path(ESIS))) == 1

    assert "BRIN 99XX" in capsys.readouterr().err
    assert dump_database() == before


def test_it_says_when_a_file_was_imported_before(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_koers("import", str(sample_path(ESIS)))
    capsys.readouterr()
    before = dump_database()

    assert run_koers("import", str(sample_path(ESIS))) == 0

    assert "al eerder geïmporteerd" in capsys.readouterr().out
    assert dump_database() == before


def test_it_gives_the_same_verdict_on_a_dry_run_as_on_the_real_run(
    tmp_path: Path,
) -> None:
    # Two rosters of two schools, then a dossier that names no school of ours:
    # once the rosters created both schools, the dossier cannot choose.
    for name in (EDEXML_21, EDEXML_103, OSO):
        shutil.copy(sample_path(name), tmp_path / name)
    before = dump_database()

    assert run_koers("import", "--dry-run", str(tmp_path)) == 1
    assert dump_database() == before
    assert run_koers("import", str(tmp_path)) == 1
    assert dump_database() == before


def test_it_sees_the_pupils_of_earlier_files_in_a_dry_run(tmp_path: Path) -> None:
    out = io.StringIO()
    roster = tmp_path / "rooster.xml"
    shutil.copy(sample_path(EDEXML_21), roster)
    results = tmp_path / "uitslag.json"
    shutil.copy(sample_path(DOORSTROOMTOETS), results)

    call_command(
        "import_files", str(roster), str(results), dry_run=True, json=True, stdout=out
    )

    # The roster creates the school, so the message (which names no school)
    # finds it, as it would in the real run.
    roster_summary, message_summary = json.loads(out.getvalue())
    assert roster_summary["dry_run"] and message_summary["dry_run"]
    assert message_summary["counts"]["transition_results_created"] == 1
    assert School.objects.count() == 0


def test_a_note_that_every_file_repeats_is_shown_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_school("11AA", "OBS De Proef")
    header = "Leerlingnummer;Toets;Afnamedatum;Vaardigheidsscore\n"
    # Ability scores of a test without a norm table: each file gets the note
    # on results without an index, with its own count.
    first = tmp_path / "a.csv"
    first.write_text(header + "1;Rekenen-Wiskunde;20-01-2025;150\n", "utf-8")
    second = tmp_path / "b.csv"
    second.write_text(
        header + "2;Spelling;20-01-2025;140\n3;Spelling;20-01-2025;141\n", "utf-8"
    )

    code = run_koers("import", str(first), str(second), "--school", "11AA")

    out = capsys.readouterr().out
    assert code == 0
    assert out.count("Resultaten zonder index") == 1
    assert "Resultaten zonder index: 1." in out
