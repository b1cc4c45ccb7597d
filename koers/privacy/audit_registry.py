"""Which changes django-auditlog records, and what it may keep of them.

Plans, meetings and their records, the school's settings and accounts are
registered. Deny by default: every text or JSON field is masked in the diff
unless it is listed as plain below (a code, not free text), so a field added
later cannot leak notes or names. An entry's `object_repr` is always the
model and id, never `__str__` (which names pupils, or quotes a decision), and
`additional_data` carries the school the object belongs to, so that the audit
page can scope entries to a school, even after the object is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from auditlog.context import auditlog_disabled
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.db import models
from django.db.models.signals import m2m_changed, pre_save

logger = logging.getLogger(__name__)

MASK = "***"

# The reason of the purge in progress in this thread, if any: the rows a purge
# deletes leave auditlog entries that would otherwise say neither who nor why.
PURGING: ContextVar[str | None] = ContextVar("koers_purging", default=None)


@contextmanager
def purging(reason: str) -> Iterator[None]:
    token = PURGING.set(reason)
    try:
        yield
    finally:
        PURGING.reset(token)


@dataclass(frozen=True)
class Tracked:
    model: str
    # Attribute paths, from the object to the ids that scope its entries.
    school: str = "school_id"
    pupil: str = ""
    group: str = ""
    # The account a change is about (a role), shown by its username.
    account: str = ""
    plain: frozenset[str] = frozenset()
    exclude: tuple[str, ...] = ()
    many: tuple[str, ...] = field(default=())


TRACKED = (
    Tracked("cycle.EducationPlan"),
    Tracked("cycle.PlanSubject", school="plan.school_id"),
    Tracked("cycle.Arrangement", school="plan_subject.plan.school_id"),
    Tracked("cycle.SchoolAgreement", school="plan.school_id"),
    Tracked("cycle.Meeting"),
    Tracked("cycle.Decision", school="meeting.school_id"),
    Tracked("cycle.Action", school="meeting.school_id"),
    Tracked("cycle.ProfessionalDevelopmentPlan", many=("agreements",)),
    Tracked("cycle.GroupDeviation", group="group_id", many=("pupils",)),
    Tracked("cycle.PupilDecision", pupil="pupil_id"),
    Tracked("analysis.Ambition"),
    Tracked("analysis.FlagRuleSetting", plain=frozenset({"rule", "parameters"})),
    Tracked("schools.SchoolWeighting"),
    Tracked("schools.SchoolMembership", account="user_id"),
    Tracked("schools.BoardMembership", school="", account="user_id"),
    Tracked(
        "auth.User",
        school="",
        plain=frozenset({"username"}),
        exclude=("last_login",),
    ),
)

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def mask(value: str) -> str:
    """All of it: auditlog's own mask keeps half the text."""
    return MASK if value and value != "None" else value


def masked_fields(model: type[models.Model], tracked: Tracked) -> list[str]:
    return [
        model_field.name
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, TEXT_FIELDS)
        and not model_field.choices
        and model_field.name not in tracked.plain
    ]


def follow(instance: models.Model, path: str) -> int | None:
    """The id at the end of `path`; None when a step is gone (a cascade)."""
    value: Any = instance
    try:
        for step in path.split("."):
            value = getattr(value, step)
    except (models.ObjectDoesNotExist, AttributeError):
        return None
    return value if isinstance(value, int) else None


def additional_data_of(tracked: Tracked) -> Callable[[models.Model], dict[str, Any]]:
    def get_additional_data(self: models.Model) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": "change"}
        for key, path in (
            ("school", tracked.school),
            ("pupil", tracked.pupil),
            ("group", tracked.group),
            ("account", tracked.account),
        ):
            if path:
                data[key] = follow(self, path)
        return data

    return get_additional_data


def register_models() -> None:
    for tracked in TRACKED:
        model = apps.get_model(tracked.model)
        auditlog.register(
            model,
            exclude_fields=list(tracked.exclude),
            mask_fields=masked_fields(model, tracked),
            mask_callable="koers.privacy.audit_registry.mask",
        )
        # auditlog asks the object for `get_additional_data` when it writes.
        setattr(model, "get_additional_data", additional_data_of(tracked))  # noqa: B010
        for name in tracked.many:
            through = getattr(model, name).through
            m2m_changed.connect(
                log_many_changed(name),
                sender=through,
                dispatch_uid=f"koers-audit-{tracked.model}-{name}",
                weak=False,
            )

    pre_save.connect(
        pseudonymous_repr, sender=LogEntry, dispatch_uid="koers-audit-repr"
    )


def pseudonymous_repr(
    sender: type[LogEntry], instance: LogEntry, **kwargs: Any
) -> None:
    """Model and id instead of `__str__`, for every entry, whoever wrote it; and
    the purge that wrote it, if one did."""
    content_type = instance.content_type
    instance.object_repr = (
        f"{content_type.app_label}.{content_type.model} {instance.object_pk}"
    )
    reason = PURGING.get()
    if reason is not None and instance.actor_id is None:
        data = instance.additional_data
        instance.additional_data = {
            **(data if isinstance(data, dict) else {}),
            "purge": reason,
        }


def log_many_changed(name: str) -> Callable[..., None]:
    """Additions and removals of a many-to-many field, as ids: auditlog's own
    handler writes the related objects' `__str__`, a pupil's name."""

    def receiver(
        sender: type[models.Model],
        instance: models.Model,
        action: str,
        reverse: bool,
        pk_set: set[int] | None,
        **kwargs: Any,
    ) -> None:
        if reverse or auditlog_disabled.get():
            return
        operations = {"post_add": "add", "post_remove": "delete", "post_clear": "clear"}
        if action not in operations or (action != "post_clear" and not pk_set):
            return
        changes = {
            name: {
                "type": "m2m",
                "operation": operations[action],
                "objects": sorted(pk_set or []),
            }
        }
        LogEntry.objects.log_create(
            instance, action=LogEntry.Action.UPDATE, changes=changes
        )

    return receiver
