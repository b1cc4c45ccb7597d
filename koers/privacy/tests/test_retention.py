"""`koers purge`: pupils past retention go, with every row about them, and come
back neither from a restored back-up nor from the audit log."""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from time_machine import TimeMachineFixture

from koers.cycle.models import GroupDeviation, Meeting, PupilDecision
from koers.privacy import purge as purge_module
from koers.privacy import traces
from koers.privacy.audit_refs import REDACTED
from koers.privacy.models import PurgeReason, PurgeRecord
from koers.privacy.pseudonyms import is_pseudonym, pupil_pseudonym
from koers.privacy.purge import due_for_purge, purge_pupil, retention_cutoff
from koers.privacy.relations import (
    HANDLING,
    UnhandledRelation,
    pupil_relations,
    unhandled_relations,
)
from koers.privacy.tests.conftest import (
    CANARIES,
    CANARY_GIVEN,
    CANARY_NAME,
    GROUP_CANARIES,
    LEFT_ON,
    at_noon,
)
from koers.results.models import ImportBatch, TestResult
from koers.schools.models import Pupil, Role, School
from koers.tests.accounts import make_user, sign_in
from koers.tests.helpers import all_text, dump_database

pytestmark = pytest.mark.django_db

# Two years after LEFT_ON (15 July 2024) is 15 July 2026.
DAY_BEFORE_END = dt.date(2026, 7, 14)
DAY_AFTER_END = dt.date(2026, 7, 16)
# The texts that are the pupil's own, and must go with it.
CANARY_TEXTS = [
    CANARY_NAME,
    CANARY_GIVEN,
    *(text for key, text in CANARIES.items() if key not in GROUP_CANARIES),
    "kanariesignaal",
]


def purge(*args: str) -> str:
    out = io.StringIO()
    call_command("purge", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def canaries_in_database() -> list[str]:
    text = all_text(dump_database())
    return [canary for canary in CANARY_TEXTS if canary in text]


def ledger_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


# --- which pupils, and when ----------------------------------------------------


def test_the_cutoff_is_the_same_day_the_set_number_of_years_ago(settings: Any) -> None:
    assert retention_cutoff(dt.date(2026, 7, 16)) == dt.date(2024, 7, 16)
    # No 29 February in 2026: the day before counts.
    assert retention_cutoff(dt.date(2028, 2, 29)) == dt.date(2026, 2, 28)

    settings.KOERS_RETENTION_YEARS = 5

    assert retention_cutoff(dt.date(2026, 7, 16)) == dt.date(2021, 7, 16)


def test_it_keeps_a_pupil_until_the_day_after_the_retention_period(
    world: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    canary = world["canary"]

    time_machine.move_to(at_noon(DAY_BEFORE_END))
    purge()
    assert Pupil.objects.filter(pk=canary.pk).exists()
    assert TestResult.objects.filter(pupil_id=canary.pk).count() == 1

    # Exactly two years after leaving is not yet more than two years.
    time_machine.move_to(at_noon(dt.date(2026, 7, 15)))
    purge()
    assert Pupil.objects.filter(pk=canary.pk).exists()

    time_machine.move_to(at_noon(DAY_AFTER_END))
    out = purge()
    assert not Pupil.objects.filter(pk=canary.pk).exists()
    assert "11AA00 OBS De Proef: 1 leerling(en) verwijderd" in out


def test_no_canary_is_left_in_any_table_after_a_purge(
    world: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    # The search finds every canary while the pupil is there.
    assert canaries_in_database() == CANARY_TEXTS

    time_machine.move_to(at_noon(DAY_AFTER_END))
    purge()

    assert canaries_in_database() == []


def test_it_never_purges_a_pupil_without_a_leaving_date(
    world: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(at_noon(dt.date(2040, 1, 1)))

    purge()

    # Anna and Bram have no leaving date; only the canary had one.
    assert set(Pupil.objects.values_list("surname", flat=True)) == {"Appel", "Boom"}


def test_a_longer_retention_period_keeps_the_pupil_longer(
    world: dict[str, Any], time_machine: TimeMachineFixture, settings: Any
) -> None:
    settings.KOERS_RETENTION_YEARS = 5
    time_machine.move_to(at_noon(DAY_AFTER_END))

    purge()

    assert Pupil.objects.filter(pk=world["canary"].pk).exists()


# --- what a purge removes and what it keeps ------------------------------------


def test_it_removes_the_pupils_rows_and_unlinks_it_from_group_records(
    world: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    canary, bram = world["canary"], world["bram"]
    time_machine.move_to(at_noon(DAY_AFTER_END))

    purge()

    assert not TestResult.objects.filter(pupil_id=canary.pk).exists()
    assert not PupilDecision.objects.filter(pk=world["decision"].pk).exists()
    # The deviation is the group's: it stays, with Bram and without the canary.
    deviation = GroupDeviation.objects.get(pk=world["deviation"].pk)
    assert list(deviation.pupils.all()) == [bram]
    # Other pupils' results are untouched: Anna 3, Bram 1.
    assert TestResult.objects.count() == 4


def test_it_takes_the_pupil_out_of_undo_records_and_meeting_packs(
    world: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    anna, bram = world["anna"], world["bram"]
    time_machine.move_to(at_noon(DAY_AFTER_END))

    purge()

    undo_log = ImportBatch.objects.get(pk=world["batch"].pk).undo_log
    assert undo_log["previous"]["pupil"] == [[anna.pk, {"surname": "Appel-oud"}]]
    # The canary's result is gone, so is the record of what it held before.
    assert undo_log["previous"]["result"] == []
    assert undo_log["created"]["pupil"] == [bram.pk]

    pack = Meeting.objects.get(pk=world["meeting"].pk).pack
    assert pack is not None
    # Still two signals in the minutes; the canary's shows as a removed pupil.
    assert [signal["pupil_id"] for signal in pack["pupils"]] == [None, bram.pk]
    assert pack["pupils"][0] == {
        "group_id": 1,
        "subject": "rekenen",
        "rule": "persistently_low",
        "rule_label": "blijvend laag",
        "pupil_id": None,
        "explanation": "",
    }
    assert pack["pupil_decisions"] == []


def test_it_pseudonymises_the_audit_entries_about_the_pupil(
    world: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    canary = world["canary"]
    pseudonym = pupil_pseudonym(canary.pk)
    pupil_type = ContentType.objects.get_for_model(Pupil)
    before = set(LogEntry.objects.values_list("pk", flat=True))
    time_machine.move_to(at_noon(DAY_AFTER_END))

    purge()

    # Every entry is still there: the counts of who did what remain.
    assert before <= set(LogEntry.objects.values_list("pk", flat=True))
    assert not LogEntry.objects.filter(
        content_type=pupil_type, object_pk=str(canary.pk)
    ).exists()
    view = LogEntry.objects.get(
        pk=min(
            before
            & set(
                LogEntry.objects.filter(content_type=pupil_type).values_list(
                    "pk", flat=True
                )
            )
        )
    )
    assert view.object_pk == pseudonym
    assert view.object_repr == f"schools.pupil {pseudonym}"
    assert view.additional_data["pupil"] == pseudonym
    # The decision's entries name the pupil by pseudonym; their changes keep the
    # field names only.
    decision_type = ContentType.objects.get_for_model(PupilDecision)
    for entry in LogEntry.objects.filter(content_type=decision_type):
        assert entry.object_pk == pseudonym
        assert entry.additional_data["pupil"] == pseudonym
        assert all(v == [REDACTED, REDACTED] for v in (entry.changes or {}).values())
    # The deviation's entries that listed the canary list the pseudonym instead.
    deviation_type = ContentType.objects.get_for_model(GroupDeviation)
    listed = [
        entry.changes["pupils"]["objects"]
        for entry in LogEntry.objects.filter(content_type=deviation_type)
        if entry.changes and "pupils" in entry.changes
    ]
    assert listed
    assert all(canary.pk not in objects for objects in listed)
    assert any(pseudonym in objects for objects in listed)
    # And the purge itself is an event, under the pseudonym.
    event = LogEntry.objects.get(additional_data__event="purge")
    assert event.object_pk == pseudonym
    assert event.additional_data["reason"] == "retention"


def test_the_pseudonym_is_stable_and_reveals_nothing() -> None:
    assert pupil_pseudonym(12) == pupil_pseudonym(12)
    assert pupil_pseudonym(12) != pupil_pseudonym(13)
    assert is_pseudonym(pupil_pseudonym(12))
    assert "12" not in pupil_pseudonym(12)[:3]


def test_a_second_run_changes_nothing(
    world: dict[str, Any], time_machine: TimeMachineFixture, ledger_file: Path
) -> None:
    time_machine.move_to(at_noon(DAY_AFTER_END))
    purge()
    after_first = dump_database()

    out = purge()

    assert dump_database() == after_first
    assert "Totaal verwijderd: 0 leerling(en)." in out
    assert len(ledger_lines(ledger_file)) == 1


def test_a_failure_leaves_that_pupil_untouched_and_purges_the_others(
    world: dict[str, Any],
    time_machine: TimeMachineFixture,
    monkeypatch: pytest.MonkeyPatch,
    ledger_file: Path,
) -> None:
    canary = world["canary"]
    other = Pupil.objects.create(
        school=world["school"], key="11AA-8", surname="Vertrokken", exit_date=LEFT_ON
    )
    real = traces.scrub_meeting_packs

    def fail_for_canary(pupil: Pupil, decisions: Any) -> int:
        if pupil.pk == canary.pk:
            raise RuntimeError("disk full")
        return real(pupil, decisions)

    monkeypatch.setattr(purge_module, "scrub_meeting_packs", fail_for_canary)
    time_machine.move_to(at_noon(DAY_AFTER_END))
    canary_rows = canary_dump(canary)

    with pytest.raises(CommandError, match="1 leerling"):
        purge()

    assert canary_dump(canary) == canary_rows
    assert not Pupil.objects.filter(pk=other.pk).exists()
    keys = [line["pupil_key"] for line in ledger_lines(ledger_file)]
    assert keys == [pupil_pseudonym(other.pk)]
    assert list(PurgeRecord.objects.values_list("pupil_key", flat=True)) == keys


def canary_dump(canary: Pupil) -> dict[str, Any]:
    """Everything the canary's purge would change."""
    return {
        "pupil": list(Pupil.objects.filter(pk=canary.pk).values()),
        "results": list(TestResult.objects.filter(pupil=canary).values()),
        "decisions": list(PupilDecision.objects.filter(pupil=canary).values()),
        "links": list(GroupDeviation.pupils.through.objects.values()),
        "packs": list(Meeting.objects.values("pack")),
        "undo": list(ImportBatch.objects.values("undo_log")),
        "log": list(
            LogEntry.objects.filter(
                Q(object_pk=str(canary.pk)) | Q(additional_data__pupil=canary.pk)
            ).values()
        ),
    }


# --- every relation has a rule ------------------------------------------------


def test_every_model_that_refers_to_a_pupil_has_a_purge_rule() -> None:
    assert unhandled_relations() == []
    # And no rule is left for a relation that no longer exists.
    assert set(HANDLING) == {relation.key for relation in pupil_relations()}


def test_a_relation_without_a_rule_stops_the_purge_before_anything_changes(
    world: dict[str, Any],
    time_machine: TimeMachineFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(HANDLING, "cycle.pupildecision.pupil")
    time_machine.move_to(at_noon(DAY_AFTER_END))
    before = dump_database()

    with pytest.raises(CommandError, match=r"cycle\.pupildecision\.pupil"):
        purge()
    with pytest.raises(UnhandledRelation):
        purge_pupil(world["canary"].pk, PurgeReason.REQUEST)

    assert dump_database() == before


# --- the command line ----------------------------------------------------------


def test_a_dry_run_lists_pseudonyms_per_school_and_changes_nothing(
    world: dict[str, Any], time_machine: TimeMachineFixture, ledger_file: Path
) -> None:
    time_machine.move_to(at_noon(DAY_AFTER_END))
    before = dump_database()

    out = purge("--dry-run")

    assert dump_database() == before
    assert not ledger_file.exists()
    assert "vóór 16-07-2024" in out
    assert "11AA00 OBS De Proef: 1 leerling(en)" in out
    assert pupil_pseudonym(world["canary"].pk) in out
    assert "toetsresultaten: 1" in out
    assert all(canary not in out for canary in CANARY_TEXTS)


def test_the_school_option_purges_that_school_only(
    world: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    other_school = School.objects.create(brin="22BB", name="De Ander")
    gone = Pupil.objects.create(school=other_school, surname="Weg", exit_date=LEFT_ON)
    time_machine.move_to(at_noon(DAY_AFTER_END))

    out = purge("--school", "22BB")

    assert not Pupil.objects.filter(pk=gone.pk).exists()
    assert Pupil.objects.filter(pk=world["canary"].pk).exists()
    assert "22BB00 De Ander: 1 leerling(en) verwijderd" in out


def test_the_ledger_file_holds_pseudonyms_and_counts_only(
    world: dict[str, Any], time_machine: TimeMachineFixture, ledger_file: Path
) -> None:
    canary = world["canary"]
    time_machine.move_to(at_noon(DAY_AFTER_END))

    purge()

    [line] = ledger_lines(ledger_file)
    assert line["pupil_key"] == pupil_pseudonym(canary.pk)
    assert line["reason"] == "retention"
    assert line["school_code"] == "11AA00"
    assert line["counts"]["results.testresult.pupil"] == 1
    assert line["counts"]["cycle.groupdeviation.pupils"] == 1
    assert line["counts"]["import_undo_records"] == 1
    assert line["counts"]["meeting_packs"] == 1
    assert all(canary not in ledger_file.read_text() for canary in CANARY_TEXTS)
    record = PurgeRecord.objects.get()
    assert record.pupil_key == line["pupil_key"]
    assert record.counts == line["counts"]


# --- a restored back-up ------------------------------------------------------


# Specific to SQLite, the default install, whose back-up is a copy of the file;
# the replay itself (file to database) is the same on PostgreSQL and is tested
# there by test_a_replay_restores_ledger_records_of_pupils_not_in_the_back_up.
@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="restores a copy of the SQLite file"
)
@pytest.mark.django_db(transaction=True)
def test_replaying_the_ledger_purges_a_restored_pupil_again(
    world: dict[str, Any], time_machine: TimeMachineFixture, ledger_file: Path
) -> None:
    canary = world["canary"]
    time_machine.move_to(at_noon(DAY_AFTER_END))
    connection.ensure_connection()
    backup = sqlite3.connect(":memory:")
    connection.connection.backup(backup)

    purge()
    assert not Pupil.objects.filter(pk=canary.pk).exists()

    # The restore brings the pupil back, and the ledger table as it was then.
    backup.backup(connection.connection)
    assert Pupil.objects.filter(pk=canary.pk).exists()
    assert not PurgeRecord.objects.exists()
    assert canaries_in_database() == CANARY_TEXTS

    out = purge("--replay")

    assert not Pupil.objects.filter(pk=canary.pk).exists()
    assert canaries_in_database() == []
    assert "1 leerling(en) opnieuw verwijderd" in out
    record = PurgeRecord.objects.get()
    assert (record.pupil_key, record.replayed) == (pupil_pseudonym(canary.pk), True)
    # The file is not written twice; a second replay finds nothing.
    assert len(ledger_lines(ledger_file)) == 1
    assert "Totaal opnieuw verwijderd: 0" in purge("--replay")


def test_a_replay_purges_a_pupil_that_a_restore_brought_back(
    world: dict[str, Any], time_machine: TimeMachineFixture, ledger_file: Path
) -> None:
    # On every engine: the restore is played by putting the pupil's row back
    # under its old id, as a restored back-up of the database does.
    canary = world["canary"]
    time_machine.move_to(at_noon(DAY_AFTER_END))
    purge()
    PurgeRecord.objects.all().delete()
    Pupil.objects.create(pk=canary.pk, school=canary.school, surname="Terug")

    out = purge("--replay")

    assert not Pupil.objects.filter(pk=canary.pk).exists()
    assert "1 leerling(en) opnieuw verwijderd" in out


def test_a_replay_without_a_ledger_file_says_so_and_fails(
    db: None, ledger_file: Path, tmp_path: Path
) -> None:
    assert not ledger_file.exists()
    elsewhere = tmp_path / "nergens.jsonl"

    with pytest.raises(CommandError) as default:
        purge("--replay")
    with pytest.raises(CommandError) as given:
        purge("--replay", "--ledger", str(elsewhere))

    assert default.value.returncode == 1
    assert f"Geen verwijderregister gevonden op {ledger_file}" in str(default.value)
    assert f"Geen verwijderregister gevonden op {elsewhere}" in str(given.value)
    assert not PurgeRecord.objects.exists()


def test_a_replay_restores_ledger_records_of_pupils_not_in_the_back_up(
    db: None, ledger_file: Path
) -> None:
    school = School.objects.create(brin="33CC", name="Oud")
    ledger_file.write_text(
        json.dumps(
            {
                "pupil_key": pupil_pseudonym(999999),
                "school_id": school.pk,
                "school_code": "33CC00",
                "purged_at": "2026-07-16T10:00:00+00:00",
                "reason": "request",
                "counts": {"results.testresult.pupil": 4},
            }
        )
        + "\n"
        + "{half geschreven\n"
    )

    purge("--replay")

    record = PurgeRecord.objects.get()
    assert record.reason == PurgeReason.REQUEST
    assert record.school == school
    assert record.counts == {"results.testresult.pupil": 4}


# --- the overdue notice -------------------------------------------------------


def test_the_applicatiebeheerder_sees_how_many_pupils_are_overdue(
    world: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    Pupil.objects.create(school=world["school"], surname="Ook weg", exit_date=LEFT_ON)
    admin = sign_in(make_user("beheer", world["school"], role=Role.ADMIN))
    support = sign_in(make_user("ib", world["school"], role=Role.SUPPORT))
    time_machine.move_to(at_noon(DAY_AFTER_END))
    notice = "2 leerlingen zijn langer dan 2 jaar weg en worden bij de volgende"

    assert notice in admin.get(reverse("analysis:home")).content.decode()
    assert due_for_purge([world["school"]]).count() == 2
    home = support.get(reverse("analysis:home"), follow=True).content.decode()
    assert "langer dan 2 jaar weg" not in home


def test_no_notice_before_anyone_is_overdue(
    world: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    admin = sign_in(make_user("beheer", world["school"], role=Role.ADMIN))
    time_machine.move_to(at_noon(DAY_BEFORE_END))

    home = admin.get(reverse("analysis:home")).content.decode()

    assert "langer dan 2 jaar weg" not in home
