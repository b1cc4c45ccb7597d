"""Every model that refers to a pupil, found from the models themselves.

The purge and the export walk these relations, so that a model added later is
never forgotten: each relation needs a rule in `HANDLING`, and the purge refuses
to run (and a test fails) while one has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.db.models import ForeignObjectRel

from koers.schools.models import Pupil


class Handling(StrEnum):
    # The row is the pupil's own (a result, a decision): it goes with the pupil.
    DELETE = "delete"
    # The row belongs to a group (a deviation naming some of its pupils): only
    # the link to the pupil goes.
    UNLINK = "unlink"


HANDLING: dict[str, Handling] = {
    "schools.enrolment.pupil": Handling.DELETE,
    "results.testresult.pupil": Handling.DELETE,
    "results.transitiontestresult.pupil": Handling.DELETE,
    "cycle.pupildecision.pupil": Handling.DELETE,
    "cycle.groupdeviation.pupils": Handling.UNLINK,
}


class UnhandledRelation(Exception):
    """A model refers to pupils and nobody decided what a purge does with it."""


@dataclass(frozen=True)
class PupilRelation:
    model: type[models.Model]
    field_name: str
    many_to_many: bool

    @property
    def key(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field_name}"

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def rows(self, pupil: Pupil) -> models.QuerySet[models.Model]:
        manager = self.model._default_manager
        return manager.filter(**{self.field_name: pupil}).order_by("pk")

    def link_count(self, pupil: Pupil) -> int:
        return self.rows(pupil).count()


def pupil_relations() -> list[PupilRelation]:
    """Every foreign key and many-to-many field, of any model, that points at
    `Pupil`, including those without a reverse name."""
    found = []
    for relation in Pupil._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel):
            continue
        model = relation.related_model
        if not isinstance(model, type) or model._meta.auto_created:
            # The table behind a many-to-many field: its field covers it.
            continue
        found.append(PupilRelation(model, relation.field.name, relation.many_to_many))
    return sorted(found, key=lambda relation: relation.key)


def unhandled_relations() -> list[str]:
    return [r.key for r in pupil_relations() if r.key not in HANDLING]


def handled_relations() -> list[tuple[PupilRelation, Handling]]:
    """The relations with their rule; raises when one has none."""
    missing = unhandled_relations()
    if missing:
        raise UnhandledRelation(", ".join(missing))
    return [(relation, HANDLING[relation.key]) for relation in pupil_relations()]
