"""Everything Koers stores about one pupil, for an access request (AVG art. 15).

The rows come from every model that refers to the pupil (`koers.privacy.relations`),
so a model added later is in the export without anyone remembering it, and from
the audit log: who looked at or changed the pupil's data, and when.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from auditlog.models import LogEntry
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from koers.privacy import audit_search
from koers.privacy.audit_pages import page_label
from koers.privacy.audit_refs import entries_about
from koers.privacy.audit_search import about_pupils
from koers.privacy.relations import PupilRelation, pupil_relations
from koers.schools.models import Pupil

FORMAT = "koers-leerlinggegevens/1"


@dataclass(frozen=True)
class Section:
    relation: PupilRelation
    rows: list[models.Model]


@dataclass(frozen=True)
class PupilData:
    pupil: Pupil
    sections: list[Section]
    audit_entries: list[Any]


def collect(pupil: Pupil) -> PupilData:
    sections = [
        Section(relation, list(relation.rows(pupil))) for relation in pupil_relations()
    ]
    rows = {
        section.relation.model: [row.pk for row in section.rows]
        for section in sections
        if not section.relation.many_to_many
    }
    # Besides the pupil's own pages and rows: every group page, cohort, report
    # and export of a group the pupil was in, as the logboek's pupil search
    # finds them; those pages showed the pupil too.
    query = Q(pk__in=entries_about(pupil.pk, rows).values("pk")) | (
        about_pupils([pupil.pk]) & Q(additional_data__school=pupil.school_id)
    )
    entries = (
        LogEntry.objects.filter(query)
        .select_related("actor", "content_type")
        .order_by("timestamp", "pk")
    )
    return PupilData(pupil, sections, list(entries))


def concrete_fields(row: models.Model) -> list[models.Field[Any, Any]]:
    return [field for field in row._meta.concrete_fields if not field.primary_key]


def row_values(row: models.Model) -> dict[str, Any]:
    """Every stored field of a row; a foreign key as its id and its text."""
    values: dict[str, Any] = {"id": row.pk}
    for field in concrete_fields(row):
        value = getattr(row, field.attname)
        values[field.name] = value
        if field.is_relation and value is not None:
            values[f"{field.name}_text"] = str(getattr(row, field.name))
    return values


def entry_values(entry: Any) -> dict[str, Any]:
    return {
        "timestamp": entry.timestamp,
        "action": str(entry.get_action_display()),
        "actor": entry.actor.get_username() if entry.actor else "",
        "object": str(entry.content_type.model_class()._meta.verbose_name)
        if entry.content_type.model_class()
        else entry.content_type.model,
        "object_id": entry.object_pk,
        "details": entry.additional_data,
        "description": audit_search.kind_label(entry, entry.additional_data or {}),
    }


def as_json(data: PupilData) -> dict[str, Any]:
    pupil = data.pupil
    return {
        "format": FORMAT,
        "exported_at": timezone.now(),
        "school": {
            "brin": pupil.school.brin,
            "branch_code": pupil.school.branch_code,
            "name": pupil.school.name,
        },
        "pupil": row_values(pupil),
        "related": {
            section.relation.key: {
                "label": section.relation.label,
                "link_only": section.relation.many_to_many,
                "rows": [row_values(row) for row in section.rows],
            }
            for section in data.sections
        },
        "audit_log": [entry_values(entry) for entry in data.audit_entries],
    }


def as_json_bytes(data: PupilData) -> bytes:
    text = json.dumps(
        as_json(data), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )
    return text.encode()


# Dutch labels for fields whose model gives none of its own (Django would show
# the field's English name).
FIELD_LABELS = {
    "school": _("school"),
    "pupil": _("leerling"),
    "group": _("groep"),
    "school_year": _("schooljaar"),
    "evaluate_year": _("evalueren in schooljaar"),
    "created_by": _("vastgelegd door"),
    "instrument": _("toets"),
    "import_batch": _("import"),
}
EMPTY = "\u2013"  # an en dash, as the pages show an empty value


def field_label(field: models.Field[Any, Any]) -> str:
    """The model's own label, unless it is Django's default: the field's name."""
    default = field.name.replace("_", " ")
    if str(field.verbose_name) == default and field.name in FIELD_LABELS:
        return str(FIELD_LABELS[field.name])
    return str(field.verbose_name)


def display_value(row: models.Model, field: models.Field[Any, Any]) -> Any:
    """A field's value as a page shows it: a choice by its label, a related row by
    its text, yes or no, a number rounded and a date as a date for the template
    to localise."""
    value = getattr(row, field.attname)
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if field.is_relation:
        return str(getattr(row, field.name))
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, float):
        return number_format(value, decimal_pos=1)
    if isinstance(value, Decimal):
        return number_format(value)
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value


def printable_rows(row: models.Model) -> list[tuple[str, Any]]:
    return [
        (field_label(field), display_value(row, field))
        for field in concrete_fields(row)
    ]


def printable_entry(entry: Any) -> dict[str, Any]:
    """One line of "who looked at or changed the data", in Dutch: the same
    labels as the logboek."""
    data: dict[str, Any] = entry.additional_data or {}
    model = entry.content_type.model_class()
    return {
        "timestamp": entry.timestamp,
        "actor": audit_search.user_label(entry, data),
        "action": audit_search.kind_label(entry, data),
        "page": page_label(str(data.get("page", ""))),
        "object": str(model._meta.verbose_name) if model else entry.content_type.model,
    }
