"""What each role reaches, worked out by hand on the small school: a teacher's
own groups this school year and the one before, nothing of the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from time_machine import TimeMachineFixture

from koers.schools.access import groups_for, pupils_for, schools_for
from koers.schools.models import Enrolment, Group, Pupil, Role, SchoolYear, Teacher
from koers.schools.roles import MATRIX, Permission, matrix_table
from koers.tests.accounts import make_user, sign_in
from koers.tests.helpers import small_school

pytestmark = pytest.mark.django_db

# Within school year 2024-2025, where `small_school` has its group 5A.
IN_2024_2025 = dt.datetime(2025, 3, 3, 12, tzinfo=dt.UTC)


@pytest.fixture
def school(time_machine: TimeMachineFixture) -> dict[str, Any]:
    time_machine.move_to(IN_2024_2025)
    built = small_school()
    # Another group of 2024-2025 with a pupil of its own, and one group of
    # 2022-2023: two years back, out of a teacher's reach.
    other = Group.objects.create(
        school=built["school"], school_year=built["year"], name="7B"
    )
    cas = Pupil.objects.create(school=built["school"], key="11AA-3", surname="Cas")
    Enrolment.objects.create(pupil=cas, group=other, grade="7")
    old_year, _ = SchoolYear.objects.get_or_create(start_year=2022)
    old = Group.objects.create(school=built["school"], school_year=old_year, name="3A")
    teacher = Teacher.objects.create(school=built["school"], key="T1", surname="Jansen")
    teacher.groups.add(built["group"], built["previous_group"], old)
    return {**built, "other": other, "cas": cas, "old": old, "teacher": teacher}


def test_a_teacher_reaches_their_groups_of_this_year_and_last_year(
    school: dict[str, Any],
) -> None:
    user = make_user(
        "juf", school["school"], role=Role.TEACHER, teacher=school["teacher"]
    )

    groups = set(groups_for(user, Permission.VIEW_GROUP))
    pupils = set(pupils_for(user, Permission.VIEW_PUPIL))

    # 5A (2024-2025) and 4A (2023-2024); not 3A (2022-2023) nor 7B.
    assert groups == {school["group"], school["previous_group"]}
    # Anna and Bram are in 5A; Cas only in 7B.
    assert pupils == {school["anna"], school["bram"]}
    assert not schools_for(user, Permission.VIEW_SCHOOL).exists()
    # The onderwijsplan holds no pupil data: a teacher reads the school's.
    assert list(schools_for(user, Permission.VIEW_PLAN)) == [school["school"]]


def test_a_teacher_without_a_las_record_reaches_no_group(
    school: dict[str, Any],
) -> None:
    user = make_user("juf", school["school"], role=Role.TEACHER)

    assert not groups_for(user, Permission.VIEW_GROUP).exists()
    assert not pupils_for(user, Permission.VIEW_PUPIL).exists()


def test_a_teacher_opens_their_group_and_pupil_but_not_the_rest(
    school: dict[str, Any],
) -> None:
    user = make_user(
        "juf", school["school"], role=Role.TEACHER, teacher=school["teacher"]
    )
    client = sign_in(user)

    def status(name: str, pk: int) -> int:
        return client.get(reverse(name, args=[pk])).status_code

    assert status("analysis:group-overview", school["group"].pk) == 200
    assert status("analysis:pupil-overview", school["anna"].pk) == 200
    assert status("analysis:group-overview", school["other"].pk) == 404
    assert status("analysis:group-overview", school["old"].pk) == 404
    assert status("analysis:pupil-overview", school["cas"].pk) == 404
    assert status("analysis:school-overview", school["school"].pk) == 404
    assert status("cycle:cycle", school["school"].pk) == 404
    assert status("imports:upload", school["school"].pk) == 404
    assert status("cycle:plan", school["school"].pk) == 200


def test_a_teachers_home_lists_their_groups_of_this_year(
    school: dict[str, Any],
) -> None:
    user = make_user(
        "juf", school["school"], role=Role.TEACHER, teacher=school["teacher"]
    )

    response = sign_in(user).get(reverse("analysis:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("analysis:group-overview", args=[school["group"].pk]) in html
    assert (
        reverse("analysis:group-overview", args=[school["previous_group"].pk])
        not in html
    )
    assert reverse("analysis:school-start", args=[school["school"].pk]) not in html


def test_a_teachers_group_page_links_no_school_page(
    school: dict[str, Any],
) -> None:
    user = make_user(
        "juf", school["school"], role=Role.TEACHER, teacher=school["teacher"]
    )

    response = sign_in(user).get(
        reverse("analysis:group-overview", args=[school["group"].pk])
    )

    html = response.content.decode()
    assert reverse("analysis:school-overview", args=[school["school"].pk]) not in html
    assert reverse("imports:upload", args=[school["school"].pk]) not in html


def test_an_administrator_reaches_settings_but_no_pupil(
    school: dict[str, Any],
) -> None:
    user = make_user("beheer", school["school"], role=Role.ADMIN)
    client = sign_in(user)

    settings_page = client.get(
        reverse("schoolsettings:index", args=[school["school"].pk])
    )
    pupil_page = client.get(
        reverse("analysis:pupil-overview", args=[school["anna"].pk])
    )

    assert (settings_page.status_code, pupil_page.status_code) == (200, 404)


def test_the_matrix_table_has_a_row_per_permission_and_a_column_per_role() -> None:
    table = matrix_table()

    assert len(table) == 1 + len(Permission)
    assert all(len(row) == 2 + len(MATRIX) for row in table)
    teacher_column = 1 + list(MATRIX).index(Role.TEACHER)
    rows = {row[0]: row for row in table[1:]}
    assert rows["groepsoverzichten, rapporten en exports"][teacher_column] == (
        "eigen groepen"
    )
    assert rows["bestanden importeren en imports ongedaan maken"][teacher_column] == (
        "\N{EN DASH}"
    )


def test_before_the_new_roster_a_teachers_home_lists_last_years_groups(
    school: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    # October 2025: school year 2025-2026 has no groups in Koers yet; the
    # teacher's newest groups are those of 2024-2025.
    time_machine.move_to(dt.datetime(2025, 10, 6, 12, tzinfo=dt.UTC))
    user = make_user(
        "juf", school["school"], role=Role.TEACHER, teacher=school["teacher"]
    )

    response = sign_in(user).get(reverse("analysis:home"))

    html = response.content.decode()
    assert "Uw groepen in 2024-2025" in html
    assert reverse("analysis:group-overview", args=[school["group"].pk]) in html
    assert "nog geen toegang" not in html
