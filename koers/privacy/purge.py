"""Purging a pupil: at the end of the retention period, or on request.

A purge removes the pupil and every row that is the pupil's own, unlinks the
pupil from group records, removes the pupil from import undo records and closed
meeting packs, and pseudonymises the audit entries about the pupil. Each pupil
is purged in a transaction of its own: a failure leaves that pupil as it was.
A purged pupil is gone, so a second run finds nothing to do.

Every purge is written to the ledger, in the database and in the ledger file;
`replay` purges again every pupil of the file that a restored back-up brought
back (security.md RET-5, BCK-3).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from koers.privacy import ledger
from koers.privacy.audit_refs import entries_about, pseudonymise, pupil_names
from koers.privacy.audit_registry import purging
from koers.privacy.models import PurgeReason, PurgeRecord
from koers.privacy.pseudonyms import pupil_pseudonym
from koers.privacy.relations import (
    Handling,
    PupilRelation,
    handled_relations,
    pupil_relations,
)
from koers.privacy.traces import scrub_meeting_packs, scrub_undo_logs
from koers.schools.models import Pupil, School

logger = logging.getLogger(__name__)

# The counts a purge records besides one per relation.
AUDIT_ENTRIES = "audit_entries"
UNDO_RECORDS = "import_undo_records"
MEETING_PACKS = "meeting_packs"


@dataclass(frozen=True)
class PurgeResult:
    pupil_key: str
    school_id: int
    counts: dict[str, int]


@dataclass
class PurgeRun:
    """What a run of the retention purge or a replay did."""

    purged: list[PurgeResult] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def retention_cutoff(today: dt.date | None = None) -> dt.date:
    """Pupils who left before this date are past retention."""
    today = today or timezone.localdate()
    years = settings.KOERS_RETENTION_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        # 29 February in a year that has none.
        return today.replace(year=today.year - years, day=28)


def due_for_purge(
    schools: Iterable[School] | models.QuerySet[School] | None = None,
) -> models.QuerySet[Pupil]:
    """Pupils whose leaving date is more than the retention period ago. A pupil
    without a leaving date is still at school and never due."""
    pupils = Pupil.objects.filter(
        exit_date__isnull=False, exit_date__lt=retention_cutoff()
    )
    if schools is not None:
        pupils = pupils.filter(school__in=schools)
    return pupils.order_by("school_id", "pk")


def preview_counts(pupil: Pupil) -> dict[str, int]:
    """What purging the pupil would remove or unlink, per relation, and how many
    audit entries it would pseudonymise."""
    counts = {
        relation.key: relation.link_count(pupil) for relation in pupil_relations()
    }
    owned = {
        relation.model: list(relation.rows(pupil).values_list("pk", flat=True))
        for relation, handling in handled_relations()
        if handling is Handling.DELETE
    }
    counts[AUDIT_ENTRIES] = entries_about(pupil.pk, owned).count()
    return counts


def count_labels(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The counts with a Dutch label each, for a page or the command line."""
    relations = {relation.key: relation for relation in pupil_relations()}
    labels = {
        AUDIT_ENTRIES: _("regels in het logboek (gepseudonimiseerd)"),
        UNDO_RECORDS: _("importverslagen (leerling eruit gehaald)"),
        MEETING_PACKS: _("vastgestelde schoolbesprekingen (leerling geanonimiseerd)"),
    }
    rows = []
    for key, count in counts.items():
        relation = relations.get(key)
        if relation is not None and relation.many_to_many:
            label = _("%(records)s (alleen de koppeling)") % {"records": relation.label}
        elif relation is not None:
            label = relation.label
        else:
            label = labels.get(key, key)
        rows.append((str(label), count))
    return rows


def purge_pupil(
    pupil_id: int,
    reason: PurgeReason,
    *,
    actor: AbstractBaseUser | None = None,
    write_ledger_file: bool = True,
    replayed: bool = False,
) -> PurgeResult | None:
    """Purge one pupil in one transaction; None when the pupil is already gone."""
    relations = handled_relations()
    with transaction.atomic(), purging(str(reason)):
        pupil = (
            Pupil.objects.select_for_update()
            .select_related("school")
            .filter(pk=pupil_id)
            .first()
        )
        if pupil is None:
            return None
        school = pupil.school
        names = pupil_names(pupil)
        pupil_key = pupil_pseudonym(pupil_id)

        counts, owned, linked = remove_rows(pupil, relations)
        removed = {model._meta.label_lower: pks for model, pks in owned.items()}
        counts[UNDO_RECORDS] = scrub_undo_logs(pupil, removed)
        decisions = removed.get("cycle.pupildecision", [])
        counts[MEETING_PACKS] = scrub_meeting_packs(pupil, decisions)
        pupil.delete()
        # After the delete: auditlog's own entry of the delete is rewritten too.
        counts[AUDIT_ENTRIES] = pseudonymise(pupil_id, names, owned, linked)

        record = PurgeRecord.objects.create(
            pupil_key=pupil_key,
            school=school,
            school_code=f"{school.brin}{school.branch_code}",
            purged_at=timezone.now(),
            reason=reason,
            counts=counts,
            replayed=replayed,
        )
        log_purge(record, actor)
        # Last, so that a purge that failed before this point is not in the file.
        if write_ledger_file:
            ledger.append(ledger_line(record))

    logger.info(
        "pupil purged pupil=%s school=%s reason=%s replayed=%s",
        pupil_key,
        school.pk,
        reason,
        replayed,
    )
    return PurgeResult(pupil_key, school.pk, counts)


RowsByModel = dict[type[models.Model], list[int]]


def remove_rows(
    pupil: Pupil, relations: list[tuple[PupilRelation, Handling]]
) -> tuple[dict[str, int], RowsByModel, RowsByModel]:
    """Delete the pupil's own rows and unlink the rest; the counts per relation,
    the removed pks and the unlinked pks per model."""
    counts: dict[str, int] = {}
    owned: RowsByModel = defaultdict(list)
    linked: RowsByModel = defaultdict(list)
    for relation, handling in relations:
        rows = relation.rows(pupil)
        pks = list(rows.values_list("pk", flat=True))
        counts[relation.key] = len(pks)
        if handling is Handling.DELETE:
            owned[relation.model].extend(pks)
            rows.delete()
        elif relation.many_to_many:
            linked[relation.model].extend(pks)
            for row in rows:
                getattr(row, relation.field_name).remove(pupil)
        else:
            linked[relation.model].extend(pks)
            rows.update(**{relation.field_name: None})
    return counts, dict(owned), dict(linked)


def log_purge(record: PurgeRecord, actor: AbstractBaseUser | None) -> None:
    """The purge itself in the audit log, under the pupil's pseudonym."""
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Pupil),
        object_pk=record.pupil_key,
        object_id=None,
        object_repr=record.pupil_key,
        action=LogEntry.Action.DELETE,
        actor=actor,
        additional_data={
            "event": "purge",
            "reason": record.reason,
            "school": record.school_id,
            "counts": record.counts,
        },
    )


def ledger_line(record: PurgeRecord) -> ledger.LedgerLine:
    return ledger.LedgerLine(
        pupil_key=record.pupil_key,
        school_id=record.school_id,
        school_code=record.school_code,
        purged_at=record.purged_at.isoformat(),
        reason=record.reason,
        counts=dict(record.counts),
    )


def purge_expired(
    schools: Iterable[School] | models.QuerySet[School] | None = None,
) -> PurgeRun:
    """Purge every pupil past retention, each on its own; a pupil that fails is
    reported and left as it was, the others go on."""
    handled_relations()
    run = PurgeRun()
    for pupil_id in list(due_for_purge(schools).values_list("pk", flat=True)):
        attempt(run, pupil_id, PurgeReason.RETENTION)
    return run


def attempt(run: PurgeRun, pupil_id: int, reason: PurgeReason, **options: Any) -> None:
    try:
        result = purge_pupil(pupil_id, reason, **options)
    except Exception:
        logger.exception("purge failed pupil=%s", pupil_pseudonym(pupil_id))
        run.failed.append(pupil_pseudonym(pupil_id))
        return
    if result is not None:
        run.purged.append(result)


def replay(path: Path | None = None) -> PurgeRun:
    """Apply the ledger file again, after a restore: purge every pupil in it that
    exists again, and put the file's purges back in the ledger table."""
    handled_relations()
    lines = {line.pupil_key: line for line in ledger.read(path)}
    run = PurgeRun()
    for pupil_id in list(Pupil.objects.values_list("pk", flat=True)):
        line = lines.get(pupil_pseudonym(pupil_id))
        if line is not None:
            reason = PurgeReason(line.reason)
            attempt(run, pupil_id, reason, write_ledger_file=False, replayed=True)

    known = set(PurgeRecord.objects.values_list("pupil_key", flat=True))
    restored = [
        record_from_line(line) for key, line in lines.items() if key not in known
    ]
    PurgeRecord.objects.bulk_create(restored)
    logger.info(
        "ledger replayed lines=%d purged=%d failed=%d records_restored=%d",
        len(lines),
        len(run.purged),
        len(run.failed),
        len(restored),
    )
    return run


def record_from_line(line: ledger.LedgerLine) -> PurgeRecord:
    school_exists = (
        line.school_id is not None and School.objects.filter(pk=line.school_id).exists()
    )
    return PurgeRecord(
        pupil_key=line.pupil_key,
        school_id=line.school_id if school_exists else None,
        school_code=line.school_code,
        purged_at=dt.datetime.fromisoformat(line.purged_at),
        reason=line.reason,
        counts=line.counts,
        replayed=True,
    )
