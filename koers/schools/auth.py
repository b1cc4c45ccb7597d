"""Signing in: accounts come from an applicatiebeheerder, never from signing up,
and every session that can reach pupil data has passed a second factor."""

from __future__ import annotations

import logging
import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import (
    AUTHENTICATION_METHODS_SESSION_KEY,
    get_authentication_records,
)
from allauth.core import context
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

logger = logging.getLogger(__name__)

# When this session signed in, for the absolute limit of koers.schools.middleware.
SIGNED_IN_AT = "koers_signed_in_at"
# allauth keeps the user id of its records beside them; a record of another
# user's session counts for nothing.
_RECORDS_USER = "account_authentication_methods_user"


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Setting up the first factor right after signing in asks for no second
        password: the password of a moment ago is recent enough. Without this
        allauth sends a new account from the set-up page to the password page
        and the middleware sends it back, round and round."""
        request = context.request
        if (
            app == "allauth.mfa"
            and request is not None
            and request.user.is_authenticated
            and not has_second_factor(request.user)
            and password_given_recently(request)
        ):
            return False
        required: bool = super().is_reauthentication_required(app=app, **kwargs)
        return required

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Wrong passwords are django-axes's to count and lock out on (with a
        429); allauth's limit on failed logins stays for second-factor codes."""


def login_identifier(
    request: HttpRequest, credentials: dict[str, Any] | None
) -> str | None:
    """The account a login attempt is for, as django-axes counts failures: the
    same for `IB-er` and `ib-er`, whether it comes from the form or a backend."""
    values = credentials or {}
    for key in ("username", "email", "login"):
        if values.get(key):
            return str(values[key]).strip().lower()
    posted = request.POST.get("login") if request is not None else None
    return posted.strip().lower() if posted else None


def has_second_factor(user: AbstractBaseUser) -> bool:
    found: bool = Authenticator.objects.filter(
        user_id=user.pk, type=Authenticator.Type.TOTP
    ).exists()
    return found


def password_given_recently(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    window = account_settings.REAUTHENTICATION_TIMEOUT
    return any(
        record.get("method") == "password"
        and time.time() - float(record.get("at", 0)) < window
        for record in records
    )


def passed_second_factor(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def record_second_factor(request: HttpRequest, user: AbstractBaseUser) -> None:
    """Note in the session that this user passed a second factor now. allauth does
    so at a login with a code; this covers the session in which the factor was
    set up, whose owner just proved it with a code from the app."""
    records = [
        *get_authentication_records(request, user),
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    request.session[_RECORDS_USER] = str(user.pk)


@receiver(user_logged_in)
def note_sign_in(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()


@receiver(authenticator_added)
def note_new_factor(
    sender: Any, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any
) -> None:
    record_second_factor(request, user)
    logger.info("second factor set up user=%s", user.pk)
