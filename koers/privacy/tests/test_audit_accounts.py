"""Changes to accounts reach the logboek of every school the account has a role
at: what an applicatiebeheerder or `koers user` does, and what users do to their
own password and authenticator. By ids only, shown by username."""

from __future__ import annotations

import io
from typing import Any

import pytest
from allauth.account.signals import password_reset
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_removed
from auditlog.models import LogEntry
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from koers.privacy import audit_accounts as events
from koers.privacy.audit_search import Row
from koers.schools.models import Role, SchoolMembership
from koers.tests.accounts import PASSWORD, make_user, sign_in
from koers.tests.helpers import make_school, small_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    built = small_school()
    other = make_school(brin="22BB", name="De Tweede")
    teacher = make_user("juf-els", built["school"], other, role=Role.TEACHER)
    # Administrator at both schools: a change to an account that reaches
    # beyond the administrator's schools is refused.
    admin = make_user("beheer", built["school"], other, role=Role.ADMIN)
    officer = make_user("privacy", built["school"], other, role=Role.PRIVACY)
    return {
        **built,
        "other": other,
        "teacher": teacher,
        "admin": admin,
        "officer": sign_in(officer),
    }


def log_rows(client: Client, school: Any) -> list[Row]:
    response = client.get(reverse("audit:log", args=[school.pk]))
    assert response.status_code == 200
    return list(response.context["rows"])


def account_url(name: str, world: dict[str, Any]) -> str:
    return reverse(f"accounts:{name}", args=[world["school"].pk, world["teacher"].pk])


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("deactivate", "account gedeactiveerd"),
        ("activate", "account geactiveerd"),
        ("reset-second-factor", "tweede stap gewist"),
        ("end-sessions", "overal uitgelogd"),
    ],
)
def test_an_administrators_change_reaches_the_log_of_each_school_of_the_account(
    world: dict[str, Any], name: str, label: str
) -> None:
    admin = sign_in(world["admin"])
    sign_in(world["teacher"])

    response = admin.post(account_url(name, world))

    assert response.status_code == 302
    for school in (world["school"], world["other"]):
        rows = [row for row in log_rows(world["officer"], school) if row.kind == label]
        assert len(rows) == 1, school
        assert rows[0].user == "beheer"
        assert rows[0].subject == "account juf-els"
    entry = LogEntry.objects.filter(additional_data__event__isnull=False).latest("pk")
    assert entry.additional_data["account"] == world["teacher"].pk
    assert set(entry.additional_data) <= {
        "kind",
        "event",
        "school",
        "account",
        "sessions",
    }


def test_wiping_the_factor_counts_the_sessions_it_ended(
    world: dict[str, Any],
) -> None:
    sign_in(world["teacher"])
    sign_in(world["teacher"])

    sign_in(world["admin"]).post(account_url("reset-second-factor", world))

    entry = LogEntry.objects.get(
        additional_data__event=events.SECOND_FACTOR_RESET,
        additional_data__school=world["school"].pk,
    )
    assert entry.additional_data["sessions"] == 2
    assert not Authenticator.objects.filter(user=world["teacher"]).exists()


def test_a_reset_on_the_command_line_is_recorded_as_such(
    world: dict[str, Any],
) -> None:
    call_command("user", "reset-mfa", "juf-els", stdout=io.StringIO())

    rows = [
        row
        for row in log_rows(world["officer"], world["school"])
        if row.kind == "tweede stap gewist"
    ]
    assert [(row.user, row.subject) for row in rows] == [
        ("opdrachtregel", "account juf-els")
    ]


def test_a_role_granted_and_removed_names_the_account_and_the_role(
    world: dict[str, Any],
) -> None:
    admin = sign_in(world["admin"])
    teacher = world["teacher"]

    admin.post(
        reverse("accounts:add-role", args=[world["school"].pk, teacher.pk]),
        {"role": Role.SUPPORT},
    )
    membership = SchoolMembership.objects.get(user=teacher, role=Role.SUPPORT)
    admin.post(
        reverse(
            "accounts:remove-role",
            args=[world["school"].pk, teacher.pk, membership.pk],
        )
    )

    rows = [
        row
        for row in log_rows(world["officer"], world["school"])
        if row.kind.startswith("rol ") and row.user == "beheer"
    ]
    support = str(Role.SUPPORT.label)
    assert [row.kind for row in rows] == [
        f"rol weggehaald: {support}",
        f"rol toegekend: {support}",
    ]
    for row in rows:
        assert row.user == "beheer"
        assert row.subject.endswith("van account juf-els")


def test_a_password_change_by_the_user_is_recorded(world: dict[str, Any]) -> None:
    client = sign_in(world["teacher"])
    new = "een-heel-ander-wachtwoord-42"

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )

    assert response.status_code == 302
    rows = [
        row
        for row in log_rows(world["officer"], world["other"])
        if row.kind == "wachtwoord gewijzigd"
    ]
    assert [(row.user, row.subject) for row in rows] == [("juf-els", "account juf-els")]
    entry = LogEntry.objects.get(
        additional_data__event=events.PASSWORD_CHANGED,
        additional_data__school=world["other"].pk,
    )
    assert new not in str(entry.additional_data)


@pytest.mark.parametrize(
    ("signal", "label"),
    [
        (password_reset, "wachtwoord hersteld"),
        (authenticator_removed, "authenticator-app uitgezet"),
    ],
)
def test_allauths_own_account_events_are_recorded(
    world: dict[str, Any], signal: Any, label: str
) -> None:
    teacher = world["teacher"]
    request = RequestFactory().post("/")

    signal.send(
        sender=type(teacher),
        request=request,
        user=teacher,
        authenticator=Authenticator.objects.filter(user=teacher).first(),
    )

    rows = [
        row for row in log_rows(world["officer"], world["school"]) if row.kind == label
    ]
    assert [(row.user, row.subject) for row in rows] == [("juf-els", "account juf-els")]


def test_an_account_event_of_another_school_stays_there(
    world: dict[str, Any],
) -> None:
    stranger = make_user("meester-x", world["other"], role=Role.TEACHER)

    call_command("user", "reset-mfa", "meester-x", stdout=io.StringIO())

    assert (
        LogEntry.objects.filter(
            additional_data__account=stranger.pk, additional_data__kind="account"
        ).count()
        == 1
    )
    assert not any(
        "meester-x" in row.subject
        for row in log_rows(world["officer"], world["school"])
    )
