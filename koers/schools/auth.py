"""Signing in: accounts come from an applicatiebeheerder, never from signing up,
and every session that can reach pupil data has passed a second factor."""

from __future__ import annotations

import datetime as dt
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
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

logger = logging.getLogger(__name__)

# When this session signed in, for the absolute limit of koers.schools.middleware.
SIGNED_IN_AT = "koers_signed_in_at"
# allauth keeps the user id of its records beside them; a record of another
# user's session counts for nothing.
_RECORDS_USER = "account_authentication_methods_user"
# allauth's flash messages that Koers does not show: signing in and out speaks for
# itself, and the pages after setting up a factor or a new password say what
# happened. Shown, they would wait (in allauth's informal Dutch) for the first
# page with a message list, long after the fact.
QUIET_MESSAGES = frozenset(
    {
        "account/messages/logged_in.txt",
        "account/messages/logged_out.txt",
        "account/messages/password_changed.txt",
        "mfa/messages/totp_activated.txt",
        "mfa/messages/recovery_codes_generated.txt",
    }
)


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Setting up the factor, and seeing the recovery codes right after, asks
        for no second password: the password of a moment ago is recent enough.
        Without this allauth sends a new account from the set-up page to the
        password page and the middleware sends it back, round and round; and the
        codes would sit behind a password asked for twice in one minute."""
        request = context.request
        if (
            app == "allauth.mfa"
            and request is not None
            and request.user.is_authenticated
            and password_given_recently(request)
            and not has_older_second_factor(request.user)
        ):
            return False
        required: bool = super().is_reauthentication_required(app=app, **kwargs)
        return required

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Wrong passwords are django-axes's to count and lock out on (with a
        429); allauth's limit on failed logins stays for second-factor codes."""

    def authenticate(
        self, request: HttpRequest, **credentials: Any
    ) -> AbstractBaseUser | None:
        """A deactivated account with the right password gets the answer of a
        wrong password: allauth's "account inactive" page would confirm the
        password to whoever typed it (ASVS 6.3.8). django-axes has counted the
        attempt as failed already, as Django's backends refuse inactive users."""
        user: AbstractBaseUser | None = super().authenticate(request, **credentials)
        if user is not None and not user.is_active:
            logger.info("sign-in refused, account deactivated user=%s", user.pk)
            return None
        return user

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        if message_template in QUIET_MESSAGES:
            return
        super().add_message(
            request,
            level,
            message_template=message_template,
            message_context=message_context,
            extra_tags=extra_tags,
            message=message,
        )

    def format_email_subject(self, subject: str) -> str:
        # The templates name Koers themselves; allauth's prefix would be the
        # host name, such as "[127.0.0.1:8792]".
        return subject

    def send_password_reset_mail(
        self, user: AbstractBaseUser, email: str, context: dict[str, Any]
    ) -> None:
        hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
        super().send_password_reset_mail(user, email, {**context, "hours": hours})

    def send_mail(
        self, template_prefix: str, email: str, context: dict[str, Any]
    ) -> None:
        """A mail server that is down must not show in the answer: a reset for a
        known address would fail where one for an unknown address (which sends
        nothing) succeeds, and so tell which addresses have an account."""
        try:
            super().send_mail(template_prefix, email, context)
        except OSError as error:
            # smtplib.SMTPException and socket errors are both OSErrors. Only
            # the kind of error is logged: an SMTP refusal names the address.
            user = context.get("user")
            logger.warning(
                "mail not sent template=%s user=%s error=%s",
                template_prefix,
                getattr(user, "pk", None),
                type(error).__name__,
            )


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


def has_older_second_factor(user: AbstractBaseUser) -> bool:
    """Whether the user has a factor set up before the last few minutes (the
    reauthentication window), so one that is not being set up right now."""
    window = dt.timedelta(seconds=account_settings.REAUTHENTICATION_TIMEOUT)
    found: bool = Authenticator.objects.filter(
        user_id=user.pk,
        type=Authenticator.Type.TOTP,
        created_at__lte=timezone.now() - window,
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


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Nobody switches off their own second factor: without it no page of
        Koers opens, and a lost phone is the applicatiebeheerder's to reset."""
        return False
