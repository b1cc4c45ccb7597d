"""Accounts for the tests: a staff member with a role, signed in the way allauth
signs one in after a password and a code from the authenticator app."""

from __future__ import annotations

import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import User
from django.test import Client

from koers.schools.models import Role, School, SchoolMembership, Teacher

PASSWORD = "lang-genoeg-wachtwoord"
# A base32 secret as an authenticator app would hold it.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def make_user(
    username: str = "ib-er",
    *schools: School,
    role: Role = Role.SUPPORT,
    teacher: Teacher | None = None,
    second_factor: bool = True,
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    for school in schools:
        SchoolMembership.objects.create(
            user=user, school=school, role=role, teacher=teacher
        )
    if second_factor:
        TOTP.activate(user, TOTP_SECRET)
    return user


def totp_code(secret: str = TOTP_SECRET, at: float | None = None) -> str:
    """The code the app shows now (or at a given time)."""
    counter = int((time.time() if at is None else at) // 30)
    code: str = format_hotp_value(hotp_value(secret, counter))
    return code


def sign_in(user: User, client: Client | None = None) -> Client:
    """A client signed in with password and second factor."""
    client = client or Client()
    client.force_login(user)
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "username": user.get_username()},
        {"method": "mfa", "at": now, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client
