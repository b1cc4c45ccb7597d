"""`koers user add NAME --school BRIN`."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from time_machine import TimeMachineFixture

from koers.schools.models import Board, BoardMembership, Role, SchoolMembership, Teacher
from koers.tests.accounts import make_user, sign_in
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
        "lang-genoeg-wachtwoord",
    )

    assert code == 0
    user = User.objects.get(username="ib-er")
    assert user.check_password("lang-genoeg-wachtwoord")
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
    assert User.objects.get(username="ib-er").check_password(password)


def test_it_refuses_an_unknown_school_and_creates_no_account() -> None:
    assert run_koers("user", "add", "ib-er", "--school", "99QQ", "--password", "x") == 2

    assert not User.objects.exists()


def test_it_refuses_a_short_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_school("11AA")

    code = run_koers("user", "add", "ib", "--school", "11AA", "--password", "kort")

    # Koers's own length rule, in Dutch (Django 6.1's catalogue lacks one).
    assert code == 2
    assert "Dit wachtwoord is te kort: gebruik minstens 12 tekens." in (
        capsys.readouterr().err
    )
    assert not User.objects.exists()


def test_it_keeps_the_password_of_an_existing_account(
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_school("11AA")
    make_school("22BB", "Tweede school")
    run_koers(
        "user", "add", "ib", "--school", "11AA", "--password", "eerste-lange-wachtwoord"
    )

    assert run_koers("user", "add", "ib", "--school", "22BB") == 0

    assert User.objects.get(username="ib").check_password("eerste-lange-wachtwoord")
    assert SchoolMembership.objects.filter(user__username="ib").count() == 2
    assert "Wachtwoord:" not in capsys.readouterr().out


def test_it_refuses_an_empty_account_name() -> None:
    make_school("11AA")

    assert run_koers("user", "add", " ", "--school", "11AA") == 2

    assert not User.objects.exists()


def test_it_gives_a_teacher_the_groups_of_their_las_record() -> None:
    school = make_school("11AA")
    teacher = Teacher.objects.create(school=school, key="T-17", surname="Jansen")

    code = run_koers(
        "user", "add", "juf", "--school", "11AA", "--role", "leerkracht",
        "--teacher", "t-17", "--password", "lang-genoeg-wachtwoord",
    )  # fmt: skip

    assert code == 0
    membership = SchoolMembership.objects.get(user__username="juf")
    assert (membership.role, membership.teacher) == (Role.TEACHER, teacher)


def test_it_refuses_a_teacher_without_a_las_record() -> None:
    make_school("11AA")

    code = run_koers("user", "add", "juf", "--school", "11AA", "--role", "leerkracht")

    assert code == 2
    assert not User.objects.exists()


def test_it_gives_board_staff_their_board(capsys: pytest.CaptureFixture[str]) -> None:
    board = Board.objects.create(name="Stichting Proef")

    code = run_koers("user", "add", "bestuurder", "--board", "Stichting Proef")

    assert code == 0
    assert BoardMembership.objects.get(user__username="bestuurder").board == board
    assert not SchoolMembership.objects.exists()
    assert "bestuur Stichting Proef" in capsys.readouterr().out


def test_it_lists_accounts_with_their_second_factor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    school = make_school("11AA")
    make_user("met-app", school)
    make_user("zonder-app", school, role=Role.DIRECTOR, second_factor=False)

    assert run_koers("user", "list") == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "met-app: intern begeleider of kwaliteitscoördinator 11AA00 · tweede stap "
        "ingesteld · laatste login nooit ingelogd",
        "zonder-app: directie 11AA00 · GEEN tweede stap · laatste login nooit ingelogd",
    ]


def test_reset_mfa_removes_the_factor_and_signs_the_account_out() -> None:
    school = make_school("11AA")
    user = make_user("ib-er", school)
    client = sign_in(user)

    assert run_koers("user", "reset-mfa", "ib-er") == 0

    assert not Authenticator.objects.filter(user=user).exists()
    response = client.get(reverse("analysis:school-start", args=[school.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_disable_dormant_switches_off_accounts_unused_for_90_days(
    capsys: pytest.CaptureFixture[str], time_machine: TimeMachineFixture
) -> None:
    school = make_school("11AA")
    time_machine.move_to(dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC), tick=False)
    made_early = make_user("vergeten", school)
    made_early.last_login = timezone.now()
    made_early.save()
    time_machine.move_to(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), tick=False)
    recent = make_user("recent", school)
    # 1 January + 90 days is 1 April: the next day the first account is dormant,
    # the one made on 1 March is not.
    time_machine.move_to(dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC), tick=False)

    assert run_koers("user", "disable-dormant", "--dry-run") == 0
    assert User.objects.get(username="vergeten").is_active
    assert run_koers("user", "disable-dormant") == 0

    made_early.refresh_from_db()
    recent.refresh_from_db()
    assert (made_early.is_active, recent.is_active) == (False, True)
    out = capsys.readouterr().out
    assert "1 slapende accounts zou uitschakelen." in out
    assert "1 slapende accounts uitgeschakeld." in out


def test_remove_takes_access_away_but_keeps_the_name_for_the_audit_trail(
    capsys: pytest.CaptureFixture[str],
) -> None:
    school = make_school("11AA")
    user = make_user("juf", school)
    client = sign_in(user)

    assert run_koers("user", "remove", "juf") == 0

    user.refresh_from_db()
    assert (user.is_active, user.has_usable_password()) == (False, False)
    assert not SchoolMembership.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    response = client.get(reverse("analysis:school-start", args=[school.pk]))
    assert response["Location"].startswith(reverse("account_login"))
    assert "blijft in het logboek" in capsys.readouterr().out
