"""Changes to accounts in the audit trail: switched off or on, second factor
wiped, signed out everywhere, password reset or changed, authenticator removed.

`koers.schools.accounts` calls `record_account` for what an applicatiebeheerder
or `koers user` does; allauth's signals bring what users do to their own
account. One event per school where the account has a role, so that each of
those schools' logboek shows it. Only ids and codes: the account by its id, the
event by its code, never a password, a code or an address of mail.

Granting and removing a role is recorded by django-auditlog itself (the
membership is registered in `audit_registry`), with the account's id added.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import authenticator_removed
from auditlog.context import auditlog_disabled
from auditlog.models import LogEntry
from django.contrib.auth.models import AbstractBaseUser, User
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from koers.privacy import audit
from koers.schools.models import SchoolMembership

logger = logging.getLogger(__name__)

DEACTIVATED = "deactivated"
ACTIVATED = "activated"
SECOND_FACTOR_RESET = "second-factor-reset"
SESSIONS_ENDED = "sessions-ended"
PASSWORD_RESET = "password-reset"  # noqa: S105 (an event code)
PASSWORD_CHANGED = "password-changed"  # noqa: S105 (an event code)
AUTHENTICATOR_REMOVED = "authenticator-removed"

EVENT_LABELS = {
    DEACTIVATED: _("account gedeactiveerd"),
    ACTIVATED: _("account geactiveerd"),
    SECOND_FACTOR_RESET: _("tweede stap gewist"),
    SESSIONS_ENDED: _("overal uitgelogd"),
    PASSWORD_RESET: _("wachtwoord hersteld"),
    PASSWORD_CHANGED: _("wachtwoord gewijzigd"),
    AUTHENTICATOR_REMOVED: _("authenticator-app uitgezet"),
}
# Membership entries of django-auditlog, by their action.
ROLE_LABELS = {
    LogEntry.Action.CREATE: _("rol toegekend"),
    LogEntry.Action.UPDATE: _("rol gewijzigd"),
    LogEntry.Action.DELETE: _("rol weggehaald"),
}


def schools_of(user: AbstractBaseUser) -> list[int]:
    return sorted(
        set(
            SchoolMembership.objects.filter(user_id=user.pk).values_list(
                "school_id", flat=True
            )
        )
    )


def record_account(
    user: AbstractBaseUser,
    event: str,
    *,
    actor: AbstractBaseUser | None = None,
    schools: Iterable[int] | None = None,
    **numbers: int,
) -> list[LogEntry]:
    """One event per school of the account. Without `actor`, django-auditlog's
    middleware names the signed-in user of the request; on the command line
    there is none, and the entry says so."""
    if auditlog_disabled.get():
        return []

    entries = []
    for school_id in schools if schools is not None else schools_of(user):
        details: dict[str, Any] = {
            "kind": audit.ACCOUNT,
            "event": event,
            "school": school_id,
            "account": user.pk,
            **numbers,
        }
        entry = LogEntry.objects.log_create(
            user,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            actor=actor if isinstance(actor, User) else None,
            additional_data=details,
        )
        if entry is not None:
            entries.append(entry)
    logger.info(
        "audit account event=%s user=%s schools=%d", event, user.pk, len(entries)
    )
    return entries


def on_password_reset(
    sender: Any, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
) -> None:
    # Through a link by mail: nobody is signed in, the account did it itself.
    record_account(user, PASSWORD_RESET, actor=user)


def on_password_changed(
    sender: Any, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
) -> None:
    record_account(user, PASSWORD_CHANGED, actor=user)


def on_authenticator_removed(
    sender: Any, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
) -> None:
    record_account(user, AUTHENTICATOR_REMOVED, actor=user)


def connect() -> None:
    password_reset.connect(on_password_reset, dispatch_uid="koers-audit-pw-reset")
    password_changed.connect(on_password_changed, dispatch_uid="koers-audit-pw-changed")
    authenticator_removed.connect(
        on_authenticator_removed, dispatch_uid="koers-audit-mfa-removed"
    )
