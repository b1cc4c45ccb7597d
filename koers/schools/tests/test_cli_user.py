"""`koers user add NAME --school BRIN`."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User

from koers.schools.models import SchoolMembership
from koers.tests.helpers import make_school, run_koers

pytestmark = pytest.mark.django_db


def test_it_creates_an_account_with_access_to_schools(
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = make_school("11AA")
    second = make_school("22BB", "Tweede school")

    code = run_koers(
        "user",
        "add",
        "ib-er",
        "--school",
        "11AA",
        "--school",
        "22BB",
        "--password",
        "pw",
    )

    assert code == 0
    user = User.objects.get(username="ib-er")
    assert authenticate(username="ib-er", password="pw") == user
    assert set(
        SchoolMembership.objects.filter(user=user).values_list("school", flat=True)
    ) == {
        first.pk,
        second.pk,
    }
    out = capsys.readouterr().out
    assert "aangemaakt" in out
    assert "Wachtwoord" not in out


def test_it_shows_a_generated_password_once(capsys: pytest.CaptureFixture[str]) -> None:
    make_school("11AA")

    assert run_koers("user", "add", "ib-er", "--school", "11AA") == 0

    line = next(
        line
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("Wachtwoord: ")
    )
    password = line.removeprefix("Wachtwoord: ")
    assert len(password) >= 12
    assert authenticate(username="ib-er", password=password) is not None


def test_it_refuses_an_unknown_school_and_creates_no_account() -> None:
    assert run_koers("user", "add", "ib-er", "--school", "99QQ", "--password", "x") == 2

    assert not User.objects.exists()
