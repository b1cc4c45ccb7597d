"""Who may see which school, group and pupil.

Every page looks its object up through these functions. An object outside the
user's schools answers 404, so that the page does not even confirm it exists.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from koers.schools.models import Group, Pupil, School

AnyUser = AbstractBaseUser | AnonymousUser


def schools_for_user(user: AnyUser) -> QuerySet[School]:
    if not user.is_authenticated:
        return School.objects.none()
    return School.objects.filter(memberships__user_id=user.pk).distinct()


def get_school_for_user(user: AnyUser, school_id: int) -> School:
    school = schools_for_user(user).filter(pk=school_id).first()
    if school is None:
        raise Http404
    return school


def get_group_for_user(user: AnyUser, group_id: int) -> Group:
    group = (
        Group.objects.select_related("school", "school_year")
        .filter(pk=group_id, school__in=schools_for_user(user))
        .first()
    )
    if group is None:
        raise Http404
    return group


def get_pupil_for_user(user: AnyUser, pupil_id: int) -> Pupil:
    pupil = (
        Pupil.objects.select_related("school")
        .filter(pk=pupil_id, school__in=schools_for_user(user))
        .first()
    )
    if pupil is None:
        raise Http404
    return pupil
