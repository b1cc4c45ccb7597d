"""In the browser: an applicatiebeheerder adds a teacher's account and sees its
password once. The pages are written as screenshots, as in
`koers.tests.test_browser`, whose browser and live-server set-up this uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from koers.lib.values import school_year_of
from koers.schools.models import Group, Role, SchoolYear, Teacher
from koers.tests.accounts import PASSWORD, make_user, totp_code
from koers.tests.helpers import make_school
from koers.tests.test_browser import (
    browser_context_args,
    browser_type_launch_args,
    screenshots,
    settled,
)

pytestmark = pytest.mark.django_db(transaction=True)

__all__ = [
    "browser_context_args",
    "browser_type_launch_args",
    "screenshots",
    "settled",
]


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Gebruikersnaam of e-mailadres").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_label("Code", exact=False).fill(totp_code())
    page.get_by_role("button", name="Inloggen").click()


def test_an_admin_adds_a_teacher_and_sees_the_password_once(
    live_server: Any, page: Page, screenshots: Path
) -> None:
    school = make_school("11AA", "OBS De Proef")
    year, _ = SchoolYear.objects.get_or_create(
        start_year=school_year_of(timezone.localdate())
    )
    group = Group.objects.create(school=school, school_year=year, name="5A")
    teacher = Teacher.objects.create(
        school=school, key="T-1", surname="Jansen", preferred_name="Els"
    )
    teacher.groups.add(group)
    make_user("beheerder", school, role=Role.ADMIN)
    make_user("ib.anne", school, role=Role.SUPPORT, second_factor=False)

    log_in(page, live_server.url, "beheerder")
    page.get_by_role("link", name="accounts").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Accounts")
    page.screenshot(path=screenshots / "accounts.png", full_page=True)

    page.get_by_role("link", name="Account toevoegen").click()
    page.get_by_label("Gebruikersnaam").fill("juf.els")
    page.get_by_label("E-mailadres").fill("els@proef.example")
    page.get_by_label("Rol").select_option(Role.TEACHER.value)
    page.get_by_label("Leerkracht in het LAS").select_option(label="Els Jansen (T-1)")
    page.screenshot(path=screenshots / "accounts-add.png", full_page=True)
    page.get_by_role("button", name="Account maken").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Account juf.els gemaakt")
    password = page.locator("#password").inner_text()
    assert User.objects.get(username="juf.els").check_password(password)
    page.screenshot(path=screenshots / "accounts-created.png", full_page=True)

    page.get_by_role("link", name="Naar het account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account juf.els")
    assert password not in page.content()
    page.screenshot(path=screenshots / "accounts-detail.png", full_page=True)

    page.get_by_role("link", name="Terug naar de accounts").click()
    row = page.get_by_role("row").filter(has_text="juf.els")
    expect(row).to_contain_text("Els Jansen")
    expect(row).to_contain_text("5A")
    assert password not in page.content()
    page.screenshot(path=screenshots / "accounts-list.png", full_page=True)
