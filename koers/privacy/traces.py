"""What other records keep of a pupil without a foreign key: the undo record of an
import and the stored preparation of a closed schoolbespreking.

Both are JSON. An import's undo record holds, per row it changed, the values the
row had before: a pupil's earlier name and birth date. A closed meeting's pack
holds a signal per pupil with its figures. A purge removes the pupil from both,
keeping what the school needs: the import stays undoable for its other rows,
and the minutes keep the number of signals, shown as a removed pupil.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Q

from koers.cycle.models import Meeting
from koers.results.models import ImportBatch
from koers.schools.models import Pupil

# The kinds in an undo record, by the model of the rows they name.
UNDO_KINDS = {
    "schools.pupil": "pupil",
    "schools.enrolment": "enrolment",
    "results.testresult": "result",
    "results.transitiontestresult": "transition_result",
}

# What a purged pupil's signal keeps in a closed meeting's pack: which rule, in
# which group and subject, so that the minutes still count it.
KEPT_SIGNAL_KEYS = ("group_id", "subject", "rule", "rule_label")


def scrub_undo_logs(pupil: Pupil, removed: Mapping[str, Iterable[int]]) -> int:
    """Remove the pupil's rows from the undo records of the school's imports.
    `removed` maps a model label (`results.testresult`) to the removed pks."""
    by_kind = {
        UNDO_KINDS[label]: set(pks)
        for label, pks in removed.items()
        if label in UNDO_KINDS
    }
    by_kind.setdefault("pupil", set()).add(pupil.pk)

    changed = 0
    batches = ImportBatch.objects.filter(
        Q(school_id=pupil.school_id) | Q(school__isnull=True)
    )
    for batch in batches.only("pk", "undo_log"):
        log = batch.undo_log
        scrubbed = _scrub_undo_log(log, by_kind)
        if scrubbed != log:
            ImportBatch.objects.filter(pk=batch.pk).update(undo_log=scrubbed)
            changed += 1
    return changed


def _scrub_undo_log(log: dict[str, Any], by_kind: dict[str, set[int]]) -> Any:
    if not isinstance(log, dict):
        return log
    created = {
        kind: [pk for pk in pks if pk not in by_kind.get(kind, set())]
        for kind, pks in log.get("created", {}).items()
    }
    previous = {
        kind: [row for row in rows if row[0] not in by_kind.get(kind, set())]
        for kind, rows in log.get("previous", {}).items()
    }
    scrubbed = dict(log)
    if "created" in log:
        scrubbed["created"] = created
    if "previous" in log:
        scrubbed["previous"] = previous
    return scrubbed


def scrub_meeting_packs(pupil: Pupil, decision_ids: Iterable[int]) -> int:
    """Anonymise the pupil's signals in the packs of the school's closed meetings
    and drop the evaluations of the pupil's removed decisions."""
    removed_decisions = set(decision_ids)
    changed = 0
    meetings = Meeting.objects.filter(school_id=pupil.school_id, pack__isnull=False)
    for meeting in meetings.only("pk", "pack"):
        pack = meeting.pack
        scrubbed = _scrub_pack(pack, pupil.pk, removed_decisions)
        if scrubbed != pack:
            Meeting.objects.filter(pk=meeting.pk).update(pack=scrubbed)
            changed += 1
    return changed


def _scrub_pack(pack: Any, pupil_id: int, decisions: set[int]) -> Any:
    if not isinstance(pack, dict):
        return pack
    signals = [
        {
            **{key: signal.get(key) for key in KEPT_SIGNAL_KEYS},
            "pupil_id": None,
            "explanation": "",
        }
        if signal.get("pupil_id") == pupil_id
        else signal
        for signal in pack.get("pupils", [])
    ]
    evaluations = [
        item
        for item in pack.get("pupil_decisions", [])
        if not (item.get("kind") == "PupilDecision" and item.get("id") in decisions)
    ]
    scrubbed = dict(pack)
    if "pupils" in pack:
        scrubbed["pupils"] = signals
    if "pupil_decisions" in pack:
        scrubbed["pupil_decisions"] = evaluations
    return scrubbed
