"""`koers.results.undo`: undoing a batch gives back the database as it was before.

The files are built here so that each change is visible: a second roster renames
a pupil, moves another to a new grade and adds a pupil, group and school year;
a second results file corrects one score and adds a result with a new test.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from koers.results.models import ImportBatch, TransitionTestResult
from koers.results.models import TestResult as Result
from koers.results.services import import_file
from koers.results.undo import UndoRefused, refusal_reason, undo_batch
from koers.schools.models import Enrolment, Pupil, School
from koers.tests.helpers import (
    DOORSTROOMTOETS,
    dump_database,
    make_school,
    sample_bytes,
)

pytestmark = pytest.mark.django_db

BATCH_TABLE = ImportBatch._meta.db_table

ROSTER = """<?xml version="1.0" encoding="UTF-8"?>
<EDEX>
  <school><schooljaar>{year}</schooljaar><brincode>11AA</brincode></school>
  <groepen>
    <groep key="G5"><naam>5C</naam><jaargroep>5</jaargroep></groep>
    {extra_group}
  </groepen>
  <leerlingen>
    <leerling key="9001">
      <achternaam>Appel</achternaam><roepnaam>{anna}</roepnaam>
      <geboortedatum>2015-02-03</geboortedatum><jaargroep>5</jaargroep>
      <groep key="G5"/>
    </leerling>
    <leerling key="9002">
      <achternaam>Boom</achternaam><roepnaam>Bram</roepnaam>
      <geboortedatum>2015-04-05</geboortedatum><jaargroep>{bram_grade}</jaargroep>
      <groep key="G5"/>
    </leerling>
    {extra_pupil}
  </leerlingen>
</EDEX>
"""

FIRST_ROSTER = ROSTER.format(
    year="2024-2025", anna="Anna", bram_grade="5", extra_group="", extra_pupil=""
).encode()
SECOND_ROSTER = ROSTER.format(
    year="2024-2025",
    anna="Anneke",
    bram_grade="6",
    extra_group='<groep key="G6"><naam>6D</naam><jaargroep>6</jaargroep></groep>',
    extra_pupil=(
        '<leerling key="9004"><achternaam>Ceder</achternaam><roepnaam>Cas</roepnaam>'
        '<jaargroep>6</jaargroep><groep key="G6"/></leerling>'
    ),
).encode()
OTHER_YEAR_ROSTER = ROSTER.format(
    year="2031-2032", anna="Anna", bram_grade="5", extra_group="", extra_pupil=""
).encode()

HEADER = "Leerlingnummer;Toets;Afnamedatum;Ruwe score;Percentiel;Niveau I-V\n"
FIRST_RESULTS = (
    HEADER
    + "9001;Rekenen-Wiskunde;20-01-2025;30;40;III\n"
    + "9002;Rekenen-Wiskunde;21-01-2025;35;60;II\n"
).encode()
SECOND_RESULTS = (
    HEADER
    + "9001;Rekenen-Wiskunde;20-01-2025;32;45;III\n"
    + "9004;Spelling;22-01-2025;20;70;II\n"
    + "9005;Spelling;22-01-2033;20;70;II\n"
).encode()


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return dump_database(exclude=[BATCH_TABLE])


def batch_of(summary: Any) -> ImportBatch:
    return ImportBatch.objects.get(pk=summary.batch_id)


@pytest.fixture
def school() -> School:
    school = make_school("11AA")
    import_file("leerlingen.xml", FIRST_ROSTER, school=school)
    import_file("resultaten.csv", FIRST_RESULTS, school=school)
    return school


def test_it_restores_the_database_as_it_was_before_the_imports(school: School) -> None:
    before = snapshot()
    anna_result = Result.objects.get(pupil__key="9001")
    roster = batch_of(import_file("l2.xml", SECOND_ROSTER, school=school))
    results = batch_of(import_file("r2.csv", SECOND_RESULTS, school=school))
    changed = Result.objects.get(pk=anna_result.pk)
    assert (changed.raw_score, changed.percentile) == (Decimal(32), Decimal(45))
    assert roster.counts["pupils_updated"] == 1
    assert roster.counts["enrolments_updated"] == 1
    assert results.counts["instruments_created"] == 1

    undo_batch(results, undone_by="ib-er")
    undo_batch(roster, undone_by="ib-er")

    assert snapshot() == before
    restored = Result.objects.get(pk=anna_result.pk)
    assert restored.raw_score == anna_result.raw_score == Decimal(30)
    assert restored.percentile == anna_result.percentile
    assert restored.index_value == anna_result.index_value
    assert Pupil.objects.get(key="9001").preferred_name == "Anna"
    assert Enrolment.objects.get(pupil__key="9002").grade == "5"


def test_it_removes_what_the_first_imports_created(school: School) -> None:
    empty = make_school("22BB")
    before = snapshot()
    roster = batch_of(
        import_file("l.xml", OTHER_YEAR_ROSTER.replace(b"11AA", b"22BB"), school=empty)
    )
    results = batch_of(import_file("r.csv", SECOND_RESULTS, school=empty))

    undo_batch(results, undone_by="ib-er")
    undo_batch(roster, undone_by="ib-er")

    assert snapshot() == before


def test_it_keeps_a_test_another_school_still_uses(school: School) -> None:
    other = make_school("22BB")
    batch = batch_of(import_file("r.csv", SECOND_RESULTS, school=school))
    import_file("r.csv", SECOND_RESULTS, school=other)

    counts = undo_batch(batch, undone_by="ib-er")

    assert counts["instruments_removed"] == 0
    assert Result.objects.filter(pupil__school=other).count() == 3


def test_it_marks_the_batch_undone_and_keeps_it(school: School) -> None:
    batch = batch_of(import_file("r2.csv", SECOND_RESULTS, school=school))

    undo_batch(batch, undone_by="ib-er")

    batch.refresh_from_db()
    assert batch.undone_at is not None
    assert batch.undone_by == "ib-er"
    assert batch.counts["results_created"] == 2
    assert refusal_reason(batch) == "Deze import is al ongedaan gemaakt."
    with pytest.raises(UndoRefused):
        undo_batch(batch, undone_by="ib-er")


def test_it_imports_the_same_file_again_after_an_undo(school: School) -> None:
    first = import_file("r2.csv", SECOND_RESULTS, school=school)
    undo_batch(batch_of(first), undone_by="ib-er")

    again = import_file("r2.csv", SECOND_RESULTS, school=school)

    assert not again.already_imported
    assert again.counts == first.counts
    assert Result.objects.get(pupil__key="9001").percentile == Decimal(45)


def test_it_refuses_to_undo_a_batch_with_a_later_one_on_top(school: School) -> None:
    roster = batch_of(import_file("l2.xml", SECOND_ROSTER, school=school))
    import_file("r2.csv", SECOND_RESULTS, school=school)
    before = snapshot()

    with pytest.raises(UndoRefused, match="later nog bestanden"):
        undo_batch(roster, undone_by="ib-er")

    assert snapshot() == before
    roster.refresh_from_db()
    assert roster.undone_at is None


def test_it_refuses_a_batch_from_before_undo_was_recorded(school: School) -> None:
    batch = batch_of(import_file("r2.csv", SECOND_RESULTS, school=school))
    ImportBatch.objects.filter(pk=batch.pk).update(undo_log={})
    batch.refresh_from_db()

    with pytest.raises(UndoRefused, match="voordat Koers bijhield"):
        undo_batch(batch, undone_by="ib-er")


def test_it_restores_a_changed_transition_result() -> None:
    school = make_school("11AA")
    message = sample_bytes(DOORSTROOMTOETS)
    import_file("d1.json", message, school=school)
    before = snapshot()
    changed = message.replace(b'"waarde": "vwo"', b'"waarde": "havo"')
    batch = batch_of(import_file("d2.json", changed, school=school))
    assert TransitionTestResult.objects.get().advice == "havo"

    undo_batch(batch, undone_by="ib-er")

    assert TransitionTestResult.objects.get().advice == "vwo"
    assert snapshot() == before
