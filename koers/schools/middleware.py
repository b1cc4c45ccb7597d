"""Session rules that hold on every page: a second factor before any page of
Koers, and an absolute limit on how long one sign-in lasts. The idle limit is
the session's own age (SESSION_COOKIE_AGE, renewed on every request)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from koers.schools.auth import SIGNED_IN_AT, has_second_factor, passed_second_factor

logger = logging.getLogger(__name__)

# The pages a signed-in user without a passed second factor may still reach:
# signing out, and setting up or using the factor. Nothing else, so a
# password alone opens no page with pupil data.
SECOND_FACTOR_PAGES = frozenset(
    {
        "account_logout",
        "account_login",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        # allauth asks for the password again before a factor is set up when
        # the sign-in is more than a few minutes old.
        "account_reauthenticate",
        "mfa_activate_totp",
        "mfa_authenticate",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
    }
)


def _url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


class SecondFactorRequired:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not passed_second_factor(request)
            and _url_name(request) not in SECOND_FACTOR_PAGES
        ):
            if has_second_factor(user):
                # A session that never passed the factor the account has (one
                # made some other way than the login form): sign in again.
                logger.warning("session without second factor user=%s", user.pk)
                logout(request)
                return redirect_to_login(request.get_full_path())
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class SessionLimits:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            limit = settings.KOERS_SESSION_MAX_AGE.total_seconds()
            if signed_in_at is None or time.time() - float(signed_in_at) > limit:
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
