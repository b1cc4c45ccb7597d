"""Production settings (security.md WEB-1, WEB-2, AUTH-6): one switch,
KOERS_PRODUCTION, turns on HTTPS-only cookies, HSTS and the redirect, and Koers
refuses to start on a server with the local key or with debug pages.

The settings module is run again with the environment a server would have; the
values it produces are then put in place with `override_settings`.
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings
from django.urls import reverse

from koers.tests.accounts import make_user, sign_in
from koers.tests.helpers import make_school

SETTINGS_FILE = Path(settings.BASE_DIR) / "settings.py"
SERVER_KEY = "Vq3-tZ8pK_w1LxR7mN4sB0yH6cJ2dF9gA5eU1iO3kP7rT0vW8zQ"
SERVER = {
    "KOERS_PRODUCTION": "1",
    "KOERS_SECRET_KEY": SERVER_KEY,
    "KOERS_ALLOWED_HOSTS": "koers.example.nl",
}
# What the test run itself must keep: its database and its data folder.
KEPT = {"DATABASES", "KOERS_UPLOAD_DIR", "KOERS_PURGE_LEDGER", "PASSWORD_HASHERS"}
ONE_YEAR = 365 * 24 * 60 * 60


def settings_with(
    monkeypatch: pytest.MonkeyPatch, **environment: str
) -> dict[str, Any]:
    """The settings module's values under an environment of KOERS_ variables."""
    for name in list(os.environ):
        if name.startswith("KOERS_") and name not in {"KOERS_DATA_DIR"}:
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def production(monkeypatch: pytest.MonkeyPatch, **extra: str) -> override_settings:
    """override_settings with every setting the server environment changes."""
    values = settings_with(monkeypatch, **SERVER, **extra)
    changed = {
        name: value
        for name, value in values.items()
        if name.isupper()
        and name not in KEPT
        and getattr(settings, name, object()) != value
    }
    return override_settings(**changed)


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"KOERS_ALLOWED_HOSTS": "koers.example.nl"}, "KOERS_SECRET_KEY"),
        (
            {"KOERS_ALLOWED_HOSTS": "koers.example.nl", "KOERS_SECRET_KEY": ""},
            "KOERS_SECRET_KEY",
        ),
        ({**SERVER, "KOERS_DEBUG": "1"}, "KOERS_DEBUG"),
        ({"KOERS_SECRET_KEY": SERVER_KEY}, "KOERS_ALLOWED_HOSTS"),
        ({**SERVER, "KOERS_ALLOWED_HOSTS": "*"}, "KOERS_ALLOWED_HOSTS"),
    ],
)
def test_it_refuses_to_start_on_a_server_without_its_own_settings(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], named: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=named) as refusal:
        settings_with(monkeypatch, **{"KOERS_PRODUCTION": "1", **environment})

    assert str(refusal.value).startswith("KOERS_PRODUCTION ")


def test_the_console_command_says_why_it_does_not_start(tmp_path: Path) -> None:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KOERS_")},
        "KOERS_DATA_DIR": str(tmp_path),
        "KOERS_PRODUCTION": "1",
        "KOERS_ALLOWED_HOSTS": "koers.example.nl",
    }

    finished = subprocess.run(
        [sys.executable, "-m", "koers.cli", "manage", "check"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode != 0
    assert "KOERS_SECRET_KEY" in finished.stderr
    assert "Traceback" not in finished.stderr


@pytest.mark.django_db
def test_the_deploy_check_passes_with_production_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """WEB-1; scripts/test runs the same check through `koers manage`."""
    # The browser tests of the same run allow Django's ORM inside Playwright's
    # event loop through this variable, which the deploy check rightly refuses;
    # a server never has it.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    with production(monkeypatch):
        call_command("check", deploy=True, fail_level="WARNING")


@pytest.mark.django_db
def test_the_deploy_check_fails_on_the_local_settings() -> None:
    with pytest.raises(SystemCheckError, match="SECURE_HSTS_SECONDS"):
        call_command("check", deploy=True, fail_level="WARNING")


@pytest.mark.django_db
def test_a_server_answers_over_https_only(monkeypatch: pytest.MonkeyPatch) -> None:
    login = reverse("account_login")

    with production(monkeypatch):
        plain = Client().get(login, HTTP_HOST="koers.example.nl")
        secure = Client().get(login, secure=True, HTTP_HOST="koers.example.nl")

    assert plain.status_code == 301
    assert plain["Location"] == f"https://koers.example.nl{login}"
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == (
        f"max-age={ONE_YEAR}; includeSubDomains; preload"
    )


@pytest.mark.django_db
def test_behind_a_proxy_its_https_header_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login = reverse("account_login")

    with production(monkeypatch, KOERS_PROXY_SSL_HEADER="X-Forwarded-Proto"):
        forwarded = Client().get(
            login, HTTP_HOST="koers.example.nl", HTTP_X_FORWARDED_PROTO="https"
        )

    assert forwarded.status_code == 200
    assert "Strict-Transport-Security" in forwarded


@pytest.mark.django_db
def test_a_server_sets_secure_host_only_cookies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """AUTH-6: Secure, HttpOnly, SameSite=Lax and the `__Host-` prefix."""
    school = make_school()
    user = make_user("ib-er", school)

    with production(monkeypatch):
        client = sign_in(user, Client(HTTP_HOST="koers.example.nl"))
        response = client.get(reverse("account_login"), secure=True)
        page = client.get(
            reverse("analysis:school-start", args=[school.pk]), secure=True
        )

    assert page.status_code == 200
    cookies = {**response.cookies, **page.cookies}
    assert set(cookies) == {"__Host-csrftoken", "__Host-sessionid"}
    for cookie in cookies.values():
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""


@pytest.mark.django_db
def test_the_local_default_stays_plain_http() -> None:
    """`koers demo` and `koers serve` on 127.0.0.1 without HTTPS."""
    response = Client().get(reverse("account_login"), HTTP_HOST="127.0.0.1")

    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response
    cookie = response.cookies["csrftoken"]
    assert not cookie["secure"]
    assert settings.SESSION_COOKIE_NAME == "sessionid"


def test_a_local_install_makes_a_key_of_its_own_and_keeps_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The key signs sessions and makes pupils' pseudonyms: a local install must
    # not share one from the source code with every other install.
    monkeypatch.setenv("KOERS_DATA_DIR", str(tmp_path / "data"))

    first = settings_with(monkeypatch)["SECRET_KEY"]
    again = settings_with(monkeypatch)["SECRET_KEY"]

    key_file = tmp_path / "data" / "secret_key"
    assert first == again == key_file.read_text(encoding="ascii")
    assert len(first) >= 50
    assert first != settings_with(monkeypatch, KOERS_SECRET_KEY="eigen")["SECRET_KEY"]
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
