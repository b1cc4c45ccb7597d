"""Operations on accounts that `koers user` and the account pages of an
applicatiebeheerder share: signing an account out everywhere, wiping its second
factor, deactivating it, and what the list of a school's accounts shows.

Sessions live in the database, so ending them means deleting their rows: the
next request with an old cookie finds no session and goes to the login page
(security.md AUTH-5). Accounts without a login for `DORMANT_AFTER` are flagged
as dormant (AUTH-7).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Prefetch

from koers.lib.values import school_year_of
from koers.privacy.audit_accounts import (
    ACTIVATED,
    DEACTIVATED,
    SECOND_FACTOR_RESET,
    SESSIONS_ENDED,
    record_account,
)
from koers.schools.access import AnyUser, schools_for
from koers.schools.models import (
    BoardMembership,
    Group,
    Role,
    School,
    SchoolMembership,
    Teacher,
)
from koers.schools.roles import Permission

logger = logging.getLogger(__name__)

DORMANT_AFTER = dt.timedelta(days=90)


def generate_password() -> str:
    # 96 random bits as 16 URL-safe characters: past the 12-character minimum
    # and easy to type over from a screen.
    return secrets.token_urlsafe(12)


def end_sessions(user: User) -> int:
    """Sign the account out everywhere; the number of sessions ended."""
    count = _end_sessions(user)
    record_account(user, SESSIONS_ENDED, sessions=count)
    return count


def _end_sessions(user: User) -> int:
    ended = [
        session.pk
        for session in Session.objects.iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    logger.info("sessions ended user=%s count=%d", user.pk, len(ended))
    return len(ended)


@transaction.atomic
def reset_second_factor(user: User) -> None:
    """Wipe the authenticator app and recovery codes; the next login sets up a
    new app. The sessions go too: they passed the factor that was wiped."""
    Authenticator.objects.filter(user=user).delete()
    count = _end_sessions(user)
    record_account(user, SECOND_FACTOR_RESET, sessions=count)
    logger.info("second factor reset user=%s", user.pk)


@transaction.atomic
def deactivate(user: User) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    count = _end_sessions(user)
    record_account(user, DEACTIVATED, sessions=count)
    logger.info("account deactivated user=%s", user.pk)


def activate(user: User) -> None:
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_account(user, ACTIVATED)
    logger.info("account activated user=%s", user.pk)


def is_dormant(user: User, now: dt.datetime) -> bool:
    """No login for `DORMANT_AFTER`; an account that never signed in counts from
    the day it was made."""
    return now - (user.last_login or user.date_joined) > DORMANT_AFTER


@transaction.atomic
def create_account(username: str, email: str, password: str, grant: Grant) -> User:
    """A new account with its first role; it sets up its second factor at its
    first login."""
    user = User.objects.create_user(username=username, email=email, password=password)
    grant_role(user, grant)
    return user


@dataclass(frozen=True)
class Grant:
    """A role at a school, with the LAS teacher record for the role teacher."""

    school: School
    role: Role
    teacher: Teacher | None = None


def grant_role(user: User, grant: Grant) -> SchoolMembership:
    membership = SchoolMembership.objects.create(
        user=user, school=grant.school, role=grant.role, teacher=grant.teacher
    )
    logger.info(
        "role granted user=%s school=%s role=%s",
        user.pk,
        grant.school.pk,
        grant.role,
    )
    return membership


def revoke_role(membership: SchoolMembership) -> None:
    """Takes effect on the user's next request: every page reads the roles."""
    membership.delete()
    logger.info(
        "role revoked user=%s school=%s role=%s",
        membership.user_id,
        membership.school_id,
        membership.role,
    )


def beyond_manager(user: User, manager: AnyUser) -> bool:
    """Whether the account reaches further than the manager manages: a role at
    another school, a board, or staff rights in Django. Wiping its factor or
    switching it off would then change access the manager does not govern."""
    if user.is_staff or user.is_superuser:
        return True
    if BoardMembership.objects.filter(user=user).exists():
        return True
    managed = schools_for(manager, Permission.ACCOUNTS)
    return (
        SchoolMembership.objects.filter(user=user).exclude(school__in=managed).exists()
    )


@dataclass(frozen=True)
class AccountSummary:
    """One line of a school's account list. Only staff data: roles, teacher
    records and group names, never a pupil."""

    user: User
    memberships: list[SchoolMembership]
    teachers: list[Teacher]
    groups: list[Group]
    second_factor: bool
    dormant: bool


def school_accounts(
    school: School, now: dt.datetime, only: User | None = None
) -> list[AccountSummary]:
    """Every account with a role at the school (or just `only`), by username,
    with the groups of its teacher records in the school year of `now`."""
    current = school_year_of(now.date())
    memberships = SchoolMembership.objects.filter(school=school).select_related(
        "teacher"
    )
    users = User.objects.filter(school_memberships__school=school)
    if only is not None:
        users = users.filter(pk=only.pk)
    users = (
        users.distinct()
        .order_by("username")
        .prefetch_related(
            Prefetch("school_memberships", memberships, to_attr="roles_here")
        )
    )
    with_factor = set(
        Authenticator.objects.filter(
            type=Authenticator.Type.TOTP, user__school_memberships__school=school
        ).values_list("user_id", flat=True)
    )
    groups_by_teacher = _current_groups(school, current)
    return [
        _summary(user, user.roles_here, groups_by_teacher, user.pk in with_factor, now)
        for user in users
    ]


def _summary(
    user: User,
    memberships: list[SchoolMembership],
    groups_by_teacher: dict[int, list[Group]],
    second_factor: bool,
    now: dt.datetime,
) -> AccountSummary:
    teachers = [m.teacher for m in memberships if m.teacher is not None]
    groups = {
        group for teacher in teachers for group in groups_by_teacher.get(teacher.pk, [])
    }
    return AccountSummary(
        user=user,
        memberships=memberships,
        teachers=teachers,
        groups=sorted(groups, key=lambda group: group.name),
        second_factor=second_factor,
        dormant=is_dormant(user, now),
    )


def _current_groups(school: School, start_year: int) -> dict[int, list[Group]]:
    groups = Group.objects.filter(
        school=school, school_year__start_year=start_year
    ).prefetch_related("teachers")
    by_teacher: dict[int, list[Group]] = {}
    for group in groups:
        for teacher in group.teachers.all():
            by_teacher.setdefault(teacher.pk, []).append(group)
    return by_teacher
