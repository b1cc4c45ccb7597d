"""Who may see which school, group and pupil: the one place that enforces the
authorisation matrix of `koers.schools.roles`.

Every view declares the permission it needs with `requires`; the lookups below
read that declaration from the request, so a view cannot fetch an object with a
wider reach than it declared, and a view that declared nothing fetches nothing.
An object outside the user's reach answers 404, so that the page does not even
confirm it exists.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from koers.lib.values import school_year_of
from koers.privacy.audit import record_read
from koers.schools.models import (
    Board,
    Enrolment,
    Group,
    Pupil,
    School,
    SchoolMembership,
)
from koers.schools.roles import (
    MATRIX,
    TEACHER_YEARS_BACK,
    Permission,
    Reach,
    roles_with,
)

logger = logging.getLogger(__name__)

AnyUser = AbstractBaseUser | AnonymousUser
V = TypeVar("V", bound=Callable[..., HttpResponse])

# The attribute `requires` sets on the request, and on the view for the tests
# that check every URL declares a permission.
REQUEST_ATTRIBUTE = "koers_permission"
VIEW_ATTRIBUTE = "koers_permissions"


def requires(
    permission: Permission, *, post: Permission | None = None
) -> Callable[[V], V]:
    """Declare what a view needs: `permission` to read it and, when a POST needs
    more than a GET, `post` to change something through it. Without a login the
    view redirects to the login page."""

    def decorate(view: V) -> V:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            needed = post if post is not None and request.method == "POST" else None
            setattr(request, REQUEST_ATTRIBUTE, needed or permission)
            response = view(request, *args, **kwargs)
            # Every read of pupil data leaves one audit event (LOG-1).
            record_read(request, needed or permission, kwargs, response)
            return response

        setattr(wrapper, VIEW_ATTRIBUTE, (permission, post))
        return wrapper  # type: ignore[return-value]

    return decorate


def declared(request: HttpRequest) -> Permission:
    """The permission the view declared. A view without one reaches nothing: a
    lookup from it fails closed, as a 404."""
    permission = getattr(request, REQUEST_ATTRIBUTE, None)
    if not isinstance(permission, Permission):
        logger.error("view %s looked up data without declaring a permission", request)
        raise Http404
    return permission


def schools_for(user: AnyUser, permission: Permission) -> QuerySet[School]:
    """The schools where one of the user's roles grants `permission` over the
    whole school."""
    if not user.is_authenticated:
        return School.objects.none()
    memberships = SchoolMembership.objects.filter(
        user_id=user.pk, role__in=roles_with(permission, Reach.SCHOOL)
    )
    return School.objects.filter(pk__in=memberships.values("school_id"))


def own_groups(user: AnyUser, permission: Permission) -> QuerySet[Group]:
    """The groups a teacher's role reaches: the groups of their teacher record in
    the LAS, this school year and the one before."""
    if not user.is_authenticated:
        return Group.objects.none()
    teachers = SchoolMembership.objects.filter(
        user_id=user.pk,
        role__in=roles_with(permission, Reach.OWN_GROUPS),
        teacher__isnull=False,
    )
    current = school_year_of(timezone.localdate())
    return Group.objects.filter(
        pk__in=Group.objects.filter(
            teachers__in=teachers.values("teacher_id"),
            school_year__start_year__gte=current - TEACHER_YEARS_BACK,
            school_year__start_year__lte=current,
        ).values("pk")
    )


def groups_for(user: AnyUser, permission: Permission) -> QuerySet[Group]:
    return Group.objects.filter(
        Q(school__in=schools_for(user, permission))
        | Q(pk__in=own_groups(user, permission).values("pk"))
    )


def pupils_for(user: AnyUser, permission: Permission) -> QuerySet[Pupil]:
    in_groups = Enrolment.objects.filter(group__in=own_groups(user, permission))
    return Pupil.objects.filter(
        Q(school__in=schools_for(user, permission))
        | Q(pk__in=in_groups.values("pupil_id"))
    )


def boards_for(user: AnyUser) -> QuerySet[Board]:
    if not user.is_authenticated:
        return Board.objects.none()
    return Board.objects.filter(memberships__user_id=user.pk).distinct()


def permissions_at(user: AnyUser, school: School) -> frozenset[Permission]:
    """What the user may do at one school, to show only the links that work."""
    if not user.is_authenticated:
        return frozenset()
    roles = SchoolMembership.objects.filter(user_id=user.pk, school=school)
    granted: set[Permission] = set()
    for role in roles.values_list("role", flat=True):
        grant = MATRIX.get(role)  # type: ignore[call-overload]
        if grant is not None:
            granted |= grant.permissions
    return frozenset(granted)


def get_school(request: HttpRequest, school_id: int) -> School:
    school = schools_for(request.user, declared(request)).filter(pk=school_id).first()
    if school is None:
        raise Http404
    return school


def get_group(request: HttpRequest, group_id: int) -> Group:
    group = (
        groups_for(request.user, declared(request))
        .select_related("school", "school_year")
        .filter(pk=group_id)
        .first()
    )
    if group is None:
        raise Http404
    return group


def get_pupil(request: HttpRequest, pupil_id: int) -> Pupil:
    pupil = (
        pupils_for(request.user, declared(request))
        .select_related("school")
        .filter(pk=pupil_id)
        .first()
    )
    if pupil is None:
        raise Http404
    return pupil


def get_board(request: HttpRequest, board_id: int) -> Board:
    if declared(request) is not Permission.VIEW_BOARD:
        raise Http404
    board = boards_for(request.user).filter(pk=board_id).first()
    if board is None:
        raise Http404
    return board
