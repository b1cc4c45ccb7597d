"""The account pages of an applicatiebeheerder: the list of a school's accounts,
adding one, roles, the second factor, sessions and deactivation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from koers.lib.values import school_year_of
from koers.schools import accounts
from koers.schools.models import (
    Board,
    BoardMembership,
    Enrolment,
    Group,
    Pupil,
    Role,
    School,
    SchoolMembership,
    SchoolYear,
    Teacher,
)
from koers.tests.accounts import PASSWORD, make_user, sign_in
from koers.tests.helpers import dump_database, make_school

pytestmark = pytest.mark.django_db

# A pupil name that must never reach an account page.
CANARY = "Kanarie"
# Stands for the id of teacher record Jansen in a parametrize table.
JANSEN = "jansen"


@dataclass
class World:
    school: School
    other: School
    admin: User
    admin_client: Client
    teacher: User
    jansen: Teacher
    de_vries: Teacher
    group_5a: Group
    group_6b: Group
    elsewhere: User


def current_year() -> SchoolYear:
    year, _ = SchoolYear.objects.get_or_create(
        start_year=school_year_of(timezone.localdate())
    )
    return year


@pytest.fixture
def world() -> World:
    """One school with an administrator and a teacher (Jansen, groups 5A this
    year and 4A last year), a second teacher record (De Vries, group 6B), and a
    second school with an account of its own."""
    school = make_school("11AA", "OBS De Proef")
    other = make_school("22BB", "CBS Elders")
    year = current_year()
    last_year, _ = SchoolYear.objects.get_or_create(start_year=year.start_year - 1)
    group_5a = Group.objects.create(school=school, school_year=year, name="5A")
    group_6b = Group.objects.create(school=school, school_year=year, name="6B")
    group_4a = Group.objects.create(school=school, school_year=last_year, name="4A")
    jansen = Teacher.objects.create(
        school=school, key="T-1", surname="Jansen", preferred_name="Els"
    )
    jansen.groups.add(group_5a, group_4a)
    de_vries = Teacher.objects.create(
        school=school, key="T-2", prefix="de", surname="Vries", preferred_name="Piet"
    )
    de_vries.groups.add(group_6b)
    for group in (group_5a, group_6b):
        pupil = Pupil.objects.create(
            school=school, key=f"P-{group.name}", surname=CANARY, preferred_name="Kim"
        )
        Enrolment.objects.create(pupil=pupil, group=group, grade=group.name[0])

    admin = make_user("beheerder", school, role=Role.ADMIN)
    teacher = make_user("juf.els", school, role=Role.TEACHER, teacher=jansen)
    teacher.email = "els@proef.example"
    teacher.save()
    elsewhere = make_user("elders", other, role=Role.SUPPORT)
    return World(
        school=school,
        other=other,
        admin=admin,
        admin_client=sign_in(admin),
        teacher=teacher,
        jansen=jansen,
        de_vries=de_vries,
        group_5a=group_5a,
        group_6b=group_6b,
        elsewhere=elsewhere,
    )


def list_url(world: World) -> str:
    return reverse("accounts:list", args=[world.school.pk])


def account_url(name: str, world: World, user: User, *extra: int) -> str:
    return reverse(f"accounts:{name}", args=[world.school.pk, user.pk, *extra])


def membership_of(user: User, school: School) -> SchoolMembership:
    return SchoolMembership.objects.get(user=user, school=school)


def signed_out(client: Client) -> bool:
    """Whether the client's next request finds no signed-in session."""
    response = client.get(reverse("analysis:home"))
    return response.status_code == 302 and response["Location"].startswith(
        reverse("account_login")
    )


def test_it_lists_every_account_of_the_school(world: World) -> None:
    make_user("ib.anne", world.school, role=Role.SUPPORT, second_factor=False)
    world.teacher.last_login = timezone.now() - dt.timedelta(days=3)
    world.teacher.save()

    response = world.admin_client.get(list_url(world))

    assert response.status_code == 200
    rows = {row.user.username: row for row in response.context["accounts"]}
    assert list(rows) == ["beheerder", "ib.anne", "juf.els"]
    teacher = rows["juf.els"]
    assert [m.role for m in teacher.memberships] == [Role.TEACHER]
    assert teacher.teachers == [world.jansen]
    # Only this school year's group, not last year's 4A.
    assert teacher.groups == [world.group_5a]
    assert (teacher.second_factor, teacher.dormant) == (True, False)
    assert rows["ib.anne"].second_factor is False
    page = response.content.decode()
    assert "els@proef.example" in page
    assert "Els Jansen" in page
    assert "leerkracht" in page
    # The groups cell holds this year's 5A and not last year's 4A (compared as
    # a whole cell: the page's CSRF token may hold "4A" by chance).
    assert "<td>5A</td>" in page
    assert "4A</td>" not in page
    assert "elders" not in page
    assert response.context["without_factor"] == 1


def test_it_shows_no_pupil_data(world: World) -> None:
    response = world.admin_client.get(list_url(world))
    detail = world.admin_client.get(account_url("detail", world, world.teacher))

    for page in (response, detail):
        assert page.status_code == 200
        assert CANARY not in page.content.decode()


def test_it_flags_an_account_without_a_login_for_90_days_as_dormant(
    world: World,
) -> None:
    now = timezone.now()
    world.teacher.last_login = now - dt.timedelta(days=91)
    world.teacher.save()
    recent = make_user("recent", world.school)
    recent.last_login = now - dt.timedelta(days=89)
    recent.save()
    never = make_user("nooit", world.school)
    never.date_joined = now - dt.timedelta(days=120)
    never.save()

    response = world.admin_client.get(list_url(world))

    dormant = {row.user.username for row in response.context["accounts"] if row.dormant}
    assert dormant == {"juf.els", "nooit"}
    assert response.context["dormant"] == 2
    assert "slapend" in response.content.decode()


def test_is_dormant_counts_from_the_last_login_or_the_day_made() -> None:
    now = timezone.now()
    user = User(date_joined=now - dt.timedelta(days=365))

    user.last_login = now - dt.timedelta(days=90)
    assert not accounts.is_dormant(user, now)
    user.last_login = now - dt.timedelta(days=90, seconds=1)
    assert accounts.is_dormant(user, now)
    user.last_login = None
    assert accounts.is_dormant(user, now)
    user.date_joined = now - dt.timedelta(days=10)
    assert not accounts.is_dormant(user, now)


# (URL name, method, needs an account) for every account page.
PAGES = [
    ("list", "get", False),
    ("add", "get", False),
    ("add", "post", False),
    ("detail", "get", True),
    ("add-role", "post", True),
    ("remove-role", "post", True),
    ("reset-second-factor", "post", True),
    ("end-sessions", "post", True),
    ("deactivate", "post", True),
    ("activate", "post", True),
]


def page_url(name: str, world: World, school: School, user: User) -> str:
    if name in ("list", "add"):
        return reverse(f"accounts:{name}", args=[school.pk])
    args = [school.pk, user.pk]
    if name == "remove-role":
        args.append(SchoolMembership.objects.filter(user=user)[0].pk)
    return reverse(f"accounts:{name}", args=args)


def role_post() -> dict[str, Any]:
    return {"role": Role.DIRECTOR.value, "username": "nieuw", "password_choice": "x"}


@pytest.mark.parametrize(("name", "method", "_"), PAGES)
def test_it_sends_an_anonymous_visitor_to_the_login_page(
    world: World, name: str, method: str, _: bool
) -> None:
    url = page_url(name, world, world.school, world.teacher)

    response = getattr(Client(), method)(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("role", [Role.TEACHER, Role.SUPPORT, Role.DIRECTOR])
@pytest.mark.parametrize(("name", "method", "_"), PAGES)
def test_it_answers_404_to_a_role_without_account_management(
    world: World, name: str, method: str, _: bool, role: Role
) -> None:
    client = sign_in(make_user("collega", world.school, role=role))
    url = page_url(name, world, world.school, world.teacher)
    before = dump_database(exclude=["django_session"])

    response = getattr(client, method)(url, role_post())

    assert response.status_code == 404
    assert dump_database(exclude=["django_session"]) == before


@pytest.mark.parametrize(("name", "method", "needs_account"), PAGES)
def test_it_answers_404_for_another_school_and_its_accounts(
    world: World, name: str, method: str, needs_account: bool
) -> None:
    urls = [page_url(name, world, world.other, world.elsewhere)]
    if needs_account:
        # An account id from elsewhere, under the admin's own school.
        urls.append(page_url(name, world, world.school, world.elsewhere))
    before = dump_database(exclude=["django_session"])

    for url in urls:
        response = getattr(world.admin_client, method)(url, role_post())

        assert response.status_code == 404
    assert dump_database(exclude=["django_session"]) == before


@pytest.mark.parametrize(("name", "method", "_"), PAGES)
def test_it_refuses_a_wrong_method(
    world: World, name: str, method: str, _: bool
) -> None:
    url = page_url(name, world, world.school, world.teacher)

    other_method = "post" if method == "get" else "get"
    response = getattr(world.admin_client, other_method)(url)

    if name == "add":
        assert response.status_code == 200
    else:
        assert response.status_code == 405


@pytest.mark.parametrize(
    "name", [name for name, method, _ in PAGES if method == "post"]
)
def test_it_refuses_a_post_without_csrf_token(world: World, name: str) -> None:
    client = sign_in(world.admin, Client(enforce_csrf_checks=True))
    url = page_url(name, world, world.school, world.teacher)
    before = dump_database(exclude=["django_session"])

    response = client.post(url, role_post())

    assert response.status_code == 403
    assert dump_database(exclude=["django_session"]) == before


def test_it_adds_a_teacher_who_then_sees_only_their_own_group(world: World) -> None:
    response = world.admin_client.post(
        reverse("accounts:add", args=[world.school.pk]),
        {
            "username": "meester.piet",
            "email": "piet@proef.example",
            "role": Role.TEACHER.value,
            "teacher": world.de_vries.pk,
            "password_choice": "generate",
        },
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert len(password) >= 12
    assert f'<code id="password">{password}</code>' in response.content.decode()
    user = User.objects.get(username="meester.piet")
    assert user.check_password(password)
    assert user.email == "piet@proef.example"
    membership = membership_of(user, world.school)
    assert (membership.role, membership.teacher) == (Role.TEACHER, world.de_vries)
    assert not Authenticator.objects.filter(user=user).exists()

    # The password is shown once: no later page has it.
    for url in (list_url(world), account_url("detail", world, user)):
        assert password not in world.admin_client.get(url).content.decode()

    teacher = sign_in(user)
    group_page = "analysis:group-overview"
    assert teacher.get(reverse(group_page, args=[world.group_6b.pk])).status_code == 200
    assert teacher.get(reverse(group_page, args=[world.group_5a.pk])).status_code == 404


def test_it_takes_a_password_the_admin_types(world: World) -> None:
    response = world.admin_client.post(
        reverse("accounts:add", args=[world.school.pk]),
        {
            "username": "directeur",
            "role": Role.DIRECTOR.value,
            "password_choice": "typed",
            "password": "een-heel-lang-wachtwoord",
        },
    )

    assert response.status_code == 200
    assert response.context["password"] is None
    assert "een-heel-lang-wachtwoord" not in response.content.decode()
    user = User.objects.get(username="directeur")
    assert user.check_password("een-heel-lang-wachtwoord")
    assert membership_of(user, world.school).role == Role.DIRECTOR


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"password_choice": "typed", "password": "kort-wacht"}, "password"),
        ({"password_choice": "typed", "password": "123456789012"}, "password"),
        ({"password_choice": "typed", "password": ""}, "password"),
        ({"username": "JUF.ELS"}, "username"),
        ({"username": "met spatie"}, "username"),
        ({"email": "ELS@proef.example"}, "email"),
        ({"role": Role.TEACHER.value}, "teacher"),
        ({"role": Role.SUPPORT.value, "teacher": JANSEN}, "teacher"),
        ({"role": "superuser"}, "role"),
        ({"role": Role.TEACHER.value, "teacher": "T-1"}, "teacher"),
    ],
)
def test_it_refuses_an_account_it_cannot_make(
    world: World, data: dict[str, str], field: str
) -> None:
    form = {
        "username": "nieuw",
        "role": Role.SUPPORT.value,
        "password_choice": "generate",
        **data,
    }
    if form.get("teacher") == JANSEN:
        form["teacher"] = str(world.jansen.pk)
    before = dump_database(exclude=["django_session"])

    response = world.admin_client.post(
        reverse("accounts:add", args=[world.school.pk]), form
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Er is niets opgeslagen" in response.content.decode()
    assert dump_database(exclude=["django_session"]) == before


def test_it_refuses_a_teacher_record_of_another_school(world: World) -> None:
    foreign = Teacher.objects.create(school=world.other, key="T-9", surname="Ver")

    response = world.admin_client.post(
        reverse("accounts:add", args=[world.school.pk]),
        {
            "username": "nieuw",
            "role": Role.TEACHER.value,
            "teacher": foreign.pk,
            "password_choice": "generate",
        },
    )

    assert "teacher" in response.context["form"].errors
    assert not User.objects.filter(username="nieuw").exists()


def test_it_gives_an_account_another_role_at_this_school(world: World) -> None:
    response = world.admin_client.post(
        account_url("add-role", world, world.teacher), {"role": Role.SUPPORT.value}
    )

    assert response.status_code == 302
    roles = SchoolMembership.objects.filter(user=world.teacher, school=world.school)
    assert set(roles.values_list("role", flat=True)) == {Role.TEACHER, Role.SUPPORT}


def test_it_refuses_a_role_the_account_already_has(world: World) -> None:
    response = world.admin_client.post(
        account_url("add-role", world, world.teacher),
        {"role": Role.TEACHER.value, "teacher": world.de_vries.pk},
    )

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert membership_of(world.teacher, world.school).teacher == world.jansen


def test_it_gives_no_role_at_another_school(world: World) -> None:
    # The school is in the address; the form has no field that names another.
    world.admin_client.post(
        account_url("add-role", world, world.teacher),
        {"role": Role.SUPPORT.value, "school": world.other.pk},
    )
    response = world.admin_client.post(
        reverse("accounts:add-role", args=[world.other.pk, world.teacher.pk]),
        {"role": Role.SUPPORT.value},
    )

    assert response.status_code == 404
    assert not SchoolMembership.objects.filter(school=world.other, user=world.teacher)


def test_removing_a_role_takes_effect_on_the_next_request(world: World) -> None:
    teacher = sign_in(world.teacher)
    group_url = reverse("analysis:group-overview", args=[world.group_5a.pk])
    assert teacher.get(group_url).status_code == 200
    membership = membership_of(world.teacher, world.school)

    response = world.admin_client.post(
        account_url("remove-role", world, world.teacher, membership.pk)
    )

    assert response.status_code == 302
    assert response["Location"] == list_url(world)
    assert not SchoolMembership.objects.filter(pk=membership.pk).exists()
    assert teacher.get(group_url).status_code == 404


def test_it_removes_no_role_of_another_school_through_this_one(world: World) -> None:
    SchoolMembership.objects.create(
        user=world.teacher, school=world.other, role=Role.SUPPORT
    )
    foreign = SchoolMembership.objects.get(user=world.teacher, school=world.other)

    response = world.admin_client.post(
        account_url("remove-role", world, world.teacher, foreign.pk)
    )

    assert response.status_code == 404
    assert SchoolMembership.objects.filter(pk=foreign.pk).exists()


def test_the_admin_cannot_remove_their_own_role(world: World) -> None:
    own = membership_of(world.admin, world.school)

    response = world.admin_client.post(
        account_url("remove-role", world, world.admin, own.pk)
    )

    assert response.status_code == 403
    assert "eigen account" in response.content.decode()
    assert SchoolMembership.objects.filter(pk=own.pk).exists()
    assert world.admin_client.get(list_url(world)).status_code == 200


@pytest.mark.parametrize(
    "name", ["add-role", "reset-second-factor", "end-sessions", "deactivate"]
)
def test_the_admin_cannot_change_their_own_account(world: World, name: str) -> None:
    before = dump_database(exclude=["django_session"])

    response = world.admin_client.post(
        account_url(name, world, world.admin), {"role": Role.DIRECTOR.value}
    )

    assert response.status_code == 403
    assert dump_database(exclude=["django_session"]) == before
    assert not signed_out(world.admin_client)


def test_it_resets_the_second_factor_and_signs_the_account_out(world: World) -> None:
    teacher = sign_in(world.teacher)

    response = world.admin_client.post(
        account_url("reset-second-factor", world, world.teacher)
    )

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.teacher).exists()
    assert signed_out(teacher)
    assert not signed_out(world.admin_client)


def test_it_refuses_to_reset_an_account_that_also_works_elsewhere(
    world: World,
) -> None:
    SchoolMembership.objects.create(
        user=world.teacher, school=world.other, role=Role.SUPPORT
    )

    for name in ("reset-second-factor", "deactivate"):
        response = world.admin_client.post(account_url(name, world, world.teacher))

        assert response.status_code == 403
        assert "buiten de scholen die u beheert" in response.content.decode()
    assert Authenticator.objects.filter(user=world.teacher).exists()
    world.teacher.refresh_from_db()
    assert world.teacher.is_active


def test_it_refuses_to_reset_board_staff(world: World) -> None:
    board = Board.objects.create(name="Stichting Proef")
    BoardMembership.objects.create(user=world.teacher, board=board)

    response = world.admin_client.post(
        account_url("reset-second-factor", world, world.teacher)
    )

    assert response.status_code == 403
    assert Authenticator.objects.filter(user=world.teacher).exists()


def test_it_resets_an_account_at_two_schools_the_admin_manages(world: World) -> None:
    SchoolMembership.objects.create(
        user=world.admin, school=world.other, role=Role.ADMIN
    )
    SchoolMembership.objects.create(
        user=world.teacher, school=world.other, role=Role.SUPPORT
    )

    response = world.admin_client.post(
        account_url("reset-second-factor", world, world.teacher)
    )

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.teacher).exists()


def test_it_ends_all_sessions_of_an_account(world: World) -> None:
    laptop, phone = sign_in(world.teacher), sign_in(world.teacher)
    sessions_before = Session.objects.count()

    response = world.admin_client.post(
        account_url("end-sessions", world, world.teacher)
    )

    assert response.status_code == 302
    assert Session.objects.count() == sessions_before - 2
    assert signed_out(laptop)
    assert signed_out(phone)
    assert not signed_out(world.admin_client)
    page = world.admin_client.get(response["Location"]).content.decode()
    assert "2 sessies beëindigd" in page


def test_deactivation_ends_the_sessions_and_the_login(world: World) -> None:
    teacher = sign_in(world.teacher)

    response = world.admin_client.post(account_url("deactivate", world, world.teacher))

    assert response.status_code == 302
    world.teacher.refresh_from_db()
    assert not world.teacher.is_active
    assert signed_out(teacher)
    fresh = Client()
    fresh.post(reverse("account_login"), {"login": "juf.els", "password": PASSWORD})
    assert signed_out(fresh)
    listed = world.admin_client.get(list_url(world)).content.decode()
    assert "gedeactiveerd" in listed

    world.admin_client.post(account_url("activate", world, world.teacher))

    world.teacher.refresh_from_db()
    assert world.teacher.is_active


def test_end_sessions_leaves_other_accounts_signed_in(world: World) -> None:
    teacher = sign_in(world.teacher)
    other = sign_in(world.elsewhere)

    assert accounts.end_sessions(world.teacher) == 1

    assert signed_out(teacher)
    assert not signed_out(other)
    assert accounts.end_sessions(world.teacher) == 0


def test_the_home_page_and_school_nav_link_to_the_accounts(world: World) -> None:
    url = list_url(world)
    director = sign_in(make_user("directeur", world.school, role=Role.DIRECTOR))

    home = world.admin_client.get(reverse("analysis:home")).content.decode()
    listed = world.admin_client.get(url).content.decode()
    nav_of_director = director.get(
        reverse("analysis:school-start", args=[world.school.pk])
    ).content.decode()

    assert f'href="{url}"' in home
    assert f'href="{url}" aria-current="page"' in listed
    assert url not in nav_of_director
