"""Undoing one import batch: what it created goes, what it changed comes back.

While a file is written, `UndoLog` records the rows the batch created (results and
transition-test results carry the batch themselves) and, for every row it
changed, the values that row had before. `undo_batch` replays that record
backwards in one transaction.

Undo is exact only when no later import of the same school still stands on top
of the batch: a later file may have updated a result this batch created, or
enrolled a pupil it created. So a school undoes its imports newest first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import ForeignObjectRel
from django.utils import timezone
from django.utils.translation import gettext as _

from koers.results.models import (
    ImportBatch,
    Instrument,
    TestResult,
    TransitionTestResult,
)
from koers.schools.models import Enrolment, Group, Pupil, SchoolYear, Teacher

logger = logging.getLogger(__name__)

# Raised to 2 when the record changes shape; a batch without it predates undo.
UNDO_LOG_VERSION = 1

UPDATABLE: dict[str, type[models.Model]] = {
    "result": TestResult,
    "transition_result": TransitionTestResult,
    "pupil": Pupil,
    "enrolment": Enrolment,
}


class UndoRefused(Exception):
    """The batch cannot be undone; the message is Dutch, for the user."""


@dataclass
class UndoLog:
    """What one batch created and what the rows it changed looked like before."""

    created: dict[str, list[int]] = field(default_factory=dict)
    previous: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    teacher_links: list[tuple[int, int]] = field(default_factory=list)

    def add_created(self, kind: str, pk: int) -> None:
        self.created.setdefault(kind, []).append(pk)

    def add_previous(self, kind: str, pk: int, values: dict[str, Any]) -> None:
        # A row changed twice by one batch keeps its oldest value per field.
        stored = self.previous.setdefault(kind, {}).setdefault(pk, {})
        for name, value in values.items():
            stored.setdefault(name, value)

    def as_json(self) -> dict[str, Any]:
        return {
            "version": UNDO_LOG_VERSION,
            "created": self.created,
            "previous": {
                kind: [[pk, values] for pk, values in rows.items()]
                for kind, rows in self.previous.items()
            },
            "teacher_links": [list(link) for link in self.teacher_links],
        }


def refusal_reason(
    batch: ImportBatch, *, newest_active: int | None = None
) -> str | None:
    """Why this batch cannot be undone now, in Dutch; None when it can.

    `newest_active` is the newest batch of the school that is not undone, when
    the caller knows it (a list of every batch); else it is looked up.
    """
    if batch.undone_at is not None:
        return _("Deze import is al ongedaan gemaakt.")
    if batch.undo_log.get("version") != UNDO_LOG_VERSION:
        return _(
            "Deze import is gedaan voordat Koers bijhield wat een import "
            "verandert; hij kan niet ongedaan worden gemaakt."
        )
    if newest_active is not None:
        has_later = newest_active > batch.pk
    else:
        has_later = later_batches(batch).exists()
    if has_later:
        return _(
            "Er zijn later nog bestanden voor deze school geïmporteerd. Maak "
            "eerst die imports ongedaan, de nieuwste eerst."
        )
    return None


def later_batches(batch: ImportBatch) -> models.QuerySet[ImportBatch]:
    later = ImportBatch.objects.filter(pk__gt=batch.pk, undone_at__isnull=True)
    if batch.school_id is None:
        return later.filter(school__isnull=True)
    return later.filter(school_id=batch.school_id)


def undo_batch(batch: ImportBatch, undone_by: str) -> dict[str, int]:
    """Undo the batch; the number of rows removed and restored, per kind."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        reason = refusal_reason(batch)
        if reason is not None:
            raise UndoRefused(reason)

        log = batch.undo_log
        counts = remove_created(batch, log)
        counts.update(restore_previous(log))
        counts.update(remove_created_lookups(log))

        batch.undone_at = timezone.now()
        batch.undone_by = undone_by[:150]
        batch.save(update_fields=["undone_at", "undone_by"])

    logger.info("import undone batch=%s counts=%s", batch.pk, counts)
    return counts


def remove_created(batch: ImportBatch, log: dict[str, Any]) -> dict[str, int]:
    # Results first: they hold the pupils, enrolments and instruments in place.
    counts = {
        "results_removed": TestResult.objects.filter(import_batch=batch).delete()[0],
        "transition_results_removed": TransitionTestResult.objects.filter(
            import_batch=batch
        ).delete()[0],
    }

    for teacher_id, group_id in log.get("teacher_links", []):
        Teacher.groups.through.objects.filter(
            teacher_id=teacher_id, group_id=group_id
        ).delete()

    created = log.get("created", {})
    counts["enrolments_removed"] = Enrolment.objects.filter(
        pk__in=created.get("enrolment", [])
    ).delete()[0]
    counts["teachers_removed"] = delete_unreferenced(Teacher, created.get("teacher"))
    counts["pupils_removed"] = delete_unreferenced(Pupil, created.get("pupil"))
    counts["groups_removed"] = delete_unreferenced(Group, created.get("group"))
    return counts


def restore_previous(log: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind, rows in log.get("previous", {}).items():
        model = UPDATABLE[kind]
        restored = 0
        for pk, values in rows:
            # A row the batch changed may have been removed since (a pupil
            # created and then updated by the same batch); update() skips it.
            restored += model._default_manager.filter(pk=pk).update(**values)
        counts[f"{kind}s_restored"] = restored
    return counts


def remove_created_lookups(log: dict[str, Any]) -> dict[str, int]:
    """Tests and school years are shared by every school: they go only when no
    other school's data has come to use them."""
    created = log.get("created", {})
    return {
        "instruments_removed": delete_unreferenced(
            Instrument, created.get("instrument")
        ),
        "school_years_removed": delete_unreferenced(
            SchoolYear, created.get("school_year")
        ),
    }


def delete_unreferenced(model: type[models.Model], pks: list[int] | None) -> int:
    removed = 0
    for row in model._default_manager.filter(pk__in=pks or []):
        if not is_referenced(row):
            row.delete()
            removed += 1
    return removed


def is_referenced(row: models.Model) -> bool:
    """True when any row of any model points at this one, so deleting it would
    cascade into, or be refused by, data the batch did not create."""
    # Hidden relations count too: results point at their school year through a
    # relation without a reverse name.
    for relation in row._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel):
            continue
        related = relation.related_model
        if not isinstance(related, type):
            continue
        lookup = {relation.field.name: row}
        if related._default_manager.filter(**lookup).exists():
            return True
    return False
