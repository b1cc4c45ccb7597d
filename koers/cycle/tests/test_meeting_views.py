"""The schoolbespreking and its records through the pages, as a user goes."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from pypdf import PdfReader

from koers.cycle.models import (
    Action,
    Decision,
    GroupDeviation,
    Meeting,
    ProfessionalDevelopmentPlan,
    PupilDecision,
)
from koers.cycle.tests.factories import cycle_school, meeting_after_m24, pupil_decision
from koers.tests.helpers import make_school, member_of

pytestmark = pytest.mark.django_db


def plan_form(**extra: str) -> dict[str, str]:
    return {
        "goal": "p80 rekenen terug naar 40",
        "activities": "Studiedag over verlengde instructie; twee klassenbezoeken",
        "owner": "directeur",
        "success_criterion": "p80 rekenen groep 3-8 ten minste 40 bij E",
        "starts_on": "2025-02-20",
        "ends_on": "2025-07-10",
        **extra,
    }


def test_meeting_is_prepared_from_the_chosen_measurement() -> None:
    made = cycle_school()
    client = member_of(made.school)

    form = client.get(f"/school/{made.school.pk}/schoolbespreking/nieuw/")
    response = client.post(
        f"/school/{made.school.pk}/schoolbespreking/nieuw/",
        {"measurement": "2024-M", "held_on": "2025-02-20", "participants": "IB"},
    )

    meeting = Meeting.objects.get(school=made.school)
    assert form.status_code == 200
    # Newest first: E 2024-2025, M 2024-2025, E 2023-2024.
    assert form.context["form"].fields["measurement"].choices[:3] == [
        ("2024-E", "eind 2024-2025"),
        ("2024-M", "midden 2024-2025"),
        ("2023-E", "eind 2023-2024"),
    ]
    assert response["Location"] == f"/schoolbespreking/{meeting.pk}/"
    assert (meeting.school_year.start_year, meeting.after_period) == (2024, "M")

    page = client.get(f"/schoolbespreking/{meeting.pk}/")
    text = page.content.decode()
    assert "Na de meting midden 2024-2025" in text
    assert "geëvalueerd na de meting eind 2024-2025" in text
    # Math p80 at M24 is 34 against 40, so a plan can be made from the school row.
    assert "p80 34,0 ✗ \N{MINUS SIGN}6,0" in text
    assert "aanpak/nieuw/?vak=rekenen&amp;maat=p80&amp;populatie=school_3_8" in text
    assert "Blijvend laag" in text


def test_a_plan_keeps_the_gap_it_was_made_for() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    agreement = made.plan.agreements.get()
    url = (
        f"/schoolbespreking/{meeting.pk}/aanpak/nieuw/"
        "?vak=rekenen&maat=p80&populatie=school_3_8"
    )

    response = client.post(url, plan_form(agreements=str(agreement.pk)))

    plan = ProfessionalDevelopmentPlan.objects.get()
    assert response["Location"] == f"/aanpak/{plan.pk}/"
    assert (plan.target, plan.value_at_start, plan.n_at_start) == (
        Decimal(40),
        Decimal(34),
        5,
    )
    assert (plan.evaluate_year.start_year, plan.evaluate_period) == (2024, "E")
    assert list(plan.agreements.all()) == [agreement]


def test_a_plan_form_refuses_an_end_before_its_start() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    url = (
        f"/schoolbespreking/{meeting.pk}/aanpak/nieuw/"
        "?vak=rekenen&maat=p80&populatie=school_3_8"
    )

    response = client.post(url, plan_form(ends_on="2025-01-01"))

    assert response.status_code == 200
    assert "De einddatum moet na de begindatum liggen." in response.content.decode()
    assert not ProfessionalDevelopmentPlan.objects.exists()


def test_a_deviation_stores_the_figures_it_was_based_on() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    url = (
        f"/schoolbespreking/{meeting.pk}/afwijking/nieuw/"
        f"?groep={made.group.pk}&vak=rekenen"
    )

    form = client.get(url)
    response = client.post(
        url,
        {
            "element": "instruction",
            "from_text": "EDI met verlengde instructie",
            "to_text": "dagelijks een instructietafel",
            "subgroup": "instructietafel",
            "pupils": [str(made.pupils["P1"].pk), str(made.pupils["P2"].pk)],
            "reason": "p80 34 tegen 40",
            "expected_effect": "de zwakste rekenaars groeien mee",
            "starts_on": "2025-02-20",
            "ends_on": "2025-07-10",
        },
    )

    record = GroupDeviation.objects.get()
    # The form starts from what the onderwijsplan says for math.
    assert form.context["form"].initial["from_text"] == (
        "EDI met verlengde instructie; 300 minuten per week"
    )
    assert response["Location"] == f"/afwijking/{record.pk}/"
    assert record.plan == made.plan
    assert record.figures["school_year"] == 2024
    assert record.figures["period"] == "M"
    assert record.figures["subjects"][0]["verdicts"][0]["value"] == 34.0
    assert {p.surname for p in record.pupils.all()} == {"P1", "P2"}


def test_a_deviation_needs_an_onderwijsplan_first() -> None:
    made = cycle_school()
    made.plan.delete()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)

    response = client.get(
        f"/schoolbespreking/{meeting.pk}/afwijking/nieuw/"
        f"?groep={made.group.pk}&vak=rekenen"
    )

    assert response["Location"] == f"/school/{made.school.pk}/onderwijsplan/"


def test_a_pupil_decision_needs_a_signal_and_a_tier_for_an_arrangement() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    low, strong = made.pupils["P6"], made.pupils["P5"]
    base = f"/schoolbespreking/{meeting.pk}/leerlingbesluit/nieuw/"
    fields = {"kind": "arrangement", "reason": "r", "starts_on": "2025-02-20"}
    fields["ends_on"] = "2025-07-10"

    no_signal = client.get(f"{base}?leerling={strong.pk}&vak=rekenen")
    no_tier = client.post(f"{base}?leerling={low.pk}&vak=spelling", fields)
    done = client.post(
        f"{base}?leerling={low.pk}&vak=spelling", {**fields, "tier": "intensive"}
    )

    assert no_signal.status_code == 404
    assert no_tier.status_code == 200
    assert "Kies het arrangement" in no_tier.content.decode()
    decision = PupilDecision.objects.get()
    assert done["Location"] == f"/schoolbespreking/{meeting.pk}/#leerlingen"
    assert (decision.kind, decision.tier) == ("arrangement", "intensive")
    assert decision.flag["rule"] == "persistently_low"
    assert decision.flag["moment"] == "M5"


def test_evaluation_waits_for_the_next_measurement() -> None:
    made = cycle_school(with_e24=False)
    meeting = meeting_after_m24(made.school, held_on=dt.date(2025, 2, 20))
    client = member_of(made.school)
    url = (
        f"/schoolbespreking/{meeting.pk}/aanpak/nieuw/"
        "?vak=rekenen&maat=p80&populatie=school_3_8"
    )
    client.post(url, plan_form())
    plan = ProfessionalDevelopmentPlan.objects.get()

    with time_machine.travel(dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)):
        page = client.get(f"/aanpak/{plan.pk}/")
        refused = client.post(f"/aanpak/{plan.pk}/", {"outcome": "effective"})

    plan.refresh_from_db()
    assert page.context["status"] == "open"
    assert page.context["can_evaluate"] is False
    assert refused.status_code == 302
    assert plan.evaluated_on is None


def test_evaluation_stores_the_conclusion_with_its_figures() -> None:
    made = cycle_school()
    first = meeting_after_m24(made.school)
    second = Meeting.objects.create(
        school=made.school,
        school_year=made.year,
        after_period="E",
        held_on=dt.date(2025, 6, 30),
    )
    client = member_of(made.school)
    client.post(
        f"/schoolbespreking/{first.pk}/aanpak/nieuw/"
        "?vak=rekenen&maat=p80&populatie=school_3_8",
        plan_form(),
    )
    plan = ProfessionalDevelopmentPlan.objects.get()

    page = client.get(f"/aanpak/{plan.pk}/")
    client.post(
        f"/aanpak/{plan.pk}/",
        {"outcome": "partly", "evaluation_note": "net gehaald", "meeting": second.pk},
    )

    plan.refresh_from_db()
    assert "Koers stelt voor: effectief." in page.content.decode()
    assert (plan.outcome, plan.evaluation_note) == ("partly", "net gehaald")
    assert plan.evaluated_in == second
    assert plan.evidence is not None
    assert (plan.evidence["before"], plan.evidence["after"]) == (34.0, 40.0)
    # The meeting after E lists it as evaluated there.
    pack_page = client.get(f"/schoolbespreking/{second.pk}/").content.decode()
    assert "deels effectief" in pack_page


def test_a_closed_meeting_keeps_its_pack_and_takes_no_more_decisions() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    client.post(f"/schoolbespreking/{meeting.pk}/besluit/", {"text": "Plan bijstellen"})
    client.post(
        f"/schoolbespreking/{meeting.pk}/actie/",
        {"description": "Kijkwijzer maken", "owner": "IB", "due_on": "2025-03-15"},
    )

    client.post(f"/schoolbespreking/{meeting.pk}/vaststellen/")
    refused = client.post(
        f"/schoolbespreking/{meeting.pk}/besluit/", {"text": "Te laat"}
    )
    action = Action.objects.get()
    client.post(f"/actie/{action.pk}/gedaan/")

    meeting.refresh_from_db()
    action.refresh_from_db()
    assert meeting.closed_at is not None
    assert meeting.pack is not None
    assert meeting.pack["school_year"] == 2024
    assert refused.status_code == 302
    assert list(Decision.objects.values_list("text", flat=True)) == ["Plan bijstellen"]
    # Ticking off an action still works after closing.
    assert action.done_on is not None


def test_meeting_pdf_holds_the_pack_and_the_minutes() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    meeting.participants = "Directeur, IB'er"
    meeting.notes = "Rekenen blijft achter in groep 5A."
    meeting.save()
    Decision.objects.create(meeting=meeting, text="Rekentijd in het plan herzien")
    client = member_of(made.school)

    response = client.get(f"/schoolbespreking/{meeting.pk}/verslag.pdf")

    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert "schoolbespreking_22CY_2025-02-20.pdf" in response["Content-Disposition"]
    for expected in (
        "De school tegen haar ambities",
        "Rekentijd in het plan herzien",
        "Rekenen blijft achter in groep 5A.",
        "Blijvend laag",
    ):
        assert expected in text


def test_every_cycle_page_of_another_school_answers_404() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    action = Action.objects.create(
        meeting=meeting, description="x", owner="y", due_on=dt.date(2025, 3, 1)
    )
    client = member_of(make_school("33XX", "Andere school"))

    urls = [
        f"/school/{made.school.pk}/cyclus/",
        f"/school/{made.school.pk}/schoolbespreking/nieuw/",
        f"/schoolbespreking/{meeting.pk}/",
        f"/schoolbespreking/{meeting.pk}/verslag.pdf",
        f"/schoolbespreking/{meeting.pk}/aanpak/nieuw/"
        "?vak=rekenen&maat=p80&populatie=school_3_8",
        f"/schoolbespreking/{meeting.pk}/afwijking/nieuw/"
        f"?groep={made.group.pk}&vak=rekenen",
        f"/schoolbespreking/{meeting.pk}/leerlingbesluit/nieuw/"
        f"?leerling={made.pupils['P6'].pk}&vak=spelling",
    ]
    posts = [
        f"/schoolbespreking/{meeting.pk}/verslag/",
        f"/schoolbespreking/{meeting.pk}/besluit/",
        f"/schoolbespreking/{meeting.pk}/actie/",
        f"/schoolbespreking/{meeting.pk}/vaststellen/",
        f"/actie/{action.pk}/gedaan/",
    ]

    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in posts:
        assert client.post(url, {"text": "x"}).status_code == 404, url
    assert not Meeting.objects.filter(closed_at__isnull=False).exists()


def test_cycle_pages_ask_for_a_login() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)

    response = Client().get(f"/schoolbespreking/{meeting.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_start_page_shows_what_the_cycle_waits_for() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    client.post(
        f"/schoolbespreking/{meeting.pk}/aanpak/nieuw/"
        "?vak=rekenen&maat=p80&populatie=school_3_8",
        plan_form(),
    )

    with time_machine.travel(dt.datetime(2025, 9, 1, 12, tzinfo=dt.UTC)):
        page = client.get(f"/school/{made.school.pk}/start/").content.decode()

    # E 2024-2025 is the latest measurement and has no meeting yet; the plan ended
    # on 10 July, more than four weeks before 1 September: overdue.
    assert "Na de meting eind 2024-2025 is er nog geen schoolbespreking." in page
    assert "evaluatie te laat" in page
    assert "Professionalisering rekenen: p80 rekenen terug naar 40" in page


def test_pupil_page_shows_signals_and_decisions_per_measurement() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    low = made.pupils["P6"]
    client = member_of(made.school)
    client.post(
        f"/schoolbespreking/{meeting.pk}/leerlingbesluit/nieuw/"
        f"?leerling={low.pk}&vak=spelling",
        {
            "kind": "adaptation",
            "reason": "extra oefentijd",
            "starts_on": "2025-02-20",
            "ends_on": "2025-07-10",
        },
    )

    page = client.get(f"/leerling/{low.pk}/")

    history = page.context["history"]
    # Newest first: E24 with the signal on 5, 6, 7; M24 with the signal on 4, 5,
    # 6 and the decision taken on it. M23 and E23 had fewer than three results.
    assert [row.measurement for row in history] == [
        "eind 2024-2025",
        "midden 2024-2025",
    ]
    assert [len(row.flags) for row in history] == [1, 1]
    assert history[0].decisions == []
    assert [d.kind for d in history[1].decisions] == ["adaptation"]
    assert "aanpassing voor deze leerling" in page.content.decode()


def test_a_record_can_be_corrected_until_its_meeting_is_closed() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    client.post(
        f"/schoolbespreking/{meeting.pk}/aanpak/nieuw/"
        "?vak=rekenen&maat=p80&populatie=school_3_8",
        plan_form(),
    )
    plan = ProfessionalDevelopmentPlan.objects.get()

    edited = client.post(f"/aanpak/{plan.pk}/bewerken/", plan_form(owner="IB'er"))
    client.post(f"/schoolbespreking/{meeting.pk}/vaststellen/")
    refused = client.post(f"/aanpak/{plan.pk}/bewerken/", plan_form(owner="later"))
    not_deleted = client.post(f"/aanpak/{plan.pk}/verwijderen/")

    plan.refresh_from_db()
    assert edited["Location"] == f"/aanpak/{plan.pk}/"
    assert refused["Location"] == f"/aanpak/{plan.pk}/"
    assert not_deleted["Location"] == f"/aanpak/{plan.pk}/"
    assert plan.owner == "IB'er"
    # The gap it was made for does not change with the text.
    assert plan.value_at_start == Decimal(34)


def test_a_record_and_an_empty_meeting_can_be_removed_while_open() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    client = member_of(made.school)
    client.post(
        f"/schoolbespreking/{meeting.pk}/aanpak/nieuw/"
        "?vak=rekenen&maat=p80&populatie=school_3_8",
        plan_form(),
    )
    plan = ProfessionalDevelopmentPlan.objects.get()

    kept = client.post(f"/schoolbespreking/{meeting.pk}/verwijderen/")
    removed_plan = client.post(f"/aanpak/{plan.pk}/verwijderen/")
    removed_meeting = client.post(f"/schoolbespreking/{meeting.pk}/verwijderen/")

    # A meeting with a decision in it stays; once empty it can go.
    assert kept["Location"] == f"/schoolbespreking/{meeting.pk}/"
    assert removed_plan["Location"] == f"/schoolbespreking/{meeting.pk}/"
    assert removed_meeting["Location"] == f"/school/{made.school.pk}/cyclus/"
    assert not ProfessionalDevelopmentPlan.objects.exists()
    assert not Meeting.objects.exists()


def test_records_of_another_school_cannot_be_edited_or_removed() -> None:
    made = cycle_school()
    meeting = meeting_after_m24(made.school)
    record = pupil_decision(made, meeting)
    client = member_of(make_school("33XX", "Andere school"))

    urls = [
        f"/leerlingbesluit/{record.pk}/",
        f"/leerlingbesluit/{record.pk}/bewerken/",
        f"/leerlingbesluit/{record.pk}/verwijderen/",
        f"/schoolbespreking/{meeting.pk}/verwijderen/",
    ]

    assert [client.post(url, {"kind": "referral"}).status_code for url in urls] == [
        404,
        404,
        404,
        404,
    ]
    record.refresh_from_db()
    assert record.kind == "no_change"
    assert Meeting.objects.filter(pk=meeting.pk).exists()
