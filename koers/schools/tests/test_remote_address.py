"""The address in the audit trail cannot be made up by the client."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from koers.schools.remote_address import TrustedRemoteAddress, client_address


@pytest.mark.parametrize(
    ("forwarded", "proxies", "expected"),
    [
        # No proxy: the header is the client's own words.
        ("6.6.6.6", 0, "10.0.0.9"),
        # One proxy appended the real client; the client wrote 6.6.6.6 itself.
        ("6.6.6.6, 203.0.113.7", 1, "203.0.113.7"),
        # Two proxies: the outer one saw 203.0.113.7, the inner one the outer.
        ("6.6.6.6, 203.0.113.7, 10.0.0.2", 2, "203.0.113.7"),
        # Fewer hops than proxies: the header is not what a proxy wrote.
        ("203.0.113.7", 2, "10.0.0.9"),
    ],
)
def test_client_address_trusts_only_what_the_proxies_added(
    forwarded: str, proxies: int, expected: str
) -> None:
    assert client_address(forwarded, "10.0.0.9", proxies) == expected


@pytest.mark.parametrize(
    ("proxies", "expected"), [(0, "10.0.0.9"), (1, "198.51.100.4")]
)
def test_the_middleware_leaves_one_address_and_no_header(
    proxies: int, expected: str
) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4"
    )
    seen: dict[str, object] = {}

    def view(req: HttpRequest) -> HttpResponse:
        seen.update(req.META)
        return HttpResponse()

    with override_settings(KOERS_TRUSTED_PROXIES=proxies):
        TrustedRemoteAddress(view)(request)

    assert seen["REMOTE_ADDR"] == expected
    assert "HTTP_X_FORWARDED_FOR" not in seen
