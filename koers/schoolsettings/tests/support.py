"""Helpers for the tests of the settings pages."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from koers.schools.models import School, SchoolMembership


def member_of(*schools: School, username: str = "ib-er", csrf: bool = False) -> Client:
    """A logged-in staff member of the schools given."""
    user = User.objects.create_user(username=username, password="pw")
    for school in schools:
        SchoolMembership.objects.create(user=user, school=school)
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client
