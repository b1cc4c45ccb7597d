"""The demo school's onderwijsplan and one completed cycle.

A newcomer should see the method working on the first start: an onderwijsplan
in two versions, a schoolbespreking after the M-measurement that made a
professionalisation plan, a group deviation and pupil decisions, and the
schoolbespreking after the E-measurement that evaluated them. Everything is made
through the same services as the pages, from the imported results, so the
figures are real; the texts are invented, like everything in the demo.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from koers.analysis.services import SchoolResults
from koers.cycle import plan_services, services
from koers.cycle.models import (
    Action,
    Decision,
    DecisionKind,
    DeviationElement,
    EducationPlan,
    GroupDeviation,
    Meeting,
    Outcome,
    ProfessionalDevelopmentPlan,
    PupilDecision,
    SchoolAgreement,
    Tier,
    TwentyWeekRecord,
)
from koers.cycle.pack import build_pack
from koers.lib.cycle.calendar import default_end
from koers.lib.records import Period, Subject
from koers.schools.models import School, SchoolYear

logger = logging.getLogger(__name__)

OFFER: dict[str, dict[str, Any]] = {
    "rekenen": {
        "learning_line": (
            "Leerlijn van de methode tot 1S in groep 8; per blok drie cruciale "
            "doelen met ik-kan-doelen op het bord."
        ),
        "methods": "Pluspunt 4, met Bareka voor automatiseren.",
        "minutes_per_week": 300,
        "instruction_model": (
            "EDI: terugblik, lesdoel, instructie, begeleide inoefening, "
            "verlengde instructie aan de instructietafel."
        ),
    },
    "begrijpend_lezen": {
        "learning_line": "Leerlijn naar 2F met de strategieën van Nieuwsbegrip.",
        "methods": "Nieuwsbegrip XL, wekelijks een actuele tekst.",
        "minutes_per_week": 120,
        "instruction_model": "Modelen hardop denkend, daarna samen en zelfstandig.",
    },
    "spelling": {
        "learning_line": "Categorieën van Staal, dictee elke vierde week.",
        "methods": "Staal Spelling.",
        "minutes_per_week": 180,
        "instruction_model": "EDI, met dagelijks herhalen van de oude categorieën.",
    },
    "technisch_lezen": {
        "learning_line": "AVI-niveaus per groep; doel AVI-plus eind groep 6.",
        "methods": "Estafette, tutorlezen in groep 4 en 5.",
        "minutes_per_week": 150,
        "instruction_model": "Voordoen, koorlezen, duolezen en stillezen.",
    },
}
TIERS: dict[str, dict[str, Any]] = {
    Tier.INTENSIVE: {
        "entry_criteria": (
            "Index onder 25 bij de laatste meting, of op advies van de IB."
        ),
        "index_from": None,
        "index_below": 25,
        "instruction": "Verlengde instructie aan de instructietafel, elke les.",
        "time": "Een kwartier extra per dag.",
        "materials": "Remediërende werkbladen van de methode.",
        "compacting_enriching": "",
    },
    Tier.BASIC: {
        "entry_criteria": "Index 25 tot 75: de middenmoot.",
        "index_from": 25,
        "index_below": 75,
        "instruction": "De instructie van de les.",
        "time": "De tijd van het rooster.",
        "materials": "De methode.",
        "compacting_enriching": "",
    },
    Tier.ENRICHED: {
        "entry_criteria": "Index 75 of hoger bij twee metingen achter elkaar.",
        "index_from": 75,
        "index_below": None,
        "instruction": "Korte instructie, daarna zelfstandig.",
        "time": "De helft van de oefentijd voor verrijking.",
        "materials": "Plustaken en Rekentijgers.",
        "compacting_enriching": "Compacten: de helft van de oefenstof vervalt.",
    },
}
AGREEMENTS = [
    (
        "Elke les begint met het lesdoel",
        "Het doel staat op het bord en wordt besproken.",
    ),
    (
        "Instructietafel",
        "Elke groep heeft een vaste instructietafel voor verlengde instructie.",
    ),
    (
        "Coöperatieve werkvormen",
        "In elke les minstens één werkvorm waarin alle kinderen actief zijn.",
    ),
    ("Feedback", "Feedback gaat over het doel, niet over het cijfer."),
    (
        "Toetskalender",
        "Methodetoetsen volgens de kalender; LVS-toetsen in januari en juni.",
    ),
]
# Month and day of the two meetings, in the second half of the school year: after
# the M-tests in February and after the E-tests in June.
FIRST_MEETING = (2, 24)
SECOND_MEETING = (7, 2)
PARTICIPANTS = (
    "Directeur (voorzitter)\nIntern begeleider\nLeerkrachten groep 3 tot en met 8"
)


@transaction.atomic
def build_demo_cycle(school: School, user: User | None) -> bool:
    """Fill the demo school's cycle; False when it has one already (a re-run)."""
    if EducationPlan.objects.filter(school=school).exists():
        return False

    results = SchoolResults.load(school)
    found = services.measurements(results)
    if len(found) < 2:
        return False
    first_year = found[-1][0]
    plan = _education_plans(school, first_year, user)

    first = _meeting(
        school,
        (first_year, Period.MIDDLE),
        dt.date(first_year + 1, *FIRST_MEETING),
        user,
    )
    records = _decide(first, results, plan, user)
    first.notes = (
        "Begrijpend lezen blijft achter bij de ambitie. Het team kiest voor een "
        "studiedag en klassenbezoeken. De groep met de laagste rekengroei krijgt "
        "20 weken dagelijks verlengde instructie."
    )
    Decision.objects.create(
        meeting=first,
        text="De aanpak van begrijpend lezen komt terug in de volgende bespreking.",
    )
    Action.objects.create(
        meeting=first,
        description="Kijkwijzer begrijpend lezen maken",
        owner="Intern begeleider",
        due_on=dt.date(first_year + 1, 3, 13),
        done_on=dt.date(first_year + 1, 3, 11),
    )
    _close(first)

    second = _meeting(
        school, (first_year, Period.END), dt.date(first_year + 1, *SECOND_MEETING), user
    )
    for record in records:
        _evaluate(record, second, results)
    second.notes = "De plannen van februari zijn geëvalueerd; zie per plan."
    Decision.objects.create(
        meeting=second,
        text=(
            "Verlengde instructie aan de instructietafel wordt voor alle groepen "
            "vastgelegd in het onderwijsplan van volgend jaar."
        ),
    )
    _close(second)
    logger.info("demo cycle built school=%s records=%d", school.pk, len(records))
    return True


def _education_plans(school: School, year: int, user: User | None) -> EducationPlan:
    """Version 1 for the year before, version 2 for the year of the cycle."""
    earlier, _ = SchoolYear.objects.get_or_create(start_year=year - 1)
    current, _ = SchoolYear.objects.get_or_create(start_year=year)
    first = plan_services.start_plan(school, earlier, user)
    first.summary = "Eerste versie: het aanbod zoals het team het in 2024 afsprak."
    first.save(update_fields=["summary"])
    for offer in first.subjects.all():
        for name, value in OFFER.get(offer.subject, {}).items():
            setattr(offer, name, value)
        offer.save()
        for arrangement in offer.arrangements.all():
            for name, value in TIERS[arrangement.tier].items():
                setattr(arrangement, name, value)
            arrangement.save()
    for position, (title, text) in enumerate(AGREEMENTS):
        SchoolAgreement.objects.create(
            plan=first, title=title, text=text, position=position
        )

    second = plan_services.new_version(
        first,
        current,
        "Rekenen krijgt een half uur per week meer, voor automatiseren.",
        user,
    )
    math = second.subjects.get(subject=Subject.MATH.value)
    math.minutes_per_week = 330
    math.methods = "Pluspunt 4, met dagelijks tien minuten Bareka."
    math.save()
    return second


def _meeting(
    school: School,
    measurement: services.Measurement,
    held_on: dt.date,
    user: User | None,
) -> Meeting:
    year, period = measurement
    return Meeting.objects.create(
        school=school,
        school_year=SchoolYear.objects.get(start_year=year),
        after_period=period.value,
        held_on=held_on,
        participants=PARTICIPANTS,
        created_by=user,
    )


def _decide(
    meeting: Meeting, results: SchoolResults, plan: EducationPlan, user: User | None
) -> list[TwentyWeekRecord]:
    """A plan for the largest missed school ambition, a deviation for the group
    missing most, and decisions for the first two pupils with a signal."""
    measurement = services.measurement_of(meeting)
    evaluate_year, evaluate_period = services.evaluation_moment(meeting)
    period = {
        "school": meeting.school,
        "meeting": meeting,
        "starts_on": meeting.held_on,
        "ends_on": default_end(meeting.held_on),
        "evaluate_year": SchoolYear.objects.get_or_create(start_year=evaluate_year)[0],
        "evaluate_period": evaluate_period.value,
        "created_by": user,
    }
    records: list[TwentyWeekRecord] = []

    missed = [
        (verdict["margin"], row["subject"], row["population"], verdict)
        for row in services.school_verdicts(results, measurement)
        for verdict in row["verdicts"]
        if verdict["met"] is False and verdict["metric"] in ("p80", "p20")
    ]
    if missed:
        _, subject, population, verdict = min(missed, key=lambda m: m[0])
        development = ProfessionalDevelopmentPlan.objects.create(
            **period,
            subject=subject,
            metric=verdict["metric"],
            population=population,
            gap_year=meeting.school_year,
            gap_period=meeting.after_period,
            target=round(verdict["target"], 2),
            value_at_start=round(verdict["value"], 2),
            n_at_start=verdict["n"],
            goal="De zwakste lezers halen weer de ambitie van de school.",
            activities=(
                "Studiedag over modelen bij begrijpend lezen (maart); twee "
                "klassenbezoeken per leerkracht met de kijkwijzer; collegiale "
                "consultatie in mei."
            ),
            owner="Directeur",
            success_criterion="De waarde haalt bij de E-meting de ambitie.",
        )
        development.agreements.set(plan.agreements.filter(position__in=[0, 2]))
        records.append(development)

    # The group that misses an ambition with the weakest growth up to the
    # measurement: a deviation there has a growth to be compared with.
    candidates = [
        (item["mean_growth"], group.name, group, item)
        for group in services.groups_of_meeting(meeting)
        for item in services.group_verdicts(results, group, measurement)
        if item["missed"] and item["mean_growth"] is not None
    ]
    if candidates:
        _, _, group, subject = min(candidates, key=lambda c: (c[0], c[1]))
        records.append(
            GroupDeviation.objects.create(
                **period,
                group=group,
                subject=subject["subject"],
                plan=plan,
                element=DeviationElement.INSTRUCTION,
                from_text="Verlengde instructie wanneer nodig.",
                to_text="Dagelijks verlengde instructie aan de instructietafel.",
                reason="De groep haalt de ambitie niet; de groei bleef achter.",
                figures={
                    "school_year": measurement[0],
                    "period": measurement[1].value,
                    "subjects": [subject],
                },
                expected_effect="Meer groei dan in de periode ervoor.",
            )
        )

    placed = set(
        services.groups_of_meeting(meeting).values_list(
            "enrolments__pupil_id", flat=True
        )
    )
    flags = sorted(
        services.flags_at(results, measurement, placed),
        key=lambda f: (f.pupil_id, f.subject.value),
    )
    choices = [
        (DecisionKind.ARRANGEMENT, Tier.INTENSIVE, "Naar het intensieve arrangement."),
        (DecisionKind.NO_CHANGE, "", "Het aanbod is genoeg; de leerling was ziek."),
    ]
    for flag, (kind, tier, reason) in zip(flags, choices, strict=False):
        records.append(
            PupilDecision.objects.create(
                **period,
                pupil_id=flag.pupil_id,
                subject=flag.subject.value,
                kind=kind,
                tier=tier,
                reason=reason,
                flag=services.flag_snapshot(flag),
            )
        )
    return records


def _evaluate(
    record: TwentyWeekRecord, meeting: Meeting, results: SchoolResults
) -> None:
    """The conclusion Koers suggests, recorded at the second meeting."""
    evidence = services.evidence_for(record, results)
    record.evidence = evidence
    record.outcome = evidence.get("suggestion") or Outcome.PARTLY
    record.evaluation_note = (
        "Conclusie zoals Koers die voorstelde, besproken in het team."
    )
    record.evaluated_on = meeting.held_on
    record.evaluated_in = meeting
    record.save()


def _close(meeting: Meeting) -> None:
    """Closed at the end of the meeting's day, as if recorded then."""
    meeting.pack = build_pack(meeting)
    meeting.closed_at = timezone.make_aware(
        dt.datetime.combine(meeting.held_on, dt.time(17))
    )
    meeting.save()
