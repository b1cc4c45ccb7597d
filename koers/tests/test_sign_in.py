"""Signing in through the real allauth pages: password, then a code from the
authenticator app; lockout, password reset, session limits (security.md AUTH-1,
AUTH-2, AUTH-3, AUTH-5, AUTH-9, AUTHZ-6; goal G11)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings
from django.urls import reverse
from time_machine import TimeMachineFixture

from koers.schools.models import SchoolMembership
from koers.tests.accounts import PASSWORD, make_user, sign_in, totp_code
from koers.tests.helpers import small_school

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

# Within school year 2024-2025, where `small_school` has its group 5A.
MORNING = dt.datetime(2025, 3, 3, 8, tzinfo=dt.UTC)
EMAIL = "ib@obs-de-proef.nl"
UNKNOWN_EMAIL = "niemand@obs-de-proef.nl"
NEW_PASSWORD = "een-heel-ander-wachtwoord"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """allauth keeps its rate limits and used codes in the cache, which outlives
    a test; every test here starts at the same moment of the same morning."""
    cache.clear()


@pytest.fixture
def school(time_machine: TimeMachineFixture) -> dict[str, Any]:
    time_machine.move_to(MORNING)
    return small_school()


@pytest.fixture
def member(school: dict[str, Any]) -> User:
    user = make_user("ib-er", school["school"])
    user.email = EMAIL
    user.save()
    EmailAddress.objects.create(user=user, email=EMAIL, primary=True, verified=True)
    return user


def pupil_urls(school: dict[str, Any]) -> list[str]:
    anna = school["anna"].pk
    return [
        reverse("analysis:pupil-overview", args=[anna]),
        reverse("analysis:pupil-report", args=[anna]),
        reverse("analysis:pupil-export", args=[anna, "csv"]),
        reverse("analysis:pupil-chart", args=[anna]),
        reverse("analysis:group-overview", args=[school["group"].pk]),
        reverse("analysis:school-overview", args=[school["school"].pk]),
    ]


def password_step(client: Client, login: str, password: str = PASSWORD) -> Response:
    return client.post(reverse("account_login"), {"login": login, "password": password})


def code_step(client: Client, code: str) -> Response:
    return client.post(reverse("mfa_authenticate"), {"code": code})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def session_key(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


def test_it_signs_in_with_a_password_and_a_code(
    school: dict[str, Any], member: User
) -> None:
    client = Client()

    password = password_step(client, "ib-er")
    code = code_step(client, totp_code())
    home = client.get(code["Location"], follow=True)

    assert password["Location"] == reverse("mfa_authenticate")
    assert code["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    # One school: the home page sends on to that school's start page.
    assert home.status_code == 200
    assert home.redirect_chain == [
        (reverse("analysis:school-start", args=[school["school"].pk]), 302)
    ]


def test_a_password_alone_opens_no_pupil_page(
    school: dict[str, Any], member: User
) -> None:
    client = Client()
    password_step(client, "ib-er")

    statuses = {url: client.get(url).status_code for url in pupil_urls(school)}

    assert not signed_in(client)
    assert set(statuses.values()) == {302}
    assert all(
        client.get(url)["Location"].startswith(reverse("account_login"))
        for url in statuses
    )


# allauth announces a new factor when its transaction commits; inside a test's
# transaction that would be after the response, so this test commits for real.
@pytest.mark.django_db(transaction=True)
def test_an_account_without_a_factor_sets_one_up_before_any_page(
    school: dict[str, Any],
) -> None:
    make_user("nieuw", school["school"], second_factor=False)
    client = Client()

    password_step(client, "nieuw")
    before = client.get(pupil_urls(school)[0])
    page = client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    right = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert before["Location"] == reverse("mfa_activate_totp")
    assert page.status_code == 200
    assert secret in page.content.decode()
    assert wrong.status_code == 200
    assert right.status_code == 302
    assert [client.get(url).status_code for url in pupil_urls(school)] == [200] * 6


def test_a_sign_in_older_than_five_minutes_confirms_the_password_first(
    school: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    make_user("nieuw", school["school"], second_factor=False)
    client = Client()
    password_step(client, "nieuw")
    time_machine.shift(dt.timedelta(minutes=6))

    asked = client.get(reverse("mfa_activate_totp"))
    page = client.get(asked["Location"])
    confirmed = client.post(asked["Location"], {"password": PASSWORD})
    setup = client.get(confirmed["Location"])

    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert page.status_code == 200
    assert confirmed["Location"] == reverse("mfa_activate_totp")
    assert setup.status_code == 200


def test_a_used_code_is_refused_the_second_time(
    school: dict[str, Any], member: User, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(MORNING, tick=False)
    code = totp_code()
    first = Client()
    password_step(first, "ib-er")
    code_step(first, code)

    second = Client()
    password_step(second, "ib-er")
    again = code_step(second, code)

    assert signed_in(first)
    assert again.status_code == 200
    assert not signed_in(second)


def test_wrong_codes_are_throttled(school: dict[str, Any], member: User) -> None:
    client = Client()
    password_step(client, "ib-er")

    wrong = [code_step(client, "123456").status_code for _ in range(5)]
    right = code_step(client, totp_code())

    assert wrong == [200] * 5
    # Even the right code is refused once the limit is reached.
    assert right.status_code == 200
    assert "Te veel inlogpogingen" in right.content.decode()
    assert not signed_in(client)


def attempts(login: str, address: str, count: int = 10) -> list[Response]:
    client = Client(REMOTE_ADDR=address)
    return [password_step(client, login, "fout-wachtwoord") for _ in range(count)]


def comparable(response: Response, login: str) -> str:
    text = CSRF_TOKEN.sub("", response.content.decode())
    return text.replace(login, "LOGIN")


def test_ten_wrong_passwords_lock_the_account(
    school: dict[str, Any], member: User
) -> None:
    tries = attempts("ib-er", "10.0.0.1")
    right = password_step(Client(REMOTE_ADDR="10.0.0.2"), "ib-er")

    assert [r.status_code for r in tries] == [200] * 9 + [429]
    # Locked per account: the right password from elsewhere is refused too.
    assert right.status_code == 429


def test_an_unknown_account_is_answered_like_a_known_one(
    school: dict[str, Any], member: User
) -> None:
    known = attempts("ib-er", "10.0.0.1")
    unknown = attempts("niet-bestaand", "10.0.0.3")

    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert [comparable(r, "ib-er") for r in known] == [
        comparable(r, "niet-bestaand") for r in unknown
    ]


def reset_link(message: Any) -> str:
    match = re.search(
        r"https?://[^/\s]+(/account/password/reset/key/\S+/)", message.body
    )
    assert match, message.body
    return match.group(1)


def test_a_password_reset_reveals_nothing_and_its_link_works_once(
    school: dict[str, Any], member: User
) -> None:
    client = Client()
    url = reverse("account_reset_password")

    known = client.post(url, {"email": EMAIL})
    unknown = client.post(url, {"email": UNKNOWN_EMAIL})
    assert (known.status_code, known["Location"]) == (
        unknown.status_code,
        unknown["Location"],
    )
    assert [message.to for message in mail.outbox] == [[EMAIL]]

    link = reset_link(mail.outbox[0])
    form_url = client.get(link)["Location"]
    changed = client.post(
        form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    reused = Client().get(link, follow=True)

    assert changed.status_code == 302
    assert reused.context["token_fail"] is True
    # The new password still needs the code.
    after = password_step(Client(), "ib-er", NEW_PASSWORD)
    assert after["Location"] == reverse("mfa_authenticate")


def test_a_session_ends_after_half_an_hour_idle(
    school: dict[str, Any], member: User, time_machine: TimeMachineFixture
) -> None:
    client = sign_in(member)
    url = pupil_urls(school)[0]

    fresh = client.get(url)
    time_machine.shift(dt.timedelta(minutes=31))
    idle = client.get(url)

    assert fresh.status_code == 200
    assert idle["Location"].startswith(reverse("account_login"))


def test_a_session_ends_after_ten_hours_however_busy(
    school: dict[str, Any], member: User, time_machine: TimeMachineFixture
) -> None:
    client = sign_in(member)
    url = pupil_urls(school)[0]

    statuses = []
    for _ in range(30):
        time_machine.shift(dt.timedelta(minutes=20))
        statuses.append(client.get(url).status_code)

    # 29 requests up to 9 h 40 min; the 30th, at 10 h, is past the limit.
    assert statuses == [200] * 29 + [302]


def test_signing_in_gives_a_new_session_key(
    school: dict[str, Any], member: User
) -> None:
    client = Client()
    password_step(client, "ib-er")
    before = session_key(client)

    code_step(client, totp_code())

    assert before is not None
    assert session_key(client) not in (None, before)
    assert not Session.objects.filter(session_key=before).exists()


def test_signing_out_ends_the_session_on_the_server(
    school: dict[str, Any], member: User
) -> None:
    client = sign_in(member)
    key = session_key(client)

    client.post(reverse("account_logout"))
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = str(key)
    response = stolen.get(pupil_urls(school)[0])

    assert not Session.objects.filter(session_key=key).exists()
    assert response["Location"].startswith(reverse("account_login"))


def test_a_removed_membership_counts_from_the_next_request(
    school: dict[str, Any], member: User
) -> None:
    client = sign_in(member)
    url = pupil_urls(school)[0]

    before = client.get(url)
    SchoolMembership.objects.filter(user=member).delete()
    after = client.get(url)

    assert (before.status_code, after.status_code) == (200, 404)


def test_signing_up_is_closed(school: dict[str, Any]) -> None:
    client = Client()
    users = User.objects.count()

    page = client.get(reverse("account_signup"))
    posted = client.post(
        reverse("account_signup"),
        {
            "username": "indringer",
            "email": "indringer@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    assert page.status_code == 200
    assert 'name="password1"' not in page.content.decode()
    assert posted.status_code == 200
    assert User.objects.count() == users


# --- after setting up the factor, flash messages, deactivated accounts, mail --------


# allauth announces the new factor when its transaction commits (see above).
@pytest.mark.django_db(transaction=True)
def test_setting_up_the_factor_shows_the_recovery_codes_without_a_password(
    school: dict[str, Any],
) -> None:
    user = make_user("nieuw", school["school"], second_factor=False)
    client = Client()
    password_step(client, "nieuw")
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]

    right = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    page = client.get(right["Location"])

    codes = Authenticator.objects.get(
        user=user, type=Authenticator.Type.RECOVERY_CODES
    ).wrap()
    text = page.content.decode()
    assert right["Location"] == reverse("mfa_view_recovery_codes")
    assert page.status_code == 200
    assert all(code in text for code in codes.get_unused_codes())
    assert len(codes.get_unused_codes()) == 10
    assert reverse("mfa_download_recovery_codes") in text
    assert f'href="{reverse("analysis:home")}">Verder naar Koers' in text
    assert client.get(reverse("mfa_download_recovery_codes")).status_code == 200


def test_the_codes_of_an_older_factor_ask_for_the_password_again(
    school: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(MORNING - dt.timedelta(days=30))
    user = make_user("ib-er", school["school"])
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "a" * 40}
    )
    time_machine.move_to(MORNING)
    client = Client()
    password_step(client, "ib-er")
    code_step(client, totp_code())

    codes = client.get(reverse("mfa_view_recovery_codes"))
    page = client.get(codes["Location"])

    # A password of a moment ago is no reason to skip it here: this factor was
    # set up a month ago, so the page is not the next step of its set-up.
    assert codes["Location"].startswith(reverse("account_reauthenticate"))
    assert "Bevestig uw wachtwoord" in page.content.decode()


def test_signing_in_and_out_leaves_no_message_behind(
    school: dict[str, Any], member: User, time_machine: TimeMachineFixture
) -> None:
    client = Client()
    password_step(client, "ib-er")
    code_step(client, totp_code())
    client.post(reverse("account_logout"))
    # The next code from the app: the one just used is refused a second time.
    time_machine.shift(dt.timedelta(seconds=30))
    password_step(client, "ib-er")
    code_step(client, totp_code())

    page = client.get(pupil_urls(school)[0])

    assert page.status_code == 200
    assert list(page.context["messages"]) == []


def test_a_deactivated_account_is_answered_like_a_wrong_password(
    school: dict[str, Any], member: User
) -> None:
    wrong = password_step(Client(), "ib-er", "fout-wachtwoord")
    member.is_active = False
    member.save()

    right = password_step(Client(), "ib-er")

    assert (right.status_code, wrong.status_code) == (200, 200)
    assert comparable(right, "ib-er") == comparable(wrong, "ib-er")
    assert "Gebruikersnaam of wachtwoord klopt niet." in right.content.decode()


def test_the_reset_mail_is_formal_dutch_without_the_host_as_greeting(
    school: dict[str, Any], member: User
) -> None:
    Client().post(reverse("account_reset_password"), {"email": EMAIL})

    (message,) = mail.outbox
    body = str(message.body)
    assert message.subject == "Koers: een nieuw wachtwoord kiezen"
    assert body.startswith("Goedendag,")
    # PASSWORD_RESET_TIMEOUT is Django's default of three days.
    assert "De link werkt één keer en is 72 uur geldig." in body
    assert "ib-er" in body
    assert "applicatiebeheerder" in body
    assert reset_link(message)
    assert "testserver" not in re.sub(r"https?://\S+", "", body)
    assert not re.search(r"\bje\b|\bjouw?\b", body, re.IGNORECASE)


class RefusingServer(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


class BrokenServer(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPRecipientsRefused({EMAIL: (550, b"no such user")})


@pytest.mark.parametrize(
    ("backend", "error"),
    [
        (RefusingServer, "ConnectionRefusedError"),
        (BrokenServer, "SMTPRecipientsRefused"),
    ],
)
def test_a_mail_server_that_fails_does_not_reveal_known_addresses(
    school: dict[str, Any],
    member: User,
    caplog: pytest.LogCaptureFixture,
    backend: type[BaseEmailBackend],
    error: str,
) -> None:
    mailers = {"default": {"BACKEND": f"{backend.__module__}.{backend.__qualname__}"}}
    url = reverse("account_reset_password")

    with override_settings(MAILERS=mailers):
        with caplog.at_level(logging.WARNING, logger="koers.schools.auth"):
            known = Client().post(url, {"email": EMAIL})
        unknown = Client().post(url, {"email": UNKNOWN_EMAIL})

    assert (known.status_code, known["Location"]) == (302, unknown["Location"])
    assert unknown.status_code == 302
    assert [record.getMessage() for record in caplog.records] == [
        "mail not sent template=account/email/password_reset_key "
        f"user={member.pk} error={error}"
    ]
    assert EMAIL not in caplog.text
