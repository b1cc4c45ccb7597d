"""Searching the audit trail of one school: by user, pupil, period and kind, and
the scope of a breach (LOG-6): which pupils one user touched in a period.

Only entries whose `additional_data` names the school are ever returned, so an
applicatiebeheerder or privacy officer sees their own school's trail and no
other. Pupils appear by Koers's id and leerlingnummer, never by name: the roles
that search the trail may not read dossiers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koers.cycle.models import Meeting
from koers.privacy import audit
from koers.privacy.audit_accounts import EVENT_LABELS, ROLE_LABELS
from koers.privacy.audit_pages import page_label
from koers.privacy.models import PurgeReason
from koers.schools.models import Enrolment, Group, Pupil, Role, School

KIND_LABELS = {
    audit.VIEW: _("bekeken"),
    audit.EXPORT: _("geëxporteerd"),
    audit.PRINT: _("afgedrukt"),
    audit.CHANGE: _("gewijzigd"),
    audit.IMPORT: _("geïmporteerd"),
    audit.UNDO: _("import ongedaan gemaakt"),
    audit.ACCOUNT: _("account gewijzigd"),
}
PURGE_LABELS = {
    str(PurgeReason.RETENTION.value): _("verwijderd (bewaartermijn)"),
    str(PurgeReason.REQUEST.value): _("verwijderd (verzoek)"),
}
ACTION_LABELS = {
    LogEntry.Action.CREATE: _("aangemaakt"),
    LogEntry.Action.UPDATE: _("gewijzigd"),
    LogEntry.Action.DELETE: _("verwijderd"),
    LogEntry.Action.ACCESS: _("gelezen"),
}
READS = (audit.VIEW, audit.EXPORT, audit.PRINT)


@dataclass(frozen=True)
class Criteria:
    user_id: int | None = None
    # None: any pupil; an empty set: a pupil was asked for that is not there.
    pupil_ids: frozenset[int] | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    kind: str = ""


def entries_of(school: School) -> QuerySet[LogEntry]:
    entries: QuerySet[LogEntry] = LogEntry.objects.filter(
        additional_data__school=school.pk
    )
    return entries


def search(school: School, criteria: Criteria) -> QuerySet[LogEntry]:
    entries = within(entries_of(school), criteria.start, criteria.end)
    if criteria.user_id is not None:
        entries = entries.filter(actor_id=criteria.user_id)
    if criteria.kind:
        entries = entries.filter(additional_data__kind=criteria.kind)
    if criteria.pupil_ids is not None:
        entries = entries.filter(about_pupils(criteria.pupil_ids))
    return entries.select_related("actor", "content_type").order_by("-timestamp", "-pk")


def within(
    entries: QuerySet[LogEntry], start: dt.date | None, end: dt.date | None
) -> QuerySet[LogEntry]:
    """Days in the school's time zone; `end` included."""
    if start is not None:
        entries = entries.filter(timestamp__gte=day_start(start))
    if end is not None:
        entries = entries.filter(timestamp__lt=day_start(end + dt.timedelta(days=1)))
    return entries


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def about_pupils(pupil_ids: Iterable[int]) -> Q:
    """Entries about the pupils themselves, and reads of a group page while they
    were in that group: a group page shows each of its pupils."""
    ids = sorted(set(pupil_ids))
    groups = Enrolment.objects.filter(pupil_id__in=ids).values_list(
        "group_id", flat=True
    )
    return Q(additional_data__pupil__in=ids) | Q(
        additional_data__group__in=sorted(set(groups))
    )


def pupils_matching(school: School, number: str, koers_id: int | None) -> set[int]:
    """The pupils of the school with this leerlingnummer or Koers id. An id with
    no pupil (any more) still matches: a purged pupil's trail stays findable."""
    found: set[int] = set()
    if number:
        found |= set(
            Pupil.objects.filter(school=school, key=number).values_list("pk", flat=True)
        )
    if koers_id is not None:
        found.add(koers_id)
    return found


# Breach scope --------------------------------------------------------------------


@dataclass
class Scope:
    """What one user may have seen: pupils by page, and the school-wide pages."""

    direct: set[int] = field(default_factory=set)
    by_group: dict[int, set[int]] = field(default_factory=dict)
    school_pages: set[str] = field(default_factory=set)

    @property
    def pupil_ids(self) -> set[int]:
        return self.direct.union(*self.by_group.values())


def breach_scope(
    school: School, user_id: int, start: dt.date | None, end: dt.date | None
) -> Scope:
    """The pupils user U touched in period P: the pupils whose pages, records or
    decisions they read, exported, printed or changed, and the pupils of every
    group page they opened. School-wide pages list separately, since they can
    show any pupil of the school."""
    entries = within(entries_of(school), start, end).filter(actor_id=user_id)

    scope = Scope()
    school_types = {
        content_type.pk
        for content_type in ContentType.objects.get_for_models(School, Meeting).values()
    }
    for data, content_type_id in entries.values_list(
        "additional_data", "content_type_id"
    ):
        pupil = data.get("pupil")
        group = data.get("group")
        if isinstance(pupil, int):
            scope.direct.add(pupil)
        elif isinstance(group, int):
            scope.by_group.setdefault(group, set())
        elif data.get("kind") in READS and content_type_id in school_types:
            scope.school_pages.add(str(data.get("page", "")))

    for group_id, pupil_id in Enrolment.objects.filter(
        group_id__in=list(scope.by_group), group__school=school
    ).values_list("group_id", "pupil_id"):
        scope.by_group[group_id].add(pupil_id)
    return scope


# Presenting ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    when: dt.datetime
    user: str
    role: str
    kind: str
    page: str
    subject: str
    pupil: str
    address: str


def rows(school: School, entries: Iterable[LogEntry]) -> Iterator[Row]:
    """Entries as the page and the CSV show them. Pupil numbers are looked up per
    chunk of entries, so that a year's CSV does not load every pupil at once."""
    chunk: list[LogEntry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) == 500:
            yield from present(school, chunk)
            chunk = []
    yield from present(school, chunk)


def present(school: School, entries: list[LogEntry]) -> Iterator[Row]:
    pupil_ids = {
        pupil
        for entry in entries
        if isinstance(pupil := (entry.additional_data or {}).get("pupil"), int)
    }
    numbers = dict(
        Pupil.objects.filter(school=school, pk__in=pupil_ids).values_list("pk", "key")
    )
    account_ids = {
        account
        for entry in entries
        if isinstance(account := (entry.additional_data or {}).get("account"), int)
    }
    usernames = dict(
        User.objects.filter(pk__in=account_ids).values_list("pk", "username")
    )
    for entry in entries:
        yield present_one(entry, numbers, usernames)


def present_one(
    entry: LogEntry,
    numbers: dict[int, str | None],
    usernames: dict[int, str] | None = None,
) -> Row:
    data: dict[str, Any] = entry.additional_data or {}
    pupil = data.get("pupil")
    return Row(
        when=entry.timestamp,
        user=user_label(entry, data),
        role=role_label(str(data.get("role", ""))),
        kind=kind_label(entry, data),
        page=page_label(str(data.get("page", ""))),
        subject=subject_label(entry, data, usernames or {}),
        pupil=pupil_label(pupil, numbers),
        address=entry.remote_addr or "",
    )


def subject_label(
    entry: LogEntry, data: dict[str, Any], usernames: dict[int, str]
) -> str:
    """The object by type and id; an account (or a role of one) by username,
    or by id once the account is gone."""
    account = data.get("account")
    if isinstance(account, int):
        name = usernames.get(account) or str(account)
        if entry.content_type.model == "user":
            return str(_("account %(name)s") % {"name": name})
        return str(
            _("%(object)s van account %(name)s")
            % {"object": f"{entry.content_type.name} {entry.object_pk}", "name": name}
        )
    return f"{entry.content_type.name} {entry.object_pk}"


def user_label(entry: LogEntry, data: dict[str, Any]) -> str:
    if entry.actor is not None:
        return str(entry.actor.get_username())
    if data.get("operator"):
        return str(_("opdrachtregel (%(name)s)") % {"name": data["operator"]})
    if data.get("event") == "purge" or data.get("purge"):
        return str(_("Koers (opschoning)"))
    if data.get("kind") == audit.ACCOUNT:
        return str(_("opdrachtregel"))
    return entry.actor_email or str(_("onbekend"))


def role_label(codes: str) -> str:
    labels = {choice.value: str(choice.label) for choice in Role}
    return ", ".join(labels.get(code, code) for code in codes.split(",") if code)


def kind_label(entry: LogEntry, data: dict[str, Any]) -> str:
    kind = data.get("kind", "")
    if data.get("event") == "purge":
        reason = str(data.get("reason", ""))
        return str(PURGE_LABELS.get(reason, ACTION_LABELS[LogEntry.Action.DELETE]))
    if data.get("purge") and entry.action == LogEntry.Action.DELETE:
        reason = str(data["purge"])
        return str(PURGE_LABELS.get(reason, ACTION_LABELS[LogEntry.Action.DELETE]))
    if kind == audit.ACCOUNT:
        event = str(data.get("event", ""))
        return str(EVENT_LABELS.get(event, KIND_LABELS[audit.ACCOUNT]))
    if kind == audit.CHANGE and entry.content_type.model == "schoolmembership":
        return membership_label(entry)
    if kind == audit.CHANGE:
        return str(ACTION_LABELS.get(entry.action, KIND_LABELS[audit.CHANGE]))
    return str(KIND_LABELS.get(kind, kind))


def membership_label(entry: LogEntry) -> str:
    """ "rol toegekend: IB'er": the role from the change, a code, never text."""
    action = str(ROLE_LABELS.get(entry.action, ACTION_LABELS[LogEntry.Action.UPDATE]))
    change = (entry.changes or {}).get("role")
    # auditlog stores the values as text, a missing one as "None".
    codes = (
        [code for code in change if code and code != "None"]
        if isinstance(change, list)
        else []
    )
    roles = {choice.value: str(choice.label) for choice in Role}
    if not codes:
        return action
    return f"{action}: " + " → ".join(roles.get(code, code) for code in codes)


def pupil_label(pupil: Any, numbers: dict[int, str | None]) -> str:
    if not isinstance(pupil, int):
        return str(pupil or "")
    number = numbers.get(pupil)
    return f"{pupil} ({number})" if number else str(pupil)


def group_names(school: School, group_ids: Iterable[int]) -> dict[int, str]:
    groups = Group.objects.filter(school=school, pk__in=list(group_ids))
    return {group.pk: str(group) for group in groups.select_related("school_year")}
