"""The audit entries that are about one pupil, and how a purge pseudonymises them.

An entry is about the pupil when its object is the pupil or one of the pupil's
rows (a result, a decision), or when its `additional_data` names the pupil under
a key with "pupil" in it (`{"pupil": 12}`, `{"pupil_ids": [12, 13]}`). A purge
keeps every entry, so that the counts of who did what remain, but replaces the
pupil's id, name and field values by the pupil's pseudonym.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from koers.privacy.pseudonyms import pupil_pseudonym
from koers.schools.models import Pupil

logger = logging.getLogger(__name__)

REDACTED = "***"

RowsByModel = Mapping[type[models.Model], Iterable[int]]


def objects_query(model: type[models.Model], pks: Iterable[int]) -> Q:
    content_type = ContentType.objects.get_for_model(model)
    return Q(content_type=content_type, object_pk__in=[str(pk) for pk in pks])


def mentions_pupil(value: Any, pupil_id: int, context: str = "") -> bool:
    """True when the pupil's id sits under a key with "pupil" in its name, at any
    depth (`{"pupils": {"objects": [12]}}`)."""
    if isinstance(value, dict):
        return any(
            mentions_pupil(item, pupil_id, _context(key, context))
            for key, item in value.items()
        )
    if isinstance(value, list):
        return any(mentions_pupil(item, pupil_id, context) for item in value)
    return bool(context) and _is_id(value, pupil_id)


def _context(key: Any, outer: str) -> str:
    return str(key) if "pupil" in str(key).lower() else outer


def _is_id(value: Any, pupil_id: int) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value == pupil_id
    return isinstance(value, str) and value == str(pupil_id)


def entries_mentioning(pupil_id: int) -> list[int]:
    """Entries whose additional data or changes name the pupil by id."""
    found = []
    for name in ("additional_data", "changes"):
        # The text search only narrows the candidates down; the walk decides.
        candidates = (
            LogEntry.objects.filter(**{f"{name}__isnull": False})
            .annotate(text=Cast(name, TextField()))
            .filter(text__contains=str(pupil_id))
            .values_list("pk", name)
        )
        found += [pk for pk, data in candidates if mentions_pupil(data, pupil_id)]
    return found


def own_entries(pupil_id: int, owned: RowsByModel | None = None) -> Q:
    """Entries whose object is the pupil or one of the pupil's own rows."""
    query = objects_query(Pupil, [pupil_id])
    for model, pks in (owned or {}).items():
        query |= objects_query(model, pks)
    return query


def entries_about(
    pupil_id: int, owned: RowsByModel | None = None
) -> models.QuerySet[Any]:
    """Every entry about the pupil: its own and those that mention it."""
    query = own_entries(pupil_id, owned) | Q(pk__in=entries_mentioning(pupil_id))
    entries: models.QuerySet[Any] = LogEntry.objects.filter(query)
    return entries


def replace_pupil(value: Any, pupil_id: int, names: set[str], context: str = "") -> Any:
    """`value` with the pupil's id (under a "pupil" key) and any text holding one of
    the pupil's names replaced by the pseudonym."""
    if isinstance(value, dict):
        return {
            key: replace_pupil(item, pupil_id, names, _context(key, context))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [replace_pupil(item, pupil_id, names, context) for item in value]
    if context and _is_id(value, pupil_id):
        return pupil_pseudonym(pupil_id)
    if isinstance(value, str) and any(name in value for name in names):
        return pupil_pseudonym(pupil_id)
    return value


def redact_changes(changes: Any) -> Any:
    """The fields that changed, without what they held."""
    if not isinstance(changes, dict):
        return None
    return {field: [REDACTED, REDACTED] for field in changes}


def pupil_names(pupil: Pupil) -> set[str]:
    """The texts that identify the pupil by name, as `str(pupil)` writes them and
    in parts long enough not to match ordinary words."""
    names = {str(pupil), pupil.display_name, pupil.surname, pupil.given_names}
    return {name for name in names if len(name.strip()) >= 3}


def pseudonymise(
    pupil_id: int, names: set[str], owned: RowsByModel, linked: RowsByModel
) -> int:
    """Rewrite the entries about the pupil and its own rows (`owned`, removed
    with it) entirely, and replace the pupil in entries that mention it, such as
    those of the rows it was linked to (`linked`, kept). The number rewritten."""
    pseudonym = pupil_pseudonym(pupil_id)
    own = LogEntry.objects.filter(own_entries(pupil_id, owned))
    own_pks = set(own.values_list("pk", flat=True))

    # An update, not save(): the log is append-only for everything but this.
    for entry in own.select_related("content_type"):
        content_type = entry.content_type
        LogEntry.objects.filter(pk=entry.pk).update(
            object_pk=pseudonym,
            object_id=None,
            object_repr=f"{content_type.app_label}.{content_type.model} {pseudonym}",
            serialized_data=None,
            changes=redact_changes(entry.changes),
            changes_text="",
            additional_data=replace_pupil(entry.additional_data, pupil_id, names),
        )

    others = Q(pk__in=entries_mentioning(pupil_id))
    for model, pks in linked.items():
        others |= objects_query(model, pks)
    mentioning = LogEntry.objects.filter(others).exclude(pk__in=own_pks)
    for entry in mentioning:
        LogEntry.objects.filter(pk=entry.pk).update(
            object_repr=replace_pupil(entry.object_repr, pupil_id, names),
            serialized_data=replace_pupil(entry.serialized_data, pupil_id, names),
            changes=replace_pupil(entry.changes, pupil_id, names),
            changes_text=replace_pupil(entry.changes_text, pupil_id, names),
            additional_data=replace_pupil(entry.additional_data, pupil_id, names),
        )

    rewritten = len(own_pks) + int(mentioning.count())
    logger.debug(
        "audit entries pseudonymised pupil=%s entries=%d", pseudonym, rewritten
    )
    return rewritten
