"""The verantwoording pages: the school's dossiers per school year, the dossier as
PDF and the board's page. Access, the counts (worked out by hand from the records
made here), the sections of the dossier, and no pupil name anywhere."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from koers.analysis.models import Ambition
from koers.conftest import LoadedDemo
from koers.cycle import accountability
from koers.cycle.accountability import RecordCounts
from koers.cycle.models import (
    Action,
    Decision,
    GroupDeviation,
    Meeting,
    PlanSubject,
    ProfessionalDevelopmentPlan,
    PupilDecision,
    SchoolAgreement,
)
from koers.cycle.plan_services import start_plan
from koers.schools.models import Board, Enrolment, Pupil, School, SchoolYear
from koers.tests.helpers import board_member, make_school, member_of, small_school

if TYPE_CHECKING:
    from time_machine import TimeMachineFixture

pytestmark = pytest.mark.django_db

CANARY_FIRST = "Canarynaam"
CANARY_LAST = "Zzyzx"
# Mid June 2025: school year 2024-2025, before its E results are in.
TODAY = dt.datetime(2025, 6, 15, 12, tzinfo=dt.UTC)
DECISION_TEXT = "Instructietijd rekenen in groep 5 naar 300 minuten"
PLAN_NOTE = "De p80 rekenen haalt de ambitie weer"
A4 = (595, 842)


def year_of(start_year: int) -> SchoolYear:
    return SchoolYear.objects.get_or_create(start_year=start_year)[0]


def pdf_text(data: bytes) -> str:
    """The text of every page, with runs of white space made one space."""
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text().split()) for page in pages)


def page_text(content: bytes) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", content.decode()).split())


def twenty_weeks(school: School, meeting: Meeting | None, **fields: Any) -> Any:
    """The fields every 20-week record needs, from the meeting that decided it."""
    return {"school": school, "meeting": meeting, **fields}


@pytest.fixture
def world(time_machine: TimeMachineFixture) -> dict[str, Any]:
    """School 11AA of board "Stichting Proef" with, in school year 2024-2025:

    - two meetings held and closed (1 October 2024 and 10 February 2025) and one
      planned for 1 July 2025, after today, still open; one closed meeting in
      2023-2024;
    - two professionalisation plans: one evaluated, one overdue (ended 31 January);
    - one deviation for group 5A, running, with the named subgroup
      "instructietafel" of the canary pupil and Anna;
    - three pupil decisions: two "ander arrangement" (the canary's evaluated
      effective, Anna's running) and Bram's "geen verandering", overdue.

    Ambitions: rekenen p80 5 (met: the lowest index is 7) and p20 99 (missed).
    """
    time_machine.move_to(TODAY)
    built = small_school()
    school: School = built["school"]
    board = Board.objects.create(name="Stichting Proef")
    school.board = board
    school.save()
    group = built["group"]
    canary = Pupil.objects.create(
        school=school, key="11AA-9", surname=CANARY_LAST, preferred_name=CANARY_FIRST
    )
    Enrolment.objects.create(pupil=canary, group=group, grade="5")

    Ambition.objects.create(
        school=school,
        subject="rekenen",
        metric="p80",
        population="school_3_8",
        target=Decimal(5),
        rationale="Passend bij onze schoolweging.",
    )
    Ambition.objects.create(
        school=school,
        subject="rekenen",
        metric="p20",
        population="school_3_8",
        target=Decimal(99),
    )
    plan = start_plan(school, year_of(2024), None)
    PlanSubject.objects.filter(plan=plan, subject="rekenen").update(
        minutes_per_week=300, instruction_model="EDI"
    )
    SchoolAgreement.objects.create(plan=plan, title="Elke les start met het doel")

    y2023, y2024 = year_of(2023), year_of(2024)
    autumn = Meeting.objects.create(
        school=school,
        school_year=y2023,
        after_period="E",
        held_on=dt.date(2024, 10, 1),
        participants="IB'er, directeur",
        closed_at=dt.datetime(2024, 10, 1, 17, tzinfo=dt.UTC),
    )
    winter = Meeting.objects.create(
        school=school,
        school_year=y2024,
        after_period="M",
        held_on=dt.date(2025, 2, 10),
        participants="IB'er, directeur, leerkrachten",
        closed_at=dt.datetime(2025, 2, 10, 17, tzinfo=dt.UTC),
    )
    Meeting.objects.create(
        school=school, school_year=y2024, after_period="E", held_on=dt.date(2025, 7, 1)
    )
    Meeting.objects.create(
        school=school,
        school_year=y2023,
        after_period="M",
        held_on=dt.date(2024, 3, 1),
        closed_at=dt.datetime(2024, 3, 1, 17, tzinfo=dt.UTC),
    )
    Decision.objects.create(meeting=winter, text=DECISION_TEXT)
    Action.objects.create(
        meeting=winter,
        description="Kijkwijzer maken",
        owner="IB'er",
        due_on=dt.date(2025, 3, 1),
    )

    after_winter = {
        "starts_on": dt.date(2025, 2, 12),
        "ends_on": dt.date(2025, 6, 30),
        "evaluate_year": y2024,
        "evaluate_period": "E",
    }
    after_autumn = {
        "starts_on": dt.date(2024, 10, 3),
        "ends_on": dt.date(2025, 1, 31),
        "evaluate_year": y2024,
        "evaluate_period": "M",
    }
    gap = {
        "subject": "rekenen",
        "metric": "p80",
        "population": "school_3_8",
        "gap_year": y2023,
        "gap_period": "E",
        "target": Decimal(20),
        "value_at_start": Decimal("12.5"),
        "n_at_start": 2,
        "activities": "Studiedag",
        "owner": "Directeur",
        "success_criterion": "p80 minstens 20",
    }
    ProfessionalDevelopmentPlan.objects.create(
        **twenty_weeks(school, winter, **after_winter),
        **gap,
        goal="Rekenen: de zwakste leerlingen weer op niveau",
        evaluated_on=dt.date(2025, 6, 10),
        outcome="effective",
        evaluation_note=PLAN_NOTE,
    )
    ProfessionalDevelopmentPlan.objects.create(
        **twenty_weeks(school, autumn, **after_autumn), **gap, goal="Nog open"
    )
    deviation = GroupDeviation.objects.create(
        **twenty_weeks(school, winter, **after_winter),
        group=group,
        subject="rekenen",
        plan=plan,
        element="instruction",
        from_text="EDI, 20 minuten",
        to_text="Verlengde instructie",
        subgroup="instructietafel",
        reason="p80 onder de ambitie",
        figures={"school_year": 2024, "period": "M", "subjects": []},
        expected_effect="Meer groei",
    )
    deviation.pupils.set([canary, built["anna"]])
    flag = {"school_year": 2024, "period": "M"}
    PupilDecision.objects.create(
        **twenty_weeks(school, winter, **after_winter),
        pupil=canary,
        subject="rekenen",
        kind="arrangement",
        tier="intensive",
        reason=f"{CANARY_FIRST} heeft meer instructie nodig",
        flag=flag,
        evaluated_on=dt.date(2025, 6, 10),
        outcome="effective",
    )
    PupilDecision.objects.create(
        **twenty_weeks(school, winter, **after_winter),
        pupil=built["anna"],
        subject="rekenen",
        kind="arrangement",
        reason="Meer instructie",
        flag=flag,
    )
    PupilDecision.objects.create(
        **twenty_weeks(school, autumn, **after_autumn),
        pupil=built["bram"],
        subject="rekenen",
        kind="no_change",
        reason="Afwachten",
        flag=flag,
    )
    return {**built, "board": board, "canary": canary, "plan": plan}


def dossier_url(school: School, year: int = 2024) -> str:
    return reverse("cycle:accountability-pdf", args=[school.pk, year])


# --- access ---------------------------------------------------------------------


def test_it_requires_a_login(world: dict[str, Any], client: Client) -> None:
    school = world["school"]
    urls = [
        reverse("cycle:accountability", args=[school.pk]),
        dossier_url(school),
        reverse("cycle:board", args=[world["board"].pk]),
    ]

    responses = [client.get(url) for url in urls]

    assert [r.status_code for r in responses] == [302, 302, 302]
    assert all(r["Location"].startswith(reverse("account_login")) for r in responses)


def test_it_only_answers_get(world: dict[str, Any]) -> None:
    school = world["school"]
    client = member_of(school)
    urls = [
        reverse("cycle:accountability", args=[school.pk]),
        dossier_url(school),
        reverse("cycle:board", args=[world["board"].pk]),
    ]

    responses = [client.post(url) for url in urls]

    assert [r.status_code for r in responses] == [405, 405, 405]


def test_it_hides_the_dossiers_of_another_school(world: dict[str, Any]) -> None:
    other = make_school("22BB", "OBS Elders")
    client = member_of(other)
    school = world["school"]

    page = client.get(reverse("cycle:accountability", args=[school.pk]))
    pdf = client.get(dossier_url(school))

    assert (page.status_code, pdf.status_code) == (404, 404)


def test_it_has_no_dossier_for_a_year_without_groups_or_meetings(
    world: dict[str, Any],
) -> None:
    client = member_of(world["school"])

    response = client.get(dossier_url(world["school"], 2019))

    assert response.status_code == 404


def test_it_hides_another_board(world: dict[str, Any]) -> None:
    other_board = Board.objects.create(name="Stichting Elders")
    elsewhere = make_school("22BB", "OBS Elders")
    elsewhere.board = other_board
    elsewhere.save()
    client = member_of(world["school"])

    other = client.get(reverse("cycle:board", args=[other_board.pk]))
    unknown = client.get(reverse("cycle:board", args=[other_board.pk + 100]))

    assert (other.status_code, unknown.status_code) == (404, 404)


# --- the page --------------------------------------------------------------------


def test_the_page_counts_what_each_dossier_holds(world: dict[str, Any]) -> None:
    school = world["school"]
    client = member_of(school)

    response = client.get(reverse("cycle:accountability", args=[school.pk]))

    assert response.status_code == 200
    summaries = {s.school_year: s for s in response.context["summaries"]}
    assert list(summaries) == [2024, 2023]
    latest = summaries[2024]
    # The meeting of 1 July 2025 has not been held yet.
    assert (latest.meetings, latest.last_meeting) == (2, dt.date(2025, 2, 10))
    assert latest.ambitions == 2
    assert latest.development_plans == RecordCounts(2, 1, 0, 1)
    assert latest.deviations == RecordCounts(1, 0, 1, 0)
    assert latest.pupil_decisions == RecordCounts(3, 1, 1, 1)
    assert summaries[2023].meetings == 1
    assert summaries[2023].pupil_decisions == RecordCounts(0, 0, 0, 0)
    text = page_text(response.content)
    assert "planmatig werkt" in text
    assert dossier_url(school) in response.content.decode()
    assert CANARY_FIRST not in text


# --- the dossier --------------------------------------------------------------------


def test_the_dossier_is_an_a4_pdf_with_every_section(world: dict[str, Any]) -> None:
    school = world["school"]
    client = member_of(school)

    response = client.get(dossier_url(school))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert (
        'filename="verantwoording_11AA_2024-2025.pdf"'
        in (response["Content-Disposition"])
    )
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4
    text = pdf_text(response.content)
    for section in accountability.SECTIONS:
        assert f"{section.number}. {section.title}" in text
        assert ", ".join(section.standard_labels) in text
    assert "Verantwoording: OP1 Aanbod, OP3 Didactisch handelen" in text
    assert "Verantwoording: OP2 Zicht op ontwikkeling, OP4 (Extra) ondersteuning" in (
        text
    )


def test_the_dossier_holds_the_records_of_the_year(world: dict[str, Any]) -> None:
    client = member_of(world["school"])

    text = pdf_text(client.get(dossier_url(world["school"])).content)

    # Ambitions with the school's reason, and the school against them.
    assert "p80 5 · p20 99" in text
    assert "Passend bij onze schoolweging." in text
    assert "Bij de meting midden 2024-2025" in text
    assert "p80 7,0 ✓" in text
    # The plan version with its minutes and agreement.
    assert "Versie 1 · schooljaar 2024-2025" in text
    assert "Rekenen 300 EDI" in text
    assert "Elke les start met het doel" in text
    # The meetings held, with the decision and the action.
    assert "Schoolbespreking 10 februari 2025, na de meting midden 2024-2025" in text
    assert "Schoolbespreking 1 oktober 2024, na de meting eind 2023-2024" in text
    assert "1 juli 2025" not in text
    assert DECISION_TEXT in text
    assert "Kijkwijzer maken IB'er 1-3-2025 nee" in text
    # The plans with their evaluation.
    assert "12,5 tegen een ambitie van 20,0 bij de meting eind 2023-2024" in text
    assert "Effectief · geëvalueerd op 10 juni 2025" in text
    assert PLAN_NOTE in text
    # The deviation, for its subgroup.
    assert "Afwijking groep 5A, rekenen: instructie" in text
    assert "instructietafel (2 leerlingen)" in text
    assert "EDI, 20 minuten" in text


def test_the_dossier_counts_pupil_decisions_only(world: dict[str, Any]) -> None:
    client = member_of(world["school"])

    text = pdf_text(client.get(dossier_url(world["school"])).content)

    # Kind, total, effective, partly, not effective, not yet evaluated.
    assert "Ander arrangement 2 1 0 0 1" in text
    assert "Geen verandering 1 0 0 0 1" in text
    assert "Samen 3 1 0 0 2" in text
    assert "meer instructie nodig" not in text
    assert "Afwachten" not in text


def test_the_dossier_lists_what_was_not_evaluated_in_time(
    world: dict[str, Any],
) -> None:
    client = member_of(world["school"])

    text = pdf_text(client.get(dossier_url(world["school"])).content)

    section = text.split("8. Niet geëvalueerd")[-1]
    assert "Professionalisering rekenen: p80 (school, groep 3-8) 2024-2025" in section
    assert "31-1-2025 midden 2024-2025 evaluatie te laat" in section
    assert "Leerlingbesluiten: 1 evaluatie te laat" in section
    assert "Afwijking" not in section


def test_the_dossier_never_names_a_pupil(world: dict[str, Any]) -> None:
    client = member_of(world["school"])

    text = pdf_text(client.get(dossier_url(world["school"])).content)

    assert "Ander arrangement" in text
    assert "instructietafel" in text
    assert CANARY_FIRST not in text
    assert CANARY_LAST not in text
    for pupil in (world["anna"], world["bram"]):
        assert pupil.surname not in text


def test_an_older_year_shows_the_plan_that_still_held(world: dict[str, Any]) -> None:
    world["plan"].school_year = year_of(2023)
    world["plan"].save()
    client = member_of(world["school"])

    text = pdf_text(client.get(dossier_url(world["school"], 2024)).content)

    assert "de nieuwste versie van een eerder schooljaar gold nog" in text
    assert "Versie 1 · schooljaar 2023-2024" in text


def test_a_demo_dossier_names_none_of_its_pupils(
    loaded_demo: LoadedDemo, db: None
) -> None:
    school = loaded_demo.school
    year = max(accountability.school_years(school))
    pupils = list(Pupil.objects.filter(school=school).order_by("pk")[:3])
    meeting = Meeting.objects.create(
        school=school,
        school_year=year_of(year),
        after_period="M",
        held_on=dt.date(year + 1, 2, 10),
    )
    for pupil in pupils:
        PupilDecision.objects.create(
            **twenty_weeks(school, meeting),
            starts_on=dt.date(year + 1, 2, 12),
            ends_on=dt.date(year + 1, 6, 30),
            evaluate_year=year_of(year),
            evaluate_period="E",
            pupil=pupil,
            subject="rekenen",
            kind="adaptation",
            reason=pupil.display_name,
            flag={"school_year": year, "period": "M"},
        )
    client = member_of(school)

    response = client.get(dossier_url(school, year))

    text = pdf_text(response.content)
    assert response.status_code == 200
    assert "Aanpassing voor deze leerling 3 0 0 0 3" in text
    names = {p.display_name for p in Pupil.objects.filter(school=school)}
    assert [name for name in names if name in text] == []


# --- the board ------------------------------------------------------------------------


def test_the_board_page_counts_the_cycle_per_school(world: dict[str, Any]) -> None:
    board = world["board"]
    second = make_school("22BB", "OBS Tweede")
    second.board = board
    second.save()
    client = board_member(board)

    response = client.get(reverse("cycle:board", args=[board.pk]))

    assert response.status_code == 200
    first, other = response.context["rows"]
    assert first.school == world["school"]
    assert first.measurement == "midden 2024-2025"
    assert (first.ambitions_met, first.ambitions_judged) == (1, 2)
    assert first.cycle.school_year == 2024
    assert (first.cycle.meetings, first.cycle.last_meeting) == (2, dt.date(2025, 2, 10))
    assert first.cycle.development_plans == RecordCounts(2, 1, 0, 1)
    assert first.cycle.deviations == RecordCounts(1, 0, 1, 0)
    assert first.cycle.pupil_decisions == RecordCounts(3, 1, 1, 1)
    assert other.measurement is None
    assert other.cycle.meetings == 0
    text = page_text(response.content)
    assert "1 van 2" in text
    assert "2 gehouden laatste 10 februari 2025" in text
    assert "3 besloten 1 geëvalueerd · 1 loopt · 1 te laat" in text
    assert "nog geen doorstroomtoetsresultaten" in text


def test_the_board_page_names_no_pupil_and_links_no_pupil_page(
    world: dict[str, Any],
) -> None:
    client = board_member(world["board"])

    response = client.get(reverse("cycle:board", args=[world["board"].pk]))

    html = response.content.decode()
    assert CANARY_FIRST not in html
    assert CANARY_LAST not in html
    assert world["anna"].surname not in html
    assert "/leerling/" not in html


def test_the_board_page_is_for_board_staff_only(world: dict[str, Any]) -> None:
    # An IB'er of a school of the board does not see the board's aggregates of
    # the other schools; board staff see every school of their board.
    sibling = make_school("22BB", "OBS Zuster")
    sibling.board = world["board"]
    sibling.save()
    url = reverse("cycle:board", args=[world["board"].pk])

    school_staff = member_of(world["school"]).get(url)
    board_staff = board_member(world["board"]).get(url)

    assert school_staff.status_code == 404
    assert [row.school for row in board_staff.context["rows"]] == [
        world["school"],
        sibling,
    ]


def test_board_staff_do_not_see_another_board(world: dict[str, Any]) -> None:
    other_board = Board.objects.create(name="Stichting Elders")
    client = board_member(world["board"])

    response = client.get(reverse("cycle:board", args=[other_board.pk]))

    assert response.status_code == 404


def test_the_home_page_of_board_staff_links_their_board(
    world: dict[str, Any],
) -> None:
    client = board_member(world["board"])

    response = client.get(reverse("analysis:home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("cycle:board", args=[world["board"].pk]) in html
    assert reverse("analysis:school-start", args=[world["school"].pk]) not in html


def test_a_school_page_is_not_for_board_staff(world: dict[str, Any]) -> None:
    client = board_member(world["board"])

    response = client.get(
        reverse("analysis:school-overview", args=[world["school"].pk])
    )

    assert response.status_code == 404


def test_the_board_page_counts_the_last_year_that_ran_before_new_results(
    world: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    # In October 2025 school year 2025-2026 has no results and no meeting yet:
    # the board still sees the cycle of 2024-2025, not a row of zeros.
    time_machine.move_to(dt.datetime(2025, 10, 15, 12, tzinfo=dt.UTC))
    client = board_member(world["board"])

    response = client.get(reverse("cycle:board", args=[world["board"].pk]))

    (row,) = response.context["rows"]
    assert response.context["year_label"] == "2024-2025"
    assert row.cycle.school_year == 2024
    # The meeting of 1 July 2025 has been held by now, but its minutes are not
    # closed: it is counted apart, not as held.
    assert (row.cycle.meetings, row.cycle.open_meetings) == (2, 1)


def test_a_meeting_not_yet_closed_is_counted_apart(
    world: dict[str, Any], time_machine: TimeMachineFixture
) -> None:
    # On 2 July 2025 the meeting of 1 July has been held but its minutes are not
    # closed: it is not counted as held, and the page says it is still open.
    time_machine.move_to(dt.datetime(2025, 7, 2, 12, tzinfo=dt.UTC))
    school = world["school"]

    page = member_of(school).get(reverse("cycle:accountability", args=[school.pk]))
    board = board_member(world["board"]).get(
        reverse("cycle:board", args=[world["board"].pk])
    )

    latest = {s.school_year: s for s in page.context["summaries"]}[2024]
    assert (latest.meetings, latest.open_meetings) == (2, 1)
    assert latest.last_meeting == dt.date(2025, 2, 10)
    assert "2 gehouden laatste 10 februari 2025 1 nog niet vastgesteld" in (
        page_text(board.content)
    )
