"""What a guesser or a careless user cannot do: lock out a colleague behind the
same school address (the lockout is per account), or switch off the second
factor of their own account."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from koers.tests.accounts import make_user
from koers.tests.test_sign_in import password_step

pytestmark = pytest.mark.django_db

SCHOOL_ADDRESS = "192.0.2.10"


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    # allauth's own throttles keep counts in the cache between tests.
    cache.clear()
    yield
    cache.clear()


def test_a_colleague_at_the_same_address_still_signs_in() -> None:
    make_user("juf-anna")
    make_user("meester-bram")
    guesser = Client(REMOTE_ADDR=SCHOOL_ADDRESS)

    tries = [password_step(guesser, "juf-anna", "fout-wachtwoord") for _ in range(10)]
    colleague = password_step(Client(REMOTE_ADDR=SCHOOL_ADDRESS), "meester-bram")

    assert tries[-1].status_code == 429
    # The password step passed: on to the code from the app.
    assert colleague.status_code == 302
    assert "2fa/authenticate" in colleague["Location"]


def test_nobody_switches_off_their_own_second_factor() -> None:
    from allauth.mfa.models import Authenticator
    from django.urls import reverse

    from koers.tests.accounts import sign_in

    user = make_user("juf-anna")
    client = sign_in(user)

    client.post(reverse("mfa_deactivate_totp"), {})

    assert Authenticator.objects.filter(user=user).exists()
