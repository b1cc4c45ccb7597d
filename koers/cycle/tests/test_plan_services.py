"""The onderwijsplan services: version 1, new versions as complete and independent
copies, edits of unfrozen versions only, and the differences between versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError

from koers.cycle.models import (
    Arrangement,
    EducationPlan,
    GroupDeviation,
    PlanSubject,
    ProfessionalDevelopmentPlan,
    SchoolAgreement,
)
from koers.cycle.plan_diff import (
    ChangeKind,
    DiffArea,
    FieldChange,
    PlanDifference,
    WordChange,
    WordKind,
    plan_differences,
    word_changes,
)
from koers.cycle.plan_services import (
    AgreementEdit,
    PlanEdit,
    PlanError,
    PlanFrozenError,
    VersionExistsError,
    check_editable,
    current_plan,
    new_version,
    plan_subjects,
    save_plan,
    start_plan,
)
from koers.schools.models import Group, School, SchoolYear
from koers.tests.helpers import make_school

pytestmark = pytest.mark.django_db

MATH_LINE = "Leerlijn rekenen tot 1S met de methode als basis voor alle groepen"


@pytest.fixture
def school() -> School:
    return make_school()


@pytest.fixture
def year() -> SchoolYear:
    return SchoolYear.objects.get_or_create(start_year=2024)[0]


@pytest.fixture
def next_year() -> SchoolYear:
    return SchoolYear.objects.get_or_create(start_year=2025)[0]


@pytest.fixture
def user() -> User:
    return User.objects.create_user(username="ib-er", password="pw")


def subject_of(plan: EducationPlan, subject: str) -> PlanSubject:
    return PlanSubject.objects.get(plan=plan, subject=subject)


def arrangement_of(plan: EducationPlan, subject: str, tier: str) -> Arrangement:
    return Arrangement.objects.get(
        plan_subject__plan=plan, plan_subject__subject=subject, tier=tier
    )


def filled_plan(school: School, year: SchoolYear, user: User) -> EducationPlan:
    """Version 1 with math filled in, an intensive band below 25 and two
    agreements."""
    plan = start_plan(school, year, user)
    math = subject_of(plan, "rekenen")
    intensive = arrangement_of(plan, "rekenen", "intensive")
    save_plan(
        plan,
        PlanEdit(
            subjects={
                math.pk: {
                    "learning_line": MATH_LINE,
                    "methods": "Wereld in getallen 5",
                    "minutes_per_week": 300,
                    "instruction_model": "EDI",
                }
            },
            arrangements={
                intensive.pk: {
                    "entry_criteria": "Laatste M-toets onder index 25",
                    "index_below": Decimal("25"),
                    "instruction": "Verlengde instructie aan de instructietafel",
                    "time": "30 minuten extra per week",
                }
            },
            agreements=[
                AgreementEdit(None, "Lesdoel op het bord", "Elke les begint ermee."),
                AgreementEdit(None, "Bezemdoelen", "Na elk blok herhalen."),
            ],
        ),
    )
    return plan


def test_current_plan_is_none_without_a_plan(school: School) -> None:
    assert current_plan(school) is None


def test_it_starts_version_1_with_every_subject_and_three_empty_arrangements(
    school: School, year: SchoolYear, user: User
) -> None:
    plan = start_plan(school, year, user)

    assert (plan.number, plan.based_on, plan.school_year, plan.created_by) == (
        1,
        None,
        year,
        user,
    )
    offers = plan_subjects(plan)
    assert [offer.subject.subject for offer in offers] == [
        "rekenen",
        "begrijpend_lezen",
        "spelling",
        "technisch_lezen",
        "woordenschat",
        "taalverzorging",
    ]
    for offer in offers:
        assert [a.tier for a in offer.arrangements] == [
            "basic",
            "intensive",
            "enriched",
        ]
        assert offer.subject.learning_line == ""
        assert offer.subject.minutes_per_week is None
        for arrangement in offer.arrangements:
            assert arrangement.entry_criteria == ""
            assert arrangement.index_from is None
            assert arrangement.index_below is None
    assert plan.agreements.count() == 0
    assert current_plan(school) == plan


def test_it_refuses_to_start_a_second_plan(
    school: School, year: SchoolYear, user: User
) -> None:
    start_plan(school, year, user)

    with pytest.raises(PlanError, match="al een onderwijsplan"):
        start_plan(school, year, user)

    assert EducationPlan.objects.filter(school=school).count() == 1


def test_a_new_version_is_a_complete_copy(
    school: School, year: SchoolYear, next_year: SchoolYear, user: User
) -> None:
    first = filled_plan(school, year, user)

    second = new_version(first, next_year, "Nieuw schooljaar", user)

    assert (second.number, second.based_on, second.school_year) == (
        2,
        first,
        next_year,
    )
    assert second.summary == "Nieuw schooljaar"
    assert current_plan(school) == second
    math = subject_of(second, "rekenen")
    assert math.pk != subject_of(first, "rekenen").pk
    assert (
        math.learning_line,
        math.methods,
        math.minutes_per_week,
        math.instruction_model,
    ) == (MATH_LINE, "Wereld in getallen 5", 300, "EDI")
    intensive = arrangement_of(second, "rekenen", "intensive")
    assert intensive.entry_criteria == "Laatste M-toets onder index 25"
    assert intensive.index_from is None
    assert intensive.index_below == Decimal("25.0")
    assert intensive.instruction == "Verlengde instructie aan de instructietafel"
    assert intensive.time == "30 minuten extra per week"
    assert PlanSubject.objects.filter(plan=second).count() == 6
    assert Arrangement.objects.filter(plan_subject__plan=second).count() == 18
    assert list(second.agreements.values_list("title", "text", "position")) == [
        ("Lesdoel op het bord", "Elke les begint ermee.", 1),
        ("Bezemdoelen", "Na elk blok herhalen.", 2),
    ]


def test_editing_the_new_version_leaves_the_old_one_alone(
    school: School, year: SchoolYear, user: User
) -> None:
    first = filled_plan(school, year, user)
    second = new_version(first, year, "Meer tijd", user)
    lesson_goal = second.agreements.get(title="Lesdoel op het bord")

    save_plan(
        second,
        PlanEdit(
            subjects={subject_of(second, "rekenen").pk: {"minutes_per_week": 360}},
            arrangements={
                arrangement_of(second, "rekenen", "intensive").pk: {
                    "instruction": "Elke dag verlengde instructie"
                }
            },
            agreements=[
                AgreementEdit(lesson_goal.pk, "Lesdoel op het bord", "Ook na de les."),
                AgreementEdit(None, "Toetskalender", "M-toetsen in januari."),
            ],
        ),
    )

    assert subject_of(first, "rekenen").minutes_per_week == 300
    assert subject_of(second, "rekenen").minutes_per_week == 360
    assert (
        arrangement_of(first, "rekenen", "intensive").instruction
        == "Verlengde instructie aan de instructietafel"
    )
    assert list(first.agreements.values_list("title", "text")) == [
        ("Lesdoel op het bord", "Elke les begint ermee."),
        ("Bezemdoelen", "Na elk blok herhalen."),
    ]
    assert list(second.agreements.values_list("title", "text", "position")) == [
        ("Lesdoel op het bord", "Ook na de les.", 1),
        ("Toetskalender", "M-toetsen in januari.", 2),
    ]


def test_a_new_version_starts_only_from_the_newest(
    school: School, year: SchoolYear, user: User
) -> None:
    first = filled_plan(school, year, user)
    second = new_version(first, year, "", user)
    new_version(second, year, "", user)

    with pytest.raises(PlanError, match="begint altijd bij de nieuwste versie"):
        new_version(first, year, "", user)

    assert EducationPlan.objects.filter(school=school).count() == 3


def test_a_second_copy_of_the_same_version_is_refused(
    school: School, year: SchoolYear, user: User
) -> None:
    # The button clicked twice: the second request asks for a copy of version 1
    # again, and gets the version the first one made.
    first = filled_plan(school, year, user)
    second = new_version(first, year, "", user)

    with pytest.raises(VersionExistsError) as refused:
        new_version(first, year, "", user)

    assert refused.value.newest == second
    assert "Versie 2 is al gemaakt als kopie van versie 1." in str(refused.value)
    assert EducationPlan.objects.filter(school=school).count() == 2


def test_a_new_version_cannot_go_back_to_an_earlier_school_year(
    school: School, year: SchoolYear, user: User
) -> None:
    first = filled_plan(school, year, user)
    earlier, _created = SchoolYear.objects.get_or_create(start_year=year.start_year - 1)

    with pytest.raises(PlanError, match="niet voor een eerder schooljaar"):
        new_version(first, earlier, "", user)

    assert EducationPlan.objects.filter(school=school).count() == 1


def test_a_locked_database_is_refused_in_words(
    school: School, year: SchoolYear, user: User
) -> None:
    # SQLite answers the second of two simultaneous writers "database is locked".
    first = filled_plan(school, year, user)

    with (
        mock.patch(
            "koers.cycle.plan_services.create_version",
            side_effect=OperationalError("database is locked"),
        ),
        pytest.raises(PlanError, match="Iemand anders maakte tegelijk"),
    ):
        new_version(first, year, "", user)

    assert EducationPlan.objects.filter(school=school).count() == 1


def test_a_version_with_a_newer_version_is_frozen(
    school: School, year: SchoolYear, user: User
) -> None:
    first = filled_plan(school, year, user)
    new_version(first, year, "", user)
    math = subject_of(first, "rekenen")

    with pytest.raises(PlanFrozenError, match="er is een nieuwere versie"):
        save_plan(first, PlanEdit(subjects={math.pk: {"minutes_per_week": 10}}))

    assert subject_of(first, "rekenen").minutes_per_week == 300


def test_a_version_a_deviation_refers_to_is_frozen(
    school: School, year: SchoolYear, user: User
) -> None:
    plan = filled_plan(school, year, user)
    GroupDeviation.objects.create(
        school=school,
        starts_on=dt.date(2025, 2, 10),
        ends_on=dt.date(2025, 6, 30),
        evaluate_year=year,
        evaluate_period="E",
        group=Group.objects.create(school=school, school_year=year, name="5A"),
        subject="rekenen",
        plan=plan,
        element="time",
        from_text="300 minuten",
        to_text="360 minuten",
        reason="Groep haalt p80 niet",
        expected_effect="p80 omhoog",
    )

    with pytest.raises(PlanFrozenError, match="afwijkingen van groepen"):
        check_editable(plan)
    with pytest.raises(PlanFrozenError):
        save_plan(plan, PlanEdit(agreements=[]))

    assert plan.agreements.count() == 2


def test_it_refuses_values_for_a_subject_of_another_plan(
    school: School, year: SchoolYear, user: User
) -> None:
    plan = start_plan(school, year, user)
    other = start_plan(make_school("22BB", "Andere school"), year, user)
    foreign = subject_of(other, "rekenen")

    with pytest.raises(ValueError, match="not part of this plan"):
        save_plan(plan, PlanEdit(subjects={foreign.pk: {"methods": "Pluspunt"}}))

    assert subject_of(other, "rekenen").methods == ""


def test_it_refuses_a_field_that_is_not_editable(
    school: School, year: SchoolYear, user: User
) -> None:
    plan = start_plan(school, year, user)
    math = subject_of(plan, "rekenen")

    with pytest.raises(ValueError, match="cannot be edited"):
        save_plan(plan, PlanEdit(subjects={math.pk: {"subject": "spelling"}}))


def test_it_freezes_a_version_whose_agreement_a_development_plan_names(
    school: School, year: SchoolYear, user: User
) -> None:
    plan = filled_plan(school, year, user)
    development = ProfessionalDevelopmentPlan.objects.create(
        school=school,
        starts_on=dt.date(2025, 2, 10),
        ends_on=dt.date(2025, 6, 30),
        evaluate_year=year,
        evaluate_period="E",
        subject="rekenen",
        metric="p80",
        population="school_3_8",
        gap_year=year,
        gap_period="M",
        target=Decimal("25"),
        value_at_start=Decimal("18"),
        n_at_start=40,
        goal="p80 omhoog",
        activities="Klassenbezoeken",
        owner="IB",
        success_criterion="p80 25",
    )
    development.agreements.add(plan.agreements.get(title="Bezemdoelen"))

    with pytest.raises(PlanFrozenError, match="professionaliseringsaanpak"):
        save_plan(plan, PlanEdit(agreements=[]))

    assert plan.agreements.count() == 2
    assert plan.frozen is True


def changed_copy(school: School, year: SchoolYear, user: User) -> EducationPlan:
    """Version 2 of `filled_plan` with changes in every area the diff reports."""
    first = filled_plan(school, year, user)
    second = new_version(first, year, "", user)
    lesson_goal = second.agreements.get(title="Lesdoel op het bord")
    save_plan(
        second,
        PlanEdit(
            subjects={
                subject_of(second, "rekenen").pk: {
                    "learning_line": MATH_LINE.replace("methode", "cruciale doelen"),
                    "minutes_per_week": 360,
                },
                subject_of(second, "spelling").pk: {"methods": "Staal"},
            },
            arrangements={
                arrangement_of(second, "rekenen", "intensive").pk: {
                    "index_below": Decimal("20"),
                    "time": "",
                },
                arrangement_of(second, "rekenen", "enriched").pk: {
                    "index_from": Decimal("62.5"),
                },
            },
            agreements=[
                AgreementEdit(None, "Toetskalender", "M-toetsen in januari."),
                AgreementEdit(lesson_goal.pk, "Lesdoel op het bord", "Ook na de les."),
            ],
        ),
    )
    # The services never add or remove a subject; a plan changed by hand can.
    subject_of(second, "woordenschat").delete()
    PlanSubject.objects.create(plan=second, subject="overig", methods="Blink")
    return second


def test_it_lists_every_difference_between_two_versions(
    school: School, year: SchoolYear, user: User
) -> None:
    second = changed_copy(school, year, user)
    first = second.based_on
    assert first is not None

    differences = plan_differences(first, second)

    assert differences == [
        PlanDifference(
            DiffArea.SUBJECT,
            ChangeKind.CHANGED,
            "Rekenen",
            "rekenen",
            "",
            (
                FieldChange(
                    "learning_line",
                    "doelen en leerlijn",
                    MATH_LINE,
                    "Leerlijn rekenen tot 1S met de cruciale doelen als basis voor "
                    "alle groepen",
                    (
                        WordChange(WordKind.SAME, "Leerlijn rekenen tot 1S met de "),
                        WordChange(WordKind.DELETED, "methode"),
                        WordChange(WordKind.INSERTED, "cruciale doelen"),
                        WordChange(WordKind.SAME, " als basis voor alle groepen"),
                    ),
                ),
                FieldChange("minutes_per_week", "minuten per week", "300", "360"),
            ),
        ),
        PlanDifference(
            DiffArea.ARRANGEMENT,
            ChangeKind.CHANGED,
            "Rekenen, arrangement intensief",
            "rekenen",
            "intensive",
            (
                FieldChange("index_below", "tot index", "25", "20"),
                FieldChange("time", "tijd", "30 minuten extra per week", ""),
            ),
        ),
        PlanDifference(
            DiffArea.ARRANGEMENT,
            ChangeKind.CHANGED,
            "Rekenen, arrangement verdiept",
            "rekenen",
            "enriched",
            (FieldChange("index_from", "vanaf index", "", "62,5"),),
        ),
        PlanDifference(
            DiffArea.SUBJECT,
            ChangeKind.CHANGED,
            "Spelling",
            "spelling",
            "",
            (FieldChange("methods", "methoden en materialen", "", "Staal"),),
        ),
        PlanDifference(
            DiffArea.SUBJECT, ChangeKind.REMOVED, "Woordenschat", "woordenschat"
        ),
        PlanDifference(
            DiffArea.ARRANGEMENT,
            ChangeKind.REMOVED,
            "Woordenschat, arrangement basis",
            "woordenschat",
            "basic",
        ),
        PlanDifference(
            DiffArea.ARRANGEMENT,
            ChangeKind.REMOVED,
            "Woordenschat, arrangement intensief",
            "woordenschat",
            "intensive",
        ),
        PlanDifference(
            DiffArea.ARRANGEMENT,
            ChangeKind.REMOVED,
            "Woordenschat, arrangement verdiept",
            "woordenschat",
            "enriched",
        ),
        PlanDifference(
            DiffArea.SUBJECT,
            ChangeKind.ADDED,
            "Overig",
            "overig",
            "",
            (FieldChange("methods", "methoden en materialen", "", "Blink"),),
        ),
        PlanDifference(
            DiffArea.AGREEMENT,
            ChangeKind.ADDED,
            "Toetskalender",
            fields=(FieldChange("text", "uitwerking", "", "M-toetsen in januari."),),
        ),
        PlanDifference(
            DiffArea.AGREEMENT,
            ChangeKind.CHANGED,
            "Lesdoel op het bord",
            fields=(
                FieldChange(
                    "text", "uitwerking", "Elke les begint ermee.", "Ook na de les."
                ),
            ),
        ),
        PlanDifference(
            DiffArea.AGREEMENT,
            ChangeKind.REMOVED,
            "Bezemdoelen",
            fields=(FieldChange("text", "uitwerking", "Na elk blok herhalen.", ""),),
        ),
    ]


def test_two_equal_versions_have_no_differences(
    school: School, year: SchoolYear, user: User
) -> None:
    first = filled_plan(school, year, user)
    second = new_version(first, year, "Alleen een nieuw schooljaar", user)

    assert plan_differences(first, second) == []


def test_agreements_with_the_same_title_are_matched_in_order(
    school: School, year: SchoolYear, user: User
) -> None:
    first = start_plan(school, year, user)
    for position, text in enumerate(("eerste", "tweede")):
        SchoolAgreement.objects.create(
            plan=first, title="Instructie", text=text, position=position
        )
    second = new_version(first, year, "", user)
    second.agreements.filter(text="tweede").update(text="derde")

    differences = plan_differences(first, second)

    assert differences == [
        PlanDifference(
            DiffArea.AGREEMENT,
            ChangeKind.CHANGED,
            "Instructie",
            fields=(FieldChange("text", "uitwerking", "tweede", "derde"),),
        )
    ]


def test_short_texts_get_no_word_marks() -> None:
    assert word_changes("Rekenrijk", "Pluspunt") == ()
    assert word_changes("", "Een lange tekst van heel veel woorden zonder einde") == ()


def test_a_long_text_marks_added_lines() -> None:
    old = "Directe instructie aan de hele groep, daarna verlengde instructie."
    new = f"{old}\nElke dag tien minuten automatiseren."

    assert word_changes(old, new) == (
        WordChange(WordKind.SAME, old),
        WordChange(WordKind.INSERTED, "\nElke dag tien minuten automatiseren."),
    )
