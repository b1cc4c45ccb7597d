"""Where a request came from, for the audit trail and the login lockout.

django-auditlog takes the address from `X-Forwarded-For` whenever a request
carries that header, so without a proxy in front any client could write another
address into the log. This middleware runs first: without a proxy it drops the
header; behind one (KOERS_TRUSTED_PROXIES proxies) it takes the address the
nearest trusted proxy saw and drops the header, so that every later reader sees
one trustworthy REMOTE_ADDR.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "HTTP_X_FORWARDED_FOR"


def client_address(forwarded: str, remote: str, proxies: int) -> str:
    """The address as the outermost trusted proxy saw it. Each proxy appends
    the address it received from, so the last `proxies` entries are trusted and
    anything to their left may be made up by the client."""
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return hops[-proxies]


class TrustedRemoteAddress:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        forwarded = request.META.pop(HEADER, None)
        proxies = settings.KOERS_TRUSTED_PROXIES
        if forwarded is not None and proxies > 0:
            request.META["REMOTE_ADDR"] = client_address(
                forwarded, request.META.get("REMOTE_ADDR", ""), proxies
            )
        return self.get_response(request)
